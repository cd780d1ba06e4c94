using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Training;

public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("ppo", "CartPole-v1", new[] { "n_timesteps=6144", "checkpoint_freq=2048", "eval_freq=2048", "eval_episodes=3" })]
    [InlineData("ppo", "Pendulum-v1", new[] { "n_timesteps=12288", "n_steps=1024", "checkpoint_freq=4096", "eval_freq=4096", "eval_episodes=2", "normalize_reward=true" })]
    [InlineData("ppo", "LunarLanderContinuous-v3", new[] { "n_timesteps=2048", "n_envs=2", "n_steps=256", "batch_size=128", "checkpoint_freq=1024", "eval_freq=1024", "eval_episodes=1" })]
    public void Resuming_from_a_checkpoint_continues_bit_identically(string algo, string env, string[] sets)
    {
        // Uninterrupted run.
        string full = Path.Combine(_dir, "full");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, sets, 3, null));
        using (Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(full))) t.RunWithTrackers();
        long first = RunFolder.Open(full).CheckpointSteps()[0];

        // "Interrupted" run: only the config and the first checkpoint survive; resume it.
        string resumed = Path.Combine(_dir, "resumed");
        Directory.CreateDirectory(Path.Combine(resumed, "checkpoints"));
        File.Copy(Path.Combine(full, "config.yaml"), Path.Combine(resumed, "config.yaml"));
        CopyDirectory(RunFolder.Open(full).CheckpointPath(first), Path.Combine(resumed, "checkpoints", first.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using (Trainer t = Trainer.Resume(RunFolder.Open(resumed))) t.RunWithTrackers();

        Assert.Equal(File.ReadAllText(Path.Combine(full, "experiment.json")), File.ReadAllText(Path.Combine(resumed, "experiment.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "metrics.csv")), File.ReadAllBytes(Path.Combine(resumed, "metrics.csv")));
        long last = RunFolder.Open(full).CheckpointSteps()[^1];
        Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder.Open(full).CheckpointPath(last), Checkpoint.ModelFileName)),
            File.ReadAllBytes(Path.Combine(RunFolder.Open(resumed).CheckpointPath(last), Checkpoint.ModelFileName)));
    }

    [Fact]
    public void Resume_without_checkpoints_is_a_clear_error()
    {
        string folder = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.yaml"), "algo: ppo\nenv: CartPole-v1\n");
        var e = Assert.Throws<PolicyLabException>(() => Trainer.Resume(RunFolder.Open(folder)));
        Assert.Contains("no checkpoint", e.Message, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
