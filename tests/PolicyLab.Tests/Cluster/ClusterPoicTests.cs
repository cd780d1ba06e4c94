using System.Globalization;
using System.Text.RegularExpressions;
using PolicyLab.Tests.Cli;

namespace PolicyLab.Tests.Cluster;

/// <summary>One localhost cluster for the POIC tests: its first worker starts with the fixture, the second in the test.</summary>
public sealed class PoicClusterFixture : IDisposable
{
    private static readonly Dictionary<string, string> QuickStart = new() { ["DOTNET_TC_QuickJit"] = "1" };

    public PoicClusterFixture()
    {
        Port = ClusterProcesses.FreePortPair();
        P1 = ClusterProcesses.Worker(Port, "p1", environment: QuickStart);
    }

    public int Port { get; }
    public RunningProcess P1 { get; }
    public RunningProcess? P2 { get; private set; }

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"localhost:{Port}");

    /// <summary>Starts the second worker (once) and waits until it has joined.</summary>
    public void StartP2()
    {
        P2 ??= ClusterProcesses.Worker(Port, "p2", environment: QuickStart);
        P2.WaitFor("worker ready");
    }

    public void Dispose()
    {
        foreach (RunningProcess? p in new[] { P1, P2 }) p?.Dispose();
    }
}

/// <summary>
/// PIC/POIC sampling on real worker processes over loopback: `poic` and `projector-search` print the same JSON (all but
/// the wall time) in-process and with their policy samples on one and on two workers, and the workers did the work.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterPoicTests(PoicClusterFixture cluster) : IClassFixture<PoicClusterFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-poic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Wait = ["--cluster-wait", "300"];

    // 7 samples: units of 4 and 3 on one slot, 2 + 2 + 2 + 1 on two, so the split differs between the runs.
    private static readonly string[] Poic = ["poic", "--env", "CartPole-v1", "--samples", "7", "--episodes", "6", "--seeds", "2", "--seed", "5", "--threads", "2", "--json"];

    /// <summary>The JSON without its wall time, the one field that may differ between identical runs.</summary>
    internal static string WithoutWallTime(string json) => Regex.Replace(json, "\"wall_seconds\":[^,}]*", "\"wall_seconds\":_");

    [Fact]
    public void Poic_and_projector_search_print_identical_json_in_process_and_on_one_and_two_workers()
    {
        var (code, local, error) = ClusterProcesses.Run(Poic);
        Assert.True(code == 0, $"in-process: exit {code}: {local} {error}");
        Assert.Contains("\"poic\":[", local, StringComparison.Ordinal);

        cluster.P1.WaitFor("worker ready");
        (code, string one, error) = ClusterProcesses.Run([.. Poic, "--cluster", cluster.Spec, .. Wait]);
        Assert.True(code == 0, $"one worker: exit {code}: {one} {error}");
        Assert.Contains("(p1 4)", error, StringComparison.Ordinal); // 2 seeds × 2 units, all on p1
        Assert.Equal(WithoutWallTime(local), WithoutWallTime(one));

        cluster.StartP2();
        (code, string two, error) = ClusterProcesses.Run([.. Poic, "--cluster", cluster.Spec, .. Wait]);
        Assert.True(code == 0, $"two workers: exit {code}: {two} {error}");
        Assert.Contains("p1 ", error, StringComparison.Ordinal);
        Assert.Contains("p2 ", error, StringComparison.Ordinal);
        Assert.Equal(WithoutWallTime(local), WithoutWallTime(two));

        // projector-search: the projectors travel to the workers as float arrays; same candidates, same files.
        string[] search = ["projector-search", "--env", "Pendulum-v1", "--latent", "1", "--projectors", "2", "--seeds", "1",
            "--samples", "3", "--episodes", "2", "--threads", "1", "--json"];
        string inProcess = Path.Combine(_dir, "local"), onCluster = Path.Combine(_dir, "cluster");
        (code, string searchLocal, error) = ClusterProcesses.Run([.. search, "--out", inProcess]);
        Assert.True(code == 0, $"projector-search in-process: exit {code}: {searchLocal} {error}");
        (code, string searchCluster, error) = ClusterProcesses.Run([.. search, "--out", onCluster, "--cluster", cluster.Spec, .. Wait]);
        Assert.True(code == 0, $"projector-search on two workers: exit {code}: {searchCluster} {error}");
        Assert.Contains("p2 ", error, StringComparison.Ordinal);
        Assert.Equal(WithoutWallTime(searchLocal).Replace(inProcess, "OUT", StringComparison.Ordinal),
            WithoutWallTime(searchCluster).Replace(onCluster, "OUT", StringComparison.Ordinal));
        foreach (string file in new[] { "best_projector.safetensors", "worst_projector.safetensors" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(inProcess, file)), File.ReadAllBytes(Path.Combine(onCluster, file)));
    }
}

/// <summary>Bad --cluster input to the POIC commands: exit 2 with the accepted forms, before any sampling.</summary>
[Collection("Console")]
public sealed class PoicClusterErrorTests
{
    [Theory]
    [InlineData(new[] { "poic", "--env", "CartPole-v1", "--cluster", "localhost:http" }, "--cluster 'localhost:http'")]
    [InlineData(new[] { "poic", "--env", "CartPole-v1", "--cluster", "redis://nohost" }, "redis://127.0.0.1:6379")]
    [InlineData(new[] { "poic", "--env", "CartPole-v1", "--cluster-wait", "5" }, "need --cluster SPEC")]
    [InlineData(new[] { "projector-search", "--env", "Pendulum-v1", "--latent", "1", "--cluster", "localhost:http" }, "--cluster 'localhost:http'")]
    public void Bad_cluster_input_is_exit_2_naming_the_fix(string[] args, string message)
    {
        (int code, _, string error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}

/// <summary>
/// A POIC unit whose worker is SIGKILLed while it holds the unit is re-run on the other worker, and the JSON is the
/// in-process one. The workers' environment (<see cref="TestEnvironments.GatedCorridor"/>) holds the second worker inside
/// its first unit until it is killed, so nothing depends on the machine's speed.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterPoicFailureTests(FailureClusterFixture cluster) : IClassFixture<FailureClusterFixture>
{
    private static readonly string[] Poic = ["poic", "--env", "GatedCorridor-v0", "--env-assembly", FailureClusterFixture.EnvironmentAssembly,
        "--samples", "4", "--episodes", "3", "--seeds", "1", "--seed", "2", "--threads", "1", "--json"];

    [Fact]
    public void A_poic_unit_of_a_killed_worker_is_reissued_with_identical_results()
    {
        var (code, local, error) = ClusterProcesses.Run(Poic);
        Assert.True(code == 0, $"in-process: exit {code}: {local} {error}");

        cluster.First.WaitFor("worker ready");
        using RunningProcess second = cluster.StartWorker("second");
        second.WaitFor("worker ready");
        cluster.Close(second);
        using RunningProcess driver = ClusterProcesses.Start([.. Poic, "--cluster", ClusterFixture.Spec(cluster.Port), "--cluster-wait", "300"]);
        // The driver's first dispatch gives each worker a unit: the second stops at its gate holding one, and dies there.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!cluster.Waiting(second))
        {
            Assert.False(driver.Process.HasExited || second.Process.HasExited, $"a process ended before the second worker took a unit: {driver.Output} {driver.Error} | {second.Output} {second.Error}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"the second worker took no unit within 3 minutes: {driver.Output} {driver.Error}");
            Thread.Sleep(20);
        }
        second.Kill();
        Assert.True(driver.Process.WaitForExit(300_000), "the driver did not finish within 5 minutes of the kill");
        driver.Process.WaitForExit();
        Assert.True(driver.Process.ExitCode == 0, $"exit {driver.Process.ExitCode}: {driver.Output} {driver.Error}");
        Assert.Matches(new Regex(@"\(first \d+\); [1-9]\d* re-issued"), driver.Error); // every result came from the first worker
        Assert.Equal(ClusterPoicTests.WithoutWallTime(local).Trim(), ClusterPoicTests.WithoutWallTime(driver.Output).Trim());
    }
}
