using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Tests.Numerics.Kernels;

[Collection(GemmThreadsCollection.Name)]
public class HelperThreadsTests
{
    private sealed class CountingWork(int blocks, int failAt = -1) : IBlockWork
    {
        public readonly int[] Runs = new int[blocks];

        public int Blocks => blocks;

        public void RunBlock(int index)
        {
            Interlocked.Increment(ref Runs[index]);
            Thread.SpinWait(2_000); // long enough for a helper to take part
            if (index == failAt) throw new InvalidOperationException($"block {index} failed");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_block_runs_exactly_once(int threads)
    {
        for (int repeat = 0; repeat < 50; repeat++)
        {
            var work = new CountingWork(7);
            HelperThreads.Run(work, threads);
            Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        }
    }

    [Fact]
    public void A_failing_block_is_rethrown_on_the_caller_after_the_others_finish()
    {
        for (int failAt = 0; failAt < 6; failAt++)
        {
            var work = new CountingWork(6, failAt);
            var e = Assert.Throws<InvalidOperationException>(() => HelperThreads.Run(work, 2));
            Assert.Equal($"block {failAt} failed", e.Message);
            Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        }
        // The helpers are free again.
        var after = new CountingWork(4);
        Assert.True(HelperThreads.TryRun(after, 1));
        Assert.All(after.Runs, runs => Assert.Equal(1, runs));
    }

    private sealed class NestedWork : IBlockWork
    {
        public bool InnerRanOnHelpers = true;
        public readonly CountingWork Inner = new(3);

        public int Blocks => 1;

        public void RunBlock(int index) => InnerRanOnHelpers = HelperThreads.TryRun(Inner, 1);
    }

    [Fact]
    public void Work_started_inside_a_block_is_refused_and_can_run_on_the_caller()
    {
        var outer = new NestedWork();
        Assert.True(HelperThreads.TryRun(outer, 1));
        Assert.False(outer.InnerRanOnHelpers);
        Assert.All(outer.Inner.Runs, runs => Assert.Equal(0, runs));
    }
}
