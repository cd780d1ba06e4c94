using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

public sealed class PreprocessingTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-preprocess-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Train(string name, string algo, string env, params string[] sets)
    {
        string folder = Path.Combine(_dir, name);
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null,
            ["tensorboard=false", "eval_episodes=1", .. sets], 1, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        t.Run();
        return folder;
    }

    [Fact]
    public void PPO_trains_on_preprocessed_CarRacing_and_evaluation_rebuilds_the_same_preprocessing()
    {
        string folder = Train("carracing", "ppo", "CarRacing-v3", "n_timesteps=128", "n_steps=64", "n_envs=2", "batch_size=32", "n_epochs=1",
            "frame_skip=2", "resize=[40, 40]", "grayscale=true", "frame_stack=2", "eval_freq=0");
        Assert.Contains("frame_stack: 2", File.ReadAllText(Path.Combine(folder, "config.yaml")), StringComparison.Ordinal);
        EvaluationResult first = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder, "experiment.json"))).Evaluations[^1];
        EvaluationResult again = RunEvaluation.Evaluate(RunFolder.Open(folder), null, 1, deterministic: true);
        Assert.Equal(first.Returns, again.Returns);
        // 1000 environment steps are 500 agent steps with frame_skip 2.
        Assert.All(again.Lengths, l => Assert.True(l <= 500, $"episode of {l} agent steps"));
    }

    [Fact]
    public void Frame_skip_halves_the_agent_steps_of_a_CartPole_episode_and_image_settings_on_vectors_are_clear_errors()
    {
        string folder = Train("cartpole", "ppo", "CartPole-v1", "n_timesteps=256", "n_steps=128", "frame_skip=500", "eval_freq=0");
        EvaluationResult last = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder, "experiment.json"))).Evaluations[^1];
        Assert.All(last.Lengths, l => Assert.Equal(1, l)); // one agent step covers the whole (≤ 500-step) episode
        var e = Assert.Throws<PolicyLabException>(() => Train("gray", "ppo", "CartPole-v1", "grayscale=true"));
        Assert.Contains("image observations", e.Message, StringComparison.Ordinal);
        Assert.Contains("resize must be", Assert.Throws<PolicyLabException>(() => Train("resize", "ppo", "CarRacing-v3", "resize=[64]")).Message, StringComparison.Ordinal);
    }
}
