namespace PolicyLab.TaskComplexity;

/// <summary>The estimates of one seed.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Poic">POIC at its best η.</param>
/// <param name="Pic">PIC at its best bin count.</param>
/// <param name="MeanReturn">Mean of all N·M returns.</param>
/// <param name="MaxReturn">Largest return (r_max).</param>
/// <param name="Steps">Environment steps taken.</param>
public sealed record SeedEstimate(long Seed, PoicResult Poic, PicResult Pic, double MeanReturn, double MaxReturn, long Steps);

/// <summary>Mean, sample standard deviation, minimum and maximum of a set of values.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="Std">Sample standard deviation (n − 1; 0 for one value).</param>
/// <param name="Min">Smallest.</param>
/// <param name="Max">Largest.</param>
public readonly record struct Spread(double Mean, double Std, double Min, double Max)
{
    /// <summary>The spread of <paramref name="values"/>.</summary>
    public static Spread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return new Spread(double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= values.Count;
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return new Spread(mean, values.Count > 1 ? Math.Sqrt(ss / (values.Count - 1)) : 0, values.Min(), values.Max());
    }
}

/// <summary>PIC and POIC of one environment over several seeds.</summary>
/// <param name="Options">How the returns were sampled.</param>
/// <param name="Seeds">One estimate per seed.</param>
public sealed record TaskComplexityReport(ReturnSamplingOptions Options, IReadOnlyList<SeedEstimate> Seeds)
{
    /// <summary>POIC over the seeds.</summary>
    public Spread Poic => Spread.Of(Seeds.Select(s => s.Poic.Value).ToArray());

    /// <summary>PIC over the seeds.</summary>
    public Spread Pic => Spread.Of(Seeds.Select(s => s.Pic.Value).ToArray());

    /// <summary>Environment steps over all seeds.</summary>
    public long Steps => Seeds.Sum(s => s.Steps);
}

/// <summary>Runs <see cref="ReturnSampler"/> and <see cref="InformationCapacity"/> for seeds <c>first … first + K − 1</c>.</summary>
public static class TaskComplexityEstimator
{
    /// <summary>Estimates PIC and POIC for <paramref name="seedCount"/> seeds starting at <paramref name="firstSeed"/>.</summary>
    /// <param name="options">What to sample.</param>
    /// <param name="seedCount">K.</param>
    /// <param name="firstSeed">The first seed.</param>
    /// <param name="etaMin">Lower end of the temperature search.</param>
    /// <param name="etaMax">Upper end of the temperature search.</param>
    /// <param name="progress">Called (from any thread) with episodes just finished.</param>
    public static TaskComplexityReport Estimate(ReturnSamplingOptions options, int seedCount, long firstSeed = 0,
        double etaMin = InformationCapacity.DefaultEtaMin, double etaMax = InformationCapacity.DefaultEtaMax, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        InformationCapacity.ValidateEtaRange(etaMin, etaMax);
        if (seedCount < 1) throw new PolicyLabException($"The number of seeds must be ≥ 1; got {seedCount}.");
        if (firstSeed < 0) throw new PolicyLabException($"The seed must be ≥ 0; got {firstSeed}.");
        var seeds = new List<SeedEstimate>();
        for (long s = firstSeed; s < firstSeed + seedCount; s++)
        {
            long[] steps = new long[1];
            double[,] returns = ReturnSampler.Sample(options, (ulong)s, progress, steps);
            double sum = 0, max = double.NegativeInfinity;
            foreach (double r in returns) { sum += r; max = Math.Max(max, r); }
            seeds.Add(new SeedEstimate(s, InformationCapacity.MaximizePoic(returns, etaMin, etaMax), InformationCapacity.MaximizePic(returns),
                sum / returns.Length, max, steps[0]));
        }
        return new TaskComplexityReport(options, seeds);
    }
}
