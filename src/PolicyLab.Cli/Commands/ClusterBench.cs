using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Cluster;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Cli.Commands;

/// <summary>
/// `policylab bench cluster-es`: starts a localhost cluster of one-slot workers (child processes of this CLI) and
/// measures, for ES on LunarLander-v3 with a 8→64→64→4 tanh policy: the trip of one unit through the cluster (grain call +
/// serialization, zero-candidate units carrying θ), the driver's dispatch cost per unit, one candidate's evaluation and
/// the driver's update per pair in-process, and ES iterations on 1 and then 2 workers; then projects the efficiency at
/// 10, 100 and 1,000 workers from those costs (<see cref="ClusterBenchmark.ProjectedEfficiency"/>).
/// </summary>
internal static class ClusterBench
{
    private static readonly int[] UnitSizes = [2, 16];
    private static readonly int[] WorkerCounts = [1, 2, 10, 100, 1000];

    public static int Run(int repeats, int iterations)
    {
        var inv = CultureInfo.InvariantCulture;
        var job = new PopulationJob("LunarLander-v3", "", [64, 64], Activation.Tanh, ScaleObservations: false, EpisodesPerCandidate: 1,
            SampleActions: false, CommonSeeds: false, Seed: 3);
        int dimension;
        using (CandidateRunner probe = CandidateRunner.Create(job)) dimension = probe.Dimension;
        const int Pairs = 16;
        Console.WriteLine(string.Create(inv, $"ES on LunarLander-v3, 8→64→64→4 tanh policy ({dimension} parameters), {2 * Pairs} candidates × 1 episode per iteration, one-slot workers on localhost."));

        var (candidateTimes, meanLength) = ClusterBenchmark.CandidateMicroseconds(job, dimension, 40);
        double candidate = ClusterBenchmark.Median(candidateTimes);
        double update = ClusterBenchmark.Median(ClusterBenchmark.UpdateMicrosecondsPerPair(dimension, 400));
        Console.WriteLine(string.Create(inv, $"in-process: one candidate {candidate:F0} µs (median of 40, mean episode {meanLength:F0} steps); driver update {update:F1} µs per pair (median of 400)"));

        int port = FreePortPair();
        string spec = string.Create(inv, $"localhost:{port}");
        var workers = new List<Process>();
        try
        {
            workers.Add(StartWorker(spec, "bench-1"));
            WaitReady(workers[0]);
            double trip, dispatch;
            var perIteration = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
            using (ClusterDriver driver = ClusterDriver.Connect(ClusterSpec.Parse(spec), ClusterNaming.DefaultClusterId, TimeSpan.FromSeconds(300)))
            {
                ClusterBenchmark.EmptyUnitMicroseconds(driver, job, dimension, 50); // warm-up
                double[] trips = ClusterBenchmark.EmptyUnitMicroseconds(driver, job, dimension, 400);
                trip = ClusterBenchmark.Median(trips);
                Console.WriteLine(string.Create(inv, $"unit trip (grain call + serialization, {4 * dimension / 1024.0:F1} KiB centre): median {trip:F0} µs, p10 {Percentile(trips, 0.1):F0}, p90 {Percentile(trips, 0.9):F0} (400 calls, one worker)"));
                IPopulationEvaluator one = driver.CreatePopulationEvaluator(job);
                ClusterBenchmark.EsIterationSeconds(one, job, dimension, Pairs, 2, 0); // warm-up
                for (int r = 0; r < repeats; r++)
                    perIteration[1].AddRange(ClusterBenchmark.EsIterationSeconds(one, job, dimension, Pairs, iterations, 100 + r * iterations));
            }
            workers.Add(StartWorker(spec, "bench-2"));
            WaitReady(workers[1]);
            using (ClusterDriver driver = ClusterDriver.Connect(ClusterSpec.Parse(spec), ClusterNaming.DefaultClusterId, TimeSpan.FromSeconds(300)))
            {
                if (driver.WorkerCount != 2) throw new PolicyLabException($"the second worker did not join ({driver.Description}).");
                ClusterBenchmark.PipelinedEmptyUnitMicroseconds(driver, job, dimension, 100); // warm-up
                dispatch = ClusterBenchmark.Median(Enumerable.Range(0, 5).Select(_ => ClusterBenchmark.PipelinedEmptyUnitMicroseconds(driver, job, dimension, 400)));
                Console.WriteLine(string.Create(inv, $"dispatch, units to every free slot at once: {dispatch:F0} µs per unit (median of 5 × 400 units, two workers)"));
                IPopulationEvaluator two = driver.CreatePopulationEvaluator(job);
                ClusterBenchmark.EsIterationSeconds(two, job, dimension, Pairs, 2, 0); // warm-up
                for (int r = 0; r < repeats; r++)
                    perIteration[2].AddRange(ClusterBenchmark.EsIterationSeconds(two, job, dimension, Pairs, iterations, 100 + r * iterations));
            }
            double t1 = ClusterBenchmark.Median(perIteration[1]), t2 = ClusterBenchmark.Median(perIteration[2]);
            Console.WriteLine(string.Create(inv, $"ES iteration ({2 * Pairs} candidates): 1 worker {t1 * 1000:F1} ms ({2 * Pairs / t1:F0} candidates/s), 2 workers {t2 * 1000:F1} ms ({2 * Pairs / t2:F0} candidates/s); throughput 2 vs 1: {t1 / t2:F2}× (medians of {repeats} × {iterations} iterations)"));
            Console.WriteLine("projected efficiency (a calculation from the costs above, not a simulation): each worker gets 2 units of k candidates");
            Console.WriteLine("  per iteration; T = max(2k·candidate + 2·trip, 2N·dispatch) + N·k·update per pair; efficiency = 2k·candidate / T");
            double perStep = candidate / meanLength;
            foreach (var (label, candidateUs) in new[] { ($"measured candidate ({meanLength:F0}-step episodes, {candidate:F0} µs)", candidate), ($"1,000-step episodes ({1000 * perStep:F0} µs, same cost per step)", 1000 * perStep) })
                foreach (int k in UnitSizes)
                    Console.WriteLine(string.Create(inv, $"  {label}, k = {k,2}: ") + string.Join("  ", WorkerCounts.Select(n =>
                        string.Create(inv, $"N={n}: {100 * ClusterBenchmark.ProjectedEfficiency(n, candidateUs, trip, dispatch, update, k):F1} %"))));
            return 0;
        }
        finally
        {
            foreach (Process worker in workers) StopWorker(worker);
        }
    }

    private static double Percentile(double[] values, double q)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }

    private static Process StartWorker(string spec, string name)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ClusterBench).Assembly.Location);
        foreach (string a in new[] { "worker", "--cluster", spec, "--threads", "1", "--name", name }) start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new PolicyLabException("could not start a worker process.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Outputs[process] = output;
        return process;
    }

    private static readonly Dictionary<Process, StringBuilder> Outputs = [];

    private static void WaitReady(Process worker)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (Outputs[worker])
                if (Outputs[worker].ToString().Contains("worker ready", StringComparison.Ordinal)) return;
            if (worker.HasExited || clock.Elapsed > TimeSpan.FromMinutes(5))
                throw new PolicyLabException("a benchmark worker did not start: " + Outputs[worker]);
            Thread.Sleep(100);
        }
    }

    private static void StopWorker(Process worker)
    {
        if (!worker.HasExited) worker.Kill(entireProcessTree: true);
        worker.WaitForExit(30_000);
    }

    private static int FreePortPair()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(20_000, 45_000);
            if (IsFree(port) && IsFree(port + 1)) return port;
        }
        throw new PolicyLabException("no free port pair on loopback for the benchmark cluster.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
