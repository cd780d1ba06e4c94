using System.Globalization;
using System.Text;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tracking;

/// <summary>
/// Writes a run's progress to <c>tb/events.out.tfevents.*</c>: <c>charts/episodic_return</c> and
/// <c>charts/episodic_length</c> per finished episode (at the step it ended), <c>charts/SPS</c> and
/// <c>charts/learning_rate</c> per update, every other diagnostic as <c>train/&lt;name&gt;</c>, evaluations as
/// <c>eval/*</c>, and the resolved settings as a Markdown table in the text summary <c>hyperparameters</c>.
/// </summary>
public sealed class TensorBoardTracker : ITrainingObserver, IDisposable
{
    private TensorBoardWriter? _writer;

    /// <summary>The event file's path once the run started.</summary>
    public string? FilePath => _writer?.FilePath;

    /// <inheritdoc/>
    public void OnRunStarted(TrainingRunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _writer = new TensorBoardWriter(Path.Combine(run.Folder.Path, "tb"));
        var table = new StringBuilder("|param|value|\n|-|-|\n");
        foreach (KeyValuePair<string, string> kv in run.Log.Parameters) table.Append(CultureInfo.InvariantCulture, $"|{kv.Key}|{kv.Value}|\n");
        _writer.AddText("hyperparameters", table.ToString(), 0);
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes)
    {
        if (_writer is null) return;
        foreach (EpisodeRecord e in episodes)
        {
            _writer.AddScalar("charts/episodic_return", e.Return, e.Step);
            _writer.AddScalar("charts/episodic_length", e.Length, e.Step);
        }
        _writer.AddScalar("charts/SPS", status.StepsPerSecond, update.Step);
        foreach (KeyValuePair<string, double> kv in update.Values)
        {
            if (!double.IsFinite(kv.Value)) continue;
            _writer.AddScalar(kv.Key == "learning_rate" ? "charts/learning_rate" : $"train/{kv.Key}", kv.Value, update.Step);
        }
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnEvaluation(TrainingStatus status, EvaluationResult result)
    {
        if (_writer is null) return;
        ArgumentNullException.ThrowIfNull(result);
        _writer.AddScalar("eval/mean_return", result.MeanReturn, result.Step);
        _writer.AddScalar("eval/std_return", result.StdReturn, result.Step);
        _writer.AddScalar("eval/mean_length", result.MeanLength, result.Step);
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnUpdate(TrainingStatus status) { }

    /// <inheritdoc/>
    public void OnNotice(string message) { }

    /// <inheritdoc/>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
