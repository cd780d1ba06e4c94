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

/// <summary>
/// Environment stepping alone, no learner: <c>copies</c> environments with uniformly random actions (autoreset
/// included) stepped by a <see cref="SyncVectorEnvironment"/> and by a <see cref="ThreadedVectorEnvironment"/> with two
/// threads. This is the vector speed-up the Box2D issue asks for (16 LunarLanders, ≥ 1.7× on two cores); a training
/// run's speed-up is smaller because the learner's update runs on one core between rollouts.
/// </summary>
public static class VectorScalingBenchmark
{
    /// <summary>Times <paramref name="repeats"/> stretches of <paramref name="vectorSteps"/> vector steps on each
    /// vector, alternating them so a change in machine load affects both alike; one untimed stretch first (JIT).</summary>
    public static (IReadOnlyList<VectorStepRun> Sync, IReadOnlyList<VectorStepRun> Threaded) Run(
        string id, int copies, int vectorSteps, int repeats, int threads = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vectorSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        using var sync = new SyncVectorEnvironment(id, copies);
        using var threaded = new ThreadedVectorEnvironment(id, copies, threadCount: threads);
        int actionSize = sync.SingleActionSpace.FlatSize;
        // 64 vector steps of uniformly random actions, reused cyclically: the same actions for both vectors.
        var actions = new float[64 * copies * actionSize];
        var rng = new Rng(5UL);
        for (int i = 0; i < 64 * copies; i++)
            sync.SingleActionSpace.Sample(rng, actions.AsSpan(i * actionSize, actionSize));
        sync.Reset(seed: 0);
        threaded.Reset(seed: 0);
        Time(sync, actions, vectorSteps, 1);
        Time(threaded, actions, vectorSteps, threads);
        var one = new List<VectorStepRun>();
        var two = new List<VectorStepRun>();
        for (int r = 0; r < repeats; r++)
        {
            one.Add(Time(sync, actions, vectorSteps, 1));
            two.Add(Time(threaded, actions, vectorSteps, threads));
        }
        return (one, two);
    }

    private static VectorStepRun Time(IVectorEnvironment vector, float[] actions, int vectorSteps, int threads)
    {
        int row = vector.Count * vector.SingleActionSpace.FlatSize;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < vectorSteps; i++)
            vector.Step(actions.AsSpan((i & 63) * row, row));
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new VectorStepRun(threads, (long)vectorSteps * vector.Count, seconds, (process.TotalProcessorTime - cpuStart).TotalSeconds);
    }
}
