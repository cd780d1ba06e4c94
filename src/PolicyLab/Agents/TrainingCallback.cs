using PolicyLab.Environments.Vector;
using PolicyLab.Training;

namespace PolicyLab.Agents;

/// <summary>
/// A callback in Stable-Baselines3's sense: override the hooks you need; return false from
/// <see cref="OnUpdate"/> or <see cref="OnEvaluation"/> to stop training. A stopped run ends normally — final evaluation,
/// checkpoint, log files — so nothing is lost. The training loop calls the hooks between updates (an update is one
/// rollout and its optimization for on-policy methods, one environment step and its gradient steps for off-policy ones,
/// one generation for black-box search), so no hook runs inside the environment-stepping hot loop.
/// </summary>
public abstract class TrainingCallback : ITrainingObserver
{
    private TrainingRunContext? _run;

    /// <summary>The run being trained (set before <see cref="OnTrainingStart"/>).</summary>
    protected TrainingRunContext Run => _run ?? throw new InvalidOperationException("The run has not started yet.");

    /// <summary>Once, before the first update of this <c>Learn</c> call.</summary>
    public virtual void OnTrainingStart() { }

    /// <summary>After every update, with its diagnostics and the training episodes that finished during it.</summary>
    /// <returns>False to stop training.</returns>
    public virtual bool OnUpdate(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes) => true;

    /// <summary>After every evaluation of the deterministic policy.</summary>
    /// <returns>False to stop training.</returns>
    public virtual bool OnEvaluation(TrainingStatus status, EvaluationResult result) => true;

    /// <summary>A notice for the user (e.g. a resume that cannot be bit-identical).</summary>
    public virtual void OnNotice(string message) { }

    /// <summary>Once, after the final evaluation, checkpoint and log files are written.</summary>
    public virtual void OnTrainingEnd(TrainingResult result) { }

    /// <summary>A callback from a function called after every update; it returns false to stop.</summary>
    public static TrainingCallback Every(Func<TrainingStatus, bool> onUpdate) => new FunctionCallback(onUpdate);

    void ITrainingObserver.OnRunStarted(TrainingRunContext run)
    {
        _run = run;
        OnTrainingStart();
    }

    void ITrainingObserver.OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes)
    {
        if (!OnUpdate(status, update, episodes)) Run.RequestStop($"stopped by {GetType().Name}");
    }

    void ITrainingObserver.OnUpdate(TrainingStatus status) { }

    void ITrainingObserver.OnEvaluation(TrainingStatus status, EvaluationResult result)
    {
        if (!OnEvaluation(status, result)) Run.RequestStop($"stopped by {GetType().Name}");
    }

    void ITrainingObserver.OnNotice(string message) => OnNotice(message);

    void ITrainingObserver.OnRunFinished(TrainingStatus status, TrainingResult result) => OnTrainingEnd(result);

    private sealed class FunctionCallback(Func<TrainingStatus, bool> onUpdate) : TrainingCallback
    {
        public override bool OnUpdate(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes) => onUpdate(status);
    }
}

/// <summary>Stops training once an evaluation's mean return reaches a threshold (SB3's StopTrainingOnRewardThreshold).</summary>
/// <param name="threshold">The mean evaluation return to reach.</param>
public sealed class StopOnRewardThreshold(double threshold) : TrainingCallback
{
    /// <inheritdoc/>
    public override bool OnEvaluation(TrainingStatus status, EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.MeanReturn < threshold;
    }
}
