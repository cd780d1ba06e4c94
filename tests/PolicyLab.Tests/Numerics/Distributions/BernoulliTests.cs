using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class BernoulliTests
{
    private const int B = 3, D = 3;
    private static readonly Shape BD = new(B, D);
    private static readonly float[] Outcomes = [1, 0, 1, 0, 0, 1, 1, 1, 0];

    [Fact]
    public void Log_prob_entropy_and_kl_match_closed_forms()
    {
        float[] p = Uniform(B * D, 1, -4, 4), q = Uniform(B * D, 2, -4, 4);
        var tape = new Tape();
        var dist = new Bernoulli(tape.Constant(p, BD));
        var other = new Bernoulli(tape.Constant(q, BD));
        Tensor logProb = dist.LogProb(tape.Constant(Outcomes, BD)), entropy = dist.Entropy(), kl = dist.Kl(other);
        int[] outcomes = Outcomes.Select(o => (int)o).ToArray();
        for (int r = 0; r < B; r++)
        {
            double lp = 0, h = 0, k = 0;
            for (int d = 0; d < D; d++)
            {
                int i = r * D + d;
                lp += BernoulliLogPmf(p[i], outcomes[i]);
                h += BernoulliEntropy(p[i]);
                k += BernoulliKl(p[i], q[i]);
            }
            Close(lp, logProb[r], "log-prob");
            Close(h, entropy[r], "entropy");
            Close(k, kl[r], "KL");
            Close(lp, Bernoulli.LogProb(p.AsSpan(r * D, D), outcomes.AsSpan(r * D, D)), "static log-prob");
        }
    }

    [Fact]
    public void Extreme_logits_stay_finite_and_accurate()
    {
        float[] logits = [-40f, 40f, 25f];
        var tape = new Tape();
        var dist = new Bernoulli(tape.Constant(logits, new Shape(1, 3)));
        // log σ(−40) + log(1 − σ(40)) + log(1 − σ(25)) ≈ −40 − 40 − 25
        Close(-105, dist.LogProb(tape.Constant([1f, 0f, 0f], new Shape(1, 3)))[0], "log-prob");
        float h = dist.Entropy()[0];
        Assert.True(h >= 0 && h < 1e-8f, $"entropy {h}");
    }

    [Fact]
    public void Kl_of_itself_is_zero_and_kl_is_non_negative()
    {
        const int rows = 64;
        Shape shape = new(rows, D);
        var tape = new Tape();
        var p = new Bernoulli(tape.Constant(Uniform(rows * D, 3, -5, 5), shape));
        var q = new Bernoulli(tape.Constant(Uniform(rows * D, 4, -5, 5), shape));
        foreach (float v in p.Kl(p).Data) Assert.Equal(0f, v, 1e-6f);
        foreach (float v in p.Kl(q).Data) Assert.True(v >= 0f, $"KL {v} < 0");
    }

    [Fact] public void Log_prob_gradient() => Check((t, x) => new Bernoulli(x[0]).LogProb(t.Constant(Outcomes, BD)), (Values(B * D, 10, -4, 4), BD));
    [Fact] public void Entropy_gradient() => Check((t, x) => new Bernoulli(x[0]).Entropy(), (Values(B * D, 11, -4, 4, kinks: 0), BD));
    [Fact] public void Kl_gradient() => Check((t, x) => new Bernoulli(x[0]).Kl(new Bernoulli(x[1])), (Values(B * D, 12, -4, 4), BD), (Values(B * D, 13, -4, 4), BD));

    [Fact]
    public void Entropy_gradient_is_zero_at_logit_zero()
    {
        // The cancellation-free form goes through |l|; the entropy is even and smooth, so its slope at 0 is 0.
        var tape = new Tape();
        Tensor logits = tape.Variable([0f], new Shape(1, 1));
        tape.Backward(new Bernoulli(logits).Entropy().Sum());
        Assert.Equal(0f, logits.Grad[0]);
        Close(Math.Log(2), new Bernoulli(logits).Entropy()[0], "entropy at 0");
    }

    [Fact]
    public void Sampling_frequencies_match_and_mode_thresholds_at_zero()
    {
        const int n = 100_000;
        float[] logits = [-1.5f, 0.2f, 2.5f];
        int[] outcome = new int[3], counts = new int[3];
        var rng = new Rng(21UL);
        for (int i = 0; i < n; i++)
        {
            float logProb = Bernoulli.Sample(logits, rng, outcome);
            if (i < 100) Close(Enumerable.Range(0, 3).Sum(d => BernoulliLogPmf(logits[d], outcome[d])), logProb, "log-prob of the sample");
            for (int d = 0; d < 3; d++) counts[d] += outcome[d];
        }
        for (int d = 0; d < 3; d++) FrequencyMatches(Sigmoid(logits[d]), counts[d], n, $"variable {d}");

        Bernoulli.Mode([-0.1f, 0f, 0.1f], outcome);
        Assert.Equal([0, 0, 1], outcome);
        var tape = new Tape();
        Assert.Equal([0f, 0f, 1f], new Bernoulli(tape.Constant([-0.1f, 0f, 0.1f], new Shape(1, 3))).Mode().ToArray());
    }

    [Fact]
    public void Batch_and_tape_sampling_agree_and_are_deterministic()
    {
        float[] logits = Uniform(B * D, 30);
        int[] outcomes = new int[B * D];
        float[] logProbs = new float[B];
        Bernoulli.Sample(logits, new Rng(22UL), outcomes, logProbs);
        var tape = new Tape();
        var dist = new Bernoulli(tape.Constant(logits, BD));
        Tensor sampled = dist.Sample(new Rng(22UL));
        Assert.Equal(outcomes.Select(o => (float)o).ToArray(), sampled.ToArray());
        Tensor logProb = dist.LogProb(sampled);
        for (int r = 0; r < B; r++) Close(logProbs[r], logProb[r], "log-prob");

        int[] again = new int[B * D];
        Bernoulli.Sample(logits, new Rng(22UL), again, logProbs);
        Assert.Equal(outcomes, again);
    }
}
