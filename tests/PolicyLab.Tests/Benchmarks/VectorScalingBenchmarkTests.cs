using PolicyLab.Benchmarks;

namespace PolicyLab.Tests.Benchmarks;

/// <summary>The vector-scaling benchmark counts what it times (no timing is asserted).</summary>
public sealed class VectorScalingBenchmarkTests
{
    [Fact]
    public void Each_stretch_counts_vector_steps_times_copies_on_both_vectors()
    {
        var (sync, threaded, independent, bound) = VectorScalingBenchmark.Run("LunarLander-v3", copies: 5, vectorSteps: 30, repeats: 2);
        Assert.Equal(2, sync.Count);
        Assert.Equal(2, threaded.Count);
        Assert.Equal(2, independent.Count);
        Assert.All(sync, r => Assert.Equal((1, 150L), (r.Threads, r.Steps)));
        Assert.All(threaded, r => Assert.Equal((2, 150L), (r.Threads, r.Steps)));
        Assert.All(independent, r => Assert.Equal((2, 150L), (r.Threads, r.Steps)));
        Assert.All(sync.Concat(threaded).Concat(independent), r => Assert.True(r.Seconds > 0 && r.CpuSeconds >= 0));
        // The lockstep bound is a ratio of sums: at least 1 (no step is slower in parallel than in sequence) and at most
        // the thread count (half the sum is the least a step of two threads can take).
        Assert.Equal(2, bound.Count);
        Assert.All(bound, b => Assert.InRange(b, 1.0, 2.0));
    }

    [Fact]
    public void Continuous_actions_are_sampled_from_the_action_space()
    {
        var (sync, _, _, _) = VectorScalingBenchmark.Run("LunarLanderContinuous-v3", copies: 2, vectorSteps: 10, repeats: 1);
        Assert.Equal(20L, sync[0].Steps);
    }

    [Fact]
    public void A_fixed_action_outside_the_action_space_is_refused_by_name()
    {
        var error = Assert.Throws<PolicyLabException>(() => VectorScalingBenchmark.Run("highway-fast-v0", copies: 2, vectorSteps: 1, repeats: 1, fixedAction: 7));
        Assert.Contains("fixed action 7", error.Message, StringComparison.Ordinal);
    }
}
