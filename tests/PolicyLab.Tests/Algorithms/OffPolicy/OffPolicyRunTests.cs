using PolicyLab.Tests.Numerics.Kernels;
using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.OffPolicy;

[Collection(GemmThreadsCollection.Name)]
public sealed class OffPolicyRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-offpolicy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Short(params string[] extra) =>
        [.. OffPolicyHarness.Small, "learning_starts=200", "log_interval=200", "eval_freq=400", "eval_episodes=2", .. extra];

    private string RunOnce(string algo, string name, long steps, string[] sets)
    {
        string folder = Path.Combine(_dir, name);
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, "Pendulum-v1", null, sets, 7, steps));
        using (Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder))) t.RunWithTrackers();
        return folder;
    }

    [Theory]
    [InlineData("ddpg", new string[0])]
    [InlineData("td3", new[] { "action_noise=ornstein_uhlenbeck", "n_step=3" })]
    [InlineData("sac", new string[0])]
    [InlineData("sac", new[] { "ent_coef=0.2", "n_envs=2", "train_freq=4", "gradient_steps=-1" })]
    public void The_same_seed_gives_the_same_experiment(string algo, string[] extra)
    {
        string a = RunOnce(algo, "a", 800, Short(extra));
        string b = RunOnce(algo, "b", 800, Short(extra));
        string ja = File.ReadAllText(Path.Combine(a, "experiment.json"));
        Assert.Equal(ja, File.ReadAllText(Path.Combine(b, "experiment.json")));
        Assert.Contains("critic_loss", ja, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ddpg", new[] { "action_noise=ornstein_uhlenbeck" })]
    [InlineData("td3", new string[0])]
    [InlineData("sac", new string[0])]
    public void Resuming_from_a_checkpoint_continues_bit_identically(string algo, string[] extra)
    {
        string[] sets = Short([.. extra, "checkpoint_freq=400"]);
        string full = RunOnce(algo, "full", 1200, sets);
        long first = RunFolder.Open(full).CheckpointSteps()[0];
        string resumed = Path.Combine(_dir, "resumed");
        Directory.CreateDirectory(Path.Combine(resumed, "checkpoints"));
        File.Copy(Path.Combine(full, "config.yaml"), Path.Combine(resumed, "config.yaml"));
        string from = RunFolder.Open(full).CheckpointPath(first), to = Path.Combine(resumed, "checkpoints", Path.GetFileName(from));
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        using (Trainer t = Trainer.Resume(RunFolder.Open(resumed))) t.RunWithTrackers();

        Assert.Equal(File.ReadAllText(Path.Combine(full, "experiment.json")), File.ReadAllText(Path.Combine(resumed, "experiment.json")));
        long last = RunFolder.Open(full).CheckpointSteps()[^1];
        Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder.Open(full).CheckpointPath(last), Checkpoint.ModelFileName)),
            File.ReadAllBytes(Path.Combine(RunFolder.Open(resumed).CheckpointPath(last), Checkpoint.ModelFileName)));
    }

    [Theory]
    [InlineData("sac")]
    [InlineData("td3")]
    public void Two_gemm_threads_give_the_same_experiment_as_one(string algo)
    {
        // 256-wide layers and batch 64: the hidden-layer products are above the threading threshold, and with two
        // threads SAC and TD3 also compute their two critics (target values, J(Q)'s gradients, and for SAC the values
        // and gradients with respect to the action) on two cores.
        string[] sets = ["learning_starts=100", "log_interval=100", "eval_freq=300", "eval_episodes=1", "batch_size=64"];
        int saved = Gemm.Threads;
        try
        {
            Gemm.Threads = 1;
            string one = RunOnce(algo, "one", 300, sets);
            Gemm.Threads = 2;
            string two = RunOnce(algo, "two", 300, sets);
            Assert.Equal(File.ReadAllText(Path.Combine(one, "experiment.json")), File.ReadAllText(Path.Combine(two, "experiment.json")));
        }
        finally
        {
            Gemm.Threads = saved;
        }
    }

    [Theory]
    [InlineData("sac")]
    [InlineData("td3")]
    [InlineData("ddpg")]
    public void Discrete_action_spaces_are_refused_clearly(string algo)
    {
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, "CartPole-v1", null, [], 0, 100));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(_dir, "x"))));
        Assert.Contains("Box", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_settings_are_reported_in_plain_words()
    {
        var e = Assert.Throws<PolicyLabException>(() => SettingsResolver.Resolve(new SettingsRequest("sac", "Pendulum-v1", null, ["ent_coef=hot", "tau=2"], 0, 100)));
        Assert.Contains("ent_coef", e.Message, StringComparison.Ordinal);
        Assert.Contains("tau", e.Message, StringComparison.Ordinal);
    }
}
