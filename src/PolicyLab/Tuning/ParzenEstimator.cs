using MathNet.Numerics.Distributions;
using PolicyLab.Numerics;

namespace PolicyLab.Tuning;

/// <summary>
/// The Parzen density TPE fits to one parameter's observed values, always mixed with a prior.
/// Numeric parameters (in their sampling space: the logarithm for log parameters) get one normal kernel per
/// observation, truncated to the interval [a, b], centred on it, with the bandwidth of Bergstra et al.'s adaptive
/// Parzen estimator: the larger distance to its neighbours among the sorted observations and the prior's centre
/// (a and b bound the outermost), clipped to [(b − a)/min(100, n + 1), b − a]; the prior is a normal of centre
/// (a + b)/2 and width b − a. Integers are scored by the mass of [k − ½, k + ½]. Categorical parameters get a
/// weighted histogram with the prior's pseudo-count spread evenly over the K choices:
/// p(c) = (Σᵢ wᵢ·[xᵢ = c] + 1/K) / (Σᵢ wᵢ + 1). Observation weights are <see cref="TpeSampler.ObservationWeights"/>; the
/// prior's weight is 1.
/// </summary>
public sealed class ParzenEstimator
{
    private const double PriorWeight = 1.0;
    private readonly SearchParameter _parameter;
    private readonly double[] _weights, _mus, _sigmas; // mixture (normalised weights) or, for categorical, _weights = p(c)
    private readonly double[] _mass; // each kernel's mass inside [low, high] (its truncation's normaliser)
    private readonly double _low, _high;

    private ParzenEstimator(SearchParameter parameter, double[] weights, double[] mus, double[] sigmas)
    {
        _parameter = parameter;
        (_weights, _mus, _sigmas) = (weights, mus, sigmas);
        (_low, _high) = parameter.SamplingInterval;
        _mass = new double[mus.Length];
        for (int i = 0; i < mus.Length; i++)
            _mass[i] = Math.Max(Normal.CDF(mus[i], sigmas[i], _high) - Normal.CDF(mus[i], sigmas[i], _low), 1e-300);
    }

    /// <summary>Fits the density to <paramref name="observed"/> (internal values, oldest first).</summary>
    public static ParzenEstimator Fit(SearchParameter parameter, IReadOnlyList<double> observed)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(observed);
        int n = observed.Count;
        double[] w = TpeSampler.ObservationWeights(n);
        if (parameter.Kind == ParameterKind.Categorical)
        {
            int k = parameter.Choices.Count;
            var p = new double[k];
            for (int i = 0; i < n; i++) p[(int)observed[i]] += w[i];
            double total = w.Sum() + PriorWeight;
            for (int c = 0; c < k; c++) p[c] = (p[c] + PriorWeight / k) / total;
            return new ParzenEstimator(parameter, p, [], []);
        }
        (double a, double b) = parameter.SamplingInterval;
        double prior = 0.5 * (a + b), width = b - a;
        var mus = new double[n + 1];
        for (int i = 0; i < n; i++) mus[i] = parameter.ToSamplingSpace(observed[i]);
        mus[n] = prior;
        // Bandwidth from the sorted neighbours (the prior's centre included).
        int[] order = [.. Enumerable.Range(0, n + 1).OrderBy(i => mus[i]).ThenBy(i => i)];
        var sigmas = new double[n + 1];
        double minSigma = width / Math.Min(100.0, n + 1.0);
        for (int r = 0; r <= n; r++)
        {
            int i = order[r];
            double left = r == 0 ? a : mus[order[r - 1]];
            double right = r == n ? b : mus[order[r + 1]];
            sigmas[i] = Math.Clamp(Math.Max(mus[i] - left, right - mus[i]), minSigma, width);
        }
        sigmas[n] = width;
        var weights = new double[n + 1];
        double sum = w.Sum() + PriorWeight;
        for (int i = 0; i < n; i++) weights[i] = w[i] / sum;
        weights[n] = PriorWeight / sum;
        return new ParzenEstimator(parameter, weights, mus, sigmas);
    }

    /// <summary>Draws an internal value.</summary>
    public double Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double u = rng.NextDouble(), acc = 0;
        int c = _weights.Length - 1;
        for (int i = 0; i < _weights.Length; i++)
        {
            acc += _weights[i];
            if (u < acc)
            {
                c = i;
                break;
            }
        }
        if (_parameter.Kind == ParameterKind.Categorical) return c;
        // Inverse-CDF draw from the normal truncated to [low, high].
        double lo = Normal.CDF(_mus[c], _sigmas[c], _low), hi = Normal.CDF(_mus[c], _sigmas[c], _high);
        double q = lo + (hi - lo) * rng.NextDouble();
        double x = q <= 0 ? _low : q >= 1 ? _high : Normal.InvCDF(_mus[c], _sigmas[c], q);
        return _parameter.FromSamplingSpace(double.IsFinite(x) ? x : _mus[c]);
    }

    /// <summary>The log density (log probability for integers and choices) of internal value <paramref name="value"/>.</summary>
    public double LogDensity(double value)
    {
        if (_parameter.Kind == ParameterKind.Categorical) return Math.Log(_weights[(int)value]);
        double density = 0;
        if (_parameter.Kind == ParameterKind.Int)
        {
            // The bin [k − ½, k + ½] of integer k, in the sampling space (k ≥ low ≥ 1 for a log parameter).
            double from = Math.Max(_low, _parameter.ToSamplingSpace(value - 0.5));
            double to = Math.Min(_high, _parameter.ToSamplingSpace(value + 0.5));
            for (int i = 0; i < _weights.Length; i++)
                density += _weights[i] * (Normal.CDF(_mus[i], _sigmas[i], to) - Normal.CDF(_mus[i], _sigmas[i], from)) / _mass[i];
        }
        else
        {
            double x = _parameter.ToSamplingSpace(value);
            for (int i = 0; i < _weights.Length; i++)
                density += _weights[i] * Normal.PDF(_mus[i], _sigmas[i], x) / _mass[i];
        }
        return Math.Log(Math.Max(density, 1e-300));
    }

}
