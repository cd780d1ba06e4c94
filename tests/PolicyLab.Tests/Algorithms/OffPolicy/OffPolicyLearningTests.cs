namespace PolicyLab.Tests.Algorithms.OffPolicy;

/// <summary>Learning on Pendulum-v1: short CI variants with small networks, and the full budgets (Long).</summary>
public class OffPolicyLearningTests
{
    // A uniformly random policy scores about −1200 on Pendulum-v1; above −400 it swings up and balances from most starts.
    [Theory]
    [InlineData("sac")]
    [InlineData("td3")]
    [InlineData("ddpg")]
    public void Learns_clearly_on_pendulum_within_a_short_budget(string algo)
    {
        (double mean, string folder) = OffPolicyHarness.Train(algo, "Pendulum-v1", 8000, 0, [.. OffPolicyHarness.Small, "learning_starts=1000"]);
        OffPolicyHarness.Delete(folder);
        Assert.True(mean > -400, $"{algo}: final evaluation {mean:F1} after 8,000 steps");
    }

    [Theory]
    [Trait("Category", "Long")]
    [InlineData("sac")]
    [InlineData("td3")]
    [InlineData("ddpg")]
    public void Reaches_minus_200_on_pendulum_within_20k_steps(string algo)
    {
        (double mean, string folder) = OffPolicyHarness.Train(algo, "Pendulum-v1", 20_000, 0);
        OffPolicyHarness.Delete(folder);
        Assert.True(mean >= -200, $"{algo}: final evaluation {mean:F1} after 20,000 steps");
    }
}
