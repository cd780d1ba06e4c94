namespace PolicyLab.Tuning;

/// <summary>Decides, after each intermediate evaluation, whether a trial should stop early (larger values are better).</summary>
public interface IPruner
{
    /// <summary>The pruner's name, recorded with the study.</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="trial"/> (with its latest report) should stop, given every trial of the study.</summary>
    bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials);
}

/// <summary>Never prunes.</summary>
public sealed class NoPruner : IPruner
{
    /// <inheritdoc/>
    public string Name => "none";

    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials) => false;
}

/// <summary>
/// The median stopping rule (Optuna's MedianPruner): at a step s ≥ <paramref name="warmupSteps"/>, once
/// <paramref name="startupTrials"/> trials are complete, prune when the trial's best value so far is below the
/// median of the values that complete trials reported at step s (at least <paramref name="minTrials"/> of them).
/// A trial whose values are all NaN is pruned.
/// </summary>
/// <param name="startupTrials">Complete trials needed before anything is pruned (Optuna 5; RL Zoo passes its n_startup_trials, 10).</param>
/// <param name="warmupSteps">Steps before which a trial is never pruned (RL Zoo: a third of the evaluations).</param>
/// <param name="minTrials">Complete trials that must have reported at the step.</param>
public sealed class MedianPruner(int startupTrials = 5, int warmupSteps = 0, int minTrials = 1) : IPruner
{
    /// <inheritdoc/>
    public string Name => "median";

    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(trials);
        if (trial.Intermediate.Count == 0) return false;
        int step = trial.LastStep;
        List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete && t.Number != trial.Number)];
        if (complete.Count < startupTrials || step < warmupSteps) return false;
        double[] own = [.. trial.Intermediate.Select(v => v.Value).Where(v => !double.IsNaN(v))];
        if (own.Length == 0) return true;
        double best = own.Max();
        double[] others = [.. complete.Select(t => t.ValueAt(step)).OfType<double>().Where(v => !double.IsNaN(v))];
        if (others.Length < Math.Max(minTrials, 1)) return false;
        return best < Median(others);
    }

    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] s = [.. values.Order()];
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}

/// <summary>
/// Asynchronous successive halving (Li et al. 2020; Optuna's SuccessiveHalvingPruner). Rung r is reached at step
/// <paramref name="minResource"/>·η^(s + r) (η = <paramref name="reductionFactor"/>, s = <paramref name="minEarlyStoppingRate"/>);
/// a trial's value at a rung is the value it reported at the first step at or beyond it. A trial arriving at a
/// rung is compared with every trial (of any state) that reached that rung, itself included: among k of them it
/// continues iff its value is at least the ⌊k/η⌋-th best (the best when ⌊k/η⌋ = 0), else it is pruned. NaN is pruned.
/// </summary>
/// <param name="minResource">Steps to the first rung (RL Zoo: 1).</param>
/// <param name="reductionFactor">η (RL Zoo and Optuna: 4).</param>
/// <param name="minEarlyStoppingRate">s (0).</param>
public sealed class SuccessiveHalvingPruner(int minResource = 1, int reductionFactor = 4, int minEarlyStoppingRate = 0) : IPruner
{
    /// <inheritdoc/>
    public string Name => "halving";

    /// <summary>The step at which rung <paramref name="rung"/> is reached.</summary>
    public long RungStep(int rung) => minResource * (long)Math.Pow(reductionFactor, minEarlyStoppingRate + rung);

    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(trials);
        if (trial.Intermediate.Count == 0) return false;
        int step = trial.LastStep;
        // Only the rung this report reaches is decided now (earlier rungs were decided by earlier reports).
        for (int rung = 0; RungStep(rung) <= step; rung++)
        {
            int rungStep = (int)RungStep(rung);
            bool reachedNow = trial.Intermediate.Where(v => v.Step >= rungStep).Min(v => v.Step) == step;
            if (!reachedNow) continue;
            double value = trial.ValueAtOrAfter(rungStep)!.Value;
            if (double.IsNaN(value)) return true;
            double[] competing = [.. trials.Where(t => t.Number != trial.Number).Select(t => t.ValueAtOrAfter(rungStep))
                .OfType<double>().Where(v => !double.IsNaN(v)).Append(value).OrderDescending()];
            int index = Math.Max(competing.Length / reductionFactor - 1, 0);
            if (value < competing[index]) return true;
        }
        return false;
    }
}
