using PolicyLab.Environments;
using PolicyLab.Environments.Bandits;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Tests.Environments.Bandits;

public class BanditTests
{
    [Fact]
    public void Deterministic_arms_pay_their_mean_and_every_episode_is_one_step()
    {
        using var bandit = new MultiArmedBandit([0.5, -1.0, 2.0], BanditRewardKind.Deterministic);
        Assert.Equal(2, bandit.BestArm);
        for (int arm = 0; arm < 3; arm++)
        {
            float[] obs = bandit.Reset(seed: 1);
            Assert.Equal(new[] { 0f }, obs);
            (float[] next, StepResult r) = bandit.Step(arm);
            Assert.Equal(bandit.Means[arm], r.Reward);
            Assert.True(r.Terminated);
            Assert.Equal(new[] { 0f }, next);
            Assert.Equal(2.0 - bandit.Means[arm], bandit.Info[InfoKeys.Regret]);
            Assert.Equal(bandit.Means[arm], bandit.Info[InfoKeys.ArmMean]);
            Assert.Throws<PolicyLabException>(() => bandit.Step(arm));
        }
    }

    [Fact]
    public void Gaussian_and_bernoulli_arms_have_the_right_mean_and_are_seeded()
    {
        using var gaussian = new MultiArmedBandit([1.0, 3.0], BanditRewardKind.Gaussian, standardDeviation: 0.5);
        using var bernoulli = new MultiArmedBandit([0.2, 0.7], BanditRewardKind.Bernoulli);
        gaussian.Reset(seed: 9);
        bernoulli.Reset(seed: 9);
        double gaussianSum = 0, bernoulliSum = 0;
        const int n = 20000;
        for (int i = 0; i < n; i++)
        {
            gaussian.Reset();
            gaussianSum += gaussian.Step(1).Result.Reward;
            bernoulli.Reset();
            double b = bernoulli.Step(1).Result.Reward;
            Assert.True(b is 0.0 or 1.0);
            bernoulliSum += b;
        }
        Assert.Equal(3.0, gaussianSum / n, 1);
        Assert.Equal(0.7, bernoulliSum / n, 1);

        using var again = new MultiArmedBandit([1.0, 3.0], BanditRewardKind.Gaussian, standardDeviation: 0.5);
        gaussian.Reset(seed: 4);
        again.Reset(seed: 4);
        Assert.Equal(gaussian.Step(0).Result.Reward, again.Step(0).Result.Reward);
    }

    [Fact]
    public void Registered_bandit_has_sensible_defaults_and_accepts_arguments()
    {
        using IEnvironment env = EnvironmentRegistry.Make("Bandit-v0");
        var bandit = Assert.IsType<MultiArmedBandit>(env);
        Assert.Equal(10, bandit.ArmCount);
        Assert.Equal(9, bandit.BestArm);
        Assert.Equal(BanditRewardKind.Gaussian, bandit.Kind);

        using IEnvironment custom = EnvironmentRegistry.Make("Bandit-v0", new Dictionary<string, object>
        {
            ["means"] = new[] { 0.1, 0.9 },
            ["kind"] = "bernoulli",
        });
        Assert.Equal(BanditRewardKind.Bernoulli, ((MultiArmedBandit)custom).Kind);
        Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Bandit-v0", new Dictionary<string, object> { ["means"] = new[] { 1.5 }, ["kind"] = "bernoulli" }));
        Assert.Throws<PolicyLabException>(() => new MultiArmedBandit([]));
    }

    [Fact]
    public void Episode_statistics_see_one_step_episodes()
    {
        using var env = new EpisodeStatistics(new MultiArmedBandit([1.0, 2.0], BanditRewardKind.Deterministic));
        env.Reset(seed: 0);
        env.Step(1);
        Assert.Equal(2.0, env.Info[InfoKeys.EpisodeReturn]);
        Assert.Equal(1.0, env.Info[InfoKeys.EpisodeLength]);
    }
}
