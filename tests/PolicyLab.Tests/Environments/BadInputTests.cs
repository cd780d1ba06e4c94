using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;

namespace PolicyLab.Tests.Environments;

public class BadInputTests
{
    public static TheoryData<string> DiscreteIds => new() { "CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Bandit-v0" };

    public static TheoryData<string> AllIds => new() { "CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Bandit-v0" };

    [Theory]
    [MemberData(nameof(DiscreteIds))]
    public void Discrete_actions_outside_the_space_are_refused_naming_the_id(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        env.Reset(seed: 0);
        foreach (float bad in new[] { -1f, 0.5f, 99f, float.NaN, float.PositiveInfinity })
        {
            var ex = Assert.Throws<PolicyLabException>(() => env.Step([bad], new float[env.ObservationSpace.FlatSize]));
            Assert.Contains(id, ex.Message, StringComparison.Ordinal);
            Assert.Contains("action space", ex.Message, StringComparison.Ordinal);
            if (float.IsNaN(bad))
                Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
        }
        env.Step(0); // the refused actions did not end the episode
    }

    [Theory]
    [InlineData("Pendulum-v1")]
    [InlineData("MountainCarContinuous-v0")]
    public void NaN_and_infinite_continuous_actions_are_refused(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        env.Reset(seed: 0);
        var ex = Assert.Throws<PolicyLabException>(() => env.Step(float.NaN));
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
        var infinite = Assert.Throws<PolicyLabException>(() => env.Step(float.NegativeInfinity));
        Assert.Contains("infinity", infinite.Message, StringComparison.Ordinal);
        env.Step(0f); // refused actions do not end the episode
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Wrong_length_actions_are_refused(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        env.Reset(seed: 0);
        var ex = Assert.Throws<PolicyLabException>(() => env.Step([0f, 0f], new float[env.ObservationSpace.FlatSize]));
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 elements", ex.Message, StringComparison.Ordinal);
        Assert.Throws<PolicyLabException>(() => env.Step([], new float[env.ObservationSpace.FlatSize]));
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Wrong_length_observation_buffers_are_refused(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var ex = Assert.Throws<PolicyLabException>(() => env.Reset(new float[99]));
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Stepping_before_reset_is_refused(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var ex = Assert.Throws<PolicyLabException>(() => env.Step(new float[env.ActionSpace.FlatSize], new float[env.ObservationSpace.FlatSize]));
        Assert.Contains("Reset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stepping_after_termination_is_refused_until_reset()
    {
        using IEnvironment env = EnvironmentRegistry.Make("CartPole-v1");
        env.Reset(seed: 0);
        ((CartPole)env.Unwrapped()).State = [2.39, 1, 0, 0];
        Assert.True(env.Step(1).Result.Terminated);
        var ex = Assert.Throws<PolicyLabException>(() => env.Step(1));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Reset", ex.Message, StringComparison.Ordinal);
        env.Reset();
        env.Step(1);
    }

    [Fact]
    public void Raw_environment_refuses_stepping_after_termination_too()
    {
        using var env = new CartPole();
        env.State = [2.39, 1, 0, 0];
        env.Step(1);
        var ex = Assert.Throws<PolicyLabException>(() => env.Step(1));
        Assert.Contains("CartPole", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_states_are_refused()
    {
        using var env = new CartPole();
        Assert.Throws<PolicyLabException>(() => env.State = [1, 2, 3]);
        Assert.Throws<PolicyLabException>(() => env.State = [1, 2, double.NaN, 0]);
    }

    [Fact]
    public void Warnings_go_to_the_default_sink_once_per_instance()
    {
        var messages = new List<string>();
        Action<string>? previous = EnvironmentWarnings.DefaultSink;
        EnvironmentWarnings.DefaultSink = messages.Add;
        try
        {
            using IEnvironment env = EnvironmentRegistry.Make("Pendulum-v1");
            env.Reset(seed: 0);
            for (int i = 0; i < 5; i++)
                env.Step(3f);
            Assert.Single(messages);
            Assert.StartsWith("Pendulum-v1:", messages[0], StringComparison.Ordinal);
        }
        finally
        {
            EnvironmentWarnings.DefaultSink = previous;
        }
    }
}
