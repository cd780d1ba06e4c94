using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Normalizes observations to roughly zero mean and unit variance with running statistics:
/// <c>clip((obs − mean) / sqrt(var + ε), −clip, clip)</c>. While <see cref="IsFrozen"/> is false each new
/// observation updates the statistics first; freeze for evaluation. For a batch of copies use
/// <see cref="Vector.NormalizeVectorEnvironment"/> (the SB3 VecNormalize equivalent) instead.
/// </summary>
public sealed class NormalizeObservation : EnvironmentWrapper
{
    private readonly Box _space;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NormalizeObservation(IEnvironment inner, double clip = 10.0, double epsilon = 1e-8) : base(inner)
    {
        if (!(clip > 0))
            throw new PolicyLabException($"The observation clip must be positive; got {clip}.");
        Clip = clip;
        Epsilon = epsilon;
        Statistics = new RunningMeanVariance(inner.ObservationSpace.FlatSize);
        _space = new Box((float)-clip, (float)clip, inner.ObservationSpace.FlatSize);
    }

    /// <summary>The running statistics (export/import them to save with a model).</summary>
    public RunningMeanVariance Statistics { get; }

    /// <summary>When true the statistics are not updated (evaluation mode).</summary>
    public bool IsFrozen { get; set; }

    /// <summary>Normalized values are clipped to ±this.</summary>
    public double Clip { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>A box of ±<see cref="Clip"/> with the inner observation's size.</summary>
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        Normalize(observation);
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        Normalize(observation);
        return result;
    }

    private void Normalize(Span<float> observation)
    {
        if (!IsFrozen)
            Statistics.Update(observation);
        Normalization.Observation(Statistics, observation, Clip, Epsilon);
    }
}
