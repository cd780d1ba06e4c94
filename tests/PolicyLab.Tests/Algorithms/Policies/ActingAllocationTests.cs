using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>The tape-free acting path must not allocate: it runs once per environment step.</summary>
public class ActingAllocationTests
{
    [Fact]
    public void Categorical_acting_allocates_nothing()
    {
        float[] logits = [0.1f, 0.5f, -0.3f, 1.2f, 0f, 0.4f, 0.9f, -1f];
        bool[] mask = [true, false, true, true, true, true, false, true];
        int[] actions = new int[2];
        float[] logProbs = new float[2];
        var rng = new Rng(1UL);
        float sink = 0;
        long bytes = SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                sink += Categorical.Sample(logits.AsSpan(0, 4), rng);
                sink += Categorical.Sample(logits, mask, rng, out float lp) + lp;
                Categorical.Sample(logits, mask, rng, actions, logProbs);
                sink += Categorical.Mode(logits, mask) + Categorical.LogProb(logits, mask, 2);
                Categorical.Mode(logits, mask, actions);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void Gaussian_acting_allocates_nothing()
    {
        float[] mean = [0.1f, -0.5f, 0.3f, 1f], logStd = [-0.2f, 0.1f], action = new float[4], logProbs = new float[2];
        var rng = new Rng(2UL);
        float sink = 0;
        long bytes = SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                sink += DiagonalGaussian.Sample(mean.AsSpan(0, 2), logStd, rng, action.AsSpan(0, 2));
                DiagonalGaussian.Sample(mean, logStd, rng, action, logProbs);
                sink += DiagonalGaussian.LogProb(mean.AsSpan(0, 2), logStd, action.AsSpan(0, 2));
                DiagonalGaussian.Mode(mean, action);
                sink += TanhGaussian.Sample(mean.AsSpan(0, 2), logStd, rng, action.AsSpan(0, 2));
                TanhGaussian.Sample(mean, logStd, rng, action, logProbs);
                sink += TanhGaussian.LogProb(mean.AsSpan(0, 2), logStd, action.AsSpan(0, 2));
                TanhGaussian.Mode(mean, action);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void Bernoulli_and_multi_categorical_acting_allocate_nothing()
    {
        float[] logits = [0.1f, -0.5f, 0.3f, 1f, 0.2f, -0.7f];
        int[] sizes = [3, 1, 2], heads = new int[3], outcomes = new int[6];
        bool[] mask = [true, false, true, true, true, true];
        float[] logProbs = new float[2];
        var rng = new Rng(3UL);
        float sink = 0;
        long bytes = SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                sink += Bernoulli.Sample(logits, rng, outcomes);
                Bernoulli.Sample(logits, rng, outcomes, logProbs);
                sink += Bernoulli.LogProb(logits, outcomes);
                Bernoulli.Mode(logits, outcomes);
                sink += MultiCategorical.Sample(logits, sizes, rng, heads);
                sink += MultiCategorical.Sample(logits, sizes, mask, rng, heads);
                sink += MultiCategorical.LogProb(logits, sizes, mask, heads);
                MultiCategorical.Mode(logits, sizes, mask, heads);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(float.IsFinite(sink));
    }
}
