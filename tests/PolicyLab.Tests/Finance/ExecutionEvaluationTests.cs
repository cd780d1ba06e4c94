using PolicyLab.Environments.Finance;
using PolicyLab.Finance;

namespace PolicyLab.Tests.Finance;

public class ExecutionEvaluationTests
{
    private static readonly AlmgrenChrissParameters Paper = new();

    [Fact]
    public void Analytic_mean_and_variance_agree_with_monte_carlo_over_100k_price_paths()
    {
        const int paths = 100_000;
        var options = new LiquidationOptions();
        foreach (ScheduleExecutionPolicy policy in new[]
        {
            ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 1e-6),
            ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 2e-6),
            ScheduleExecutionPolicy.Twap(Paper),
            ScheduleExecutionPolicy.Vwap(Paper),
        })
        {
            ExecutionResult mc = ExecutionEvaluation.Evaluate(options, policy, paths, seed: 11);
            double e = policy.Schedule.ExpectedCost, v = policy.Schedule.Variance;
            // Gaussian shortfall: SE(mean) = sd/√n, SE(variance) = v·√(2/(n−1)); 4 standard errors.
            Assert.True(Math.Abs(mc.Mean - e) < 4 * Math.Sqrt(v / paths), $"{policy.Name}: MC mean {mc.Mean:F0} vs E {e:F0}");
            Assert.True(Math.Abs(mc.Variance - v) < 4 * v * Math.Sqrt(2.0 / (paths - 1)), $"{policy.Name}: MC var {mc.Variance:E4} vs V {v:E4}");
            // …and the agreement is not vacuous: the standard error is far below the gaps between strategies.
            Assert.True(4 * Math.Sqrt(v / paths) < 20_000);
        }
    }

    [Fact]
    public void Utility_reward_returns_are_minus_the_shortfall_plus_the_risk_charge_of_the_schedule()
    {
        var policy = ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 1e-6);
        using var env = new LiquidationEnvironment();
        var obs = new float[env.ObservationSize];
        env.Reset(obs, seed: 4);
        double ret = 0, charge = 0;
        while (true)
        {
            var r = env.Step([env.ActionFor(policy.Fraction(env, obs))], obs);
            ret += r.Reward;
            charge += 1e-6 * 0.95 * 0.95 * env.Remaining * env.Remaining;
            if (r.Done) break;
        }
        Assert.Equal(-(env.Shortfall + charge) * 1e-6, ret, 9);
        Assert.Equal(1e-6 * policy.Schedule.Variance, charge, 1e-3 * charge);
    }

    [Fact]
    public void Paired_comparison_on_common_random_numbers_is_much_tighter_than_independent_errors()
    {
        var options = new LiquidationOptions();
        ExecutionResult ac = ExecutionEvaluation.Evaluate(options, ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 1e-6), 10_000, 2);
        ExecutionResult nearby = ExecutionEvaluation.Evaluate(options, ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 1.2e-6), 10_000, 2);
        UtilityComparison c = ExecutionEvaluation.Compare(nearby, ac, 1e-6);
        double independent = Math.Sqrt(Math.Pow(ac.UtilityStandardError(1e-6), 2) + Math.Pow(nearby.UtilityStandardError(1e-6), 2));
        Assert.True(c.StandardError < independent / 3, $"paired SE {c.StandardError:F0} vs independent {independent:F0}");
        Assert.True(c.Lower95 < c.Difference && c.Difference < c.Upper95);
        Assert.Equal(ac.Shortfalls, ExecutionEvaluation.Evaluate(options, ScheduleExecutionPolicy.AlmgrenChrissFor(Paper, 1e-6), 10_000, 2).Shortfalls);
    }

    [Fact]
    public void Adaptive_almgren_chriss_beats_the_best_static_schedule_when_volatility_switches()
    {
        var options = new LiquidationOptions { VolatilityLow = 0.4, VolatilityHigh = 1.6, VolatilitySwitchProbability = 0.1 };
        AlmgrenChrissParameters effective = Paper with { Volatility = Paper.Volatility * Math.Sqrt(options.MeanSquaredVolatilityMultiplier) };
        ExecutionResult stat = ExecutionEvaluation.Evaluate(options, ScheduleExecutionPolicy.AlmgrenChrissFor(effective, 1e-6), 10_000, 9);
        ExecutionResult adaptive = ExecutionEvaluation.Evaluate(options, new AdaptiveAlmgrenChrissPolicy("adaptive", 1e-6), 10_000, 9);
        UtilityComparison c = ExecutionEvaluation.Compare(adaptive, stat, 1e-6);
        Assert.True(c.Upper95 < 0, $"adaptive − static = {c.Difference:F0} [{c.Lower95:F0}, {c.Upper95:F0}]");
    }
}
