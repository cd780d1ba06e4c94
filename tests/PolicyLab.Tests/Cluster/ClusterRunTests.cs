using System.Globalization;
using PolicyLab.Tests.Cli;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// Worker silos for the cluster tests, started once and shared: cluster A with one worker, cluster B with two (a third
/// joins in the test), and cluster C whose worker announces another PolicyLab version. They start together (a loaded machine needs ~10–20 s for each).
/// </summary>
public sealed class ClusterFixture : IDisposable
{
    // Workers compile quickly at start (tier-0 JIT); the driver keeps the CLI's fully optimized start. Results do not
    // depend on the JIT tier, which this also checks.
    private static readonly Dictionary<string, string> QuickStart = new() { ["DOTNET_TC_QuickJit"] = "1" };

    public ClusterFixture()
    {
        (PortA, PortB, PortC) = (ClusterProcesses.FreePortPair(), ClusterProcesses.FreePortPair(), ClusterProcesses.FreePortPair());
        A1 = ClusterProcesses.Worker(PortA, "a1", environment: QuickStart);
        B1 = ClusterProcesses.Worker(PortB, "b1", environment: QuickStart);
        C1 = ClusterProcesses.Worker(PortC, "c1", environment: new Dictionary<string, string>(QuickStart) { ["POLICYLAB_WORKER_VERSION_OVERRIDE"] = "0.0.1-other" });
        try
        {
            B1.WaitFor("worker ready");
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw: stop the workers here, or they outlive the tests.
            foreach (RunningProcess p in new[] { A1, B1, C1 }) p.Dispose();
            throw;
        }
        B2 = ClusterProcesses.Worker(PortB, "b2", environment: QuickStart);
    }

    /// <summary>Starts the third worker of cluster B.</summary>
    public RunningProcess StartB3() => B3 = ClusterProcesses.Worker(PortB, "b3", environment: QuickStart);


    public int PortA { get; }
    public int PortB { get; }
    public int PortC { get; }
    public RunningProcess A1 { get; }
    public RunningProcess B1 { get; }
    public RunningProcess B2 { get; }
    public RunningProcess C1 { get; }
    public RunningProcess? B3 { get; private set; }

    public static string Spec(int port) => string.Create(CultureInfo.InvariantCulture, $"localhost:{port}");

    public void Dispose()
    {
        foreach (RunningProcess? p in new[] { A1, B1, B2, C1, B3 }) p?.Dispose();
    }
}

/// <summary>
/// ES on real worker processes over loopback: the same run in-process, on one, two and three workers gives byte-identical
/// experiment.json and weights; a unit that fails inside a worker, and a worker of another version, stop the run with a
/// message naming them.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterRunTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // --cluster-wait 300: on a loaded 2-core machine (load 50 measured) a client's first connection took over a minute.
    private static readonly string[] Wait = ["--cluster-wait", "300"];

    private static readonly string[] Es = ["train", "--algo", "es", "--env", "CartPole-v1", "--steps", "12000", "--seed", "3",
        "--set", "n_pairs=6", "--set", "eval_freq=0", "--set", "checkpoint_freq=4000", "--set", "tensorboard=false"];

    [Fact]
    public void Es_runs_are_byte_identical_in_process_and_on_one_two_and_three_workers()
    {
        string local = Path.Combine(_dir, "local"), one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two"), three = Path.Combine(_dir, "three");
        var (code, output, error) = ClusterProcesses.Run([.. Es, "--out", local]);
        Assert.True(code == 0, $"in-process run: exit {code}: {output} {error}");

        cluster.A1.WaitFor("worker ready");
        (code, output, error) = ClusterProcesses.Run([.. Es, "--out", one, "--cluster", ClusterFixture.Spec(cluster.PortA), .. Wait]);
        Assert.True(code == 0, $"one worker: exit {code}: {output} {error}");
        Assert.Contains("(a1 ", output, StringComparison.Ordinal);

        cluster.B2.WaitFor("worker ready");
        (code, output, error) = ClusterProcesses.Run([.. Es, "--out", two, "--cluster", ClusterFixture.Spec(cluster.PortB), .. Wait]);
        Assert.True(code == 0, $"two workers: exit {code}: {output} {error}");
        Assert.Contains("b1 ", output, StringComparison.Ordinal);
        Assert.Contains("b2 ", output, StringComparison.Ordinal);

        cluster.StartB3().WaitFor("worker ready");
        (code, output, error) = ClusterProcesses.Run([.. Es, "--out", three, "--cluster", ClusterFixture.Spec(cluster.PortB), .. Wait]);
        Assert.True(code == 0, $"three workers: exit {code}: {output} {error}");
        foreach (string worker in new[] { "b1 ", "b2 ", "b3 " }) Assert.Contains(worker, output, StringComparison.Ordinal);

        Assert.True(ClusterProcesses.Results(local).Count >= 3, "the runs should have written several checkpoints");
        ClusterProcesses.AssertIdentical(local, one);
        ClusterProcesses.AssertIdentical(local, two);
        ClusterProcesses.AssertIdentical(local, three);
    }

    [Fact]
    public void A_unit_failing_inside_a_worker_names_the_worker_and_the_error_and_stops_the_run()
    {
        // The driver knows Corridor-v0 from --env-assembly; the worker was started without it, so every unit fails there.
        cluster.A1.WaitFor("worker ready");
        string run = Path.Combine(_dir, "failing");
        var (code, output, error) = ClusterProcesses.Run("train", "--algo", "cem", "--env", "Corridor-v0", "--steps", "5000",
            "--env-assembly", Path.Combine(AppContext.BaseDirectory, "PolicyLab.TestEnvironments.dll"),
            "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", run, "--cluster", ClusterFixture.Spec(cluster.PortA), "--cluster-wait", "300");
        Assert.True(code == 2, $"exit {code}: {output} {error}");
        Assert.Contains("failed on worker 'a1'", error, StringComparison.Ordinal);
        Assert.Contains("Corridor-v0", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(cluster.A1.Process.HasExited, "the worker should survive a failing unit");
    }

    [Fact]
    public void A_worker_of_another_version_is_refused_by_the_driver()
    {
        cluster.C1.WaitFor("worker ready");
        var (code, output, error) = ClusterProcesses.Run([.. Es, "--out", Path.Combine(_dir, "versions"), "--cluster", ClusterFixture.Spec(cluster.PortC), .. Wait]);
        Assert.True(code == 2, $"exit {code}: {output} {error}");
        Assert.Contains("'c1' runs PolicyLab 0.0.1-other", error, StringComparison.Ordinal);
        Assert.Contains(PolicyLabVersion.Current, error, StringComparison.Ordinal);
    }
}

/// <summary>Driver errors that need no worker: a malformed --cluster, an unreachable cluster, an algorithm the cluster does not run.</summary>
[Collection("Console")]
public sealed class ClusterDriverErrorTests
{
    private static readonly string[] Es = ["train", "--algo", "es", "--env", "CartPole-v1", "--steps", "1000", "--set", "tensorboard=false"];

    [Fact]
    public void A_malformed_cluster_spec_is_a_user_error()
    {
        var (code, _, error) = CliRunner.Run([.. Es, "--out", Path.Combine(Path.GetTempPath(), $"policylab-never-{Guid.NewGuid():N}"), "--cluster", "localhost:http"]);
        Assert.Equal(2, code);
        Assert.Contains("--cluster 'localhost:http' has a bad port", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_cluster_is_a_user_error_that_says_how_to_start_a_worker()
    {
        int port = ClusterProcesses.FreePortPair();
        var (code, _, error) = CliRunner.Run([.. Es, "--out", Path.Combine(Path.GetTempPath(), $"policylab-never-{Guid.NewGuid():N}"),
            "--cluster", ClusterFixture.Spec(port), "--cluster-wait", "2"]);
        Assert.Equal(2, code);
        Assert.Contains("Cannot reach the PolicyLab cluster", error, StringComparison.Ordinal);
        Assert.Contains("within 2 s", error, StringComparison.Ordinal);
        Assert.Contains("policylab worker --cluster", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_algorithm_the_cluster_does_not_distribute_is_refused()
    {
        var (code, _, error) = CliRunner.Run("train", "--algo", "sac", "--env", "Pendulum-v1", "--steps", "1000", "--cluster", "localhost");
        Assert.Equal(2, code);
        Assert.Contains("sac trains in-process only", error, StringComparison.Ordinal);
    }
}
