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
}
