using PolicyLab.Benchmarks;

namespace PolicyLab.Tests.Benchmarks;

/// <summary>The vector-scaling benchmark counts what it times (no timing is asserted).</summary>
public sealed class VectorScalingBenchmarkTests
{
    [Fact]
    public void Each_stretch_counts_vector_steps_times_copies_on_both_vectors()
    {
        var (sync, threaded) = VectorScalingBenchmark.Run("LunarLander-v3", copies: 4, vectorSteps: 30, repeats: 2);
        Assert.Equal(2, sync.Count);
        Assert.Equal(2, threaded.Count);
        Assert.All(sync, r => Assert.Equal((1, 120L), (r.Threads, r.Steps)));
        Assert.All(threaded, r => Assert.Equal((2, 120L), (r.Threads, r.Steps)));
        Assert.All(sync.Concat(threaded), r => Assert.True(r.Seconds > 0 && r.CpuSeconds >= 0));
    }

    [Fact]
    public void Continuous_actions_are_sampled_from_the_action_space()
    {
        var (sync, _) = VectorScalingBenchmark.Run("LunarLanderContinuous-v3", copies: 2, vectorSteps: 10, repeats: 1);
        Assert.Equal(20L, sync[0].Steps);
    }
}
