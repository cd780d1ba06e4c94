using System.Diagnostics;
using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Tracking;
using PolicyLab.Training;

namespace PolicyLab.Benchmarks;

/// <summary>One timed training run.</summary>
/// <param name="Seed">Its seed.</param>
/// <param name="Steps">Steps trained.</param>
/// <param name="Seconds">Wall-clock seconds of the training loop (evaluation disabled).</param>
/// <param name="StepsToThreshold">Steps when the last-10-episode mean first reached the threshold (null: never).</param>
/// <param name="SecondsToThreshold">Seconds at that point (null: never).</param>
/// <param name="CpuSeconds">Processor seconds the whole process used over the same stretch (all threads; with
/// simultaneous runs it counts them all): CpuSeconds / Seconds shows how many cores a run got on a shared machine.</param>
public sealed record BenchmarkRun(long Seed, long Steps, double Seconds, long? StepsToThreshold, double? SecondsToThreshold, double CpuSeconds = double.NaN)
{
    /// <summary>Training throughput.</summary>
    public double StepsPerSecond => Steps / Seconds;

    /// <summary>Cores the process got on average over the run (processor seconds per wall-clock second).</summary>
    public double CoresUsed => CpuSeconds / Seconds;
}

/// <summary>
/// End-to-end training speed: runs the training loop with evaluation off and records the throughput
/// and when the mean return of the last 10 training episodes first reaches a threshold. With
/// <c>parallel</c> &gt; 1, that many runs (different seeds) train at once, one per core, and the
/// aggregate throughput is the machine's figure.
/// </summary>
public static class TrainingBenchmark
{
    /// <summary>Runs <paramref name="repeats"/> rounds of <paramref name="parallel"/> simultaneous runs, with
    /// <paramref name="gemmThreads"/> GEMM threads when given (restored afterwards).</summary>
    public static IReadOnlyList<BenchmarkRun[]> Run(SettingsRequest request, double threshold, int repeats, int parallel, string scratch, int? gemmThreads = null)
    {
        int saved = Gemm.Threads;
        if (gemmThreads is int threads) Gemm.Threads = threads;
        try
        {
            return RunRounds(request, threshold, repeats, parallel, scratch);
        }
        finally
        {
            Gemm.Threads = saved;
        }
    }

    private static List<BenchmarkRun[]> RunRounds(SettingsRequest request, double threshold, int repeats, int parallel, string scratch)
    {
        var rounds = new List<BenchmarkRun[]>();
        for (int r = 0; r < repeats; r++)
        {
            var runs = new BenchmarkRun[parallel];
            var threads = Enumerable.Range(0, parallel).Select(p => new Thread(() =>
            {
                long seed = (request.Seed ?? 0) + r * parallel + p;
                runs[p] = RunOnce(request with { Seed = seed }, threshold, Path.Combine(scratch, $"r{r}-p{p}"));
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            rounds.Add(runs);
        }
        return rounds;
    }

    private static BenchmarkRun RunOnce(SettingsRequest request, double threshold, string folder)
    {
        var overrides = request.Overrides.Concat(["eval_freq=0", "eval_episodes=1"]).ToList();
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(request with { Overrides = overrides });
        using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        using var observer = new ThresholdObserver(threshold);
        TrainingResult result = trainer.RunWithTrackers(observer);
        // The loop's own time, without the final one-episode evaluation and checkpoint.
        return new BenchmarkRun(run.Seed, result.Steps, observer.LastUpdateSeconds, observer.Steps, observer.Seconds, observer.LastUpdateCpuSeconds);
    }

    private sealed class ThresholdObserver(double threshold) : ITrainingObserver, IDisposable
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private TimeSpan _cpuAtStart;

        public long? Steps { get; private set; }
        public double? Seconds { get; private set; }
        public double LastUpdateSeconds { get; private set; }
        public double LastUpdateCpuSeconds { get; private set; }

        public void OnRunStarted(TrainingRunContext run)
        {
            _process.Refresh();
            _cpuAtStart = _process.TotalProcessorTime;
        }

        public void OnUpdate(TrainingStatus status)
        {
            LastUpdateSeconds = status.Elapsed.TotalSeconds;
            _process.Refresh();
            LastUpdateCpuSeconds = (_process.TotalProcessorTime - _cpuAtStart).TotalSeconds;
            if (Steps is null && status.RecentMeanReturn >= threshold)
            {
                Steps = status.Steps;
                Seconds = status.Elapsed.TotalSeconds;
            }
        }

        public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

        public void OnNotice(string message) { }

        public void Dispose() => _process.Dispose();
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
