using System.Diagnostics;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// PPO with on-policy rollouts on real worker processes over loopback: in-process (no --cluster, per_copy_rng), on one,
/// two and three workers the runs write byte-identical experiment.json and weights, for CartPole and LunarLander.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterRolloutTests : IDisposable
{
    private static readonly Dictionary<string, string> QuickStart = new() { ["DOTNET_TC_QuickJit"] = "1" };

    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-rollouts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Ppo(string env, int envs, int steps) => ["train", "--algo", "ppo", "--env", env, "--steps", "2048", "--seed", "4",
        "--set", "per_copy_rng=true", "--set", $"n_envs={envs}", "--set", $"n_steps={steps}", "--set", "batch_size=64", "--set", "n_epochs=2",
        "--set", "eval_freq=0", "--set", "checkpoint_freq=1024", "--set", "tensorboard=false"];

    private static readonly (string Name, string[] Args)[] Runs =
    [
        ("cartpole", Ppo("CartPole-v1", 4, 64)),
        // Five copies on two and three workers: units of unequal sizes.
        ("lunar", Ppo("LunarLander-v3", 5, 64)),
    ];

    private void RunAll(string label, int port)
    {
        foreach ((string name, string[] args) in Runs)
        {
            string[] cluster = port == 0 ? [] : ["--cluster", ClusterFixture.Spec(port), "--cluster-wait", "300"];
            var (code, output, error) = ClusterProcesses.Run([.. args, "--out", Path.Combine(_dir, $"{name}-{label}"), .. cluster]);
            Assert.True(code == 0, $"{name} on {label}: exit {code}: {output} {error}");
            if (port != 0) Assert.Contains("rollouts: ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Ppo_runs_are_byte_identical_in_process_and_on_one_two_and_three_workers()
    {
        int port = ClusterProcesses.FreePortPair();
        using RunningProcess first = ClusterProcesses.Worker(port, "r1", environment: QuickStart);
        RunAll("local", 0);

        first.WaitFor("worker ready");
        RunAll("one", port);
        using RunningProcess second = ClusterProcesses.Worker(port, "r2", environment: QuickStart);
        second.WaitFor("worker ready");
        RunAll("two", port);
        using RunningProcess third = ClusterProcesses.Worker(port, "r3", environment: QuickStart);
        third.WaitFor("worker ready");
        RunAll("three", port);

        foreach ((string name, _) in Runs)
        {
            string local = Path.Combine(_dir, $"{name}-local");
            Assert.True(ClusterProcesses.Results(local).Count >= 3, "the runs should have written several checkpoints");
            foreach (string label in new[] { "one", "two", "three" })
                ClusterProcesses.AssertIdentical(local, Path.Combine(_dir, $"{name}-{label}"));
        }
    }
}

/// <summary>A worker SIGKILLed in the middle of a PPO run on the cluster: its units are re-issued and the run ends byte-identical.</summary>
[Trait("Category", "Long")]
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterRolloutFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cluster-rollouts-long-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Ppo = ["train", "--algo", "ppo", "--env", "LunarLander-v3", "--steps", "245760", "--seed", "6",
        "--set", "per_copy_rng=true", "--set", "n_envs=16", "--set", "n_steps=256", "--set", "n_epochs=2", "--set", "batch_size=256",
        "--set", "eval_freq=0", "--set", "checkpoint_freq=40960", "--set", "tensorboard=false"];

    [Fact]
    public void A_SIGKILLed_worker_s_rollout_units_are_reissued_with_identical_results()
    {
        int port = ClusterProcesses.FreePortPair();
        using RunningProcess keeper = ClusterProcesses.Worker(port, "keeper");
        using RunningProcess victim = ClusterProcesses.Worker(port, "victim");
        string reference = Path.Combine(_dir, "reference"), run = Path.Combine(_dir, "run");
        var (code, output, error) = ClusterProcesses.Run([.. Ppo, "--out", reference]);
        Assert.True(code == 0, $"in-process run: exit {code}: {output} {error}");

        keeper.WaitFor("worker ready");
        victim.WaitFor("worker ready");
        using RunningProcess driver = ClusterProcesses.Start([.. Ppo, "--out", run, "--cluster", ClusterFixture.Spec(port), "--cluster-wait", "300"]);
        // Kill the victim once the run has written its first checkpoint (it is then well into its rollouts).
        var clock = Stopwatch.StartNew();
        while (!Directory.Exists(Path.Combine(run, "checkpoints", "40960")) && clock.Elapsed < TimeSpan.FromMinutes(5) && !driver.Process.HasExited) Thread.Sleep(100);
        Assert.False(driver.Process.HasExited, $"the run ended before the victim was killed; lengthen it: {driver.Output} {driver.Error}");
        victim.Kill();

        Assert.True(driver.Process.WaitForExit(600_000), "the run did not finish within 10 minutes of the kill");
        driver.Process.WaitForExit();
        Assert.True(driver.Process.ExitCode == 0, $"exit {driver.Process.ExitCode}: {driver.Output} {driver.Error}");
        Assert.Contains("victim ", driver.Output, StringComparison.Ordinal); // the victim ran units before it died
        Assert.Contains("keeper ", driver.Output, StringComparison.Ordinal);
        ClusterProcesses.AssertIdentical(reference, run);
    }
}
