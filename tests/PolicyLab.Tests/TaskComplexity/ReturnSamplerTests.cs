using PolicyLab.Environments.Latent;
using PolicyLab.Environments.Spaces;
using PolicyLab.TaskComplexity;

namespace PolicyLab.Tests.TaskComplexity;

public class ReturnSamplerTests
{
    [Fact]
    public void Returns_are_the_same_for_any_thread_count_and_depend_on_the_seed()
    {
        var options = new ReturnSamplingOptions { Environment = "Pendulum-v1", Samples = 6, Episodes = 4 };
        double[,] one = ReturnSampler.Sample(options with { Threads = 1 }, 3);
        double[,] two = ReturnSampler.Sample(options with { Threads = 2 }, 3);
        double[,] three = ReturnSampler.Sample(options with { Threads = 3 }, 3);
        Assert.Equal(one, two);
        Assert.Equal(one, three);
        Assert.NotEqual(one, ReturnSampler.Sample(options, 4));
        // CleanRL mode runs a policy's episodes in order on one stack; still independent of the thread count.
        var cleanrl = options with { CleanRlSetup = true, Episodes = 2 };
        Assert.Equal(ReturnSampler.Sample(cleanrl with { Threads = 1 }, 3), ReturnSampler.Sample(cleanrl with { Threads = 2 }, 3));
    }

    [Theory]
    [InlineData("ConstantReward-v0", RewardMode.Raw)]
    [InlineData("RandomReward-v0", RewardMode.Raw)]
    [InlineData("ConstantReward-v0", RewardMode.Random)]
    public void A_reward_that_ignores_the_policy_gives_poic_and_pic_near_zero(string env, RewardMode reward)
    {
        // When R is independent of θ, p_i are M-sample means of X = e^((R − r_max)/η) ∈ [0, 1], and POIC(η) is the Jensen
        // gap H_b(p̄) − mean H_b(p_i) ≈ Var(p_i) / (2 p̄ (1 − p̄)) ≤ Var(X) / (2 M p̄ (1 − p̄)) ≤ 1/(2M) (a [0, 1] variable has
        // Var ≤ mean·(1 − mean)), for every η. PIC: 2·N·M·Î is asymptotically χ² with (N − 1)(b − 1) degrees of freedom, so the
        // Miller–Madow-corrected estimate has mean ≈ 0 and standard deviation √(2(N − 1)(b − 1)) / (2 N M) ≈ 0.0055 here
        // (b ≤ 20); 0.035 is over six of those.
        const int n = 30, m = 100;
        var options = new ReturnSamplingOptions { Environment = env, Samples = n, Episodes = m, Reward = reward };
        TaskComplexityReport report = TaskComplexityEstimator.Estimate(options, seedCount: 1);
        SeedEstimate s = report.Seeds[0];
        Assert.InRange(s.Poic.Value, 0, 1.0 / m);
        Assert.InRange(s.Pic.Value, -0.035, 0.035);
    }

    [Fact]
    public void CartPole_is_far_more_controllable_than_a_policy_independent_reward()
    {
        var options = new ReturnSamplingOptions { Environment = "CartPole-v1", Samples = 40, Episodes = 40 };
        SeedEstimate s = TaskComplexityEstimator.Estimate(options, seedCount: 1).Seeds[0];
        Assert.InRange(s.Poic.Value, 0.05, 0.4); // the paper: 0.153
        Assert.InRange(s.Poic.Eta, 1, 1000);
        Assert.True(s.Pic.Value > 0.3, $"PIC {s.Pic.Value}");
    }

    [Fact]
    public void Latent_policies_act_through_the_projector_and_bad_spaces_are_clear_errors()
    {
        ActionProjector projector = ActionProjector.Random(1, new Box(-1f, 1f, 2), 4);
        var options = new ReturnSamplingOptions { Environment = "ConstantReward-v0", Samples = 3, Episodes = 2, Projector = projector };
        Assert.Equal(3, ReturnSampler.Sample(options, 0).GetLength(0));
        Assert.Throws<PolicyLabException>(() => ReturnSampler.Sample(options with { Environment = "Pendulum-v1" }, 0)); // projector for A = 2, Pendulum has A = 1
        Assert.Contains("MultiDiscrete", Assert.Throws<PolicyLabException>(() =>
            ReturnSampler.Sample(new ReturnSamplingOptions { Environment = "MatchPattern-v0", Samples = 2, Episodes = 1 }, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<PolicyLabException>(() => ReturnSampler.Sample(options with { Samples = 1 }, 0));
    }
}
