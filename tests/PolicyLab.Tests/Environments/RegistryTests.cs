using PolicyLab;
using PolicyLab.Environments;
using PolicyLab.Environments.Bandits;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Tests.Environments;

public class RegistryTests
{
    [Theory]
    [InlineData("CartPole-v1", 500, 475.0)]
    [InlineData("CartPole-v0", 200, 195.0)]
    [InlineData("Acrobot-v1", 500, -100.0)]
    [InlineData("MountainCar-v0", 200, -110.0)]
    [InlineData("MountainCarContinuous-v0", 999, 90.0)]
    public void Registered_limits_and_thresholds_match_the_table(string id, int steps, double threshold)
    {
        EnvironmentSpec spec = EnvironmentRegistry.Spec(id);
        Assert.Equal(steps, spec.MaxEpisodeSteps);
        Assert.Equal(threshold, spec.RewardThreshold);
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var limit = Assert.IsType<TimeLimit>(env);
        Assert.Equal(steps, limit.MaxEpisodeSteps);
        Assert.Equal(id, env.Spec!.Id);
        Assert.Equal(id, ((EnvironmentBase)env.Unwrapped()).Id);
    }

    [Fact]
    public void Pendulum_has_no_threshold_and_a_200_step_limit()
    {
        EnvironmentSpec spec = EnvironmentRegistry.Spec("Pendulum-v1");
        Assert.Null(spec.RewardThreshold);
        Assert.Equal(200, spec.MaxEpisodeSteps);
        using IEnvironment env = EnvironmentRegistry.Make("Pendulum-v1");
        env.Reset(seed: 0);
        int steps = 0;
        while (!env.Step(0f).Result.Truncated)
            steps++;
        Assert.Equal(199, steps);
    }

    [Fact]
    public void Arguments_override_defaults_and_unknown_arguments_are_rejected()
    {
        using IEnvironment env = EnvironmentRegistry.Make("Pendulum-v1", new Dictionary<string, object> { ["g"] = 9.81 });
        Assert.Equal(9.81, ((Pendulum)env.Unwrapped()).Gravity);
        Assert.Equal(9.81, env.Spec!.DefaultArguments["g"]);
        var ex = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Pendulum-v1", new Dictionary<string, object> { ["gravity"] = 9.81 }));
        Assert.Contains("'gravity'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("g", ex.Message, StringComparison.Ordinal);
        Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Pendulum-v1", new Dictionary<string, object> { ["g"] = true }));
    }

    [Fact]
    public void Max_episode_steps_can_be_overridden_or_removed()
    {
        using IEnvironment shorter = EnvironmentRegistry.Make("CartPole-v1", maxEpisodeSteps: 10);
        Assert.Equal(10, Assert.IsType<TimeLimit>(shorter).MaxEpisodeSteps);
        using IEnvironment unlimited = EnvironmentRegistry.Make("CartPole-v1", maxEpisodeSteps: 0);
        Assert.IsType<CartPole>(unlimited);
        Assert.Null(unlimited.Spec!.MaxEpisodeSteps);
    }

    [Theory]
    [InlineData("CartPol-v1", "CartPole-v1")]
    [InlineData("cartpole-v1", "CartPole-v1")]
    [InlineData("CartPole-v2", "CartPole-v1")]
    [InlineData("MountainCar-v1", "MountainCar-v0")]
    [InlineData("Pendulum", "Pendulum-v1")]
    public void Unknown_ids_suggest_close_matches(string typo, string suggestion)
    {
        var ex = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make(typo));
        Assert.Contains($"'{typo}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{suggestion}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unrelated_ids_list_everything_registered()
    {
        var ex = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Zzzzzzzzzzzzzz"));
        Assert.Contains("Registered ids are", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Acrobot-v1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_distance()
    {
        Assert.Equal(0, NameSuggestions.EditDistance("abc", "abc"));
        Assert.Equal(1, NameSuggestions.EditDistance("abc", "abd"));
        Assert.Equal(3, NameSuggestions.EditDistance("kitten", "sitting"));
        Assert.Equal(3, NameSuggestions.EditDistance("", "abc"));
    }

    [Fact]
    public void Users_can_register_their_own_ids()
    {
        const string id = "TestBandit-v7";
        EnvironmentRegistry.Register(id, () => new MultiArmedBandit([1.0, 2.0], BanditRewardKind.Deterministic), maxEpisodeSteps: 3, rewardThreshold: 2.0);
        try
        {
            Assert.Contains(id, EnvironmentRegistry.Ids);
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Equal(id, env.Spec!.Id);
            Assert.Equal(2.0, env.Spec.RewardThreshold);
            Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Register(id, () => new CartPole()));
            EnvironmentRegistry.Register(id, () => new CartPole(), replace: true);
            using IEnvironment replaced = EnvironmentRegistry.Make(id);
            Assert.IsType<CartPole>(replaced.Unwrapped());
        }
        finally
        {
            EnvironmentRegistry.Unregister(id);
        }
    }

    [Fact]
    public void Every_registered_environment_passes_the_checker()
    {
        foreach (string id in new[] { "CartPole-v1", "CartPole-v0", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Bandit-v0" })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
        }
    }
}
