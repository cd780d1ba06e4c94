namespace PolicyLab.Tuning;

/// <summary>Where a trial stands.</summary>
public enum TrialState
{
    /// <summary>Claimed by a process and training.</summary>
    Running,
    /// <summary>Trained its whole budget; its value is the objective.</summary>
    Complete,
    /// <summary>Stopped early by the pruner; its value is its last intermediate value.</summary>
    Pruned,
    /// <summary>Crashed, was interrupted, or its process died; it does not count towards the study's trials.</summary>
    Failed,
}

/// <summary>An intermediate evaluation a trial reported.</summary>
/// <param name="Step">1, 2, … (the evaluation's index).</param>
/// <param name="Value">The objective at that evaluation (mean evaluation return).</param>
/// <param name="EnvironmentSteps">Environment steps trained when it was taken.</param>
public readonly record struct IntermediateValue(int Step, double Value, long EnvironmentSteps);

/// <summary>One trial of a study as storage holds it.</summary>
/// <param name="Number">0, 1, … in the order trials were started (never reused).</param>
/// <param name="State">Running, complete, pruned or failed.</param>
/// <param name="Value">The objective (complete), the last intermediate value (pruned), else null.</param>
/// <param name="Parameters">Internal value of every active parameter (see <see cref="SearchParameter"/>).</param>
/// <param name="Intermediate">Reported evaluations, by step.</param>
/// <param name="EnvironmentSteps">Environment steps the trial trained.</param>
/// <param name="Error">Why it failed.</param>
public sealed record TrialRecord(int Number, TrialState State, double? Value, IReadOnlyDictionary<string, double> Parameters,
    IReadOnlyList<IntermediateValue> Intermediate, long EnvironmentSteps, string? Error)
{
    /// <summary>Whether the trial ended and has a value (complete or pruned): what samplers learn from.</summary>
    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned;

    /// <summary>The value reported at <paramref name="step"/>, or null.</summary>
    public double? ValueAt(int step)
    {
        foreach (IntermediateValue v in Intermediate)
            if (v.Step == step) return v.Value;
        return null;
    }

    /// <summary>The value reported at the first step ≥ <paramref name="step"/>, or null when the trial never got there.</summary>
    public double? ValueAtOrAfter(int step)
    {
        IntermediateValue? best = null;
        foreach (IntermediateValue v in Intermediate)
            if (v.Step >= step && (best is null || v.Step < best.Value.Step)) best = v;
        return best?.Value;
    }

    /// <summary>The last step reported (0 when none).</summary>
    public int LastStep => Intermediate.Count == 0 ? 0 : Intermediate.Max(v => v.Step);
}
