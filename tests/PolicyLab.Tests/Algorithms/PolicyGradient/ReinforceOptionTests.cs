using PolicyLab.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>REINFORCE's options through the algorithm (the return and baseline arithmetic is in <see cref="ReinforceTests"/>).</summary>
public class ReinforceOptionTests
{
    private static OptionRun Reinforce(string env, int updates, params string[] pairs) =>
        OptionTestKit.Run<ReinforceSettings>(env, (c, s, r) => new Reinforce(c, s, r), ["policy_layers=[16]", "value_layers=[16]", .. pairs], updates);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Episodes_per_env_sets_the_batch(int episodes)
    {
        // MatchBits-v0 episodes last one step: a batch is n_envs × episodes_per_env steps, every update.
        OptionRun run = Reinforce("MatchBits-v0", 2, $"episodes_per_env={episodes}");
        Assert.All(run.Updates, u => Assert.Equal(2 * episodes, u["batch_steps"]));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mean")]
    public void Only_the_value_baseline_trains_a_critic(string baseline)
    {
        OptionRun run = Reinforce("CartPole-v1", 1, $"baseline={baseline}");
        Assert.Equal(run.Before[run.Actor..], run.After[run.Actor..]);
        Assert.False(run.Last.Contains("value_loss"));
        Assert.Equal(0, run.OptimizerSteps("value_optimizer"));
    }

    [Fact]
    public void Value_baseline_fits_the_critic_with_train_v_iters_steps_at_vf_learning_rate()
    {
        OptionRun run = Reinforce("CartPole-v1", 1, "baseline=value", "train_v_iters=1", "vf_learning_rate=0.004");
        Assert.Equal(1, run.OptimizerSteps("value_optimizer"));
        Assert.InRange(run.MaxCriticChange, 0.95 * 4e-3, 1.001 * 4e-3);   // Adam's first step ≈ lr
        OptionRun more = Reinforce("CartPole-v1", 1, "baseline=value", "train_v_iters=30");
        Assert.Equal(30, more.OptimizerSteps("value_optimizer"));
        Assert.True(more.Last["value_loss_after"] < more.Last["value_loss"]);
    }
}
