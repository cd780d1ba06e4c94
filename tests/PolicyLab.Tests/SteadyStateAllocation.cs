namespace PolicyLab.Tests;

/// <summary>Measures what a piece of code allocates once it is warm.</summary>
internal static class SteadyStateAllocation
{
    /// <summary>
    /// Bytes <paramref name="loop"/> allocates on this thread: the fewest over <paramref name="rounds"/> runs, after two
    /// warm-up runs. The runtime makes one-time lazy allocations while methods tier up (seen under
    /// DOTNET_EnableAVX512=0, landing in a measured run), but only once; an allocation per iteration shows in every round.
    /// </summary>
    public static long Bytes(Action loop, int rounds = 4)
    {
        loop();
        loop();
        long fewest = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            loop();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
