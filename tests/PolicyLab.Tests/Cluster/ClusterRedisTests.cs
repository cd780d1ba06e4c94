using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// A redis-server on a free loopback port and worker silos using it as their membership table, started once and
/// together (Redis has no primary, so they need not wait for each other): cluster 'redis-one' with one worker,
/// 'redis-two' with two, and 'redis-lone' with one worker that a test kills. All share one Redis, which also checks
/// that clusters of different ids in one membership store do not mix.
/// Without redis-server the fixture starts nothing; the tests then skip with a message, except on CI (CI=true), where
/// .ci/run installs redis-server and its absence is a failure.
/// </summary>
public sealed class RedisClusterFixture : IDisposable
{
    private static readonly Dictionary<string, string> QuickStart = new() { ["DOTNET_TC_QuickJit"] = "1" };

    public RedisClusterFixture()
    {
        Redis = RedisServer.TryStart();
        if (Redis is null) return;
        One = ClusterProcesses.Worker(Redis.Spec, "one-1", "redis-one", QuickStart);
        TwoA = ClusterProcesses.Worker(Redis.Spec, "two-a", "redis-two", QuickStart);
        TwoB = ClusterProcesses.Worker(Redis.Spec, "two-b", "redis-two", QuickStart);
        Lone = ClusterProcesses.Worker(Redis.Spec, "lone", "redis-lone", QuickStart);
    }

    public RedisServer? Redis { get; }
    public RunningProcess? One { get; }
    public RunningProcess? TwoA { get; }
    public RunningProcess? TwoB { get; }
    public RunningProcess? Lone { get; }

    /// <summary>Whether redis-server runs; otherwise reports the skip (or fails on CI).</summary>
    public bool Available(ITestOutputHelper output)
    {
        if (Redis is not null) return true;
        const string Message = "redis-server is not installed (apt-get install redis-server), so the Redis-membership tests did not run";
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", Message + "; .ci/run installs it, so on CI this is a failure.");
        PolicyLab.Tests.Tracking.Tools.Skip(output, "SKIPPED (Redis membership): " + Message + ".");
        return false;
    }

    public void Dispose()
    {
        foreach (RunningProcess? p in new[] { One, TwoA, TwoB, Lone }) p?.Dispose();
        Redis?.Dispose();
    }
}

/// <summary>
/// Redis membership end to end with real processes: ES in-process, on one and on two Redis-membership workers gives
/// byte-identical experiment.json and weights; clusters of other ids in the same Redis are not admitted; a cluster whose
/// workers are all gone stops the run with a clear error; a cluster id with no silo is reported as unreachable.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterRedisTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-redis-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Wait = ["--cluster-wait", "300"];

    private static readonly string[] Es = ["train", "--algo", "es", "--env", "CartPole-v1", "--steps", "12000", "--seed", "4",
        "--set", "n_pairs=6", "--set", "eval_freq=0", "--set", "checkpoint_freq=4000", "--set", "tensorboard=false"];

    [Fact]
    public void Es_runs_are_byte_identical_in_process_and_on_one_and_two_redis_membership_workers()
    {
        if (!cluster.Available(output)) return;
        string local = Path.Combine(_dir, "local"), one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two");
        var (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", local]);
        Assert.True(code == 0, $"in-process run: exit {code}: {stdout} {error}");

        cluster.One!.WaitFor("worker ready");
        (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", one, "--cluster", cluster.Redis!.Spec, "--cluster-id", "redis-one", .. Wait]);
        Assert.True(code == 0, $"one worker: exit {code}: {stdout} {error}");
        Assert.Contains("1 worker(s)", stdout, StringComparison.Ordinal);
        Assert.Contains("(one-1 ", stdout, StringComparison.Ordinal);

        cluster.TwoA!.WaitFor("worker ready");
        cluster.TwoB!.WaitFor("worker ready");
        (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", two, "--cluster", cluster.Redis.Spec, "--cluster-id", "redis-two", .. Wait]);
        Assert.True(code == 0, $"two workers: exit {code}: {stdout} {error}");
        // Both ran units (on a loaded machine the second may first answer after the run started: it joins it then).
        Assert.Contains("two-a ", stdout, StringComparison.Ordinal);
        Assert.Contains("two-b ", stdout, StringComparison.Ordinal);
        // The other clusters in the same Redis were not admitted.
        Assert.DoesNotContain("one-1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("lone", stdout, StringComparison.Ordinal);

        Assert.True(ClusterProcesses.Results(local).Count >= 3, "the runs should have written several checkpoints");
        ClusterProcesses.AssertIdentical(local, one);
        ClusterProcesses.AssertIdentical(local, two);
    }

    // With Redis membership a killed silo that was the cluster's only member stays listed as active (no surviving silo
    // votes it dead): the driver counts it gone once no gateway has answered for ClusterTimeouts.MembershipRead (10 s),
    // then waits --cluster-wait (30 s) for a worker. So the driver stops about 40 s after the kill.
    [Fact]
    public void A_cluster_whose_workers_are_all_gone_stops_the_run_with_a_clear_error_after_the_wait()
    {
        if (!cluster.Available(output)) return;
        cluster.Lone!.WaitFor("worker ready");
        // A first run on the lone worker: it works, and it warms the worker up, so the second driver connects quickly
        // (the wait below is also the time a driver allows itself to connect; a cold worker at load 20 took longer).
        var (code, stdout, error) = ClusterProcesses.Run(["train", "--algo", "es", "--env", "CartPole-v1", "--steps", "1000",
            "--set", "n_pairs=4", "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", Path.Combine(_dir, "warm"),
            "--cluster", cluster.Redis!.Spec, "--cluster-id", "redis-lone", .. Wait]);
        Assert.True(code == 0, $"the first run on the lone worker: exit {code}: {stdout} {error}");
        string run = Path.Combine(_dir, "emptied");
        // Long enough that the run is still going when its only worker dies. The driver compiles quickly at start (its
        // numbers do not matter here), so it connects within the wait on a loaded machine too.
        using RunningProcess driver = ClusterProcesses.Start(["train", "--algo", "es", "--env", "Pendulum-v1", "--steps", "5000000", "--seed", "1",
            "--set", "n_pairs=4", "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", run,
            "--cluster", cluster.Redis.Spec, "--cluster-id", "redis-lone", "--cluster-wait", "30"],
            new Dictionary<string, string> { ["DOTNET_TC_QuickJit"] = "1" });
        driver.WaitFor("training es");
        Thread.Sleep(1000);
        Assert.False(driver.Process.HasExited, $"the run ended before its worker was killed: {driver.Output} {driver.Error}");
        cluster.Lone.Kill();
        var clock = Stopwatch.StartNew();
        Assert.True(driver.Process.WaitForExit(120_000), "the driver did not stop within 2 minutes of losing its only worker");
        driver.Process.WaitForExit();
        Assert.True(driver.Process.ExitCode == 2, $"exit {driver.Process.ExitCode}: {driver.Output} {driver.Error}");
        Assert.Contains("is gone and none came back within 30 s", driver.Error, StringComparison.Ordinal);
        Assert.Contains("policylab worker --cluster " + cluster.Redis.Spec, driver.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", driver.Error, StringComparison.Ordinal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the driver stopped {clock.Elapsed.TotalSeconds:F1} s after the kill"));
    }

    [Fact]
    public void A_cluster_id_without_silos_in_redis_is_unreachable_with_a_clear_error()
    {
        if (!cluster.Available(output)) return;
        var (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", Path.Combine(_dir, "nobody"), "--cluster", cluster.Redis!.Spec,
            "--cluster-id", "redis-nobody", "--cluster-wait", "5"]);
        Assert.True(code == 2, $"exit {code}: {stdout} {error}");
        Assert.Contains("Cannot reach the PolicyLab cluster 'redis-nobody' at " + cluster.Redis.Spec, error, StringComparison.Ordinal);
        Assert.Contains("--cluster-id redis-nobody", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
