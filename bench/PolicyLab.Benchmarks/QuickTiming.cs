using System.Diagnostics;

namespace PolicyLab.Benchmarks;

/// <summary>
/// `quick` mode: a fast median-of-runs timing of the core workloads (for development; the
/// BenchmarkDotNet suite is the reference measurement).
/// </summary>
internal static class QuickTiming
{
    public static void Run()
    {
        Console.WriteLine($"Vector512 hardware: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        var ppo64 = new PpoUpdateWorkload(64);
        var ppo256 = new PpoUpdateWorkload(256);
        var acting = new ActingWorkload();
        var linear = new LinearWorkload();
        Report("PPO update, batch 64", Median(() => ppo64.Update(), 2000), "µs", 1e6);
        Report("PPO update, batch 256", Median(() => ppo256.Update(), 1000), "µs", 1e6);
        Report("Act on one observation", Median(() => acting.Act(), 200_000), "µs", 1e6);
        double linearSeconds = Median(linear.ForwardBackward, 50);
        Report("Linear 256³ forward+backward", linearSeconds, "µs", 1e6);
        Console.WriteLine($"  = {LinearWorkload.Flops / linearSeconds / 1e9:F1} GFLOP/s");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { ppo64.Update(); acting.Act(); }
        Console.WriteLine($"Allocated in 100 steady-state updates + acts: {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
    }

    private static void Report(string name, double seconds, string unit, double scale) =>
        Console.WriteLine($"{name,-32} median {seconds * scale,10:F3} {unit}");

    /// <summary>Median over 15 rounds of the mean time per call within a round, after a 1 s warm-up.</summary>
    private static double Median(Action action, int callsPerRound)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1) action();
        var rounds = new double[15];
        for (int r = 0; r < rounds.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerRound; i++) action();
            rounds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / callsPerRound;
        }
        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }

    private static double Median(Func<float> f, int calls) => Median(() => { f(); }, calls);
    private static double Median(Func<int> f, int calls) => Median(() => { f(); }, calls);
}
