namespace PolicyLab.Tests.Algorithms.OffPolicy;

/// <summary>
/// SAC with gSDE on MountainCarContinuous-v0 (the tuned defaults of configs/sac.yaml: RL Zoo's settings with use_sde).
/// Reaching the flag pays 100 minus the action cost; without gSDE, SAC with the same settings never reaches it while
/// training and settles on doing nothing (≈ 0). RL Zoo: 94.7 ± 1.1 at 50k steps.
/// </summary>
public class SacGsdeLearningTests
{
    [Theory]
    [Trait("Category", "Long")]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Reaches_90_on_mountain_car_within_50k_steps(long seed)
    {
        (double mean, string folder) = OffPolicyHarness.Train("sac", "MountainCarContinuous-v0", 50_000, seed);
        OffPolicyHarness.Delete(folder);
        Assert.True(mean >= 90, $"seed {seed}: final deterministic evaluation {mean:F1} after 50,000 steps");
    }
}
