using System.Runtime.ExceptionServices;

namespace PolicyLab.Numerics.Kernels;

/// <summary>Work cut into blocks that any thread may run, in any order. Each block must write only its own outputs,
/// so the result does not depend on which thread ran which block.</summary>
public interface IBlockWork
{
    /// <summary>Number of blocks.</summary>
    int Blocks { get; }

    /// <summary>Runs block <paramref name="index"/>.</summary>
    void RunBlock(int index);
}

/// <summary>
/// Persistent helper threads shared by the numeric code (large matrix products, and algorithm steps that split into
/// independent parts). One piece of work at a time: the calling thread and the helpers claim its blocks through a
/// 64-bit counter holding (generation, next block), so a helper that wakes late cannot claim a block of a newer piece
/// of work with an older one's description, and a helper that is not scheduled in time only leaves more blocks to the
/// caller. Helpers spin briefly between pieces of work (they come in bursts), then sleep.
/// </summary>
public static class HelperThreads
{
    private const int SpinRounds = 300;
    private const long Closed = 0x7FFFFFFF; // "no block left" in the counter's low half
    private static readonly ManualResetEventSlim Wake = new(false, 0);
    private static readonly Lock Gate = new();
    private static int s_busy, s_helpers;
    private static long s_counter; // generation << 32 | next block
    private static int s_done;
    private static IBlockWork? s_work;
    private static Exception? s_failure;

    /// <summary>
    /// Runs every block of <paramref name="work"/> on the calling thread and up to <paramref name="helpers"/> helper
    /// threads, and returns when all are done. Returns false without running anything when the helpers are already
    /// serving another piece of work (for example when called from inside a block): the caller then runs the blocks
    /// itself. An exception from any block is re-thrown here once every claimed block has finished.
    /// </summary>
    public static bool TryRun(IBlockWork work, int helpers)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            EnsureHelpers(helpers);
            s_work = work;
            s_failure = null;
            Volatile.Write(ref s_done, 0);
            long generation = (Volatile.Read(ref s_counter) >> 32) + 1;
            Interlocked.Exchange(ref s_counter, generation << 32);
            Wake.Set();
            int blocks = work.Blocks, mine = 0;
            while (TryClaim(generation, blocks, out int index))
            {
                RunBlock(work, index);
                mine++;
            }
            // Close the work to latecomers, then wait for the blocks helpers claimed.
            Interlocked.Add(ref s_done, mine);
            var spin = new SpinWait();
            while (Volatile.Read(ref s_done) < blocks) spin.SpinOnce(sleep1Threshold: -1);
            // Mark the work finished before its description is replaced, so no helper can claim from it.
            Interlocked.Exchange(ref s_counter, generation << 32 | Closed);
            s_work = null;
            if (s_failure is { } failure)
                ExceptionDispatchInfo.Capture(failure).Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Runs every block of <paramref name="work"/> on up to <paramref name="threads"/> threads (the caller's
    /// included), or on the calling thread alone when <paramref name="threads"/> is 1 or the helpers are busy.</summary>
    public static void Run(IBlockWork work, int threads)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (threads > 1 && TryRun(work, threads - 1)) return;
        for (int i = 0; i < work.Blocks; i++) work.RunBlock(i);
    }

    private static void RunBlock(IBlockWork work, int index)
    {
        try
        {
            work.RunBlock(index);
        }
#pragma warning disable CA1031 // any failure is handed to the calling thread, which re-throws it unchanged
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref s_failure, e, null);
        }
    }

    private static bool TryClaim(long generation, int blocks, out int index)
    {
        while (true)
        {
            long value = Volatile.Read(ref s_counter);
            index = (int)(value & 0xFFFFFFFF);
            if (value >> 32 != generation || index >= blocks) return false;
            if (Interlocked.CompareExchange(ref s_counter, value + 1, value) == value) return true;
        }
    }

    private static void EnsureHelpers(int count)
    {
        if (Volatile.Read(ref s_helpers) >= count) return;
        lock (Gate)
        {
            while (s_helpers < count)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = $"PolicyLab helper {s_helpers + 1}" };
                thread.Start();
                s_helpers++;
            }
        }
    }

    private static void Loop()
    {
        long seen = 0;
        while (true)
        {
            int rounds = 0;
            long generation;
            while ((generation = Volatile.Read(ref s_counter) >> 32) == seen)
            {
                if (rounds++ < SpinRounds)
                {
                    Thread.SpinWait(30);
                    continue;
                }
                Wake.Reset();
                if (Volatile.Read(ref s_counter) >> 32 == seen) Wake.Wait();
            }
            seen = generation;
            // The work's description is stable while any of its blocks is unfinished; read it after claiming.
            while (true)
            {
                long value = Volatile.Read(ref s_counter);
                if (value >> 32 != generation || (value & 0xFFFFFFFF) == Closed) break;
                int index = (int)(value & 0xFFFFFFFF);
                IBlockWork? work = s_work; // may be stale only if the counter moved on, which fails the exchange below
                if (work is null || index >= work.Blocks) break;
                if (Interlocked.CompareExchange(ref s_counter, value + 1, value) != value) continue;
                RunBlock(s_work!, index);
                Interlocked.Increment(ref s_done);
            }
        }
    }
}
