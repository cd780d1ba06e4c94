using System.Diagnostics;
using PolicyLab.Algorithms;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Training;

namespace PolicyLab.Benchmarks;

/// <summary>One timed ES run.</summary>
/// <param name="Threads">Worker threads.</param>
/// <param name="CandidateEpisodes">Candidate episodes evaluated in the timed iterations.</param>
/// <param name="Steps">Environment steps they took.</param>
/// <param name="Seconds">Wall-clock seconds of the timed iterations.</param>
/// <param name="CpuSeconds">Processor seconds the process used meanwhile (all threads): CpuSeconds/Seconds
/// shows how many cores the run actually got on a shared machine.</param>
public sealed record EsBenchmarkRun(int Threads, long CandidateEpisodes, long Steps, double Seconds, double CpuSeconds)
{
    /// <summary>Cores the run got on average (processor seconds per wall-clock second).</summary>
    public double CoresUsed => CpuSeconds / Seconds;

    /// <summary>Candidate episodes per second.</summary>
    public double EpisodesPerSecond => CandidateEpisodes / Seconds;

    /// <summary>Candidate episodes per processor second (all threads).</summary>
    public double EpisodesPerCpuSecond => CandidateEpisodes / CpuSeconds;

    /// <summary>Environment steps per second.</summary>
    public double StepsPerSecond => Steps / Seconds;
}

/// <summary>
/// Candidate-evaluation speed of OpenAI-ES on CartPole-v1 with a 4→16→2 tanh policy (the shipped
/// es CartPole settings otherwise: 25 antithetic pairs, one episode per candidate). Each run builds a
/// fresh ES with the given thread count and seed, warms up (JIT) with one untimed iteration, then times
/// the next iterations. With the same seed the work is identical for every thread count (the results do
/// not depend on it), so the figures compare like with like. The environments are not the training
/// loop's: nothing is logged.
/// </summary>
public static class EsBenchmark
{
    /// <summary>Times <paramref name="iterations"/> ES iterations with <paramref name="threads"/> workers.</summary>
    public static EsBenchmarkRun Run(int threads, int iterations, long seed, int pairs = 25)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        const string id = "CartPole-v1";
        (_, Hyperparameters resolved) = SettingsResolver.Resolve(new SettingsRequest("es", id, null,
            ["policy_layers=[16]", $"threads={threads}", $"n_pairs={pairs}", "episodes_per_candidate=1"], seed, null));
        var settings = (EvolutionStrategiesSettings)resolved;
        using var main = new SyncVectorEnvironment(id, 1);
        main.Reset((ulong)seed);
        AlgorithmContext context = AlgorithmContext.For(main);
        using var es = new EvolutionStrategies(context, settings, new Rng(Rng.DeriveSeed((ulong)seed, 2)));
        var diagnostics = new UpdateDiagnostics();
        es.Iterate(0, diagnostics); // warm-up

        long episodes = 0, steps = 0;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            diagnostics.Clear();
            es.Iterate(0, diagnostics);
            episodes += (long)diagnostics["candidate_episodes"];
            steps += (long)diagnostics["env_steps"];
        }
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new EsBenchmarkRun(threads, episodes, steps, seconds, (process.TotalProcessorTime - cpuStart).TotalSeconds);
    }
}
