using PolicyLab.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>A2C's optimizer options: one update is one optimizer step, whose first move has a closed-form size.</summary>
public class A2cOptionTests
{
    private const double Lr = 7e-4;   // A2C's default learning rate

    private static OptionRun A2c(params string[] pairs) =>
        OptionTestKit.Run<A2cSettings>("CartPole-v1", (c, s, r) => new A2c(c, s, r), ["n_steps=8", .. pairs]);

    private static double MaxChange(OptionRun run) => OptionTestKit.MaxChange(run.Before, run.After);

    [Theory]
    [InlineData(0.99)]
    [InlineData(0.9)]
    public void Rms_prop_first_step_is_lr_over_sqrt_of_1_minus_alpha(double alpha)
    {
        // v = (1 − α)·g² after one step, so |Δθ| = lr·|g| / (√(1 − α)·|g| + ε) → lr / √(1 − α) for |g| ≫ ε.
        OptionRun run = A2c("use_rms_prop=true", $"rms_prop_alpha={alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        double expected = Lr / Math.Sqrt(1 - alpha);
        Assert.InRange(MaxChange(run), 0.95 * expected, 1.001 * expected);
        Assert.Equal(1, run.OptimizerSteps("optimizer"));
        Assert.Contains("optimizer.square_avg", run.State.Names);
    }

    [Fact]
    public void Without_rms_prop_the_optimizer_is_adam_whose_first_step_is_lr()
    {
        OptionRun run = A2c("use_rms_prop=false");
        Assert.InRange(MaxChange(run), 0.95 * Lr, 1.001 * Lr);
        Assert.Contains("optimizer.exp_avg", run.State.Names);
        Assert.DoesNotContain("optimizer.square_avg", run.State.Names);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Large_rms_prop_eps_damps_the_step_of_either_optimizer(bool rmsProp)
    {
        // ε = 1 dominates the denominator: |Δθ| < lr·|g| ≤ lr·max_grad_norm (0.5), far below the ε = 1e-5 step.
        OptionRun damped = A2c($"use_rms_prop={(rmsProp ? "true" : "false")}", "rms_prop_eps=1");
        OptionRun plain = A2c($"use_rms_prop={(rmsProp ? "true" : "false")}", "rms_prop_eps=1e-5");
        Assert.True(MaxChange(damped) > 0);
        Assert.True(MaxChange(damped) <= 0.5 * Lr * 1.001, $"max |Δθ| {MaxChange(damped)}");
        Assert.True(MaxChange(plain) > 1.5 * MaxChange(damped), $"{MaxChange(plain)} vs {MaxChange(damped)}");
    }
}
