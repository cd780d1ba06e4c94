using System.Globalization;
using PolicyLab.Environments.Bandits;
using PolicyLab.Environments.Box2D;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Diagnostics;
using PolicyLab.Environments.Finance;
using PolicyLab.Environments.Highway;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Environments;

/// <summary>
/// The table of environment ids (<c>CartPole-v1</c>, …) with their limits, thresholds and default arguments.
/// <see cref="Make"/> builds an environment and wraps it in a <see cref="TimeLimit"/> when the registration has a step
/// limit. Thread-safe.
/// </summary>
/// <remarks>
/// Built-in ids: CartPole-v1 (500 steps, threshold 475), CartPole-v0 (200, 195), Acrobot-v1 (500, −100),
/// MountainCar-v0 (200, −110), MountainCarContinuous-v0 (999, 90), Pendulum-v1 (200, none), Bandit-v0 (one step
/// per episode; 10 Gaussian arms with means 0.0, 0.1, …, 0.9 and noise 1), LunarLander-v3 and
/// LunarLanderContinuous-v3 (1000, 200; arguments gravity, enable_wind, wind_power, turbulence_power, continuous),
/// BipedalWalker-v3 and BipedalWalkerHardcore-v3 (1600 and 2000, 300; argument hardcore), CarRacing-v3 (1000, 900; 96×96×3
/// image observations; arguments continuous, lap_complete_percent, domain_randomize),
/// MatchPattern-v0 (one step per episode; MultiDiscrete([3 3 3]) actions, threshold 1) and MatchBits-v0 (one step per
/// episode; MultiBinary(4), threshold 1). Optimal execution in the Almgren–Chriss market (the paper's example; the
/// environment ends itself after N periods): Liquidation-v0 (continuous fraction, λ = 10⁻⁶), LiquidationDiscrete-v0
/// (21 fraction levels), LiquidationRiskAverse-v0 (λ = 2×10⁻⁶), LiquidationStochVol-v0 (regime-switching volatility
/// ×0.4 / ×1.6, switching with probability 0.1 per period) and LiquidationTransient-v0 (half of the temporary impact
/// lingers into the next period). Sanity tasks whose reward ignores the agent (100 steps, Box[−1, 1]² actions):
/// ConstantReward-v0 (1 + N(0, noise²), noise 0.1) and RandomReward-v0 (U(0, 1)). Action masking: MaskedChoice-v0
/// (20 steps, Discrete(8) with 2 valid actions per step exposed as the action mask; arguments values, valid,
/// components, masks, strict). Goal-conditioned, with a Dict observation: PointGoal-v0 (50 steps, threshold −5).
/// </remarks>
public static class EnvironmentRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (EnvironmentSpec Spec, Func<IReadOnlyDictionary<string, object>, IEnvironment> Factory)> Entries =
        new(StringComparer.Ordinal);

    static EnvironmentRegistry()
    {
        Register(new EnvironmentSpec("CartPole-v1", 500, 475.0, Arguments(("sutton_barto_reward", false))),
            a => new CartPole(Bool(a, "sutton_barto_reward")));
        Register(new EnvironmentSpec("CartPole-v0", 200, 195.0, Arguments(("sutton_barto_reward", false))),
            a => new CartPole(Bool(a, "sutton_barto_reward")));
        Register(new EnvironmentSpec("Acrobot-v1", 500, -100.0, Arguments()), _ => new Acrobot());
        Register(new EnvironmentSpec("MountainCar-v0", 200, -110.0, Arguments(("goal_velocity", 0.0))),
            a => new MountainCar(Double(a, "goal_velocity")));
        Register(new EnvironmentSpec("MountainCarContinuous-v0", 999, 90.0, Arguments(("goal_velocity", 0.0))),
            a => new MountainCarContinuous(Double(a, "goal_velocity")));
        Register(new EnvironmentSpec("Pendulum-v1", 200, null, Arguments(("g", 10.0))),
            a => new Pendulum(Double(a, "g")));
        Register(new EnvironmentSpec("Bandit-v0", null, null, Arguments(
                ("means", new[] { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 }),
                ("kind", "gaussian"),
                ("std", 1.0))),
            a => new MultiArmedBandit(DoubleArray(a, "means"), Kind(a, "kind"), Double(a, "std")));
        Register(new EnvironmentSpec("MatchPattern-v0", null, 1.0, Arguments(("sizes", new[] { 3, 3, 3 }))),
            a => new PatternMatching(IntArray(a, "sizes"), binary: false));
        Register(new EnvironmentSpec("MatchBits-v0", null, 1.0, Arguments(("bits", 4.0))),
            a => new PatternMatching(Enumerable.Repeat(2, Count(a, "bits")).ToArray(), binary: true));
        Register(new EnvironmentSpec("Liquidation-v0", null, null, LiquidationArguments()), Liquidation);
        Register(new EnvironmentSpec("LiquidationDiscrete-v0", null, null, LiquidationArguments(("action_levels", 21))), Liquidation);
        Register(new EnvironmentSpec("LiquidationRiskAverse-v0", null, null, LiquidationArguments(("risk_aversion", 2e-6))), Liquidation);
        Register(new EnvironmentSpec("LiquidationStochVol-v0", null, null, LiquidationArguments(
            ("vol_low", 0.4), ("vol_high", 1.6), ("vol_switch_probability", 0.1))), Liquidation);
        Register(new EnvironmentSpec("LiquidationTransient-v0", null, null, LiquidationArguments(("impact_decay", 0.5))), Liquidation);
        Register(new EnvironmentSpec("LunarLander-v3", 1000, 200.0, LanderArguments(false)), Lander);
        Register(new EnvironmentSpec("LunarLanderContinuous-v3", 1000, 200.0, LanderArguments(true)), Lander);
        Register(new EnvironmentSpec("BipedalWalker-v3", 1600, 300.0, Arguments(("hardcore", false))), a => new BipedalWalker(Bool(a, "hardcore")));
        Register(new EnvironmentSpec("BipedalWalkerHardcore-v3", 2000, 300.0, Arguments(("hardcore", true))), a => new BipedalWalker(Bool(a, "hardcore")));
        Register(new EnvironmentSpec("CarRacing-v3", 1000, 900.0, Arguments(("continuous", true), ("lap_complete_percent", 0.95), ("domain_randomize", false))),
            a => new CarRacing(Bool(a, "continuous"), Double(a, "lap_complete_percent"), Bool(a, "domain_randomize")));
        DrivingRegistrations.RegisterAll();
        MinAtar.MinAtarRegistrations.RegisterAll();
        Register(new EnvironmentSpec("ConstantReward-v0", 100, null, Arguments(("noise", 0.1))),
            a => new PolicyIndependentReward(IndependentRewardKind.ConstantWithNoise, Double(a, "noise")));
        Register(new EnvironmentSpec("RandomReward-v0", 100, null, Arguments()), _ => new PolicyIndependentReward(IndependentRewardKind.Uniform));
        Register(new EnvironmentSpec("PointGoal-v0", 50, -5.0, Arguments()), _ => new Goals.PointGoal());
        Register(new EnvironmentSpec("MaskedChoice-v0", 20, 19.0, Arguments(("values", 8.0), ("valid", 2.0), ("components", 1.0), ("masks", true), ("strict", false))),
            a => Bool(a, "masks")
                ? new MaskedChoiceWithMask(Count(a, "values"), Count(a, "valid"), Count(a, "components"), Bool(a, "strict"))
                : new MaskedChoice(Count(a, "values"), Count(a, "valid"), Count(a, "components"), Bool(a, "strict")));
    }

    /// <summary>The liquidation arguments (the paper's example) with some replaced.</summary>
    private static Dictionary<string, object> LiquidationArguments(params (string Name, object Value)[] overrides)
    {
        var market = new PolicyLab.Finance.AlmgrenChrissParameters();
        var defaults = new LiquidationOptions();
        Dictionary<string, object> arguments = Arguments(
            ("initial_price", market.InitialPrice), ("shares", market.Shares), ("horizon", market.Horizon), ("periods", market.Periods),
            ("volatility", market.Volatility), ("drift", market.Drift), ("fixed_cost", market.FixedCost),
            ("permanent_impact", market.PermanentImpact), ("temporary_impact", market.TemporaryImpact), ("risk_aversion", market.RiskAversion),
            ("price_model", "arithmetic"), ("reward", "utility"), ("return_lags", defaults.ReturnLags), ("reward_scale", defaults.RewardScale),
            ("action_levels", defaults.ActionLevels), ("vol_low", defaults.VolatilityLow), ("vol_high", defaults.VolatilityHigh),
            ("vol_switch_probability", defaults.VolatilitySwitchProbability), ("impact_decay", defaults.ImpactDecay));
        foreach (var (name, value) in overrides) arguments[name] = value;
        return arguments;
    }

    private static LiquidationEnvironment Liquidation(IReadOnlyDictionary<string, object> a) => new(new LiquidationOptions
    {
        Market = new PolicyLab.Finance.AlmgrenChrissParameters
        {
            InitialPrice = Double(a, "initial_price"),
            Shares = Double(a, "shares"),
            Horizon = Double(a, "horizon"),
            Periods = Int(a, "periods"),
            Volatility = Double(a, "volatility"),
            Drift = Double(a, "drift"),
            FixedCost = Double(a, "fixed_cost"),
            PermanentImpact = Double(a, "permanent_impact"),
            TemporaryImpact = Double(a, "temporary_impact"),
            RiskAversion = Double(a, "risk_aversion"),
        },
        PriceModel = Choice<PriceModel>(a, "price_model", "arithmetic or geometric"),
        Reward = Choice<LiquidationReward>(a, "reward", "shortfall, utility or ac_relative"),
        ReturnLags = Int(a, "return_lags"),
        RewardScale = Double(a, "reward_scale"),
        ActionLevels = Int(a, "action_levels"),
        VolatilityLow = Double(a, "vol_low"),
        VolatilityHigh = Double(a, "vol_high"),
        VolatilitySwitchProbability = Double(a, "vol_switch_probability"),
        ImpactDecay = Double(a, "impact_decay"),
    });

    private static Dictionary<string, object> LanderArguments(bool continuous) => Arguments(
        ("continuous", continuous), ("gravity", -10.0), ("enable_wind", false), ("wind_power", 15.0), ("turbulence_power", 1.5));

    private static LunarLander Lander(IReadOnlyDictionary<string, object> a) => new(
        Bool(a, "continuous"), Double(a, "gravity"), Bool(a, "enable_wind"), Double(a, "wind_power"), Double(a, "turbulence_power"));

    /// <summary>All registered ids, sorted.</summary>
    public static IReadOnlyList<string> Ids
    {
        get
        {
            lock (Gate)
                return [.. Entries.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>True when <paramref name="id"/> is registered.</summary>
    public static bool Contains(string id)
    {
        lock (Gate)
            return Entries.ContainsKey(id);
    }

    /// <summary>Registers an id. The factory receives the default arguments overlaid with the caller's.</summary>
    /// <param name="spec">The id, limits and default arguments (which also define the accepted argument names).</param>
    /// <param name="factory">Builds the raw environment (without time limit) from the arguments.</param>
    /// <param name="replace">Allow replacing an existing registration.</param>
    public static void Register(EnvironmentSpec spec, Func<IReadOnlyDictionary<string, object>, IEnvironment> factory, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(spec.Id))
            throw new PolicyLabException("An environment id cannot be empty. Register it with a name such as 'MyTask-v0'.");
        if (spec.MaxEpisodeSteps is <= 0)
            throw new PolicyLabException($"Environment '{spec.Id}' is registered with max episode steps {spec.MaxEpisodeSteps}; use a positive number or null for no limit.");
        lock (Gate)
        {
            if (!replace && Entries.ContainsKey(spec.Id))
                throw new PolicyLabException($"Environment id '{spec.Id}' is already registered. Choose another id (e.g. bump the version suffix) or pass replace: true.");
            Entries[spec.Id] = (spec, factory);
        }
    }

    /// <summary>Registers an id whose environment takes no arguments.</summary>
    public static void Register(string id, Func<IEnvironment> factory, int? maxEpisodeSteps = null, double? rewardThreshold = null, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(new EnvironmentSpec(id, maxEpisodeSteps, rewardThreshold, Arguments()), _ => factory(), replace);
    }

    /// <summary>Removes a registration (returns false if it did not exist).</summary>
    public static bool Unregister(string id)
    {
        lock (Gate)
            return Entries.Remove(id);
    }

    /// <summary>The registration of <paramref name="id"/>.</summary>
    /// <exception cref="PolicyLabException">The id is unknown (the message lists close matches).</exception>
    public static EnvironmentSpec Spec(string id) => Lookup(id).Spec;

    /// <summary>
    /// Builds the environment registered as <paramref name="id"/>, wrapped in a <see cref="TimeLimit"/> when the
    /// registration (or <paramref name="maxEpisodeSteps"/>) gives a step limit.
    /// </summary>
    /// <param name="id">A registered id, e.g. <c>CartPole-v1</c>.</param>
    /// <param name="arguments">Constructor arguments overriding the defaults (names as in the spec's default arguments).</param>
    /// <param name="maxEpisodeSteps">Overrides the registered step limit; 0 removes the limit.</param>
    public static IEnvironment Make(string id, IReadOnlyDictionary<string, object>? arguments = null, int? maxEpisodeSteps = null)
    {
        var (spec, factory) = Lookup(id);
        var merged = new Dictionary<string, object>(spec.DefaultArguments, StringComparer.Ordinal);
        if (arguments is not null)
        {
            foreach (var (name, value) in arguments)
            {
                if (!merged.ContainsKey(name))
                {
                    throw new PolicyLabException($"Environment '{id}' has no argument named '{name}'.{NameSuggestions.DidYouMean(name, spec.DefaultArguments.Keys)} It takes {(spec.DefaultArguments.Count == 0 ? "no arguments" : string.Join(", ", spec.DefaultArguments.Keys))}. Check the spelling or remove the argument.");
                }
                merged[name] = value;
            }
        }
        if (maxEpisodeSteps is < 0)
            throw new PolicyLabException($"max episode steps for '{id}' must be positive, or 0 for no limit; got {maxEpisodeSteps}.");
        int? limit = maxEpisodeSteps is null ? spec.MaxEpisodeSteps : maxEpisodeSteps == 0 ? null : maxEpisodeSteps;
        var effective = spec with { MaxEpisodeSteps = limit, DefaultArguments = merged };
        IEnvironment environment = factory(merged);
        if (environment is EnvironmentBase raw)
            raw.Spec = effective;
        return limit is int steps ? new TimeLimit(environment, steps, effective) : environment;
    }

    /// <summary>Registered ids close to <paramref name="id"/> (case-insensitive edit distance or containment), closest first.</summary>
    public static IReadOnlyList<string> CloseMatches(string id) => NameSuggestions.CloseMatches(id, Ids);

    private static (EnvironmentSpec Spec, Func<IReadOnlyDictionary<string, object>, IEnvironment> Factory) Lookup(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (Gate)
        {
            if (Entries.TryGetValue(id, out var entry))
                return entry;
        }
        IReadOnlyList<string> close = CloseMatches(id);
        string suggestion = close.Count > 0
            ? $"Did you mean {string.Join(", ", close.Select(c => $"'{c}'"))}?"
            : $"Registered ids are: {string.Join(", ", Ids)}.";
        throw new PolicyLabException($"Unknown environment id '{id}'. {suggestion} Ids are case-sensitive and include the version suffix; register your own with EnvironmentRegistry.Register.");
    }

    private static Dictionary<string, object> Arguments(params (string Name, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    private static bool Bool(IReadOnlyDictionary<string, object> arguments, string name) => arguments[name] switch
    {
        bool b => b,
        var other => throw WrongType(name, "true or false", other),
    };

    private static double Double(IReadOnlyDictionary<string, object> arguments, string name) => arguments[name] switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        var other => throw WrongType(name, "a number", other),
    };

    private static int Int(IReadOnlyDictionary<string, object> arguments, string name)
    {
        double value = Double(arguments, name);
        if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
            throw WrongType(name, "a whole number", arguments[name]);
        return (int)value;
    }

    private static T Choice<T>(IReadOnlyDictionary<string, object> arguments, string name, string expected) where T : struct, Enum => arguments[name] switch
    {
        T value => value,
        string s when !int.TryParse(s, out _) && Enum.TryParse(s.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out T parsed) => parsed,
        var other => throw WrongType(name, "one of " + expected, other),
    };

    private static double[] DoubleArray(IReadOnlyDictionary<string, object> arguments, string name) => arguments[name] switch
    {
        double[] d => d,
        float[] f => [.. f.Select(v => (double)v)],
        int[] i => [.. i.Select(v => (double)v)],
        IEnumerable<double> e => [.. e],
        var other => throw WrongType(name, "an array of numbers", other),
    };

    private static int[] IntArray(IReadOnlyDictionary<string, object> arguments, string name)
    {
        double[] values = DoubleArray(arguments, name);
        if (values.Any(v => v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue))
            throw WrongType(name, "an array of whole numbers", arguments[name]);
        return [.. values.Select(v => (int)v)];
    }

    private static int Count(IReadOnlyDictionary<string, object> arguments, string name)
    {
        double value = Double(arguments, name);
        if (value != Math.Floor(value) || value < 1 || value > 4096)
            throw WrongType(name, "a whole number from 1 to 4096", arguments[name]);
        return (int)value;
    }

    private static BanditRewardKind Kind(IReadOnlyDictionary<string, object> arguments, string name) => arguments[name] switch
    {
        BanditRewardKind k => k,
        string s when Enum.TryParse(s, ignoreCase: true, out BanditRewardKind parsed) => parsed,
        var other => throw WrongType(name, "one of deterministic, gaussian, bernoulli", other),
    };

    private static PolicyLabException WrongType(string name, string expected, object value) =>
        new($"Environment argument '{name}' must be {expected}; got '{value}' ({value?.GetType().Name ?? "null"}). Pass a value of the expected type.");
}
