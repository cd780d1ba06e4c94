using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PolicyLab.TestEnvironments;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// The localhost cluster of the failure tests: its first worker (which holds the membership table), started as soon
/// as the class starts, with the gate folder of <see cref="GatedCorridor"/> so a test can hold it inside a unit.
/// </summary>
public sealed class FailureClusterFixture : IDisposable
{
    public FailureClusterFixture()
    {
        Port = ClusterProcesses.FreePortPair();
        Gates = Directory.CreateTempSubdirectory("policylab-cluster-gates-").FullName;
        First = StartWorker("first");
    }

    public int Port { get; }

    /// <summary>The gate folder (<see cref="GatedCorridor.GateVariable"/>) of every worker of this cluster.</summary>
    public string Gates { get; }

    public RunningProcess First { get; }

    public static string EnvironmentAssembly => Path.Combine(AppContext.BaseDirectory, "PolicyLab.TestEnvironments.dll");

    /// <summary>Starts a one-slot worker of this cluster that knows GatedCorridor-v0.</summary>
    public RunningProcess StartWorker(string name, string? clusterId = null, params string[] extra) =>
        ClusterProcesses.Worker(Port, name, clusterId, new Dictionary<string, string>
        {
            ["DOTNET_TC_QuickJit"] = "1",
            [GatedCorridor.GateVariable] = Gates,
        }, ["--env-assembly", EnvironmentAssembly, .. extra]);

    /// <summary>Closes the gate of <paramref name="worker"/>: its next reset waits until <see cref="Open"/>.</summary>
    public void Close(RunningProcess worker) => File.WriteAllText(GatedCorridor.FileOf(Gates, "gate", worker.Process.Id), "");

    /// <summary>Opens the gate of <paramref name="worker"/>.</summary>
    public void Open(RunningProcess worker) => File.Delete(GatedCorridor.FileOf(Gates, "gate", worker.Process.Id));

    /// <summary>Whether <paramref name="worker"/> waits at its closed gate, i.e. holds a unit it cannot go on with.</summary>
    public bool Waiting(RunningProcess worker) => File.Exists(GatedCorridor.FileOf(Gates, "waiting", worker.Process.Id));

    /// <summary>Episodes <paramref name="worker"/> has started (resets passed or waiting at the gate).</summary>
    public int Resets(RunningProcess worker)
    {
        string path = GatedCorridor.FileOf(Gates, "resets", worker.Process.Id);
        return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
    }

    public void Dispose()
    {
        First.Dispose();
        Directory.Delete(Gates, recursive: true);
    }
}

/// <summary>
/// Crash tolerance and admission with real worker processes on loopback. Nothing here depends on how fast the machine
/// is: the workers' environment (<see cref="GatedCorridor"/>) holds a worker inside a unit until the test lets it go,
/// so a worker certainly joins, and is certainly killed, in the middle of the run and while it holds work.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterFailureTests(FailureClusterFixture cluster, ITestOutputHelper log) : IClassFixture<FailureClusterFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-failure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Two antithetic pairs: four candidates of one episode each, which the driver splits into two units of one pair
    // (two episodes) for one slot and for two slots alike. About 10 iterations, a checkpoint every ~3.
    private static readonly string[] Es = ["train", "--algo", "es", "--env", "GatedCorridor-v0", "--env-assembly", FailureClusterFixture.EnvironmentAssembly,
        "--steps", "3000", "--seed", "5", "--set", "n_pairs=2", "--set", "eval_freq=0", "--set", "checkpoint_freq=1000", "--set", "tensorboard=false"];

    /// <summary>Waits (up to 3 minutes) for <paramref name="condition"/>, failing at once, with every process's output, when one of
    /// <paramref name="alive"/> ends first.</summary>
    private static void WaitUntil(Func<bool> condition, string what, params RunningProcess[] alive)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            string outputs = string.Join(" | ", alive.Select(p => $"{(p.Process.HasExited ? $"exit {p.Process.ExitCode}" : "running")}: {p.Output} {p.Error}"));
            Assert.False(alive.Any(p => p.Process.HasExited), $"a process ended before {what}: {outputs}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"not within 3 minutes: {what}: {outputs}");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void A_late_joiner_gets_units_and_a_SIGKILLed_worker_s_units_are_reissued_with_identical_results()
    {
        string reference = Path.Combine(_dir, "reference"), run = Path.Combine(_dir, "run");
        var (code, output, error) = ClusterProcesses.Run([.. Es, "--out", reference]);
        Assert.True(code == 0, $"in-process run: exit {code}: {output} {error}");

        cluster.First.WaitFor("worker ready");
        cluster.Close(cluster.First);
        RunningProcess? late = null;
        try
        {
            using RunningProcess driver = ClusterProcesses.Start([.. Es, "--out", run, "--cluster", ClusterFixture.Spec(cluster.Port), "--cluster-wait", "300"]);
            // The first worker holds the first iteration's first unit: the run is under way, and its second unit waits for a slot.
            WaitUntil(() => cluster.Waiting(cluster.First), "the first worker took a unit", driver, cluster.First);
            late = cluster.StartWorker("late");
            // The late joiner gets that second unit (one pair: two episodes); once it has started both, it finishes the unit.
            WaitUntil(() => cluster.Resets(late) >= 2, "the late worker ran a unit", driver, late);
            cluster.Close(late);
            cluster.Open(cluster.First);
            // The next iteration's units go to both workers; the late one stops at its gate holding one, and dies there.
            WaitUntil(() => cluster.Waiting(late), "the late worker took a unit of the next iteration", driver, late);
            late.Kill();
            var sinceKill = Stopwatch.StartNew();

            Assert.True(driver.Process.WaitForExit(300_000), "the run did not finish within 5 minutes of the kill");
            driver.Process.WaitForExit();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the run ended {sinceKill.Elapsed.TotalSeconds:F1} s after the kill"));
            Assert.True(driver.Process.ExitCode == 0, $"exit {driver.Process.ExitCode}: {driver.Output} {driver.Error}");
            Assert.Matches(new Regex(@"\(first \d+, late [1-9]\d*\); [1-9]\d* re-issued"), driver.Output); // the late joiner ran a unit; the killed one was re-issued
        }
        finally
        {
            cluster.Open(cluster.First);
            late?.Dispose();
        }
        ClusterProcesses.AssertIdentical(reference, run);
    }

    [Fact]
    public void A_worker_with_another_cluster_id_is_not_admitted()
    {
        cluster.First.WaitFor("worker ready");
        // The stranger gives up joining after 5 s (--join-timeout; 30 s by default).
        using RunningProcess stranger = cluster.StartWorker("stranger", clusterId: "another-cluster", "--join-timeout", "5");
        var clock = Stopwatch.StartNew();
        // A run on the cluster while the stranger tries to join: it sees only the first worker.
        string run = Path.Combine(_dir, "members");
        var (code, output, error) = ClusterProcesses.Run("train", "--algo", "es", "--env", "CartPole-v1", "--steps", "3000",
            "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", run, "--cluster", ClusterFixture.Spec(cluster.Port), "--cluster-wait", "300");
        Assert.True(code == 0, $"exit {code}: {output} {error}");
        Assert.Contains("1 worker(s)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("stranger", output, StringComparison.Ordinal);

        Assert.True(stranger.Process.WaitForExit(300_000), "the stranger neither joined nor gave up within 5 minutes");
        stranger.Process.WaitForExit();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the stranger exited {clock.Elapsed.TotalSeconds:F1} s after it started"));
        Assert.Equal(2, stranger.Process.ExitCode);
        Assert.Contains("could not join the PolicyLab cluster 'another-cluster'", stranger.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("worker ready", stranger.Output, StringComparison.Ordinal);
    }
}
