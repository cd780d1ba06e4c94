using PolicyLab.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>VPG's separate actor and critic optimizers follow their own options (Adam's first step moves a parameter by ≈ its learning rate).</summary>
public class VpgOptionTests
{
    private static OptionRun Vpg(params string[] pairs) =>
        OptionTestKit.Run<VpgSettings>("CartPole-v1", (c, s, r) => new Vpg(c, s, r), ["n_steps=64", .. pairs]);

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    public void Vf_learning_rate_sets_the_critic_step_and_learning_rate_the_actor_step(double valueLr)
    {
        string v = valueLr.ToString(System.Globalization.CultureInfo.InvariantCulture);
        OptionRun run = Vpg("learning_rate=0.0002", $"vf_learning_rate={v}", "train_v_iters=1");
        Assert.InRange(run.MaxCriticChange, 0.95 * valueLr, 1.001 * valueLr);
        Assert.InRange(run.MaxActorChange, 0.95 * 2e-4, 1.001 * 2e-4);
        Assert.Equal(1, run.Last["learning_rate"] / 2e-4, 5);
    }

    [Fact]
    public void Vf_learning_rate_zero_leaves_the_critic_untouched()
    {
        OptionRun run = Vpg("vf_learning_rate=0", "train_v_iters=5");
        Assert.Equal(run.Before[run.Actor..], run.After[run.Actor..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Train_v_iters_is_the_number_of_critic_steps(int iterations)
    {
        OptionRun run = Vpg($"train_v_iters={iterations}");
        Assert.Equal(iterations, run.OptimizerSteps("value_optimizer"));
        Assert.Equal(1, run.OptimizerSteps("policy_optimizer"));
        Assert.Equal(iterations > 0, run.Last.Contains("value_loss_after"));
        if (iterations == 0) Assert.Equal(run.Before[run.Actor..], run.After[run.Actor..]);
    }

    [Fact]
    public void Vf_coef_is_unused()
    {
        Assert.Equal(Vpg("vf_coef=0", "train_v_iters=3").After, Vpg("vf_coef=2", "train_v_iters=3").After);
    }

    [Fact]
    public void Max_grad_norm_clips_each_network()
    {
        // Each network's gradient clipped to norm c: with Adam's ε = 1e-8, one step moves a parameter by at most lr·c/ε.
        const double c = 1e-10, eps = 1e-8;
        OptionRun run = Vpg("max_grad_norm=1e-10", "learning_rate=0.0003", "vf_learning_rate=0.001", "train_v_iters=3");
        Assert.True(run.MaxActorChange > 0 && run.MaxActorChange <= 3e-4 * c / eps * 1.05, $"actor {run.MaxActorChange}");
        Assert.True(run.MaxCriticChange > 0 && run.MaxCriticChange <= 3 * 1e-3 * c / eps * 1.05, $"critic {run.MaxCriticChange}");
        OptionRun free = Vpg("learning_rate=0.0003", "vf_learning_rate=0.001", "train_v_iters=3");
        Assert.True(free.MaxActorChange > 10 * run.MaxActorChange);
    }
}
