using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using PolicyLab.Environments;
using PolicyLab.Environments.Highway;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Benchmarks;

/// <summary>highway-fast-v0 stepping under IDLE: one environment on one thread, and a threaded vector of 16 copies
/// (one operation = one environment step, autoresets included).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class HighwayBenchmarks : IDisposable
{
    private const int Steps = 3000;
    private const int Copies = 16;
    private IEnvironment _single = null!;
    private ThreadedVectorEnvironment _vector = null!;
    private readonly float[] _observation = new float[25];
    private readonly float[] _idle = [1f];
    private readonly float[] _idles = Enumerable.Repeat(1f, Copies).ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _single = EnvironmentRegistry.Make("highway-fast-v0");
        _single.Reset(_observation, seed: 0);
        _vector = new ThreadedVectorEnvironment("highway-fast-v0", Copies);
        _vector.Reset(0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _single.Dispose();
        _vector.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One highway-fast-v0, IDLE every step.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void HighwayFastIdle()
    {
        for (int i = 0; i < Steps; i++)
        {
            if (_single.Step(_idle, _observation).Done)
                _single.Reset(_observation);
        }
    }

    /// <summary>A threaded vector of 16 highway-fast-v0 copies, IDLE.</summary>
    [Benchmark(OperationsPerInvoke = Steps / Copies * Copies)]
    public void HighwayFastIdleThreaded16()
    {
        for (int i = 0; i < Steps / Copies; i++)
            _vector.Step(_idles);
    }
}

/// <summary>
/// The highway-env agreement protocols and a quick steps/s figure, printed as a table
/// (<c>dotnet run -c Release --project bench/PolicyLab.Benchmarks -- highway</c>).
/// </summary>
public static class HighwayReport
{
    /// <summary>Prints the table and the speeds.</summary>
    public static void Run(string[] args)
    {
        int runAt = Array.IndexOf(args, "--run");
        if (runAt >= 0)
        {
            int episodesAt = Array.IndexOf(args, "--episodes");
            EvaluateRun(args[runAt + 1], episodesAt >= 0 ? int.Parse(args[episodesAt + 1], CultureInfo.InvariantCulture) : 20);
            return;
        }
        int renderAt = Array.IndexOf(args, "--render");
        if (renderAt >= 0)
        {
            string folder = args.Length > renderAt + 1 ? args[renderAt + 1] : ".";
            Directory.CreateDirectory(folder);
            foreach (string id in new[] { "highway-v0", "highway-fast-v0", "merge-v0", "roundabout-v0", "racetrack-v0" })
            {
                using IEnvironment env = EnvironmentRegistry.Make(id);
                var obs = new float[env.ObservationSpace.FlatSize];
                env.Reset(obs, seed: 1);
                var action = new float[env.ActionSpace.FlatSize];
                action[0] = env.ActionSpace is PolicyLab.Environments.Spaces.Discrete ? 1 : 0;
                for (int i = 0; i < 3; i++)
                    if (env.Step(action, obs).Done) break;
                File.WriteAllBytes(Path.Combine(folder, id + ".png"), PolicyLab.Tracking.Imaging.PngEncoder.Encode(env.Render()));
            }
            return;
        }
        bool agreement = !args.Contains("--speed-only");
        if (agreement)
        {
            Console.WriteLine("| protocol | return | length | crashed | final speed |");
            Console.WriteLine("|---|---|---|---|---|");
            Row("highway-v0, IDLE every step, seeds 0–49", "highway-v0", DrivingProtocol.Idle, 50);
            Row("highway-v0, uniform random meta-actions, seeds 0–49", "highway-v0", DrivingProtocol.RandomMeta, 50);
            Row("highway-fast-v0, IDLE, seeds 0–49", "highway-fast-v0", DrivingProtocol.Idle, 50);
            Row("highway-fast-v0, random meta-actions, seeds 0–49", "highway-fast-v0", DrivingProtocol.RandomMeta, 50);
            Row("highway-fast-v0, ContinuousAction lateral only, zero steering, seeds 0–19", "highway-fast-v0", DrivingProtocol.ZeroSteering, 20);
            Row("same, uniform random steering in [−1, 1], seeds 0–19", "highway-fast-v0", DrivingProtocol.RandomSteering, 20);
        }
        Speed("highway-fast-v0");
        Speed("highway-v0");
    }

    /// <summary>
    /// A trained run's final policy, acting deterministically, against the fixed baselines of its action type (IDLE and
    /// random meta-actions, or zero and uniform random steering) on the same environment settings and seeds 0 … n − 1:
    /// one JSON line per policy (return, length, crashes, truncations, on-road fraction of the steps, final speed).
    /// </summary>
    private static void EvaluateRun(string path, int episodes)
    {
        using var trainer = PolicyLab.Training.Trainer.Resume(PolicyLab.Training.RunFolder.Open(path), null);
        PolicyLab.Training.RunSettings run = trainer.Settings;
        if (run.NormalizeObservations || run.LatentDim is not null)
            throw new PolicyLabException($"{path}: the driving evaluation acts on raw observations; it does not support normalize or latent_dim runs.");
        IReadOnlyDictionary<string, object>? arguments = run.EnvironmentArgumentValues();
        var rng = new PolicyLab.Numerics.Rng(0);
        PolicyLab.Algorithms.IAlgorithm algorithm = trainer.Algorithm;
        Print("trained (deterministic)", DrivingEvaluation.Run(run.Environment,
            _ => (observation, action) => algorithm.Act(observation, 1, deterministic: true, rng, action), episodes, 0, arguments));
        bool discrete;
        using (IEnvironment probe = EnvironmentRegistry.Make(run.Environment, arguments))
            discrete = probe.ActionSpace is PolicyLab.Environments.Spaces.Discrete;
        DrivingProtocol[] baselines = discrete ? [DrivingProtocol.Idle, DrivingProtocol.RandomMeta] : [DrivingProtocol.ZeroSteering, DrivingProtocol.RandomSteering];
        foreach (DrivingProtocol protocol in baselines)
            Print(protocol.ToString(), DrivingEvaluation.Run(run.Environment, protocol, episodes, 0, arguments));

        void Print(string policy, DrivingEvaluation e) => Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["policy"] = policy, ["env"] = run.Environment, ["run"] = path, ["checkpoint"] = trainer.Steps, ["episodes"] = episodes,
            ["mean_return"] = e.MeanReturn, ["std_return"] = e.StdReturn, ["mean_length"] = e.MeanLength,
            ["crashed"] = e.Crashed, ["truncated"] = e.Truncated, ["ended_off_road"] = e.EndedOffRoad,
            ["on_road_fraction"] = e.OnRoadFraction, ["mean_final_speed"] = e.MeanFinalSpeed,
        }));
    }

    private static void Row(string name, string id, DrivingProtocol protocol, int episodes)
    {
        DrivingEvaluation e = DrivingEvaluation.Run(id, protocol, episodes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {e.MeanReturn:F2} ± {e.StdReturn:F2} | {e.MeanLength:F2} | {e.Crashed}/{episodes} | {e.MeanFinalSpeed:F2} (truncated {e.Truncated}, off road at the end {e.EndedOffRoad}) |"));
    }

    private static void Speed(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var obs = new float[env.ObservationSpace.FlatSize];
        float[] idle = [1f];
        env.Reset(obs, seed: 0);
        double best = 0, bestCpu = 0;
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < 5; round++)
        {
            int steps = id == "highway-v0" ? 2000 : 20000;
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++)
            {
                if (env.Step(idle, obs).Done)
                    env.Reset(obs);
            }
            double wall = watch.Elapsed.TotalSeconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            best = Math.Max(best, steps / wall);
            bestCpu = Math.Max(bestCpu, steps / cpu);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{id}: IDLE steps/s single-threaded, best of 5 rounds: {best:F0} per wall-clock second, {bestCpu:F0} per CPU second of the process (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"));
    }
}
