namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>
/// PPO with gSDE on MountainCarContinuous-v0 (the tuned defaults of configs/ppo.yaml: RL Zoo's settings with use_sde,
/// a new exploration matrix every 8-step rollout). RL Zoo: 88.3 ± 2.6 at 20k steps.
/// </summary>
public class GsdeLearningTests
{
    [Theory]
    [Trait("Category", "Long")]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Ppo_reaches_90_on_mountain_car_within_20k_steps(long seed)
    {
        (var result, string folder) = PolicyGradientHarness.Train("ppo", "MountainCarContinuous-v0", 20_000, seed);
        PolicyGradientHarness.Delete(folder);
        double mean = PolicyGradientHarness.FinalReturn(result);
        Assert.True(mean >= 90, $"seed {seed}: final deterministic evaluation {mean:F1} after 20,000 steps");
    }
}
