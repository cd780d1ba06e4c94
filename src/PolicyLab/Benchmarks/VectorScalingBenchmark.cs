using System.Diagnostics;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Benchmarks;

/// <summary>One timed stretch of vector-environment stepping.</summary>
/// <param name="Threads">Threads stepping the copies (1: the synchronous vector).</param>
/// <param name="Steps">Environment steps taken (vector steps × copies).</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="CpuSeconds">Processor seconds the process used meanwhile (all threads).</param>
public sealed record VectorStepRun(int Threads, long Steps, double Seconds, double CpuSeconds)
{
    /// <summary>Environment steps per wall-clock second.</summary>
    public double StepsPerSecond => Steps / Seconds;

    /// <summary>Environment steps per processor second (all threads).</summary>
    public double StepsPerCpuSecond => Steps / CpuSeconds;

    /// <summary>Cores the stretch got on average (processor seconds per wall-clock second).</summary>
    public double CoresUsed => CpuSeconds / Seconds;
}

/// <summary>The timed stretches of one vector-scaling benchmark, in the order they ran (alternating).</summary>
/// <param name="Sync">The synchronous vector: every copy on the calling thread.</param>
/// <param name="Threaded">The threaded vector on the given thread count.</param>
/// <param name="Independent">The same copies cut into one synchronous vector per thread, each stepped by its own thread
/// with no hand-off between them: what the machine gives two threads that never wait for each other (the ceiling a
/// threaded vector can reach; below 2× when the cores are shared or memory-bound).</param>
/// <param name="LockstepBound">Per stretch, the most any vector that waits for all copies at every step could gain on
/// the thread count: the copies are stepped one by one and timed, and each vector step's sequential time is divided by
/// its least possible parallel time, max(sum / threads, slowest copy) — a step can end no sooner than its slowest copy
/// (an episode's last contact-solving step plus the reset it triggers) however the copies are shared out, even with
/// free hand-offs. Heavy-tailed step costs hold this below the thread count.</param>
public sealed record VectorScalingResult(IReadOnlyList<VectorStepRun> Sync, IReadOnlyList<VectorStepRun> Threaded, IReadOnlyList<VectorStepRun> Independent, IReadOnlyList<double> LockstepBound);

/// <summary>
/// Environment stepping alone, no learner: <c>copies</c> environments stepped by a <see cref="SyncVectorEnvironment"/>,
/// by a <see cref="ThreadedVectorEnvironment"/> with two threads, and as one independent synchronous vector per thread
/// (the ceiling), with uniformly random actions or one fixed action, autoreset included. The issues ask for ≥ 1.7× on
/// two cores for 16 LunarLander-v3 (random actions), 16 highway-fast-v0 (IDLE) and 8 HalfCheetah-v4 (random); a training
/// run's speed-up is smaller because the learner's update runs between rollouts.
/// </summary>
public static class VectorScalingBenchmark
{
    /// <summary>Times <paramref name="repeats"/> stretches of <paramref name="vectorSteps"/> vector steps on each way
    /// of stepping, alternating them so a change in machine load affects all alike; one untimed stretch of each first
    /// (JIT, caches).</summary>
    /// <param name="id">Registered environment id.</param>
    /// <param name="copies">Copies in the vector.</param>
    /// <param name="vectorSteps">Vector steps per timed stretch.</param>
    /// <param name="repeats">Timed stretches per way of stepping.</param>
    /// <param name="threads">Threads of the threaded vector (and of the independent ceiling).</param>
    /// <param name="fixedAction">Null: uniformly random actions from the action space (seeded, the same for every
    /// way); otherwise every action component is this value (e.g. 1 = IDLE for the highway environments).</param>
    public static VectorScalingResult Run(string id, int copies, int vectorSteps, int repeats, int threads = 2, float? fixedAction = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vectorSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 2);
        if (copies < threads)
            throw new PolicyLabException($"The vector benchmark needs at least as many copies as threads ({threads}); got {copies}.");
        using var sync = new SyncVectorEnvironment(id, copies);
        using var threaded = new ThreadedVectorEnvironment(id, copies, threadCount: threads);
        var parts = new SyncVectorEnvironment[threads];
        var singles = new SyncVectorEnvironment[copies];
        try
        {
            for (int i = 0; i < copies; i++)
                singles[i] = new SyncVectorEnvironment(id, 1);
            for (int t = 0; t < threads; t++)
                parts[t] = new SyncVectorEnvironment(id, (int)((long)copies * (t + 1) / threads) - (int)((long)copies * t / threads));
            int actionSize = sync.SingleActionSpace.FlatSize;
            // 64 vector steps of actions, reused cyclically: the same actions for every way of stepping.
            var actions = new float[64 * copies * actionSize];
            if (fixedAction is float value)
            {
                Array.Fill(actions, value);
                if (!sync.SingleActionSpace.Contains(actions.AsSpan(0, actionSize)))
                    throw new PolicyLabException($"The fixed action {value} is not in {id}'s action space {sync.SingleActionSpace}; pass a valid action (for a discrete space, its index) or none for random actions.");
            }
            else
            {
                var rng = new Rng(5UL);
                for (int i = 0; i < 64 * copies; i++)
                    sync.SingleActionSpace.Sample(rng, actions.AsSpan(i * actionSize, actionSize));
            }
            sync.Reset(seed: 0);
            threaded.Reset(seed: 0);
            for (int t = 0; t < threads; t++)
                parts[t].Reset(seed: (ulong)((long)copies * t / threads)); // the same copies and seeds as the others
            for (int i = 0; i < copies; i++)
                singles[i].Reset(seed: (ulong)i);
            Time(sync, actions, vectorSteps, 1);
            Time(threaded, actions, vectorSteps, threads);
            TimeIndependent(parts, actions, copies, vectorSteps);
            LockstepBound(singles, actions, vectorSteps, threads);
            var one = new List<VectorStepRun>();
            var two = new List<VectorStepRun>();
            var ceiling = new List<VectorStepRun>();
            var bound = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                one.Add(Time(sync, actions, vectorSteps, 1));
                two.Add(Time(threaded, actions, vectorSteps, threads));
                ceiling.Add(TimeIndependent(parts, actions, copies, vectorSteps));
                bound.Add(LockstepBound(singles, actions, vectorSteps, threads));
            }
            return new VectorScalingResult(one, two, ceiling, bound);
        }
        finally
        {
            foreach (SyncVectorEnvironment? part in parts)
                part?.Dispose();
            foreach (SyncVectorEnvironment? single in singles)
                single?.Dispose();
        }
    }

    private static VectorStepRun Time(IVectorEnvironment vector, float[] actions, int vectorSteps, int threads)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        StepMany(vector, actions, 0, vector.Count * vector.ActionSize, vectorSteps);
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new VectorStepRun(threads, (long)vectorSteps * vector.Count, seconds, (process.TotalProcessorTime - cpuStart).TotalSeconds);
    }

    /// <summary>Steps the copies one by one, each timed (its step and the autoreset it triggers), and returns the
    /// stretch's sequential time over the sum of the per-step lower bounds max(sum / threads, slowest copy).</summary>
    private static double LockstepBound(SyncVectorEnvironment[] singles, float[] actions, int vectorSteps, int threads)
    {
        int actionSize = singles[0].ActionSize, copies = singles.Length;
        long sequential = 0;
        double parallel = 0;
        for (int i = 0; i < vectorSteps; i++)
        {
            long sum = 0, slowest = 0;
            for (int c = 0; c < copies; c++)
            {
                long start = Stopwatch.GetTimestamp();
                singles[c].Step(actions.AsSpan(((i & 63) * copies + c) * actionSize, actionSize));
                long ticks = Stopwatch.GetTimestamp() - start;
                sum += ticks;
                slowest = Math.Max(slowest, ticks);
            }
            sequential += sum;
            parallel += Math.Max((double)sum / threads, slowest);
        }
        return sequential / parallel;
    }

    /// <summary>Steps every part on its own thread (the caller's for part 0), all started together.</summary>
    private static VectorStepRun TimeIndependent(SyncVectorEnvironment[] parts, float[] actions, int copies, int vectorSteps)
    {
        int actionSize = parts[0].ActionSize;
        using var start = new Barrier(parts.Length);
        var others = new Thread[parts.Length - 1];
        int first = parts[0].Count;
        for (int t = 1; t < parts.Length; t++)
        {
            SyncVectorEnvironment part = parts[t];
            int offset = first;
            first += part.Count;
            others[t - 1] = new Thread(() =>
            {
                start.SignalAndWait();
                StepMany(part, actions, offset * actionSize, copies * actionSize, vectorSteps);
            }) { IsBackground = true, Name = "PolicyLab benchmark part" };
            others[t - 1].Start();
        }
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        StepMany(parts[0], actions, 0, copies * actionSize, vectorSteps);
        foreach (Thread other in others)
            other.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new VectorStepRun(parts.Length, (long)vectorSteps * copies, seconds, (process.TotalProcessorTime - cpuStart).TotalSeconds);
    }

    /// <summary>Steps <paramref name="vector"/> with its rows of the cyclic action table (rows of
    /// <paramref name="stride"/> floats, the vector's part starting at <paramref name="offset"/>).</summary>
    private static void StepMany(IVectorEnvironment vector, float[] actions, int offset, int stride, int vectorSteps)
    {
        int width = vector.Count * vector.ActionSize;
        for (int i = 0; i < vectorSteps; i++)
            vector.Step(actions.AsSpan((i & 63) * stride + offset, width));
    }
}
