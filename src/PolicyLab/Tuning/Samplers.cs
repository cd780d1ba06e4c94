using PolicyLab.Numerics;

namespace PolicyLab.Tuning;

/// <summary>
/// Suggests a trial's parameters. Deterministic: the suggestion is a function of the sampler's seed, the trial's
/// number and the finished trials (in number order), so the same seed and the same storage state give the same
/// suggestion, whichever process asks.
/// </summary>
public interface ISampler
{
    /// <summary>The internal value of every active parameter of trial <paramref name="number"/>.</summary>
    IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, int number);
}

/// <summary>Uniform sampling in each parameter's sampling interval (log-uniform for log parameters).</summary>
/// <param name="seed">The study's seed.</param>
public sealed class RandomSampler(long seed) : ISampler
{
    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, int number)
    {
        ArgumentNullException.ThrowIfNull(space);
        return SampleIndependently(space, TrialRng(seed, number, 0), null);
    }

    /// <summary>The random stream of one trial's suggestion (<paramref name="stream"/> separates samplers).</summary>
    internal static Rng TrialRng(long seed, int number, ulong stream) =>
        new(Rng.DeriveSeed(Rng.DeriveSeed((ulong)seed, 0x7475_6E65UL + stream), (ulong)number));

    /// <summary>
    /// Samples the parameters in order, skipping inactive conditional ones; <paramref name="pick"/> chooses a
    /// parameter's value (uniform when null).
    /// </summary>
    internal static Dictionary<string, double> SampleIndependently(SearchSpace space, Rng rng, Func<SearchParameter, Rng, double>? pick)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (SearchParameter p in space.Parameters)
        {
            if (!p.IsActive(texts)) continue;
            double v = pick is null ? Uniform(p, rng) : pick(p, rng);
            values[p.Name] = v;
            texts[p.Name] = p.SettingText(v);
        }
        return values;
    }

    internal static double Uniform(SearchParameter p, Rng rng)
    {
        if (p.Kind == ParameterKind.Categorical) return rng.NextInt(p.Choices.Count);
        (double a, double b) = p.SamplingInterval;
        return p.FromSamplingSpace(rng.Uniform(a, b));
    }
}

/// <summary>
/// Tree-structured Parzen estimator (Bergstra et al., NeurIPS 2011), univariate. After
/// <see cref="StartupTrials"/> finished trials drawn at random, the finished trials are ranked (complete ones by
/// value, best first, then pruned ones by how far they got and their last value) and split: the best
/// γ(n) = min(⌈0.1·n⌉, 25) form the "good" set, the rest the "bad" set. For each parameter a Parzen density l(x) is
/// fitted to the good trials' values and g(x) to the bad ones' (<see cref="ParzenEstimator"/>; trials in which a
/// conditional parameter was inactive are left out of its densities); <see cref="Candidates"/> values are drawn from
/// l and the one maximising l(x)/g(x) — the expected-improvement criterion of TPE — is suggested.
/// </summary>
/// <param name="seed">The study's seed.</param>
/// <param name="startupTrials">Finished trials drawn at random before the model is used (Optuna: 10).</param>
/// <param name="candidates">Samples from l(x) scored per parameter (Optuna: 24).</param>
public sealed class TpeSampler(long seed, int startupTrials = 10, int candidates = 24) : ISampler
{
    /// <summary>Finished trials drawn at random before the model is used.</summary>
    public int StartupTrials { get; } = startupTrials;

    /// <summary>Samples from l(x) scored per parameter.</summary>
    public int Candidates { get; } = candidates;

    /// <summary>Size of the good set among <paramref name="n"/> finished trials: min(⌈0.1·n⌉, 25).</summary>
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>
    /// Weights of <paramref name="n"/> observations, oldest first: all 1 below 25; else a linear ramp from 1/n to 1
    /// over the oldest n − 25 and 1 for the newest 25 (older trials count less in long studies).
    /// </summary>
    public static double[] ObservationWeights(int n)
    {
        var w = new double[n];
        int ramp = Math.Max(n - 25, 0);
        for (int i = 0; i < n; i++)
            w[i] = i >= ramp ? 1.0 : ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
        return w;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Sample(SearchSpace space, IReadOnlyList<TrialRecord> finished, int number)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(finished);
        Rng rng = RandomSampler.TrialRng(seed, number, 1);
        if (finished.Count < StartupTrials) return RandomSampler.SampleIndependently(space, rng, null);
        List<TrialRecord> ranked = Rank(finished);
        int nGood = Gamma(ranked.Count);
        // Each set in trial-number order, so that the weights favour recent trials.
        List<TrialRecord> good = [.. ranked.Take(nGood).OrderBy(t => t.Number)];
        List<TrialRecord> bad = [.. ranked.Skip(nGood).OrderBy(t => t.Number)];
        return RandomSampler.SampleIndependently(space, rng, (p, r) =>
        {
            var l = ParzenEstimator.Fit(p, Observed(good, p.Name));
            var g = ParzenEstimator.Fit(p, Observed(bad, p.Name));
            double best = double.NaN, bestScore = double.NegativeInfinity;
            for (int i = 0; i < Candidates; i++)
            {
                double x = l.Sample(r);
                double score = l.LogDensity(x) - g.LogDensity(x);
                if (score > bestScore || double.IsNaN(best))
                    (best, bestScore) = (x, score);
            }
            return best;
        });
    }

    private static double[] Observed(List<TrialRecord> trials, string name) =>
        [.. trials.Where(t => t.Parameters.ContainsKey(name)).Select(t => t.Parameters[name])];

    /// <summary>Finished trials best first: complete by value, then pruned by last step reached and last value; ties by number.</summary>
    public static List<TrialRecord> Rank(IEnumerable<TrialRecord> finished) =>
        [.. finished.Where(t => t.IsFinished)
            .OrderBy(t => t.State == TrialState.Complete ? 0 : 1)
            .ThenByDescending(t => t.State == TrialState.Complete ? 0 : t.LastStep)
            .ThenByDescending(t => t.Value is double v && !double.IsNaN(v) ? v : double.NegativeInfinity)
            .ThenBy(t => t.Number)];
}
