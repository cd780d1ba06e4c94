using System.Diagnostics;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// Crash tolerance and admission with real worker processes on loopback (Long: each run lasts long enough for a worker
/// to start mid-run on a loaded machine).
/// </summary>
[Trait("Category", "Long")]
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-long-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Es = ["train", "--algo", "es", "--env", "Pendulum-v1", "--steps", "3000000", "--seed", "5",
        "--set", "n_pairs=8", "--set", "eval_freq=0", "--set", "checkpoint_freq=500000", "--set", "tensorboard=false"];

    [Fact]
    public void A_late_joiner_gets_units_and_a_SIGKILLed_worker_s_units_are_reissued_with_identical_results()
    {
        int port = ClusterProcesses.FreePortPair();
        using RunningProcess first = ClusterProcesses.Worker(port, "first");
        string reference = Path.Combine(_dir, "reference"), run = Path.Combine(_dir, "run");
        var (code, output, error) = ClusterProcesses.Run([.. Es, "--out", reference]);
        Assert.True(code == 0, $"in-process run: exit {code}: {output} {error}");

        first.WaitFor("worker ready");
        using RunningProcess driver = ClusterProcesses.Start([.. Es, "--out", run, "--cluster", ClusterFixture.Spec(port), "--cluster-wait", "300"]);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "config.yaml")) && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(100);
        using RunningProcess late = ClusterProcesses.Worker(port, "late");
        late.WaitFor("worker ready");
        Thread.Sleep(3000); // the late worker takes units for a while
        Assert.False(driver.Process.HasExited, $"the run ended before the late worker was killed; lengthen it: {driver.Output}");
        late.Kill();

        Assert.True(driver.Process.WaitForExit(600_000), "the run did not finish within 10 minutes of the kill");
        driver.Process.WaitForExit();
        Assert.True(driver.Process.ExitCode == 0, $"exit {driver.Process.ExitCode}: {driver.Output} {driver.Error}");
        Assert.Contains("late ", driver.Output, StringComparison.Ordinal); // the late joiner ran units
        ClusterProcesses.AssertIdentical(reference, run);
    }

    [Fact]
    public void A_worker_with_another_cluster_id_is_not_admitted()
    {
        int port = ClusterProcesses.FreePortPair();
        using RunningProcess member = ClusterProcesses.Worker(port, "member");
        member.WaitFor("worker ready");
        using RunningProcess stranger = ClusterProcesses.Worker(port, "stranger", clusterId: "another-cluster");
        Assert.True(stranger.Process.WaitForExit(300_000), "the stranger neither joined nor gave up within 5 minutes");
        stranger.Process.WaitForExit();
        Assert.Equal(2, stranger.Process.ExitCode);
        Assert.Contains("could not join the PolicyLab cluster 'another-cluster'", stranger.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("worker ready", stranger.Output, StringComparison.Ordinal);

        string run = Path.Combine(_dir, "members");
        var (code, output, error) = ClusterProcesses.Run("train", "--algo", "es", "--env", "CartPole-v1", "--steps", "3000",
            "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", run, "--cluster", ClusterFixture.Spec(port), "--cluster-wait", "300");
        Assert.True(code == 0, $"exit {code}: {output} {error}");
        Assert.Contains("1 worker(s)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("stranger", output, StringComparison.Ordinal);
    }
}
