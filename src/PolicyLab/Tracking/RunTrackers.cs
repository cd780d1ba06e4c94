using PolicyLab.Training;

namespace PolicyLab.Tracking;

/// <summary>The trackers every training run gets from its settings: TensorBoard events, report.html, and with
/// <c>render</c> the value-function page and the tiled training video.</summary>
public static class RunTrackers
{
    /// <summary>Creates the trackers for <paramref name="settings"/> (the caller disposes those that are disposable).</summary>
    public static List<ITrainingObserver> Create(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var trackers = new List<ITrainingObserver>();
        if (settings.TensorBoard) trackers.Add(new TensorBoardTracker());
        if (settings.Render != RenderMode.None) trackers.Add(new ValuePlotTracker());
        if (settings.Render == RenderMode.Full) trackers.Add(new Video.TrainingVideoTracker());
        trackers.Add(new RunReportTracker()); // last: links to the files the others wrote
        return trackers;
    }
}
