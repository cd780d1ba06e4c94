using PolicyLab.Environments.Vector;

namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Frozen observation statistics as <see cref="NormalizeVectorEnvironment"/> applies them when not training:
/// x ← clip((x − mean) / √(variance + epsilon), ±clip), per component, computed in float64 and rounded to float32.
/// </summary>
/// <param name="Mean">Running mean per observation component.</param>
/// <param name="Variance">Running variance per observation component.</param>
/// <param name="Clip">Normalized observations are clipped to ±this.</param>
/// <param name="Epsilon">Added to the variance before the square root.</param>
public sealed record ObservationNormalization(double[] Mean, double[] Variance, double Clip = 10.0, double Epsilon = 1e-8)
{
    /// <summary>The statistics and constants of a normalizer (which must normalize observations).</summary>
    /// <exception cref="PolicyLabException">The normalizer only scales rewards.</exception>
    public static ObservationNormalization From(NormalizeVectorEnvironment normalizer)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        if (!normalizer.NormalizeObservations)
            throw new PolicyLabException("This normalizer scales rewards only, so there are no observation statistics to export.");
        return From(normalizer.ObservationStatistics.Export(), normalizer.ClipObservation, normalizer.Epsilon);
    }

    /// <summary>Saved statistics (e.g. a checkpoint's) with the normalizer's clip and epsilon.</summary>
    public static ObservationNormalization From(RunningMeanVarianceState statistics, double clip = 10.0, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return new((double[])statistics.Mean.Clone(), (double[])statistics.Variance.Clone(), clip, epsilon);
    }

    /// <summary>Checks the statistics against an observation width.</summary>
    /// <exception cref="PolicyLabException">Wrong lengths or values that cannot normalize.</exception>
    internal void Validate(int observationSize)
    {
        if (Mean.Length != observationSize || Variance.Length != observationSize)
            throw new PolicyLabException($"The observation statistics have {Mean.Length} means and {Variance.Length} variances but observations have {observationSize} components; pass the statistics saved with this policy.");
        if (Mean.Any(m => !double.IsFinite(m)) || Variance.Any(v => !(v >= 0) || !double.IsFinite(v)))
            throw new PolicyLabException("The observation statistics contain a non-finite mean or a negative or non-finite variance; they cannot normalize observations (the checkpoint is damaged).");
        if (!(Clip > 0) || !(Epsilon >= 0) || !double.IsFinite(Epsilon))
            throw new PolicyLabException($"Observation normalization needs clip > 0 and a finite epsilon ≥ 0; got clip {Clip} and epsilon {Epsilon}.");
    }
}
