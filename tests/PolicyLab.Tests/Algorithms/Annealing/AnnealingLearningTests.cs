using PolicyLab.Training;
using static PolicyLab.Tests.Training.TrainingTests;

namespace PolicyLab.Tests.Algorithms.Annealing;

public sealed class AnnealingLearningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-anneal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Stable_recipe_solves_CartPole()
    {
        // The shipped CartPole section of configs/annealing.yaml: grouped, batch 32, group 8, 10 batches, T 0.5 (320 episodes).
        TrainingResult r = Train(Path.Combine(_dir, "stable"), "annealing", "CartPole-v1", 0, null, "eval_episodes=20");
        Assert.True(r.FinalEvaluation!.MeanReturn >= 475, $"mean return {r.FinalEvaluation.MeanReturn}");
        Assert.Equal(320, r.Episodes);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Stable_recipe_solves_CartPole_for_at_least_4_of_5_seeds()
    {
        int solved = Enumerable.Range(0, 5).Count(seed =>
            Train(Path.Combine(_dir, $"s{seed}"), "annealing", "CartPole-v1", seed, null, "eval_episodes=20").FinalEvaluation!.MeanReturn >= 475);
        Assert.True(solved >= 4, $"{solved}/5 seeds solved");
    }

    [Fact]
    public void Aggressive_recipe_learns_fast()
    {
        // direct, batch 4, 10 batches (40 episodes), lr 0.005, 300 optimization steps.
        TrainingResult r = Train(Path.Combine(_dir, "aggressive"), "annealing", "CartPole-v1", 0, null, "eval_episodes=20",
            "value_function=direct", "batch_size=4", "learning_rate=0.005", "num_optim_steps=300", "temp_start=2", "temp_end=2");
        // The reference calls this recipe fast but unstable: assert clear learning from 40 episodes, not a solve
        // (measured: 500 with the AVX-512 kernels, 298 with the 256-bit ones, whose last bits differ).
        Assert.Equal(40, r.Episodes);
        Assert.True(r.FinalEvaluation!.MeanReturn >= 150, $"mean return {r.FinalEvaluation.MeanReturn}");
    }

    [Fact]
    public void Ppo_with_the_annealing_regularizer_solves_CartPole()
    {
        TrainingResult r = Train(Path.Combine(_dir, "ppo"), "ppo", "CartPole-v1", 0, 100_000, "eval_freq=0", "eval_episodes=20",
            "regularization=annealing", "temperature=0.01");
        Assert.True(r.FinalEvaluation!.MeanReturn >= 475, $"mean return {r.FinalEvaluation.MeanReturn}");
    }
}
