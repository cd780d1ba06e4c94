using PolicyLab.Numerics;

namespace PolicyLab.Tests.Numerics.Distributions;

/// <summary>
/// Closed forms in float64, written independently of the library, and comparison helpers.
/// The library computes in float32 (unit roundoff 6e-8); each value passes through a few exp/log/softplus
/// evaluations and sums of at most a dozen terms, so its error is a few 1e-7 relative. The comparisons
/// therefore use 1e-5 relative plus 1e-5 absolute (the absolute part for results near 0, such as KL(p‖p)):
/// more than ten times the expected error, far below any real mistake (a wrong term is off by O(0.1)).
/// </summary>
internal static class Reference
{
    public const double Relative = 1e-5;
    public const double Absolute = 1e-5;
    public static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    public static void Close(double expected, double actual, string what = "", double relative = Relative, double absolute = Absolute) =>
        Assert.True(Math.Abs(expected - actual) <= absolute + relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2})");

    public static void AllClose(double[] expected, ReadOnlySpan<float> actual, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], $"{what}[{i}]");
    }

    // ------------------------------------------------------------------ categorical

    /// <summary>log softmax of a row in double, over the allowed entries only (others −∞).</summary>
    public static double[] LogSoftmax(ReadOnlySpan<float> logits, bool[]? allowed = null)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++) if (allowed?[i] ?? true) max = Math.Max(max, logits[i]);
        double z = 0;
        for (int i = 0; i < logits.Length; i++) if (allowed?[i] ?? true) z += Math.Exp(logits[i] - max);
        var result = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++)
            result[i] = (allowed?[i] ?? true) ? logits[i] - max - Math.Log(z) : double.NegativeInfinity;
        return result;
    }

    public static double CategoricalEntropy(double[] logp)
    {
        double h = 0;
        foreach (double l in logp) if (!double.IsNegativeInfinity(l)) h -= Math.Exp(l) * l;
        return h;
    }

    public static double CategoricalKl(double[] logp, double[] logq)
    {
        double kl = 0;
        for (int i = 0; i < logp.Length; i++)
            if (!double.IsNegativeInfinity(logp[i])) kl += Math.Exp(logp[i]) * (logp[i] - logq[i]);
        return kl;
    }

    // ------------------------------------------------------------------ Gaussian

    public static double NormalLogPdf(double x, double mean, double std) =>
        -0.5 * Math.Pow((x - mean) / std, 2) - Math.Log(std) - HalfLog2Pi;

    public static double NormalEntropy(double std) => Math.Log(std) + 0.5 * Math.Log(2 * Math.PI * Math.E);

    public static double NormalKl(double meanP, double stdP, double meanQ, double stdQ) =>
        Math.Log(stdQ / stdP) + (stdP * stdP + Math.Pow(meanP - meanQ, 2)) / (2 * stdQ * stdQ) - 0.5;

    // ------------------------------------------------------------------ Bernoulli

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double BernoulliLogPmf(double logit, int x) => Math.Log(x == 1 ? Sigmoid(logit) : 1 - Sigmoid(logit));

    public static double BernoulliEntropy(double logit)
    {
        double p = Sigmoid(logit);
        return -p * Math.Log(p) - (1 - p) * Math.Log(1 - p);
    }

    public static double BernoulliKl(double logitP, double logitQ)
    {
        double p = Sigmoid(logitP), q = Sigmoid(logitQ);
        return p * Math.Log(p / q) + (1 - p) * Math.Log((1 - p) / (1 - q));
    }

    // ------------------------------------------------------------------ helpers

    public static float[] Uniform(int n, ulong seed, double lo = -2, double hi = 2)
    {
        var rng = new Rng(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)rng.Uniform(lo, hi);
        return v;
    }

    public static float[] Normals(int n, ulong seed)
    {
        var v = new float[n];
        new Rng(seed).FillNormal(v);
        return v;
    }

    /// <summary>Asserts that an observed frequency agrees with probability <paramref name="p"/> within 5 standard errors
    /// (deterministic, as the samples are seeded; a wrong distribution is off by many more).</summary>
    public static void FrequencyMatches(double p, int count, int n, string what)
    {
        double standardError = Math.Sqrt(p * (1 - p) / n);
        double frequency = (double)count / n;
        Assert.True(Math.Abs(frequency - p) <= 5 * standardError + 1e-12,
            $"{what}: frequency {frequency} vs probability {p} (5 SE = {5 * standardError})");
    }
}
