using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Training;

public sealed class TrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static TrainingResult Train(string folder, string algo, string env, long seed, long? steps, params string[] sets)
    {
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, sets, seed, steps));
        using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        return trainer.RunWithTrackers();
    }

    [Fact]
    public void Ppo_solves_CartPole_with_the_shipped_settings()
    {
        // Budget: RL Zoo's 100k steps (the shipped configs/ppo.yaml); 20 deterministic evaluation episodes.
        TrainingResult result = Train(Path.Combine(_dir, "ppo"), "ppo", "CartPole-v1", 0, 100_000, "eval_freq=0", "eval_episodes=20");
        Assert.Equal(20, result.FinalEvaluation!.Returns.Length);
        Assert.True(result.FinalEvaluation.MeanReturn >= 475, $"mean return {result.FinalEvaluation.MeanReturn}");
    }

    [Fact]
    public void Stops_when_an_evaluation_reaches_the_reward_threshold()
    {
        TrainingResult result = Train(Path.Combine(_dir, "threshold"), "ppo", "CartPole-v1", 0, 100_000,
            "eval_freq=5000", "eval_episodes=5", "stop_at_threshold=true", "reward_threshold=200");
        Assert.StartsWith("reward threshold 200 reached", result.EndReason, StringComparison.Ordinal);
        Assert.True(result.Steps < 100_000);
        Assert.True(result.FinalEvaluation!.MeanReturn >= 200);
    }

    [Fact]
    public void Same_seed_gives_identical_experiment_files()
    {
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        Train(a, "ppo", "CartPole-v1", 7, 5_000, "eval_freq=2000", "eval_episodes=3");
        Train(b, "ppo", "CartPole-v1", 7, 5_000, "eval_freq=2000", "eval_episodes=3");
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "experiment.json")), File.ReadAllBytes(Path.Combine(b, "experiment.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "metrics.csv")), File.ReadAllBytes(Path.Combine(b, "metrics.csv")));
        string c = Path.Combine(_dir, "c");
        Train(c, "ppo", "CartPole-v1", 8, 5_000, "eval_freq=2000", "eval_episodes=3");
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "metrics.csv")), File.ReadAllBytes(Path.Combine(c, "metrics.csv")));
    }

    [Fact]
    public void Run_folder_has_the_documented_files()
    {
        string folder = Path.Combine(_dir, "files");
        TrainingResult result = Train(folder, "ppo", "CartPole-v1", 1, 2_048, "eval_freq=1024", "eval_episodes=2", "checkpoint_freq=1024");
        foreach (string f in new[] { "config.yaml", "experiment.json", "metrics.csv", "timing.json" })
            Assert.True(File.Exists(Path.Combine(folder, f)), f);
        var run = RunFolder.Open(folder);
        Assert.Equal([1024L, 2048L], run.CheckpointSteps());
        foreach (string f in new[] { Checkpoint.StateFileName, Checkpoint.ModelFileName, Checkpoint.DescriptionFileName, Checkpoint.LogFileName })
            Assert.True(File.Exists(Path.Combine(run.CheckpointPath(2048), f)), f);
        Assert.Equal(2048, result.Steps);
        string csv = File.ReadAllText(Path.Combine(folder, "metrics.csv"));
        Assert.StartsWith("iteration,step,episodes,recent_mean_return,eval_mean_return,policy_loss", csv, StringComparison.Ordinal);
        Assert.Equal(8 + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // 2048 / 256 updates + header
    }

    [Fact]
    public void Evaluating_a_run_loads_its_checkpoint()
    {
        string folder = Path.Combine(_dir, "eval");
        Train(folder, "ppo", "CartPole-v1", 2, 30_000, "eval_freq=0", "eval_episodes=5");
        EvaluationResult r = RunEvaluation.Evaluate(RunFolder.Open(folder), null, 5, deterministic: true);
        Assert.Equal(5, r.Returns.Length);
        Assert.True(r.MeanReturn > 100, $"a trained checkpoint should balance well; got {r.MeanReturn}");
    }

    [Fact]
    public void Ppo_solves_Pendulum_with_a_Gaussian_policy()
    {
        // Budget: the shipped configs/ppo.yaml (300k steps, 4 envs, lin_0.001); measured −193, −185, −180 for seeds 0–2.
        TrainingResult result = Train(Path.Combine(_dir, "pendulum"), "ppo", "Pendulum-v1", 0, null, "eval_freq=0", "eval_episodes=20");
        Assert.True(result.FinalEvaluation!.MeanReturn >= -250, $"mean return {result.FinalEvaluation.MeanReturn}");
    }
}

public sealed class SettingsTests
{
    [Fact]
    public void Unknown_key_names_the_closest_one()
    {
        var e = Assert.Throws<PolicyLabException>(() => SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, ["learning_rat=0.1"], 0, null)));
        Assert.Contains("'learning_rate'", e.Message);
    }

    [Theory]
    [InlineData("learning_rate=-1", "learning_rate")]
    [InlineData("clip_range=0", "clip_range")]
    [InlineData("gae_lambda=1.5", "gae_lambda")]
    [InlineData("batch_size=100000", "batch_size")]
    [InlineData("n_steps=abc", "n_steps")]
    public void Out_of_range_values_are_refused(string set, string key)
    {
        var e = Assert.ThrowsAny<PolicyLabException>(() =>
        {
            (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, [set], 0, null));
            using var dir = new TempDir();
            using Trainer t = Trainer.Start(run, s, RunFolder.CreateAt(dir.Path));
        });
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Unknown_algorithm_and_environment_list_choices()
    {
        Assert.Contains("'ppo'", Assert.Throws<PolicyLabException>(() => SettingsResolver.Resolve(new SettingsRequest("ppp", null, null, [], null, null))).Message);
        Assert.Contains("CartPole-v1", Assert.ThrowsAny<PolicyLabException>(() => SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPol-v1", null, [], null, null))).Message);
    }

    [Fact]
    public void Shipped_defaults_apply_per_environment()
    {
        (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, ["n_epochs=3"], 5, 1234));
        Assert.Equal(8, run.EnvironmentCount);
        Assert.Equal("32", s.Get("n_steps"));
        Assert.Equal("3", s.Get("n_epochs"));
        Assert.Equal("linear(0.001, 0)", s.Get("learning_rate"));
        Assert.Equal(5, run.Seed);
        Assert.Equal(1234, run.TotalSteps);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("policylab-settings-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
