using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class CategoricalTests
{
    private const int B = 3, K = 4;
    private static readonly Shape BK = new(B, K);
    private static readonly float[] Actions = [2, 0, 3];
    // Row 0 forbids actions 1 and 3 (action 3 has the largest logit), row 1 forbids 0, row 2 allows all.
    private static readonly float[] MaskValues = [1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    private static readonly float[] LogitsWithMaskedMax = [0.5f, -1f, 0.2f, 3f, 1f, 0.3f, -0.4f, 0.8f, -2f, 0f, 1.5f, 0.1f];

    private static bool[] RowMask(int r) => MaskValues.Skip(r * K).Take(K).Select(m => m != 0).ToArray();

    [Fact]
    public void Log_prob_entropy_and_kl_match_closed_forms()
    {
        float[] p = Uniform(B * K, 1, -3, 3), q = Uniform(B * K, 2, -3, 3);
        var tape = new Tape();
        var pi = new Categorical(tape.Constant(p, BK));
        var old = new Categorical(tape.Constant(q, BK));
        Tensor logProb = pi.LogProb(tape.Constant(Actions)), entropy = pi.Entropy(), kl = pi.Kl(old);
        Assert.Equal(new Shape(B), logProb.Shape);
        Assert.Equal(new Shape(B), entropy.Shape);
        Assert.Equal(new Shape(B), kl.Shape);
        for (int r = 0; r < B; r++)
        {
            double[] lp = LogSoftmax(p.AsSpan(r * K, K)), lq = LogSoftmax(q.AsSpan(r * K, K));
            Close(lp[(int)Actions[r]], logProb[r], "log-prob");
            Close(CategoricalEntropy(lp), entropy[r], "entropy");
            Close(CategoricalKl(lp, lq), kl[r], "KL");
            Close(lp[(int)Actions[r]], Categorical.LogProb(p.AsSpan(r * K, K), (int)Actions[r]), "static log-prob");
        }
    }

    [Fact]
    public void Kl_of_itself_is_zero_and_kl_is_non_negative()
    {
        const int rows = 64;
        var tape = new Tape();
        var p = new Categorical(tape.Constant(Uniform(rows * K, 3, -4, 4), new Shape(rows, K)));
        var q = new Categorical(tape.Constant(Uniform(rows * K, 4, -4, 4), new Shape(rows, K)));
        foreach (float v in p.Kl(p).Data) Assert.Equal(0f, v, 1e-6f);
        foreach (float v in p.Kl(q).Data) Assert.True(v >= 0f, $"KL {v} < 0");
        foreach (float v in q.Kl(p).Data) Assert.True(v >= 0f, $"KL {v} < 0");
    }

    [Fact]
    public void Entropy_is_log_k_for_uniform_and_zero_for_nearly_deterministic()
    {
        var tape = new Tape();
        Close(Math.Log(K), new Categorical(tape.Full(new Shape(1, K), 0.7f)).Entropy()[0], "uniform entropy");
        Tensor peaked = tape.Constant([60f, 0f, 0f, 0f], new Shape(1, K));
        Close(0, new Categorical(peaked).Entropy()[0], "peaked entropy");
    }

    [Fact] public void Log_prob_gradient() => Check((t, x) => new Categorical(x[0]).LogProb(t.Constant(Actions)), (Values(B * K, 10), BK));
    [Fact] public void Entropy_gradient() => Check((t, x) => new Categorical(x[0]).Entropy(), (Values(B * K, 11), BK));
    [Fact] public void Kl_gradient() => Check((t, x) => new Categorical(x[0]).Kl(new Categorical(x[1])), (Values(B * K, 12), BK), (Values(B * K, 13), BK));

    [Fact]
    public void Masked_gradients()
    {
        float[] actions = [0, 2, 3]; // allowed in each row
        Check((t, x) => new Categorical(x[0], t.Constant(MaskValues, BK)).LogProb(t.Constant(actions)), (Values(B * K, 14), BK));
        Check((t, x) => new Categorical(x[0], t.Constant(MaskValues, BK)).Entropy(), (Values(B * K, 15), BK));
        Check((t, x) => new Categorical(x[0], t.Constant(MaskValues, BK)).Kl(new Categorical(x[1], t.Constant(MaskValues, BK))),
            (Values(B * K, 16), BK), (Values(B * K, 17), BK));
    }

    [Fact]
    public void Masked_actions_have_zero_probability_and_do_not_count_in_entropy_or_gradient()
    {
        var tape = new Tape();
        Tensor logits = tape.Variable(LogitsWithMaskedMax, BK);
        var pi = new Categorical(logits, tape.Constant(MaskValues, BK));
        float[] actions = [2, 3, 1];
        Tensor logProb = pi.LogProb(tape.Constant(actions));
        Tensor entropy = pi.Entropy();
        for (int r = 0; r < B; r++)
        {
            double[] reference = LogSoftmax(LogitsWithMaskedMax.AsSpan(r * K, K), RowMask(r));
            Close(reference[(int)actions[r]], logProb[r], "masked log-prob");
            Close(CategoricalEntropy(reference), entropy[r], "masked entropy");
            for (int k = 0; k < K; k++)
                if (!RowMask(r)[k]) Assert.Equal(0f, pi.Probs[r, k]);
        }
        tape.Backward((logProb + entropy).Sum());
        for (int i = 0; i < MaskValues.Length; i++)
            if (MaskValues[i] == 0) Assert.Equal(0f, logits.Grad[i]);
            else Assert.NotEqual(0f, logits.Grad[i]);
        Assert.All(logits.Grad.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Log_prob_of_a_masked_action_is_hugely_negative_but_finite_on_the_tape_and_minus_infinity_when_acting()
    {
        var tape = new Tape();
        var pi = new Categorical(tape.Constant(LogitsWithMaskedMax, BK), tape.Constant(MaskValues, BK));
        float lp = pi.LogProb(tape.Constant([3f, 0f, 0f]))[0];
        Assert.True(float.IsFinite(lp) && lp < -1e8f);
        Assert.Equal(float.NegativeInfinity, Categorical.LogProb(LogitsWithMaskedMax.AsSpan(0, K), RowMask(0), 3));
    }

    [Fact]
    public void Mask_row_without_allowed_action_is_rejected()
    {
        var tape = new Tape();
        float[] mask = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1];
        Assert.Throws<ArgumentException>(() => new Categorical(tape.Constant(LogitsWithMaskedMax, BK), tape.Constant(mask, BK)));
        Assert.Throws<ArgumentException>(() => Categorical.Sample([1f, 2f], [false, false], new Rng(1UL), out _));
    }

    [Fact]
    public void Mode_is_the_argmax_over_allowed_actions()
    {
        var tape = new Tape();
        Assert.Equal([3f, 0f, 2f], new Categorical(tape.Constant(LogitsWithMaskedMax, BK)).Mode().ToArray());
        Assert.Equal([0f, 3f, 2f], new Categorical(tape.Constant(LogitsWithMaskedMax, BK), tape.Constant(MaskValues, BK)).Mode().ToArray());
        Assert.Equal(3, Categorical.Mode(LogitsWithMaskedMax.AsSpan(0, K)));
        Assert.Equal(0, Categorical.Mode(LogitsWithMaskedMax.AsSpan(0, K), RowMask(0)));
        Assert.Equal(1, Categorical.Mode([0f, 2f, 2f])); // ties: lowest index
        bool[] flatMask = MaskValues.Select(m => m != 0).ToArray();
        int[] modes = new int[B];
        Categorical.Mode(LogitsWithMaskedMax, flatMask, modes);
        Assert.Equal([0, 3, 2], modes);
    }

    [Fact]
    public void Sampling_frequencies_match_the_probabilities()
    {
        const int n = 100_000;
        float[] logits = [0.3f, -1.2f, 1.1f, 0f, -3f];
        double[] p = LogSoftmax(logits).Select(Math.Exp).ToArray();
        var counts = new int[logits.Length];
        var rng = new Rng(42UL);
        for (int i = 0; i < n; i++)
        {
            int a = Categorical.Sample(logits, rng, out float logProb);
            counts[a]++;
            Assert.Equal((float)Math.Log(p[a]), logProb, 1e-5f);
        }
        for (int k = 0; k < logits.Length; k++) FrequencyMatches(p[k], counts[k], n, $"action {k}");
    }

    [Fact]
    public void Masked_actions_are_never_sampled_and_the_rest_follow_the_renormalized_distribution()
    {
        const int n = 100_000;
        float[] logits = LogitsWithMaskedMax[..K];
        bool[] mask = RowMask(0);
        double[] p = LogSoftmax(logits, mask).Select(Math.Exp).ToArray();
        var counts = new int[K];
        var rng = new Rng(43UL);
        for (int i = 0; i < n; i++) counts[Categorical.Sample(logits, mask, rng, out _)]++;
        Assert.Equal(0, counts[1]);
        Assert.Equal(0, counts[3]);
        for (int k = 0; k < K; k++) FrequencyMatches(p[k], counts[k], n, $"action {k}");

        // The tape face's sampler sees the masked logits, so it never picks a forbidden action either.
        var tape = new Tape();
        var pi = new Categorical(tape.Constant(LogitsWithMaskedMax, BK), tape.Constant(MaskValues, BK));
        for (int i = 0; i < 2000; i++)
        {
            Tensor s = pi.Sample(rng);
            for (int r = 0; r < B; r++) Assert.True(MaskValues[r * K + (int)s[r]] != 0);
        }
    }

    [Fact]
    public void Tiny_probabilities_are_handled()
    {
        // Logit gaps far beyond float32 exp range (e^-200 underflows): the dominant action is always drawn,
        // and the log-probabilities of the others stay exact.
        float[] logits = [0f, 200f, -200f];
        var rng = new Rng(5UL);
        for (int i = 0; i < 1000; i++) Assert.Equal(1, Categorical.Sample(logits, rng));
        Assert.Equal(-200f, Categorical.LogProb(logits, 0), 1e-3f);
        Assert.Equal(-400f, Categorical.LogProb(logits, 2), 1e-3f);
    }

    [Fact]
    public void Batch_sampling_equals_row_by_row_sampling_and_is_deterministic()
    {
        float[] logits = Uniform(B * K, 6);
        bool[] flatMask = MaskValues.Select(m => m != 0).ToArray();
        int[] batch = new int[B];
        float[] batchLogProbs = new float[B];
        Categorical.Sample(logits, flatMask, new Rng(7UL), batch, batchLogProbs);
        var rng = new Rng(7UL);
        for (int r = 0; r < B; r++)
        {
            Assert.Equal(batch[r], Categorical.Sample(logits.AsSpan(r * K, K), RowMask(r), rng, out float lp));
            Assert.Equal(batchLogProbs[r], lp);
        }

        int[] first = Draws(99UL), second = Draws(99UL), other = Draws(100UL);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);

        static int[] Draws(ulong seed)
        {
            var rng = new Rng(seed);
            return Enumerable.Range(0, 200).Select(_ => Categorical.Sample([0.1f, 0.2f, 0.3f, 0.4f], rng)).ToArray();
        }
    }
}
