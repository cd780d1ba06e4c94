using PolicyLab.Configuration;
using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Training;

public sealed class NonFiniteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-nan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Rewards become NaN after 600 steps: the loss turns NaN during the third update.</summary>
    private sealed class PoisonedRewards : EnvironmentBase
    {
        private long _steps;

        public PoisonedRewards() : base(new Box(-1f, 1f, 2), new Discrete(2)) { }

        public override RgbFrame Render() => new(4, 4);

        protected override void ResetState(ResetOptions? options) { }

        protected override StepResult StepState(ReadOnlySpan<float> action) =>
            new(++_steps > 600 ? double.NaN : 1.0, _steps % 50 == 0, false);

        protected override void WriteObservation(Span<float> observation) => observation.Fill(0.5f);
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_the_step_and_keeps_the_last_checkpoint()
    {
        EnvironmentRegistry.Register("PoisonedRewards-v0", () => new PoisonedRewards(), maxEpisodeSteps: 100, replace: true);
        (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest("ppo", "PoisonedRewards-v0", null,
            ["n_steps=256", "batch_size=64", "checkpoint_freq=256", "eval_freq=0", "eval_episodes=1"], 0, 10_000));
        string folder = Path.Combine(_dir, "run");
        using Trainer trainer = Trainer.Start(run, s, RunFolder.CreateAt(folder));
        var e = Assert.Throws<PolicyLabException>(() => trainer.RunWithTrackers());
        Assert.Contains("Training stopped at step 768", e.Message, StringComparison.Ordinal);
        Assert.Contains("non-finite PPO loss", e.Message, StringComparison.Ordinal);
        Assert.Equal([256L, 512L], RunFolder.Open(folder).CheckpointSteps());
        Assert.Contains("The last checkpoint, step 512", e.Message, StringComparison.Ordinal);
        Assert.Contains("stopped at step 768", File.ReadAllText(Path.Combine(folder, "experiment.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_non_finite_message_does_not_claim_a_checkpoint_that_was_never_written()
    {
        EnvironmentRegistry.Register("PoisonedRewards-v0", () => new PoisonedRewards(), maxEpisodeSteps: 100, replace: true);
        (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest("ppo", "PoisonedRewards-v0", null,
            ["n_steps=256", "batch_size=64", "checkpoint_freq=0", "eval_freq=0", "eval_episodes=1"], 0, 10_000));
        string folder = Path.Combine(_dir, "no-checkpoint");
        using Trainer trainer = Trainer.Start(run, s, RunFolder.CreateAt(folder));
        var e = Assert.Throws<PolicyLabException>(() => trainer.Run());
        Assert.Contains("No checkpoint was written before this point", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is intact", e.Message, StringComparison.Ordinal);
        Assert.Empty(RunFolder.Open(folder).CheckpointSteps());
    }

    /// <summary>Turns one weight NaN after the given update, as a finite loss stepping the weights to NaN would.</summary>
    private sealed class PoisonWeights(int afterUpdate) : ITrainingObserver
    {
        private PolicyLab.Algorithms.IAlgorithm? _algorithm;

        public void OnRunStarted(TrainingRunContext run) => _algorithm = run.Algorithm;

        public void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<PolicyLab.Environments.Vector.EpisodeRecord> episodes)
        {
            if (update.Iteration == afterUpdate) _algorithm!.Parameters.Values[3] = float.NaN;
        }

        public void OnUpdate(TrainingStatus status) { }

        public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

        public void OnNotice(string message) { }
    }

    private (string Folder, PolicyLabException Error) Diverge(string algorithm, string environment, string[] settings, string name)
    {
        (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest(algorithm, environment, null,
            [.. settings, "eval_freq=0", "eval_episodes=1", "tensorboard=false"], 0, null));
        string folder = Path.Combine(_dir, name);
        using Trainer trainer = Trainer.Start(run, s, RunFolder.CreateAt(folder));
        return (folder, Assert.Throws<PolicyLabException>(() => trainer.Run(new PoisonWeights(afterUpdate: 2))));
    }

    private static string[] SuggestedSets(string message) =>
        message.Split("--set ").Skip(1).Select(part => part.Split(' ')[0].TrimEnd('.')).ToArray();

    [Fact]
    public void Non_finite_weights_are_never_published_and_the_suggested_resume_works()
    {
        // 2 copies × 64 steps per update; a checkpoint after every update.
        (string folder, PolicyLabException e) = Diverge("ppo", "CartPole-v1",
            ["n_envs=2", "n_steps=64", "batch_size=64", "checkpoint_freq=128", "n_timesteps=1024"], "ppo-weights");
        Assert.Contains("Training stopped at step 256 (after update 2): a non-finite weight after the update", e.Message, StringComparison.Ordinal);
        Assert.Equal([128L], RunFolder.Open(folder).CheckpointSteps()); // step 256's checkpoint held the NaN: not published
        Assert.Contains("The last checkpoint, step 128", e.Message, StringComparison.Ordinal);
        Assert.Contains("max_grad_norm", e.Message, StringComparison.Ordinal);
        string[] sets = SuggestedSets(e.Message);
        Assert.Contains(sets, s => s.StartsWith("learning_rate=", StringComparison.Ordinal));
        Assert.Contains(sets, s => s.StartsWith("max_grad_norm=", StringComparison.Ordinal));
        using Trainer resumed = Trainer.ResumeTraining(RunFolder.Open(folder), overrides: sets);
        Assert.Equal(128, resumed.Steps);
        Assert.Equal(2, resumed.Log.Resumes[^1].Changes.Count);
        Assert.Null(resumed.Algorithm.Parameters.FindUnusableValue());
    }

    [Theory]
    [InlineData("sac", "Pendulum-v1", new[] { "policy_layers=[16]", "critic_layers=[16]", "learning_starts=32", "batch_size=16", "log_interval=32", "checkpoint_freq=32", "n_timesteps=512" })]
    [InlineData("es", "CartPole-v1", new[] { "policy_layers=[8]", "n_pairs=2", "checkpoint_freq=1", "n_timesteps=100000" })]
    public void The_divergence_advice_names_only_settings_the_algorithm_has(string algorithm, string environment, string[] settings)
    {
        (string folder, PolicyLabException e) = Diverge(algorithm, environment, settings, algorithm);
        Assert.Contains("non-finite weight", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("max_grad_norm", e.Message, StringComparison.Ordinal);
        string[] sets = SuggestedSets(e.Message);
        Assert.Equal("learning_rate", Assert.Single(sets).Split('=')[0]);
        IReadOnlyList<long> saved = RunFolder.Open(folder).CheckpointSteps();
        Assert.Single(saved);
        using Trainer resumed = Trainer.ResumeTraining(RunFolder.Open(folder), overrides: sets);
        Assert.Equal(saved[0], resumed.Steps);
    }
}
