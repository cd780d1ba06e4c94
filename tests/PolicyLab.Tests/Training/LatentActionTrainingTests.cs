using PolicyLab.Configuration;
using PolicyLab.Environments.Latent;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

public sealed class LatentActionTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-latent-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Train(string name, string algo, string env, params string[] sets)
    {
        string folder = Path.Combine(_dir, name);
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null,
            ["tensorboard=false", "eval_episodes=2", .. sets], 1, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        t.Run();
        return folder;
    }

    [Theory]
    [InlineData("ppo", new[] { "n_timesteps=512", "n_steps=128", "n_envs=2" })]
    [InlineData("sac", new[] { "n_timesteps=300", "learning_starts=100" })]
    [InlineData("td3", new[] { "n_timesteps=300", "learning_starts=100" })]
    [InlineData("es", new[] { "n_timesteps=400", "n_pairs=2" })]
    public void Every_continuous_algorithm_trains_through_the_projector_and_saves_it(string algo, string[] sets)
    {
        string folder = Train(algo, algo, "LunarLanderContinuous-v3", ["latent_dim=1", "projector_seed=42", .. sets]);
        string saved = Path.Combine(folder, Trainer.ProjectorFileName);
        Assert.True(File.Exists(saved));
        var box = new PolicyLab.Environments.Spaces.Box(-1f, 1f, 2);
        Assert.Equal(ActionProjector.Random(1, box, 42).Serialize(), File.ReadAllBytes(saved)); // seeded once, explicitly
        string checkpoint = RunFolder.Open(folder).CheckpointPath(RunFolder.Open(folder).CheckpointSteps()[^1]);
        Assert.Contains("(1,)", File.ReadAllText(Path.Combine(checkpoint, "checkpoint.json")), StringComparison.Ordinal); // the agent acts in Box[-1,1]^1
    }

    [Fact]
    public void A_saved_projector_reproduces_the_run_and_is_used_on_evaluation()
    {
        string seeded = Train("seeded", "ppo", "LunarLanderContinuous-v3", "latent_dim=1", "projector_seed=7", "n_timesteps=256", "n_steps=128");
        string file = Path.Combine(seeded, Trainer.ProjectorFileName);
        string loaded = Train("loaded", "ppo", "LunarLanderContinuous-v3", $"projector={file}", "projector_seed=7", "latent_dim=1", "n_timesteps=256", "n_steps=128");
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(loaded, Trainer.ProjectorFileName)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(seeded, "metrics.csv")), File.ReadAllBytes(Path.Combine(loaded, "metrics.csv")));
        EvaluationResult again = RunEvaluation.Evaluate(RunFolder.Open(seeded), null, 2, deterministic: true);
        EvaluationResult first = PolicyLab.Training.ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(seeded, "experiment.json"))).Evaluations[^1];
        Assert.Equal(first.Returns, again.Returns); // policylab eval acts through the run's projector
    }

    [Fact]
    public void An_unset_projector_reads_back_as_unset_from_config_yaml()
    {
        var run = new RunSettings();
        run.Set("projector", run.Get("projector")); // config.yaml writes null as "null"
        Assert.Null(run.Projector);
        run.Set("projector", "p.safetensors");
        Assert.Equal("p.safetensors", run.Projector);
    }

    [Fact]
    public void Bad_latent_settings_are_clear_errors()
    {
        Assert.Contains("latent_dim must be ≥ 1", Assert.Throws<PolicyLabException>(() => Train("zero", "ppo", "Pendulum-v1", "latent_dim=0")).Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and the action size 1", Assert.Throws<PolicyLabException>(() => Train("big", "ppo", "Pendulum-v1", "latent_dim=2")).Message, StringComparison.Ordinal);
        Assert.Contains("Box", Assert.Throws<PolicyLabException>(() => Train("discrete", "ppo", "CartPole-v1", "latent_dim=1")).Message, StringComparison.Ordinal);
        string wrong = Path.Combine(_dir, "wrong.safetensors");
        ActionProjector.Random(2, new PolicyLab.Environments.Spaces.Box(-1f, 1f, 3), 0).Save(wrong);
        Assert.Contains("must be", Assert.Throws<PolicyLabException>(() => Train("shape", "ppo", "LunarLanderContinuous-v3", $"projector={wrong}")).Message, StringComparison.Ordinal);
    }
}
