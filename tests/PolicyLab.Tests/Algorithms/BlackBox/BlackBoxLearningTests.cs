using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.BlackBox;

/// <summary>
/// Learning results of the black-box methods through the one training loop, with the shipped
/// configs (budgets in configs/cem.yaml, es.yaml, hill_climbing.yaml) and fixed seeds. Returns are
/// deterministic evaluations on 10 episodes (the run's eval_episodes default).
/// </summary>
public sealed class BlackBoxLearningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-blackbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static TrainingResult Train(string folder, string algo, string env, long seed, long? steps, params string[] sets)
    {
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, sets, seed, steps));
        using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        return trainer.RunWithTrackers();
    }

    private double FinalMean(string algo, string env, long seed = 0, long? steps = null, params string[] sets)
    {
        TrainingResult result = Train(Path.Combine(_dir, $"{algo}-{env}-{seed}"), algo, env, seed, steps, [.. sets, "eval_freq=0"]);
        return result.FinalEvaluation!.MeanReturn;
    }

    [Fact]
    public void Cem_solves_CartPole()
    {
        // Budget: 100k steps (configs/cem.yaml); measured 500 for seeds 0 and 1, 462.7 for seed 2.
        double mean = FinalMean("cem", "CartPole-v1");
        Assert.True(mean >= 475, $"mean return {mean}");
    }

    [Fact]
    public void Es_solves_CartPole()
    {
        // Budget: 400k steps, 50 pairs (configs/es.yaml); measured 500 for seeds 0–4.
        double mean = FinalMean("es", "CartPole-v1");
        Assert.True(mean >= 475, $"mean return {mean}");
    }

    [Fact]
    public void Hill_climbing_with_adaptive_noise_solves_CartPole()
    {
        // Budget: 50k steps (configs/hill_climbing.yaml); measured 500 for seeds 0–2.
        double mean = FinalMean("hill_climbing", "CartPole-v1");
        Assert.True(mean >= 475, $"mean return {mean}");
    }

    [Fact]
    public void Cem_solves_MountainCarContinuous()
    {
        // Budget: 600k steps (configs/cem.yaml); measured 98.7, 97.7, 98.2 for seeds 0–2.
        double mean = FinalMean("cem", "MountainCarContinuous-v0");
        Assert.True(mean >= 90, $"mean return {mean}");
    }

    [Fact]
    public void Es_solves_MountainCarContinuous()
    {
        // Budget: 1M steps (configs/es.yaml); measured 95.0, 95.5, 94.7 for seeds 0–2.
        double mean = FinalMean("es", "MountainCarContinuous-v0");
        Assert.True(mean >= 90, $"mean return {mean}");
    }

    [Fact]
    public void Hill_climbing_solves_MountainCarContinuous()
    {
        // Budget: 1M steps (configs/hill_climbing.yaml); measured 94.2, 93.6, 94.3 for seeds 0–2.
        double mean = FinalMean("hill_climbing", "MountainCarContinuous-v0");
        Assert.True(mean >= 90, $"mean return {mean}");
    }

    [Fact]
    public void Cem_swings_up_Pendulum()
    {
        // Budget: 3M steps (configs/cem.yaml). Seed-sensitive: see the closing note of issue 6.
        double mean = FinalMean("cem", "Pendulum-v1");
        Assert.True(mean >= -300, $"mean return {mean}");
    }

    [Theory]
    [Trait("Category", "Long")]
    [InlineData("cem", "CartPole-v1", 1, 475)]
    [InlineData("es", "CartPole-v1", 1, 475)]
    [InlineData("es", "CartPole-v1", 2, 475)]
    [InlineData("hill_climbing", "CartPole-v1", 1, 475)]
    [InlineData("hill_climbing", "CartPole-v1", 2, 475)]
    [InlineData("cem", "MountainCarContinuous-v0", 1, 90)]
    [InlineData("cem", "MountainCarContinuous-v0", 2, 90)]
    [InlineData("es", "MountainCarContinuous-v0", 1, 90)]
    [InlineData("es", "MountainCarContinuous-v0", 2, 90)]
    [InlineData("cem", "Pendulum-v1", 2, -300)]
    [InlineData("cem", "Pendulum-v1", 4, -300)]
    public void Other_seeds_reach_the_target_too(string algo, string env, long seed, double target)
    {
        // The shipped budgets with further seeds (CEM on CartPole seed 2 reaches 462.7 and on Pendulum
        // seeds 1 and 3 −576 and −914: those are not claimed).
        double mean = FinalMean(algo, env, seed);
        Assert.True(mean >= target, $"{algo} {env} seed {seed}: mean return {mean}");
    }
}
