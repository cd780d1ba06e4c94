using PolicyLab.Environments.Rendering;
using PolicyLab.Numerics;

namespace PolicyLab.Training;

/// <summary>Evaluates the policy a run saved, as <c>policylab eval</c> does.</summary>
public static class RunEvaluation
{
    /// <summary>
    /// Evaluates the policy of a run's checkpoint (the latest by default) on <paramref name="episodes"/>
    /// fresh episodes, with the observation statistics saved in the checkpoint.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="checkpointStep">The checkpoint (the latest when null).</param>
    /// <param name="episodes">Episodes to run.</param>
    /// <param name="deterministic">Act with the policy's mode.</param>
    /// <param name="seed">Seed of the evaluation episodes (the run's evaluation seed when null).</param>
    /// <param name="film">When set, the episodes run one after another on a single environment copy, each frame
    /// drawn before its step is passed here (so the returns can differ from an unfilmed evaluation, which spreads
    /// the episodes over up to 8 copies).</param>
    public static EvaluationResult Evaluate(RunFolder folder, long? checkpointStep, int episodes, bool deterministic, long? seed = null,
        Action<RgbFrame>? film = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (folder.CheckpointSteps().Count == 0)
            throw new PolicyLabException($"The run '{folder.Path}' has no checkpoint yet, so there is no trained policy to evaluate. " +
                "A run writes one every checkpoint_freq steps and when it ends or is stopped; let it finish (or stop it with Ctrl-C) and evaluate again.");
        using Trainer trainer = Trainer.Resume(folder, checkpointStep);
        return Evaluate(trainer, episodes, deterministic, seed, film);
    }

    /// <summary>
    /// Evaluates the policy of one checkpoint folder of a run (<see cref="RunFolder.ResolveCheckpointFolder"/>: a step
    /// checkpoint or <c>best/</c>), as <see cref="Evaluate(RunFolder, long?, int, bool, long?, Action{RgbFrame}?)"/> does.
    /// </summary>
    public static EvaluationResult EvaluateCheckpoint(RunFolder folder, string checkpointFolder, int episodes, bool deterministic, long? seed = null,
        Action<RgbFrame>? film = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using Trainer trainer = Trainer.OpenCheckpoint(folder, checkpointFolder);
        return Evaluate(trainer, episodes, deterministic, seed, film);
    }

    private static EvaluationResult Evaluate(Trainer trainer, int episodes, bool deterministic, long? seed, Action<RgbFrame>? film)
    {
        ulong evalSeed = seed is long s ? (ulong)s : Rng.DeriveSeed((ulong)trainer.Settings.Seed, 3);
        using var evaluator = new Evaluator(trainer.Environments.MakeCopies(film is null ? Math.Min(episodes, 8) : 1, VectorMode.Sync),
            episodes, evalSeed, trainer.Settings.NormalizeObservations);
        return trainer.Evaluate(evaluator, deterministic, new Rng(Rng.DeriveSeed(evalSeed, 1)), film);
    }
}
