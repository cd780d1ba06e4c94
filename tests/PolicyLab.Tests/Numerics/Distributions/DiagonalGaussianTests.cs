using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class DiagonalGaussianTests
{
    private const int B = 3, D = 2;
    private static readonly Shape BD = new(B, D), Dim = new(D);

    /// <summary>Index of the log-std of element (r, d) for a shared [D] or per-row [B, D] log-std.</summary>
    private static int StdIndex(float[] logStd, int r, int d) => logStd.Length == D ? d : r * D + d;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Log_prob_entropy_and_kl_match_closed_forms(bool perRow)
    {
        float[] mean = Uniform(B * D, 1), logStd = Uniform(perRow ? B * D : D, 2, -1, 1);
        float[] meanQ = Uniform(B * D, 3), logStdQ = Uniform(perRow ? B * D : D, 4, -1, 1);
        float[] x = Uniform(B * D, 5, -3, 3);
        Shape stdShape = perRow ? BD : Dim;
        var tape = new Tape();
        var p = new DiagonalGaussian(tape.Constant(mean, BD), tape.Constant(logStd, stdShape));
        var q = new DiagonalGaussian(tape.Constant(meanQ, BD), tape.Constant(logStdQ, stdShape));
        Tensor logProb = p.LogProb(tape.Constant(x, BD)), entropy = p.Entropy(), kl = p.Kl(q);
        Assert.Equal(new Shape(B), logProb.Shape);
        Assert.Equal(new Shape(B), entropy.Shape);
        Assert.Equal(new Shape(B), kl.Shape);
        for (int r = 0; r < B; r++)
        {
            double lp = 0, h = 0, k = 0;
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                double s = Math.Exp(logStd[StdIndex(logStd, r, d)]), sq = Math.Exp(logStdQ[StdIndex(logStdQ, r, d)]);
                lp += NormalLogPdf(x[i], mean[i], s);
                h += NormalEntropy(s);
                k += NormalKl(mean[i], s, meanQ[i], sq);
            }
            Close(lp, logProb[r], "log-prob");
            Close(h, entropy[r], "entropy");
            Close(k, kl[r], "KL");
            Close(lp, DiagonalGaussian.LogProb(mean.AsSpan(r * D, D), perRow ? logStd.AsSpan(r * D, D) : logStd, x.AsSpan(r * D, D)), "static log-prob");
        }
    }

    [Fact]
    public void Kl_of_itself_is_zero_and_kl_is_non_negative()
    {
        const int rows = 64;
        Shape shape = new(rows, D);
        var tape = new Tape();
        var p = new DiagonalGaussian(tape.Constant(Uniform(rows * D, 6), shape), tape.Constant(Uniform(rows * D, 7, -1.5, 1.5), shape));
        var q = new DiagonalGaussian(tape.Constant(Uniform(rows * D, 8), shape), tape.Constant(Uniform(D, 9, -1.5, 1.5), Dim));
        foreach (float v in p.Kl(p).Data) Assert.Equal(0f, v, 1e-6f);
        foreach (float v in q.Kl(q).Data) Assert.Equal(0f, v, 1e-6f);
        foreach (float v in p.Kl(q).Data) Assert.True(v >= 0f, $"KL {v} < 0");
        foreach (float v in q.Kl(p).Data) Assert.True(v >= 0f, $"KL {v} < 0");
    }

    [Fact]
    public void Gradients_with_shared_log_std()
    {
        float[] x = Uniform(B * D, 20);
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).LogProb(t.Constant(x, BD)), (Values(B * D, 21), BD), (Values(D, 22, -1, 1), Dim));
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).Entropy(), (Values(B * D, 23), BD), (Values(D, 24, -1, 1), Dim));
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).Kl(new DiagonalGaussian(v[2], v[3])),
            (Values(B * D, 25), BD), (Values(D, 26, -1, 1), Dim), (Values(B * D, 27), BD), (Values(D, 28, -1, 1), Dim));
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).Rsample(t.Constant(Normals(B * D, 29), BD)), (Values(B * D, 30), BD), (Values(D, 31, -1, 1), Dim));
    }

    [Fact]
    public void Gradients_with_state_dependent_log_std()
    {
        float[] x = Uniform(B * D, 40);
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).LogProb(v[2]), (Values(B * D, 41), BD), (Values(B * D, 42, -1, 1), BD), (x, BD));
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).Entropy(), (Values(B * D, 43), BD), (Values(B * D, 44, -1, 1), BD));
        Check((t, v) => new DiagonalGaussian(v[0], v[1]).Kl(new DiagonalGaussian(v[2], v[3])),
            (Values(B * D, 45), BD), (Values(B * D, 46, -1, 1), BD), (Values(B * D, 47), BD), (Values(D, 48, -1, 1), Dim));
    }

    [Fact]
    public void Sample_mean_and_std_match_the_distribution()
    {
        const int n = 100_000;
        float[] mean = [0.7f, -1.5f], logStd = [-0.5f, 0.4f], action = new float[D];
        var sum = new double[D];
        var sumSq = new double[D];
        var rng = new Rng(11UL);
        for (int i = 0; i < n; i++)
        {
            float logProb = DiagonalGaussian.Sample(mean, logStd, rng, action);
            if (i < 100)
            {
                double reference = NormalLogPdf(action[0], mean[0], Math.Exp(logStd[0])) + NormalLogPdf(action[1], mean[1], Math.Exp(logStd[1]));
                Close(reference, logProb, "log-prob of the sample", absolute: 3e-5);
            }
            for (int d = 0; d < D; d++)
            {
                sum[d] += action[d];
                sumSq[d] += (double)action[d] * action[d];
            }
        }
        for (int d = 0; d < D; d++)
        {
            double std = Math.Exp(logStd[d]);
            double sampleMean = sum[d] / n, sampleStd = Math.Sqrt(sumSq[d] / n - sampleMean * sampleMean);
            // Standard errors: σ/√n for the mean, about σ/√(2n) for the standard deviation; allow 5 of each.
            Assert.True(Math.Abs(sampleMean - mean[d]) < 5 * std / Math.Sqrt(n), $"mean {sampleMean} vs {mean[d]}");
            Assert.True(Math.Abs(sampleStd - std) < 5 * std / Math.Sqrt(2.0 * n), $"std {sampleStd} vs {std}");
        }
    }

    [Fact]
    public void Batch_sampling_broadcasts_a_shared_log_std_and_matches_the_tape_sampler()
    {
        float[] mean = Uniform(B * D, 50), logStd = Uniform(D, 51, -1, 1);
        float[] actions = new float[B * D], logProbs = new float[B];
        DiagonalGaussian.Sample(mean, logStd, new Rng(12UL), actions, logProbs);
        var tape = new Tape();
        var p = new DiagonalGaussian(tape.Constant(mean, BD), tape.Constant(logStd, Dim));
        Tensor sampled = p.Sample(new Rng(12UL));
        Tensor logProb = p.LogProb(sampled);
        for (int i = 0; i < B * D; i++) Assert.Equal(actions[i], sampled[i], 1e-6f);
        for (int r = 0; r < B; r++) Close(logProbs[r], logProb[r], "batch log-prob", absolute: 3e-5);
    }

    [Fact]
    public void Mode_is_the_mean_and_sampling_is_deterministic()
    {
        var tape = new Tape();
        Tensor mean = tape.Constant([1f, 2f, 3f, 4f, 5f, 6f], BD);
        Assert.Equal(mean, new DiagonalGaussian(mean, tape.Full(Dim, 0f)).Mode());
        float[] action = new float[3];
        DiagonalGaussian.Mode([1f, -2f, 0.5f], action);
        Assert.Equal([1f, -2f, 0.5f], action);

        Assert.Equal(Draws(3UL), Draws(3UL));
        Assert.NotEqual(Draws(3UL), Draws(4UL));

        static float[] Draws(ulong seed)
        {
            var rng = new Rng(seed);
            float[] all = new float[300], one = new float[3];
            for (int i = 0; i < 100; i++)
            {
                DiagonalGaussian.Sample([0f, 1f, -1f], [0f, -1f, 0.5f], rng, one);
                one.CopyTo(all, 3 * i);
            }
            return all;
        }
    }

    [Fact]
    public void Shapes_are_validated()
    {
        var tape = new Tape();
        Assert.Throws<ArgumentException>(() => new DiagonalGaussian(tape.Full(BD, 0f), tape.Full(new Shape(3), 0f)));
        Assert.Throws<ArgumentException>(() => new DiagonalGaussian(tape.Full(Dim, 0f), tape.Full(Dim, 0f)));
        Assert.Throws<ArgumentException>(() => DiagonalGaussian.Sample([0f, 0f], [0f], new Rng(1UL), new float[2]));
    }
}
