using PolicyLab.Algorithms;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Training;

/// <summary>Where the training loop stands: what a checkpoint saves besides the algorithm and the environments.</summary>
/// <param name="Iteration">Updates done.</param>
/// <param name="TotalSteps">Environment steps taken.</param>
/// <param name="NextEvaluation">Step at which the next evaluation is due.</param>
/// <param name="NextCheckpoint">Step at which the next checkpoint is due.</param>
public readonly record struct LoopPosition(int Iteration, long TotalSteps, long NextEvaluation, long NextCheckpoint);

/// <summary>
/// The schema of a training checkpoint's state: the algorithm's state, the environment stack's (normalizer
/// statistics always, the environments when they can save theirs), the evaluation stream and the loop's position,
/// plus the description in checkpoint.json. One place that writes it and one that reads it.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>Writes the checkpoint of the current step: to <c>checkpoints/&lt;step&gt;/</c>, or, when <paramref name="best"/>
    /// is set, to <see cref="RunFolder.BestPath"/> without the replay buffer (a best checkpoint is read to act, not to resume).</summary>
    public static void Save(RunFolder folder, IAlgorithm algorithm, TrainingEnvironments environments, Rng evaluationRng,
        LoopPosition position, ExperimentLog log, string version, BestRecord? best = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(environments);
        ArgumentNullException.ThrowIfNull(log);
        var state = new StateDictionary();
        algorithm.SaveState(state);
        environments.State.SaveState(state, "env");
        state.SetRng("evaluation_rng", evaluationRng);
        state.SetScalar("trainer.iteration", position.Iteration);
        state.SetScalar("trainer.total_steps", position.TotalSteps);
        state.SetScalar("trainer.next_evaluation", position.NextEvaluation);
        state.SetScalar("trainer.next_checkpoint", position.NextCheckpoint);
        if (best is not null) state.RemoveWithPrefix("replay.");
        state.Metadata["algorithm"] = log.Algorithm;
        state.Metadata["environment"] = log.Environment;
        state.Metadata["environment_state"] = environments.Statistics.CanSaveState ? "saved" : "not saved";
        var description = new Dictionary<string, object>
        {
            ["algorithm"] = log.Algorithm,
            ["environment"] = log.Environment,
            ["step"] = position.TotalSteps,
            ["iteration"] = position.Iteration,
            ["observation_space"] = environments.Statistics.SingleObservationSpace.ToString() ?? "",
            ["action_space"] = environments.Statistics.SingleActionSpace.ToString() ?? "",
            ["parameters"] = algorithm.Parameters.Parameters.ToDictionary(p => p.Name,
                p => p.StoredTransposed ? (int[])[p.Shape[1], p.Shape[0]] : p.Shape.ToArray()),
            ["normalize_observations"] = environments.Run.NormalizeObservations,
            ["version"] = version,
        };
        if (best is not null) description["best_mean_return"] = best.MeanReturn;
        Checkpoint.Write(best is null ? folder.CheckpointPath(position.TotalSteps) : folder.BestPath, state, algorithm.Parameters, description, log.ToJson());
    }

    /// <summary>
    /// Restores a checkpoint's state into a freshly built algorithm and environment stack and returns the loop's
    /// position. Environments that could not save their state restart their episodes (and
    /// <paramref name="notice"/> says so).
    /// </summary>
    public static LoopPosition Load(StateDictionary state, IAlgorithm algorithm, TrainingEnvironments environments, Rng evaluationRng,
        Action<string>? notice)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(environments);
        algorithm.LoadState(state);
        environments.State.LoadState(state, "env");
        if (state.Metadata.GetValueOrDefault("environment_state") != "saved" || !environments.Statistics.CanSaveState)
        {
            environments.Top.Reset(Rng.DeriveSeed((ulong)environments.Run.Seed, 1000 + (ulong)state.ReadScalarInt64("trainer.iteration")));
            notice?.Invoke($"The environment '{environments.Run.Environment}' cannot save its state, so its episodes restart on resume; the run continues but not bit-identically.");
        }
        state.ReadRng("evaluation_rng", evaluationRng);
        if (algorithm.Parameters.FindUnusableValue() is string weight)
            throw new InvalidDataException($"its weights are not usable ({weight}: NaN, infinite or so large that its square overflows)");
        long iteration = Counter(state, "trainer.iteration", int.MaxValue), totalSteps = Counter(state, "trainer.total_steps", long.MaxValue);
        return new LoopPosition((int)iteration, totalSteps,
            Counter(state, "trainer.next_evaluation", long.MaxValue), Counter(state, "trainer.next_checkpoint", long.MaxValue));
    }

    private static long Counter(StateDictionary state, string name, long max)
    {
        long value = state.ReadScalarInt64(name);
        if (value < 0 || value > max)
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"its counter '{name}' is {value}, outside 0…{max}"));
        return value;
    }
}
