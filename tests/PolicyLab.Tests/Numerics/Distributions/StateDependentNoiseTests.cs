using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class StateDependentNoiseTests
{
    private const int B = 3, F = 4, D = 2;
    private static readonly Shape BD = new(B, D), BF = new(B, F);

    private static Shape StdShape(bool fullStd) => new(F, fullStd ? D : 1);

    /// <summary>σ of one entry in float64: exp, or SB3's expln (exp below 0, log1p(x + 1e-6) + 1 above).</summary>
    private static double Sigma(double logStd, bool expln) => !expln || logStd <= 0 ? Math.Exp(logStd) : Math.Log(1 + logStd + 1e-6) + 1;

    /// <summary>σ̂_j² = Σ_i z_i² σ_ij² + 1e-6 of row r, in float64.</summary>
    private static double Variance(float[] z, float[] logStd, int r, int j, bool fullStd, bool expln)
    {
        double v = 0;
        for (int i = 0; i < F; i++)
        {
            double s = Sigma(logStd[fullStd ? i * D + j : i], expln);
            v += (double)z[r * F + i] * z[r * F + i] * s * s;
        }
        return v + 1e-6;
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Log_prob_and_entropy_match_the_closed_forms(bool fullStd, bool expln)
    {
        float[] mean = Uniform(B * D, 1), z = Uniform(B * F, 2), logStd = Uniform(fullStd ? F * D : F, 3, -1.5, 1.5);
        float[] x = Uniform(B * D, 4, -3, 3);
        var tape = new Tape();
        var p = new StateDependentNoise(tape.Constant(mean, BD), tape.Constant(z, BF), tape.Constant(logStd, StdShape(fullStd)), expln);
        Tensor logProb = p.LogProb(tape.Constant(x, BD)), entropy = p.Entropy();
        Assert.Equal(new Shape(B), logProb.Shape);
        Assert.Equal(new Shape(B), entropy.Shape);
        float[] std = new float[logStd.Length];
        StateDependentNoise.StdOf(logStd, expln, std);
        for (int i = 0; i < std.Length; i++) Close(Sigma(logStd[i], expln), std[i], "σ");
        for (int r = 0; r < B; r++)
        {
            double lp = 0, h = 0;
            for (int j = 0; j < D; j++)
            {
                double s = Math.Sqrt(Variance(z, logStd, r, j, fullStd, expln));
                lp += NormalLogPdf(x[r * D + j], mean[r * D + j], s);
                h += NormalEntropy(s);
            }
            Close(lp, logProb[r], "log-prob");
            Close(h, entropy[r], "entropy");
            Close(lp, StateDependentNoise.LogProb(mean.AsSpan(r * D, D), z.AsSpan(r * F, F), std, x.AsSpan(r * D, D)), "tape-free log-prob");
        }
    }

    [Fact]
    public void Expln_is_continuous_at_zero_and_grows_logarithmically()
    {
        float[] std = new float[4];
        StateDependentNoise.StdOf([-1e-4f, 1e-4f, 10f, 100f], useExpln: true, std);
        Assert.Equal(std[0], std[1], 1e-3f);
        Close(Math.Log(11 + 1e-6) + 1, std[2], "expln(10)");
        Close(Math.Log(101 + 1e-6) + 1, std[3], "expln(100)");
    }

    [Fact]
    public void A_sample_is_the_mean_plus_the_features_times_the_matrix()
    {
        float[] mean = Uniform(D, 5), z = Uniform(F, 6), logStd = Uniform(F * D, 7, -1, 1), std = new float[F * D], w = new float[F * D];
        StateDependentNoise.StdOf(logStd, false, std);
        StateDependentNoise.SampleMatrix(std, F, D, new Rng(8UL), w);
        float[] action = new float[D];
        float logp = StateDependentNoise.Sample(mean, z, std, w, action);
        for (int j = 0; j < D; j++)
        {
            double expected = mean[j];
            for (int i = 0; i < F; i++) expected += (double)z[i] * w[i * D + j];
            Close(expected, action[j], "μ + z·W");
        }
        Assert.Equal(StateDependentNoise.LogProb(mean, z, std, action), logp);

        // The same draw on the tape (reparameterized with E = W / σ) gives the same action.
        float[] e = new float[F * D];
        for (int i = 0; i < e.Length; i++) e[i] = w[i] / std[i];
        var tape = new Tape();
        var p = new StateDependentNoise(tape.Constant(mean, new Shape(1, D)), tape.Constant(z, new Shape(1, F)), tape.Constant(logStd, new Shape(F, D)), false);
        Tensor a = p.Rsample(tape.Constant(e, new Shape(F, D)));
        for (int j = 0; j < D; j++) Close(action[j], a.Data[j], "rsample");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sampled_matrices_give_each_action_the_variance_of_the_closed_form(bool fullStd)
    {
        // Var(z·W)_j = Σ_i z_i² σ_ij² for W_ij ~ N(0, σ_ij²): the matrix sampler and the log-prob's variance agree.
        float[] z = Uniform(F, 9), logStd = Uniform(fullStd ? F * D : F, 10, -1, 1), std = new float[logStd.Length], w = new float[F * D];
        StateDependentNoise.StdOf(logStd, false, std);
        var rng = new Rng(11UL);
        const int n = 20_000;
        double[] sum = new double[D], sumSq = new double[D];
        float[] zero = new float[D], action = new float[D];
        for (int k = 0; k < n; k++)
        {
            StateDependentNoise.SampleMatrix(std, F, D, rng, w);
            StateDependentNoise.Sample(zero, z, std, w, action);
            for (int j = 0; j < D; j++) (sum[j], sumSq[j]) = (sum[j] + action[j], sumSq[j] + (double)action[j] * action[j]);
        }
        for (int j = 0; j < D; j++)
        {
            double expected = Variance([.. z, .. new float[(B - 1) * F]], logStd, 0, j, fullStd, false) - 1e-6;
            double variance = sumSq[j] / n - sum[j] / n * (sum[j] / n);
            // The sample variance of n normals has relative standard deviation √(2/n) ≈ 1%: 5% is five sigma.
            Assert.True(Math.Abs(variance / expected - 1) < 0.05, $"dimension {j}: sample variance {variance}, closed form {expected}");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Gradients_match_finite_differences(bool fullStd, bool expln)
    {
        Shape s = StdShape(fullStd);
        int n = s.Size;
        float[] x = Uniform(B * D, 20, -2, 2);
        float[] e = Normals(F * D, 21);
        StateDependentNoise Make(Tensor[] v) => new(v[0], v[1], v[2], expln);
        // log σ kept away from expln's switch at 0; features away from 0 so that σ̂ is not tiny.
        (float[], Shape)[] inputs() => [(Values(B * D, 22), BD), (Values(B * F, 23, 0.3, 1.5), BF), (Values(n, 24, -1, 0.8, 0.1, 0), s)];
        Check((t, v) => Make(v).LogProb(t.Constant(x, BD)), inputs());
        Check((t, v) => Make(v).Entropy(), inputs());
        Check((t, v) => Make(v).Rsample(t.Constant(e, new Shape(F, D))), inputs());
        Check((t, v) => Make(v).Gaussian.Kl(new StateDependentNoise(v[0] * 0.5f, v[1], v[2] - 0.3f, expln).Gaussian), inputs());
    }

    [Fact]
    public void Bad_shapes_are_refused()
    {
        var t = new Tape();
        Assert.Throws<ArgumentException>(() => new StateDependentNoise(t.Full(BD, 0), t.Full(BF, 1), t.Full(new Shape(F, 3), 0), false));
        Assert.Throws<ArgumentException>(() => new StateDependentNoise(t.Full(BD, 0), t.Full(new Shape(2, F), 1), t.Full(new Shape(F, D), 0), false));
    }
}
