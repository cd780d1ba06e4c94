using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class TanhGaussianTests
{
    private const int B = 3, D = 2;
    private static readonly Shape BD = new(B, D), Dim = new(D);

    /// <summary>Change of variables in double, written naively: log N(u; μ, σ) − log(1 − tanh² u). In double
    /// this is accurate to ~1e-9 relative for |u| ≤ 9 (1 − tanh² 9 ≈ 6e-8 ≫ 1e-16).</summary>
    private static double SquashedLogPdf(double u, double mean, double std) =>
        NormalLogPdf(u, mean, std) - Math.Log(1 - Math.Tanh(u) * Math.Tanh(u));

    [Fact]
    public void Rsample_log_prob_equals_the_change_of_variables_density_even_far_in_the_tails()
    {
        // Means up to ±8 put u where 1 − tanh² u is ~1e-7: the naive float32 formula would give log(0) there.
        float[] mean = [0.3f, -0.8f, 8f, -7.5f, 2f, 4.5f], logStd = [-0.3f, 0.2f];
        float[] noise = Normals(B * D, 60);
        var tape = new Tape();
        var pi = new TanhGaussian(tape.Constant(mean, BD), tape.Constant(logStd, Dim));
        TanhGaussianSample s = pi.Rsample(tape.Constant(noise, BD));
        Assert.Equal(new Shape(B), s.LogProb.Shape);
        for (int r = 0; r < B; r++)
        {
            double expected = 0;
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                double u = s.PreTanh[i];
                Close(mean[i] + Math.Exp(logStd[d]) * noise[i], u, "pre-tanh sample");
                Close(Math.Tanh(u), s.Action[i], "action");
                expected += SquashedLogPdf(u, mean[i], Math.Exp(logStd[d]));
            }
            Close(expected, s.LogProb[r], "squashed log-prob");
            Close(-expected, s.EntropyEstimate[r], "entropy estimate");
        }
    }

    [Fact]
    public void Log_prob_of_given_actions_equals_the_change_of_variables_density()
    {
        float[] mean = Uniform(B * D, 61), logStd = Uniform(B * D, 62, -1, 0.5), actions = Uniform(B * D, 63, -0.98, 0.98);
        var tape = new Tape();
        Tensor logProb = new TanhGaussian(tape.Constant(mean, BD), tape.Constant(logStd, BD)).LogProb(tape.Constant(actions, BD));
        for (int r = 0; r < B; r++)
        {
            double expected = 0;
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                expected += SquashedLogPdf(Math.Atanh(actions[i]), mean[i], Math.Exp(logStd[i]));
            }
            // atanh in float32 near |a| = 0.98 amplifies the input rounding by 1/(1 − a²) ≈ 25: allow 1e-4.
            Close(expected, logProb[r], "log-prob", relative: 1e-4, absolute: 1e-4);
            Close(expected, TanhGaussian.LogProb(mean.AsSpan(r * D, D), logStd.AsSpan(r * D, D), actions.AsSpan(r * D, D)), "static log-prob");
        }
    }

    [Theory]
    [InlineData(0.3, 0.6)]
    [InlineData(-1.0, 0.4)]
    public void Density_integrates_to_one_over_the_open_interval(double mu, double sigma)
    {
        // Midpoint rule on (−1, 1) with 100 000 cells of the density evaluated by LogProb in float32; these
        // parameters make the density vanish smoothly at ±1, so the quadrature error is far below 1e-3.
        const int n = 100_000;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(-1 + (i + 0.5) * 2.0 / n);
        var tape = new Tape();
        Shape shape = new(n, 1);
        var pi = new TanhGaussian(tape.Full(shape, (float)mu), tape.Constant([(float)Math.Log(sigma)], new Shape(1)));
        ReadOnlySpan<float> logProb = pi.LogProb(tape.Constant(a, shape)).Data;
        double integral = 0;
        for (int i = 0; i < n; i++) integral += Math.Exp(logProb[i]) * 2.0 / n;
        Assert.Equal(1.0, integral, 1e-3);
    }

    [Fact]
    public void Gradients()
    {
        float[] noise = Normals(B * D, 70);
        Check((t, v) => new TanhGaussian(v[0], v[1]).Rsample(t.Constant(noise, BD)).LogProb, (Values(B * D, 71), BD), (Values(D, 72, -1, 0.5), Dim));
        Check((t, v) => new TanhGaussian(v[0], v[1]).Rsample(t.Constant(noise, BD)).Action, (Values(B * D, 73), BD), (Values(B * D, 74, -1, 0.5), BD));
        float[] actions = Uniform(B * D, 75, -0.9, 0.9);
        Check((t, v) => new TanhGaussian(v[0], v[1]).LogProb(t.Constant(actions, BD)), (Values(B * D, 76), BD), (Values(B * D, 77, -1, 0.5), BD));
        Check((t, v) => new TanhGaussian(v[0], v[1]).Kl(new TanhGaussian(v[2], v[3])),
            (Values(B * D, 78), BD), (Values(D, 79, -1, 1), Dim), (Values(B * D, 80), BD), (Values(D, 81, -1, 1), Dim));
        Check((t, v) => new TanhGaussian(v[0], v[1]).Mode(), (Values(B * D, 82), BD), (Values(D, 83, -1, 1), Dim));
    }

    [Fact]
    public void Kl_is_the_kl_of_the_underlying_gaussians()
    {
        var tape = new Tape();
        Tensor m1 = tape.Constant(Uniform(B * D, 84), BD), m2 = tape.Constant(Uniform(B * D, 85), BD);
        Tensor s1 = tape.Constant(Uniform(D, 86, -1, 1), Dim), s2 = tape.Constant(Uniform(D, 87, -1, 1), Dim);
        Assert.Equal(new DiagonalGaussian(m1, s1).Kl(new DiagonalGaussian(m2, s2)).ToArray(),
            new TanhGaussian(m1, s1).Kl(new TanhGaussian(m2, s2)).ToArray());
        foreach (float v in new TanhGaussian(m1, s1).Kl(new TanhGaussian(m1, s1)).Data) Assert.Equal(0f, v, 1e-6f);
    }

    [Fact]
    public void Acting_samples_follow_the_squashed_distribution()
    {
        const int n = 100_000;
        float[] mean = [0.4f, -1.2f], logStd = [-0.4f, 0.1f], action = new float[D];
        var sumPre = new double[D];
        var sumAction = new double[D];
        var rng = new Rng(13UL);
        for (int i = 0; i < n; i++)
        {
            float logProb = TanhGaussian.Sample(mean, logStd, rng, action);
            Assert.All(action, a => Assert.True(Math.Abs(a) <= 1f));
            // Re-evaluating from the float action loses precision as |a| → 1 (atanh amplifies the rounding
            // by 1/(1 − a²)), so compare where |a| < 0.95 only.
            if (i < 100 && Math.Abs(action[0]) < 0.95f && Math.Abs(action[1]) < 0.95f)
                Close(TanhGaussian.LogProb(mean, logStd, action), logProb, "log-prob of the sample", relative: 1e-4, absolute: 1e-4);
            for (int d = 0; d < D; d++)
            {
                sumPre[d] += Math.Atanh(action[d]);
                sumAction[d] += action[d];
            }
        }
        for (int d = 0; d < D; d++)
        {
            double std = Math.Exp(logStd[d]);
            // E[tanh(u)] by quadrature in double over ±10σ; its standard error is below the pre-tanh one.
            double expected = 0, h = 20 * std / 20_000;
            for (int j = 0; j < 20_000; j++)
            {
                double u = mean[d] - 10 * std + (j + 0.5) * h;
                expected += Math.Tanh(u) * Math.Exp(NormalLogPdf(u, mean[d], std)) * h;
            }
            Assert.True(Math.Abs(sumPre[d] / n - mean[d]) < 5 * std / Math.Sqrt(n), $"pre-tanh mean {sumPre[d] / n} vs {mean[d]}");
            Assert.True(Math.Abs(sumAction[d] / n - expected) < 5 * std / Math.Sqrt(n), $"action mean {sumAction[d] / n} vs {expected}");
        }
    }

    [Fact]
    public void Acting_and_tape_sampling_agree_for_the_same_seed()
    {
        float[] mean = Uniform(B * D, 90), logStd = Uniform(B * D, 91, -1, 0.5);
        float[] actions = new float[B * D], logProbs = new float[B];
        TanhGaussian.Sample(mean, logStd, new Rng(14UL), actions, logProbs);
        var tape = new Tape();
        TanhGaussianSample s = new TanhGaussian(tape.Constant(mean, BD), tape.Constant(logStd, BD)).Sample(new Rng(14UL));
        for (int i = 0; i < B * D; i++) Assert.Equal(actions[i], s.Action[i], 1e-6f);
        for (int r = 0; r < B; r++) Close(logProbs[r], s.LogProb[r], "log-prob", absolute: 3e-5);
    }

    [Fact]
    public void Mode_is_tanh_of_the_mean_and_sampling_is_deterministic()
    {
        var tape = new Tape();
        float[] mean = Uniform(B * D, 92, -3, 3);
        Tensor mode = new TanhGaussian(tape.Constant(mean, BD), tape.Full(Dim, 0f)).Mode();
        float[] acting = new float[B * D];
        TanhGaussian.Mode(mean, acting);
        for (int i = 0; i < B * D; i++)
        {
            Close(Math.Tanh(mean[i]), mode[i], "mode");
            Close(Math.Tanh(mean[i]), acting[i], "acting mode");
        }

        Assert.Equal(Draws(8UL), Draws(8UL));
        Assert.NotEqual(Draws(8UL), Draws(9UL));

        static float[] Draws(ulong seed)
        {
            var rng = new Rng(seed);
            float[] all = new float[200], one = new float[2];
            for (int i = 0; i < 100; i++)
            {
                TanhGaussian.Sample([0.5f, -0.5f], [0f, -1f], rng, one);
                one.CopyTo(all, 2 * i);
            }
            return all;
        }
    }

    [Fact]
    public void Stable_log_det_term_matches_double_precision()
    {
        float[] u = [-12f, -9f, -4f, -0.5f, 0f, 0.7f, 3f, 9f, 12f];
        var tape = new Tape();
        Tensor term = TanhGaussian.LogOneMinusTanhSquared(tape.Constant(u, new Shape(u.Length, 1)));
        for (int i = 0; i < u.Length; i++)
        {
            // −2 log cosh u, with log cosh u = |u| + log(1 + e^(−2|u|)) − log 2 (exact, no cancellation).
            double a = Math.Abs(u[i]);
            double expected = -2 * (a + Math.Log(1 + Math.Exp(-2 * a)) - Math.Log(2));
            Close(expected, term[i], $"log(1 − tanh² {u[i]})");
        }
    }
}
