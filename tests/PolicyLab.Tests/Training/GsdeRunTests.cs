using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Training;

/// <summary>
/// gSDE runs are reproducible: the exploration matrices are redrawn from the run's stream (at each rollout or collection
/// round, every sde_sample_freq steps, and before each SAC gradient step), so a rerun with the same seed and a run resumed
/// from a mid-run checkpoint give the same bits as the uninterrupted run.
/// </summary>
public sealed class GsdeRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-gsde-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("sac", "MountainCarContinuous-v0", new[] { "n_timesteps=1024", "log_interval=256", "batch_size=32", "train_freq=32", "gradient_steps=4", "sde_sample_freq=8",
        "checkpoint_freq=512", "eval_freq=0", "eval_episodes=1" })]
    [InlineData("sac", "Pendulum-v1", new[] { "n_timesteps=600", "log_interval=100", "use_sde=true", "use_sde_at_warmup=true", "learning_starts=300", "batch_size=32", "train_freq=4",
        "policy_layers=[16, 16]", "critic_layers=[16, 16]", "use_expln=true", "full_std=false", "checkpoint_freq=400", "eval_freq=400", "eval_episodes=1" })]
    [InlineData("ppo", "MountainCarContinuous-v0", new[] { "n_timesteps=512", "checkpoint_freq=256", "eval_freq=0", "eval_episodes=1" })]
    [InlineData("a2c", "Pendulum-v1", new[] { "n_timesteps=800", "n_envs=4", "use_sde=true", "sde_sample_freq=4", "checkpoint_freq=400",
        "eval_freq=400", "eval_episodes=1" })]
    public void Reruns_and_resumed_runs_are_bit_identical(string algo, string env, string[] sets)
    {
        string full = Run(algo, env, sets, "full");
        string again = Run(algo, env, sets, "again");
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "metrics.csv")), File.ReadAllBytes(Path.Combine(again, "metrics.csv")));

        // "Interrupted" run: only the config and the first checkpoint survive; resume it.
        long first = RunFolder.Open(full).CheckpointSteps()[0];
        Assert.True(first < RunFolder.Open(full).CheckpointSteps()[^1], "the first checkpoint is mid-run");
        string resumed = Path.Combine(_dir, "resumed");
        Directory.CreateDirectory(Path.Combine(resumed, "checkpoints"));
        File.Copy(Path.Combine(full, "config.yaml"), Path.Combine(resumed, "config.yaml"));
        string from = RunFolder.Open(full).CheckpointPath(first), to = Path.Combine(resumed, "checkpoints", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        using (Trainer t = Trainer.Resume(RunFolder.Open(resumed))) t.RunWithTrackers();

        Assert.Equal(File.ReadAllText(Path.Combine(full, "experiment.json")), File.ReadAllText(Path.Combine(resumed, "experiment.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "metrics.csv")), File.ReadAllBytes(Path.Combine(resumed, "metrics.csv")));
        long last = RunFolder.Open(full).CheckpointSteps()[^1];
        Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder.Open(full).CheckpointPath(last), Checkpoint.ModelFileName)),
            File.ReadAllBytes(Path.Combine(RunFolder.Open(resumed).CheckpointPath(last), Checkpoint.ModelFileName)));
    }

    [Theory]
    [InlineData("ppo", "CartPole-v1")]
    [InlineData("a2c", "CartPole-v1")]
    public void Use_sde_with_a_discrete_action_space_is_a_clear_error(string algo, string env)
    {
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, ["use_sde=true"], 0, 1000));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(_dir, algo))));
        Assert.Contains("use_sde needs a Box (continuous) action space", e.Message, StringComparison.Ordinal);
    }

    private string Run(string algo, string env, string[] sets, string name)
    {
        string folder = Path.Combine(_dir, name);
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, sets, 5, null));
        using (Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder))) t.RunWithTrackers();
        return folder;
    }
}
