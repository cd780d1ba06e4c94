using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

public class MultiCategoricalTests
{
    private const int B = 2, Width = 6;
    private static readonly int[] Sizes = [3, 1, 2];
    private static readonly int[] Starts = [0, 3, 4];
    private static readonly Shape BW = new(B, Width), BN = new(B, 3);
    private static readonly float[] Actions = [2, 0, 1, 0, 0, 0];
    private static readonly float[] MaskValues = [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0];

    [Fact]
    public void Sums_of_head_closed_forms()
    {
        float[] p = Uniform(B * Width, 1, -3, 3), q = Uniform(B * Width, 2, -3, 3);
        var tape = new Tape();
        var dist = new MultiCategorical(tape.Constant(p, BW), Sizes);
        var other = new MultiCategorical(tape.Constant(q, BW), Sizes);
        Tensor logProb = dist.LogProb(tape.Constant(Actions, BN)), entropy = dist.Entropy(), kl = dist.Kl(other);
        Assert.Equal(new Shape(B), logProb.Shape);
        for (int r = 0; r < B; r++)
        {
            double lp = 0, h = 0, k = 0;
            for (int i = 0; i < Sizes.Length; i++)
            {
                double[] lpi = LogSoftmax(p.AsSpan(r * Width + Starts[i], Sizes[i]));
                double[] lqi = LogSoftmax(q.AsSpan(r * Width + Starts[i], Sizes[i]));
                lp += lpi[(int)Actions[r * 3 + i]];
                h += CategoricalEntropy(lpi);
                k += CategoricalKl(lpi, lqi);
            }
            Close(lp, logProb[r], "log-prob");
            Close(h, entropy[r], "entropy");
            Close(k, kl[r], "KL");
            int[] acts = Actions.Skip(r * 3).Take(3).Select(a => (int)a).ToArray();
            Close(lp, MultiCategorical.LogProb(p.AsSpan(r * Width, Width), Sizes, default, acts), "static log-prob");
        }
        foreach (float v in dist.Kl(dist).Data) Assert.Equal(0f, v, 1e-6f);
    }

    [Fact]
    public void Gradients()
    {
        Check((t, x) => new MultiCategorical(x[0], Sizes).LogProb(t.Constant(Actions, BN)), (Values(B * Width, 10), BW));
        Check((t, x) => new MultiCategorical(x[0], Sizes).Entropy(), (Values(B * Width, 11), BW));
        Check((t, x) => new MultiCategorical(x[0], Sizes).Kl(new MultiCategorical(x[1], Sizes)), (Values(B * Width, 12), BW), (Values(B * Width, 13), BW));
        Check((t, x) => new MultiCategorical(x[0], Sizes, t.Constant(MaskValues, BW)).Entropy(), (Values(B * Width, 14), BW));
    }

    [Fact]
    public void Masks_apply_per_head()
    {
        float[] logits = [5f, 0f, 1f, 0.3f, 4f, -1f, 0f, 2f, 0f, 0f, 3f, 9f];
        bool[] mask = MaskValues.Select(m => m != 0).ToArray();
        var tape = new Tape();
        var dist = new MultiCategorical(tape.Constant(logits, BW), Sizes, tape.Constant(MaskValues, BW));
        Assert.Equal([2f, 0f, 0f, 1f, 0f, 0f], dist.Mode().ToArray());
        int[] mode = new int[3];
        MultiCategorical.Mode(logits.AsSpan(Width, Width), Sizes, mask.AsSpan(Width, Width), mode);
        Assert.Equal([1, 0, 0], mode);

        var rng = new Rng(31UL);
        int[] actions = new int[3];
        for (int i = 0; i < 5000; i++)
        {
            // Row 0 forbids action 0 of head 0; row 1 forbids action 2 of head 0 and action 1 of head 2.
            for (int r = 0; r < B; r++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(r * Width, Width);
                ReadOnlySpan<bool> rowMask = mask.AsSpan(r * Width, Width);
                float logProb = MultiCategorical.Sample(row, Sizes, rowMask, rng, actions);
                Assert.NotEqual(r == 0 ? 0 : 2, actions[0]);
                if (r == 1) Assert.Equal(0, actions[2]);
                Close(MultiCategorical.LogProb(row, Sizes, rowMask, actions), logProb, "log-prob");
            }
            Tensor s = dist.Sample(rng);
            Assert.NotEqual(0f, s[0, 0]);
            Assert.NotEqual(2f, s[1, 0]);
            Assert.Equal(0f, s[1, 2]);
        }
    }

    [Fact]
    public void Sampling_frequencies_match_each_head()
    {
        const int n = 100_000;
        float[] logits = [0.5f, -0.5f, 1f, 7f, -1f, 0.8f];
        int[] actions = new int[3];
        var counts = new int[Width];
        var rng = new Rng(32UL);
        for (int i = 0; i < n; i++)
        {
            MultiCategorical.Sample(logits, Sizes, rng, actions);
            for (int h = 0; h < 3; h++) counts[Starts[h] + actions[h]]++;
        }
        for (int h = 0; h < 3; h++)
        {
            double[] p = LogSoftmax(logits.AsSpan(Starts[h], Sizes[h])).Select(Math.Exp).ToArray();
            for (int k = 0; k < Sizes[h]; k++) FrequencyMatches(p[k], counts[Starts[h] + k], n, $"head {h} action {k}");
        }
    }

    [Fact]
    public void Sizes_are_validated()
    {
        var tape = new Tape();
        Assert.Throws<ArgumentException>(() => new MultiCategorical(tape.Full(BW, 0f), new[] { 3, 2 }));
        Assert.Throws<ArgumentException>(() => new MultiCategorical(tape.Full(BW, 0f), new[] { 6, 0 }));
        Assert.Throws<ArgumentException>(() => new MultiCategorical(tape.Full(BW, 0f), Sizes).LogProb(tape.Full(new Shape(B, 2), 0f)));
    }
}
