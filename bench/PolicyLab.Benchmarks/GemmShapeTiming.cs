using System.Diagnostics;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Benchmarks;

/// <summary>
/// `gemm` mode: median GFLOP/s of the single-threaded products an MLP layer's forward and backward make (batch 256),
/// for widths that are and are not multiples of the vector width, and the median ms of one off-policy update. For
/// development (processor time, see Median): the BenchmarkDotNet classes are the reference measurement.
/// </summary>
internal static class GemmShapeTiming
{
    public static void Run()
    {
        Console.WriteLine($"Vector512 hardware: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}; GEMM threads {Gemm.Threads}");
        const int batch = 256;
        (int In, int Out)[] layers = [(10, 256), (256, 256), (256, 1), (10, 400), (400, 300), (300, 1), (300, 4), (8, 400),
            // MuJoCo-sized: HalfCheetah's 17 observations (+ 6 actions into a critic), Humanoid's 376 (+ 17), its actor heads.
            (17, 256), (23, 256), (376, 256), (393, 256), (256, 17), (256, 34)];
        foreach ((int k, int n) in layers)
        {
            var rng = new Rng(1UL);
            float[] x = Fill(rng, batch * k), w = Fill(rng, k * n), y = new float[batch * n], g = Fill(rng, batch * n);
            float[] dw = new float[k * n], dx = new float[batch * k], wt = new float[n * k], bias = Fill(rng, n);
            double flops = 2.0 * batch * k * n;
            double forward = Median(() => Gemm.Multiply(batch, n, k, x, k, 1, w, n, y, n, bias: bias), flops);
            double weight = Median(() => Gemm.Multiply(k, n, batch, x, 1, k, g, n, dw, n, accumulate: true), flops);
            double input = Median(() =>
            {
                Gemm.Transpose(k, n, w, wt);
                Gemm.Multiply(batch, k, n, g, n, 1, wt, k, dx, k, accumulate: true);
            }, flops);
            Console.WriteLine($"{k,4} → {n,-4}  x·W {forward / 1e9,6:F1}   xᵀ·g {weight / 1e9,6:F1}   g·Wᵀ {input / 1e9,6:F1} GFLOP/s");
        }
        foreach (int batchSize in new[] { 64, 256 })
        {
            var ppo = new PpoUpdateWorkload(batchSize);
            Console.WriteLine($"PPO update, batch {batchSize}: median {1e6 / Median(() => ppo.Update(), 1):F1} µs");
        }
        foreach ((string algorithm, int[] widths) in new[] { ("sac", new[] { 256, 256 }), ("sac", new[] { 400, 300 }), ("td3", new[] { 400, 300 }) })
        {
            using var workload = new OffPolicyUpdateWorkload(algorithm, "LunarLanderContinuous-v3", widths);
            double seconds = 1 / Median(workload.Update, 1);
            Console.WriteLine($"{algorithm} update [{string.Join(", ", widths)}]: median {seconds * 1e3:F3} ms");
        }
    }

    private static float[] Fill(Rng rng, int length)
    {
        var v = new float[length];
        rng.FillUniform(v, -1, 1);
        return v;
    }

    /// <summary>
    /// Median over 11 rounds of work per second (<paramref name="work"/> units per call), after a 0.5 s warm-up, by the
    /// process's processor time rather than the wall clock: on a machine shared with other jobs that counts only the time
    /// this (single-threaded) work ran, though not what sharing caches and cores with them costs it.
    /// </summary>
    private static double Median(Action action, double work)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.Elapsed.TotalSeconds < 0.5) { action(); calls++; }
        int perRound = Math.Max(1, calls / 2);
        var rates = new double[11];
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < rates.Length; r++)
        {
            process.Refresh();
            TimeSpan start = process.TotalProcessorTime;
            for (int i = 0; i < perRound; i++) action();
            process.Refresh();
            rates[r] = work * perRound / (process.TotalProcessorTime - start).TotalSeconds;
        }
        Array.Sort(rates);
        return rates[rates.Length / 2];
    }
}
