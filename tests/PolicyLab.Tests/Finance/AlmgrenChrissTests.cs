using PolicyLab.Environments.Finance;
using PolicyLab.Finance;

namespace PolicyLab.Tests.Finance;

public class AlmgrenChrissTests
{
    private static readonly AlmgrenChrissParameters Paper = new();

    private static double[] Rounded(double[] values) => [.. values.Select(v => Math.Round(v))];

    [Fact]
    public void Worked_example_at_lambda_1e6_matches_the_printed_holdings_trades_cost_and_deviation()
    {
        ExecutionSchedule s = AlmgrenChriss.Optimal(Paper, 1e-6);
        Assert.Equal([1_000_000, 541_956, 289_854, 147_897, 62_142, 0], Rounded(s.Holdings));
        Assert.Equal([458_044, 252_101, 141_957, 85_756, 62_142], Rounded(s.Trades));
        Assert.Equal(911_227, Math.Round(s.ExpectedCost));
        Assert.Equal(603_431, Math.Round(s.StandardDeviation));
        Assert.Equal(1_275_356, Math.Round(s.Utility(1e-6)));
        Assert.Equal(0.60708, Math.Round(AlmgrenChriss.Kappa(Paper, 1e-6), 5));
        Assert.Equal(2.375e-6, Paper.AdjustedTemporaryImpact, 15);
    }

    [Fact]
    public void Other_rows_of_the_example_table_twap_lambda_2e6_and_immediate_sale()
    {
        ExecutionSchedule twap = AlmgrenChriss.Optimal(Paper, 0);
        Assert.Equal([1_000_000, 800_000, 600_000, 400_000, 200_000, 0], Rounded(twap.Holdings));
        Assert.Equal(662_500, Math.Round(twap.ExpectedCost));
        Assert.Equal(1_040_673, Math.Round(twap.StandardDeviation));
        Assert.Equal(twap.Holdings, AlmgrenChriss.Twap(Paper).Holdings);

        ExecutionSchedule averse = AlmgrenChriss.Optimal(Paper, 2e-6);
        Assert.Equal([1_000_000, 428_599, 182_933, 76_296, 27_643, 0], Rounded(averse.Holdings));
        Assert.Equal(1_140_715, Math.Round(averse.ExpectedCost));
        Assert.Equal(449_368, Math.Round(averse.StandardDeviation));
        Assert.Equal(0.84630, Math.Round(AlmgrenChriss.Kappa(Paper, 2e-6), 5));

        ExecutionSchedule immediate = ScheduleExecutionPolicy.Immediate(Paper).Schedule;
        Assert.Equal(2_562_500, Math.Round(immediate.ExpectedCost));
        Assert.Equal(0, immediate.Variance);
    }

    [Theory]
    [InlineData(1e-8)]
    [InlineData(1e-6)]
    [InlineData(2e-6)]
    [InlineData(1e-4)]
    public void Papers_closed_form_cost_and_the_cosh_trade_formula_agree_with_the_direct_sums(double lambda)
    {
        ExecutionSchedule s = AlmgrenChriss.Optimal(Paper, lambda);
        Assert.Equal(1, AlmgrenChriss.ClosedFormExpectedCost(Paper, lambda) / s.ExpectedCost, 9);
        Assert.Equal(1, AlmgrenChriss.ClosedFormVariance(Paper, lambda) / s.Variance, 9);
        double kappa = AlmgrenChriss.Kappa(Paper, lambda), tau = Paper.Tau, horizon = Paper.Horizon;
        for (int j = 1; j <= Paper.Periods; j++)
        {
            double trade = 2 * Math.Sinh(0.5 * kappa * tau) / Math.Sinh(kappa * horizon) * Math.Cosh(kappa * (horizon - (j - 0.5) * tau)) * Paper.Shares;
            Assert.Equal(1, trade / s.Trades[j - 1], 9);
        }
    }

    [Fact]
    public void Holdings_are_fully_liquidated_unlike_the_cosh_formula_of_the_lecture_notes()
    {
        double kappa = AlmgrenChriss.Kappa(Paper, 1e-6);
        double coshLeftover = 1 / Math.Cosh(kappa * Paper.Horizon); // x(T)/X of the wrong formula
        Assert.Equal(0.096, Math.Round(coshLeftover, 3));
        Assert.Equal(0.0, AlmgrenChriss.OptimalHoldings(Paper, 1e-6)[^1]);
        Assert.Equal(Paper.Shares, AlmgrenChriss.Optimal(Paper, 1e-6).Trades.Sum(), 6);
    }

    [Fact]
    public void Frontier_runs_from_twap_to_immediate_sale_is_convex_and_each_lambda_is_the_tangent_of_slope_minus_lambda()
    {
        double[] lambdas = AlmgrenChriss.FrontierRiskAversions(Paper, 61);
        FrontierPoint[] frontier = AlmgrenChriss.Frontier(Paper, lambdas);
        ExecutionSchedule twap = AlmgrenChriss.Twap(Paper);
        Assert.Equal(twap.ExpectedCost, frontier[0].ExpectedCost, 6);
        Assert.Equal(1, frontier[1].Variance / twap.Variance, 2); // λ = 10⁻⁹ is TWAP to 1 %
        for (int i = 1; i < frontier.Length; i++)
        {
            Assert.True(frontier[i].ExpectedCost > frontier[i - 1].ExpectedCost, $"E must grow with λ (point {i})");
            Assert.True(frontier[i].Variance < frontier[i - 1].Variance, $"Var must shrink with λ (point {i})");
        }
        for (int i = 2; i < frontier.Length - 1; i++)
        {
            double left = (frontier[i].ExpectedCost - frontier[i - 1].ExpectedCost) / (frontier[i].Variance - frontier[i - 1].Variance);
            double right = (frontier[i + 1].ExpectedCost - frontier[i].ExpectedCost) / (frontier[i + 1].Variance - frontier[i].Variance);
            Assert.True(right < left, $"convex: slopes must fall (more negative) towards low variance at point {i}");
        }
        // Tangency: dE/dV = −λ at the point of λ (central difference in λ).
        foreach (double lambda in new[] { 1e-7, 1e-6, 2e-6, 1e-5 })
        {
            FrontierPoint[] around = AlmgrenChriss.Frontier(Paper, [lambda * 0.999, lambda * 1.001]);
            double slope = (around[1].ExpectedCost - around[0].ExpectedCost) / (around[1].Variance - around[0].Variance);
            Assert.Equal(-lambda, slope, lambda * 1e-3);
        }
        // Very large λ: essentially everything is sold in the first period.
        ExecutionSchedule extreme = AlmgrenChriss.Optimal(Paper, 1.0);
        Assert.True(extreme.Holdings[1] < 1e-3 * Paper.Shares);
        Assert.Equal(1, extreme.ExpectedCost / 2_562_500, 3);
        ExecutionSchedule huge = AlmgrenChriss.Optimal(Paper, 1e6); // κT ≫ 710: no overflow
        Assert.All(huge.Holdings, x => Assert.True(double.IsFinite(x)));
    }

    [Fact]
    public void Optimal_schedule_beats_perturbed_schedules_in_utility()
    {
        const double lambda = 1e-6;
        ExecutionSchedule best = AlmgrenChriss.Optimal(Paper, lambda);
        foreach (int j in new[] { 1, 2, 3, 4 })
        {
            foreach (double delta in new[] { -5000.0, 5000.0 })
            {
                double[] holdings = [.. best.Holdings];
                holdings[j] += delta;
                Assert.True(AlmgrenChriss.Evaluate(Paper, holdings).Utility(lambda) > best.Utility(lambda));
            }
        }
        Assert.True(AlmgrenChriss.Twap(Paper).Utility(lambda) > best.Utility(lambda));
        Assert.True(ScheduleExecutionPolicy.Vwap(Paper).Schedule.Utility(lambda) > best.Utility(lambda));
    }

    [Fact]
    public void Vwap_trades_follow_the_volume_profile()
    {
        ExecutionSchedule s = AlmgrenChriss.Vwap(Paper, [1, 2, 3, 2, 2]);
        Assert.Equal([100_000, 200_000, 300_000, 200_000, 200_000], Rounded(s.Trades));
        double[] u = AlmgrenChriss.UShapedVolumeProfile(5);
        Assert.True(u[0] > u[2] && u[4] > u[2]);
        Assert.Contains("one weight per period", Assert.Throws<PolicyLabException>(() => AlmgrenChriss.Vwap(Paper, [1, 2])).Message);
    }

    [Theory]
    [InlineData("shares")]
    [InlineData("periods")]
    [InlineData("horizon")]
    [InlineData("temporary_impact")]
    [InlineData("permanent_impact")]
    [InlineData("fixed_cost")]
    [InlineData("volatility")]
    [InlineData("risk_aversion")]
    public void Bad_parameters_are_rejected_with_their_name(string name)
    {
        AlmgrenChrissParameters bad = name switch
        {
            "shares" => Paper with { Shares = 0 },
            "periods" => Paper with { Periods = 0 },
            "horizon" => Paper with { Horizon = -5 },
            "temporary_impact" => Paper with { TemporaryImpact = -1e-6 },
            "permanent_impact" => Paper with { PermanentImpact = -1e-7 },
            "fixed_cost" => Paper with { FixedCost = -0.1 },
            "volatility" => Paper with { Volatility = 0 },
            _ => Paper with { RiskAversion = -1e-6 },
        };
        Assert.Contains(name, Assert.Throws<PolicyLabException>(() => bad.Validate()).Message);
        Assert.Contains("risk_aversion", Assert.Throws<PolicyLabException>(() => AlmgrenChriss.Optimal(Paper, -1)).Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-6)]
    [InlineData(2e-6)]
    [InlineData(1e-3)]
    public void Optimal_utility_of_a_remaining_position_matches_the_schedule_solved_for_it(double lambda)
    {
        foreach ((double shares, int periods) in new[] { (1e6, 5), (541_956.0, 4), (62_142.0, 1), (300_000.0, 3), (0.0, 2) })
        {
            double expected = shares == 0 ? 0 : AlmgrenChriss.Optimal(Paper with { Shares = shares, Periods = periods, Horizon = periods * Paper.Tau }, lambda).Utility(lambda);
            Assert.Equal(expected, AlmgrenChriss.OptimalUtility(Paper, shares, periods, lambda), Math.Max(1e-6, expected * 1e-9));
        }
        Assert.Equal(1_275_356, Math.Round(AlmgrenChriss.OptimalUtility(Paper, 1e6, 5, 1e-6)));
    }

    [Fact]
    public void Static_optimum_with_decaying_impact_reduces_to_almgren_chriss_and_beats_it_when_impact_lingers()
    {
        double[] ac = AlmgrenChriss.Optimal(Paper, 1e-6).Holdings;
        double[] qp = AlmgrenChriss.OptimalWithTransientImpact(Paper, 1e-6, 0.0).Holdings;
        for (int j = 0; j < ac.Length; j++) Assert.Equal(ac[j], qp[j], 1e-3);

        ExecutionSchedule transient = AlmgrenChriss.OptimalWithTransientImpact(Paper, 1e-6, 0.5);
        double acUtility = AlmgrenChriss.ExpectedCostWithTransientImpact(Paper, ac, 0.5) + 1e-6 * AlmgrenChriss.Optimal(Paper, 1e-6).Variance;
        Assert.True(transient.Utility(1e-6) < acUtility - 10_000, $"{transient.Utility(1e-6):F0} vs AC {acUtility:F0}");
        foreach (int j in new[] { 1, 2, 3, 4 })
        {
            double[] h = [.. transient.Holdings];
            h[j] += 3000;
            double u = AlmgrenChriss.ExpectedCostWithTransientImpact(Paper, h, 0.5) + 1e-6 * AlmgrenChriss.Evaluate(Paper, h).Variance;
            Assert.True(u > transient.Utility(1e-6));
        }
        var options = new LiquidationOptions { ImpactDecay = 0.5, Market = Paper with { Volatility = 1e-9 } };
        ExecutionResult run = ExecutionEvaluation.Evaluate(options, new ScheduleExecutionPolicy("qp", transient), 2, seed: 0);
        Assert.Equal(transient.ExpectedCost, run.Mean, 1.0);
    }
}
