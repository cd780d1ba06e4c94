using PolicyLab.Algorithms;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Training;

/// <summary>A snapshot of a run's progress.</summary>
/// <param name="Steps">Environment steps so far.</param>
/// <param name="TotalSteps">Step budget.</param>
/// <param name="Iteration">Updates so far.</param>
/// <param name="Episodes">Training episodes finished so far.</param>
/// <param name="RecentMeanReturn">Mean return of the last 10 training episodes (NaN before any).</param>
/// <param name="StepsPerSecond">Environment steps per wall-clock second since the start (or resume).</param>
/// <param name="Elapsed">Wall-clock time since the start (or resume).</param>
public readonly record struct TrainingStatus(long Steps, long TotalSteps, int Iteration, long Episodes,
    double RecentMeanReturn, double StepsPerSecond, TimeSpan Elapsed);

/// <summary>What an observer may look at when a run starts (trackers write files into the run folder).</summary>
public sealed class TrainingRunContext
{
    /// <summary>The run folder.</summary>
    public required RunFolder Folder { get; init; }

    /// <summary>The run's shared settings (render mode, environment, seed, …).</summary>
    public required RunSettings Settings { get; init; }

    /// <summary>The experiment log (episodes, updates, evaluations, parameters), filled as the run goes.</summary>
    public required ExperimentLog Log { get; init; }

    /// <summary>The algorithm being trained.</summary>
    public required IAlgorithm Algorithm { get; init; }

    /// <summary>The environment's registration, if it came from the registry.</summary>
    public EnvironmentSpec? Spec { get; init; }

    /// <summary>The return at which an episode counts as solved (the setting, else the environment's; +∞ when none).</summary>
    public double RewardThreshold { get; init; }

    /// <summary>Shows a notice to the user (through every observer's <see cref="ITrainingObserver.OnNotice"/>).</summary>
    public Action<string> Notify { get; init; } = _ => { };

    /// <summary>
    /// Asks the run to stop after the current update (the argument is the reason recorded as its end); the run then
    /// ends normally, with a final evaluation and checkpoint.
    /// </summary>
    public Action<string> RequestStop { get; init; } = _ => { };

    /// <summary>The training environments (raw rewards), to which a step listener can be attached for rendering.</summary>
    public required VectorEpisodeStatistics Environments { get; init; }
}

/// <summary>
/// Receives a run's progress (a progress bar, log lines, a tracker writing TensorBoard events, videos or a
/// report, a test). Only <see cref="OnUpdate"/>, <see cref="OnEvaluation"/> and <see cref="OnNotice"/> must
/// be implemented; the other callbacks do nothing by default.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>After every update.</summary>
    void OnUpdate(TrainingStatus status);

    /// <summary>After every evaluation.</summary>
    void OnEvaluation(TrainingStatus status, EvaluationResult result);

    /// <summary>A notice for the user (e.g. a resume that cannot be bit-identical).</summary>
    void OnNotice(string message);

    /// <summary>Once, before the first update of this process's part of the run.</summary>
    void OnRunStarted(TrainingRunContext run) { }

    /// <summary>After every update, with its diagnostics and the training episodes that finished during it
    /// (called before <see cref="OnUpdate"/>).</summary>
    void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes) { }

    /// <summary>Once, after the final evaluation, checkpoint and log files are written.</summary>
    void OnRunFinished(TrainingStatus status, TrainingResult result) { }
}

/// <summary>Forwards every callback to several observers in order.</summary>
public sealed class CompositeObserver(IReadOnlyList<ITrainingObserver> observers) : ITrainingObserver
{
    /// <inheritdoc/>
    public void OnUpdate(TrainingStatus status)
    {
        foreach (ITrainingObserver o in observers) o.OnUpdate(status);
    }

    /// <inheritdoc/>
    public void OnEvaluation(TrainingStatus status, EvaluationResult result)
    {
        foreach (ITrainingObserver o in observers) o.OnEvaluation(status, result);
    }

    /// <inheritdoc/>
    public void OnNotice(string message)
    {
        foreach (ITrainingObserver o in observers) o.OnNotice(message);
    }

    /// <inheritdoc/>
    public void OnRunStarted(TrainingRunContext run)
    {
        foreach (ITrainingObserver o in observers) o.OnRunStarted(run);
    }

    /// <inheritdoc/>
    public void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes)
    {
        foreach (ITrainingObserver o in observers) o.OnIteration(status, update, episodes);
    }

    /// <inheritdoc/>
    public void OnRunFinished(TrainingStatus status, TrainingResult result)
    {
        foreach (ITrainingObserver o in observers) o.OnRunFinished(status, result);
    }
}
