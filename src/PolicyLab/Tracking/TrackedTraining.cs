using PolicyLab.Training;

namespace PolicyLab.Tracking;

/// <summary>Training with what a run leaves to look at: the trackers its settings ask for (<see cref="RunTrackers"/>).</summary>
public static class TrackedTraining
{
    /// <summary>
    /// Runs <paramref name="trainer"/> with the trackers of its settings (TensorBoard events, report.html and, with
    /// <c>render</c>, the value-function page and the training video) and <paramref name="observer"/> (e.g. a progress
    /// reporter); the trackers are disposed afterwards.
    /// </summary>
    public static TrainingResult RunWithTrackers(this Trainer trainer, ITrainingObserver? observer = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        List<ITrainingObserver> trackers = RunTrackers.Create(trainer.Settings);
        try
        {
            return trainer.Run([.. trackers, .. observer is null ? Array.Empty<ITrainingObserver>() : [observer]], cancellation);
        }
        finally
        {
            foreach (IDisposable tracker in trackers.OfType<IDisposable>()) tracker.Dispose();
        }
    }
}
