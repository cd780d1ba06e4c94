using PolicyLab.Environments;
using PolicyLab.Environments.Finance;
using PolicyLab.Finance;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Finance;

public class LiquidationEnvironmentTests
{
    private static readonly AlmgrenChrissParameters Paper = new();

    [Fact]
    public void Steps_follow_the_discrete_almgren_chriss_dynamics_with_the_environments_own_shocks()
    {
        var options = new LiquidationOptions { ReturnLags = 2 };
        using var env = new LiquidationEnvironment(options);
        var obs = new float[env.ObservationSize];
        env.Reset(obs, seed: 7);
        Assert.Equal([1f, 1f, 0f, 0f], obs);

        var shocks = new Rng(7UL);
        shocks.NextDouble(); // the regime draw at reset
        double price = 50, remaining = 1e6, shortfall = 0, previousReturn = 0;
        double[] fractions = [0.3, 0.5, 0.0, 0.25, 0.9];
        for (int k = 0; k < 5; k++)
        {
            double fraction = (float)fractions[k]; // the action travels as a float
            double n = k == 4 ? remaining : fraction * remaining;
            double execution = price - (n > 0 ? 0.0625 : 0) - 2.5e-6 * n;
            double periodShortfall = n * (50 - execution);
            remaining -= n;
            double reward = -(periodShortfall + 1e-6 * 0.95 * 0.95 * remaining * remaining) * 1e-6;
            double xi = shocks.Normal();
            shocks.NextDouble();
            double next = price + 0.95 * xi - 2.5e-7 * n;
            double logReturn = Math.Log(next / price) * 50 / 0.95;
            price = next;
            shortfall += periodShortfall;

            StepResult r = env.Step([(float)fractions[k]], obs);
            Assert.Equal(reward, r.Reward, 1e-9);
            Assert.Equal(k == 4, r.Terminated);
            Assert.False(r.Truncated);
            Assert.Equal(price, env.Price, 9);
            Assert.Equal(shortfall, env.Shortfall, 3);
            Assert.Equal(shortfall, env.Info[LiquidationEnvironment.ShortfallKey], 3);
            Assert.Equal((float)(remaining / 1e6), obs[0], 6);
            Assert.Equal((float)((4 - k) / 5.0), obs[1]);
            Assert.Equal((float)logReturn, obs[2], 5);
            Assert.Equal((float)previousReturn, obs[3], 5);
            previousReturn = logReturn;
        }
        Assert.Equal(0, env.Remaining);
        Assert.Throws<PolicyLabException>(() => env.Step([0.5f], obs));
    }

    [Fact]
    public void Selling_everything_ends_the_episode_at_once_and_shortfall_reward_sums_to_minus_the_shortfall()
    {
        using var env = new LiquidationEnvironment(new LiquidationOptions { Reward = LiquidationReward.Shortfall });
        var obs = new float[env.ObservationSize];
        env.Reset(obs, seed: 1);
        StepResult r = env.Step([1f], obs);
        Assert.True(r.Terminated);
        Assert.Equal(0f, obs[0]);
        Assert.Equal(2_562_500, env.Shortfall, 6); // εX + ηX²/τ: the closed form's immediate-sale cost
        Assert.Equal(-env.Shortfall * 1e-6, r.Reward, 12);
    }

    [Fact]
    public void Same_seed_gives_identical_episodes_and_different_policies_share_the_price_shocks()
    {
        double[] Run(float fraction, ulong seed, out double[] prices)
        {
            using var env = new LiquidationEnvironment();
            var obs = new float[env.ObservationSize];
            env.Reset(obs, seed: seed);
            var rewards = new List<double>();
            var traded = new List<double>();
            while (true)
            {
                StepResult r = env.Step([fraction], obs);
                rewards.Add(r.Reward);
                traded.Add(env.Info[LiquidationEnvironment.TradedKey]);
                if (r.Done) break;
            }
            // Undo the permanent impact: what is left is the unaffected random walk.
            double cumulative = 0;
            prices = [.. env.PricePath.Select((p, i) => { if (i > 0) cumulative += traded[i - 1]; return p + 2.5e-7 * cumulative; })];
            return [.. rewards];
        }
        Assert.Equal(Run(0.4f, 5, out double[] a), Run(0.4f, 5, out double[] a2));
        Assert.Equal(a, a2);
        Run(0.1f, 5, out double[] b);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 9);
        Run(0.4f, 6, out double[] c);
        Assert.NotEqual(a[1], c[1]);
    }

    [Fact]
    public void Discrete_variant_maps_levels_to_fractions_and_rejects_other_indices()
    {
        using IEnvironment env = EnvironmentRegistry.Make("LiquidationDiscrete-v0");
        var liquidation = (LiquidationEnvironment)env.Unwrapped();
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        env.Step([10f], obs); // 10/20 = half
        Assert.Equal(500_000, liquidation.Remaining, 6);
        Assert.Equal(10f, liquidation.ActionFor(0.5));
        Assert.Throws<PolicyLabException>(() => env.Step([21f], obs));
        Assert.Throws<PolicyLabException>(() => env.Step([2.5f], obs));
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void Fractions_outside_zero_one_are_errors(float action)
    {
        using var env = new LiquidationEnvironment();
        var obs = new float[env.ObservationSize];
        env.Reset(obs);
        var e = Assert.Throws<PolicyLabException>(() => env.Step([action], obs));
        Assert.Contains(float.IsNaN(action) ? "NaN" : "fraction", e.Message);
        Assert.Throws<PolicyLabException>(() => env.ActionFor(1.01));
    }

    [Theory]
    [InlineData("shares", -1.0)]
    [InlineData("shares", 0.0)]
    [InlineData("periods", 0)]
    [InlineData("horizon", 0.0)]
    [InlineData("temporary_impact", 0.0)]
    [InlineData("permanent_impact", -1e-7)]
    [InlineData("fixed_cost", -0.01)]
    [InlineData("risk_aversion", -1e-6)]
    [InlineData("volatility", -1.0)]
    [InlineData("action_levels", 1)]
    [InlineData("vol_switch_probability", 1.5)]
    public void Bad_environment_arguments_name_the_parameter(string name, object value)
    {
        var e = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Liquidation-v0", new Dictionary<string, object> { [name] = value }));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Registered_variants_pass_the_checker_and_have_the_advertised_settings()
    {
        foreach (string id in new[] { "Liquidation-v0", "LiquidationDiscrete-v0", "LiquidationRiskAverse-v0", "LiquidationStochVol-v0", "LiquidationTransient-v0" })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env));
        }
        using var averse = EnvironmentRegistry.Make("LiquidationRiskAverse-v0");
        Assert.Equal(2e-6, ((LiquidationEnvironment)averse.Unwrapped()).Options.Market.RiskAversion);
        using var geometric = EnvironmentRegistry.Make("Liquidation-v0", new Dictionary<string, object> { ["price_model"] = "geometric", ["return_lags"] = 0 });
        var g = (LiquidationEnvironment)geometric.Unwrapped();
        Assert.Equal(PriceModel.Geometric, g.Options.PriceModel);
        Assert.Equal(2, geometric.ObservationSpace.FlatSize);
    }

    [Fact]
    public void Stochastic_volatility_regimes_switch_are_observed_and_scale_the_shocks()
    {
        using IEnvironment env = EnvironmentRegistry.Make("LiquidationStochVol-v0");
        var liquidation = (LiquidationEnvironment)env.Unwrapped();
        var obs = new float[env.ObservationSpace.FlatSize];
        int high = 0, switches = 0, steps = 0;
        for (ulong episode = 0; episode < 2000; episode++)
        {
            env.Reset(obs, seed: episode);
            float regime = obs[^1];
            Assert.True(regime is 0.4f or 1.6f);
            if (regime == 1.6f) high++;
            while (!env.Step([0.1f], obs).Done)
            {
                steps++;
                if (obs[^1] != regime) switches++;
                regime = obs[^1];
                Assert.Equal(0.95 * regime, liquidation.CurrentVolatility, 6);
            }
        }
        Assert.InRange(high, 900, 1100);
        Assert.InRange(switches / (double)steps, 0.08, 0.12);
    }

    [Fact]
    public void Saved_state_restores_the_episode_bit_identically()
    {
        using var env = new LiquidationEnvironment();
        var obs = new float[env.ObservationSize];
        env.Reset(obs, seed: 3);
        env.Step([0.3f], obs);
        var state = new PolicyLab.Numerics.Serialization.StateDictionary();
        env.SaveState(state, "e");
        double[] Rest(LiquidationEnvironment e)
        {
            var o = new float[e.ObservationSize];
            var rewards = new List<double>();
            while (true)
            {
                StepResult r = e.Step([0.5f], o);
                rewards.Add(r.Reward);
                if (r.Done) return [.. rewards, e.Shortfall, .. o.Select(v => (double)v)];
            }
        }
        double[] first = Rest(env);
        using var other = new LiquidationEnvironment();
        other.LoadState(state, "e");
        Assert.Equal(first, Rest(other));
    }

    [Fact]
    public void Geometric_price_step_matches_hand_computation()
    {
        var options = new LiquidationOptions { PriceModel = PriceModel.Geometric, Market = Paper with { Drift = 0.02 } };
        using var env = new LiquidationEnvironment(options);
        var obs = new float[env.ObservationSize];
        env.Reset(obs, seed: 12);
        var shocks = new Rng(12UL);
        shocks.NextDouble();
        double xi = shocks.Normal();
        env.Step([0.5f], obs);
        double relative = 0.95 / 50;
        double expected = 50 * Math.Exp((0.02 / 50 - 0.5 * relative * relative) + relative * xi) - 2.5e-7 * 500_000;
        Assert.Equal(expected, env.Price, 10);
    }

    [Fact]
    public void With_almost_no_noise_the_shortfall_equals_the_analytic_cost_including_drift()
    {
        AlmgrenChrissParameters market = Paper with { Volatility = 1e-9, Drift = 0.02 };
        var policy = ScheduleExecutionPolicy.Twap(market);
        ExecutionResult r = ExecutionEvaluation.Evaluate(new LiquidationOptions { Market = market }, policy, 3, seed: 1);
        Assert.Equal(662_500 - 0.02 * (800_000 + 600_000 + 400_000 + 200_000), policy.Schedule.ExpectedCost, 6);
        Assert.All(r.Shortfalls, s => Assert.Equal(policy.Schedule.ExpectedCost, s, 1.0)); // float actions move trades by ≪ 1 share
    }

    [Fact]
    public void Ac_relative_reward_is_the_relative_reduction_of_the_remaining_positions_optimal_utility()
    {
        using IEnvironment env = EnvironmentRegistry.Make("Liquidation-v0", new Dictionary<string, object> { ["reward"] = "ac_relative" });
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 2);
        double u0 = AlmgrenChriss.OptimalUtility(Paper, 1e6, 5, 1e-6), u1 = AlmgrenChriss.OptimalUtility(Paper, 750_000, 4, 1e-6);
        Assert.Equal((u0 - u1) / u0, env.Step([0.25f], obs).Reward, 12);
        env.Step([0.5f], obs);
        env.Step([0.5f], obs);
        env.Step([0.5f], obs);
        Assert.Equal(1.0, env.Step([0.5f], obs).Reward); // the last period sells the rest: nothing left to cost
    }

    [Fact]
    public void Transient_impact_charges_each_trade_the_decayed_residual_of_earlier_trades()
    {
        AlmgrenChrissParameters market = Paper with { Volatility = 1e-9 };
        using IEnvironment env = EnvironmentRegistry.Make("LiquidationTransient-v0", new Dictionary<string, object> { ["volatility"] = 1e-9 });
        var liquidation = (LiquidationEnvironment)env.Unwrapped();
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        Assert.Equal(2 + 3 + 1, obs.Length);
        double residual = 0, expected = 0;
        double[] fractions = [0.2, 0.25, 1.0 / 3, 0.5, 1.0];
        double remaining = 1e6, permanent = 0;
        foreach (double f in fractions)
        {
            double n = remaining * (float)f;
            if (f == 1.0) n = remaining;
            double temporary = 2.5e-6 * n;
            expected += n * (0.0625 + temporary + residual + permanent);
            residual = 0.5 * (residual + temporary);
            permanent += 2.5e-7 * n;
            remaining -= n;
            env.Step([(float)f], obs);
            Assert.Equal((float)(residual / 0.5), obs[^1], 4); // over the TWAP impact (η/τ)·X/N = $0.5
        }
        Assert.Equal(expected, liquidation.Shortfall, 0.05); // σ = 1e-9 still moves it by ~$0.002
        Assert.True(liquidation.Shortfall > AlmgrenChriss.Twap(market).ExpectedCost + 100_000); // the lingering impact costs
        var bad = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Liquidation-v0", new Dictionary<string, object> { ["impact_decay"] = 1.0 }));
        Assert.Contains("impact_decay", bad.Message);
    }
}
