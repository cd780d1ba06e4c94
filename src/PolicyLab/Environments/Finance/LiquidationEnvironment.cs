using System.Globalization;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Finance;

namespace PolicyLab.Environments.Finance;

/// <summary>
/// Optimal execution (Liquidation-v0): sell X shares over N periods of length τ in the discrete Almgren–Chriss market.
/// Each step the agent chooses the fraction of its remaining shares to sell now; trade k executes at
/// S̃_k = S_{k−1} − ε·sgn(n_k) − (η/τ)·n_k, then the unaffected price moves to S_k = S_{k−1} + σ_k√τ·ξ_k − γ·n_k
/// (arithmetic) or by geometric Brownian motion. The last period sells whatever is left. The episode terminates when the
/// inventory is gone or the last period has traded (time is part of the state, so this is termination, not truncation).
/// </summary>
/// <remarks>
/// <para>Observation: remaining inventory x/X, remaining time (periods left)/N, the last <see cref="LiquidationOptions.ReturnLags"/>
/// log returns ln(S_k/S_{k−1}) divided by σ√τ/S₀ (newest first, 0 before any), and with stochastic volatility the current
/// volatility multiplier σ_k/σ (the trader is assumed to observe the regime), and with transient impact the residual
/// temporary depression D_k over the TWAP impact (η/τ)·X/N.</para>
/// <para>Randomness: each step draws exactly one normal ξ_k and one uniform for the regime switch whatever the action, so
/// episodes reset with the same seed see the same price shocks under every policy (common random numbers).</para>
/// <para>Info: <c>liquidation.shortfall</c> (implementation shortfall so far, $), <c>liquidation.inventory</c>,
/// <c>liquidation.traded</c> (shares sold this step), <c>liquidation.price</c> (unaffected price after the step) and
/// <c>liquidation.risk_charge</c> (λ·Σσ_k²τx_k² so far, $).</para>
/// </remarks>
public sealed class LiquidationEnvironment : EnvironmentBase
{
    /// <summary>Info key of the implementation shortfall so far ($).</summary>
    public const string ShortfallKey = "liquidation.shortfall";
    /// <summary>Info key of the shares still held.</summary>
    public const string InventoryKey = "liquidation.inventory";
    /// <summary>Info key of the shares sold in the latest step.</summary>
    public const string TradedKey = "liquidation.traded";
    /// <summary>Info key of the unaffected price after the latest step.</summary>
    public const string PriceKey = "liquidation.price";
    /// <summary>Info key of the risk charge so far, λ·Σ σ_k²·τ·x_k² ($).</summary>
    public const string RiskChargeKey = "liquidation.risk_charge";

    private readonly AlmgrenChrissParameters _market;
    private readonly double _sqrtTau, _returnScale;
    private readonly double[] _returns;
    private readonly List<double> _pricePath = [];
    private int _period;
    private double _remaining, _price, _shortfall, _riskCharge, _transient;
    private bool _highRegime;

    /// <summary>Creates the environment (the paper's example with the utility reward and a continuous action by default).</summary>
    /// <exception cref="PolicyLabException">A setting is out of range (the message names it).</exception>
    public LiquidationEnvironment(LiquidationOptions? options = null)
        : base(MakeObservationSpace(Checked(options)), MakeActionSpace(Checked(options)))
    {
        Options = Checked(options);
        _market = Options.Market;
        _sqrtTau = Math.Sqrt(_market.Tau);
        _returnScale = _market.InitialPrice / (_market.Volatility * _sqrtTau);
        _returns = new double[Options.ReturnLags];
        _remaining = _market.Shares;
        _price = _market.InitialPrice;
    }

    /// <summary>The settings.</summary>
    public LiquidationOptions Options { get; }

    /// <summary>Trades done so far in this episode (0 … N).</summary>
    public int Period => _period;

    /// <summary>Shares still held.</summary>
    public double Remaining => _remaining;

    /// <summary>The current unaffected price S_k ($/share).</summary>
    public double Price => _price;

    /// <summary>Implementation shortfall accumulated so far ($): Σ n_j·(S₀ − S̃_j).</summary>
    public double Shortfall => _shortfall;

    /// <summary>
    /// Risk charge accumulated so far ($): λ·Σ σ_k²·τ·x_k² over the shares held through each period. Its mean plus the
    /// mean shortfall is the time-consistent mean–variance objective the utility reward optimizes; for a static schedule it
    /// equals λ·Var exactly.
    /// </summary>
    public double RiskCharge => _riskCharge;

    /// <summary>The volatility σ_k of the coming period ($/(share·day^½)).</summary>
    public double CurrentVolatility => _market.Volatility * Multiplier;

    /// <summary>The unaffected prices S₀, S₁, … of the current episode.</summary>
    public IReadOnlyList<double> PricePath => _pricePath;

    private double Multiplier => Options.HasStochasticVolatility ? (_highRegime ? Options.VolatilityHigh : Options.VolatilityLow) : 1.0;

    /// <summary>The fraction of the remaining shares that an action means (a Box value in [0, 1], or level i/(k − 1)).</summary>
    /// <exception cref="PolicyLabException">The fraction is outside [0, 1], not finite, or not a level index.</exception>
    public double FractionOf(ReadOnlySpan<float> action)
    {
        float value = action[0];
        if (Options.ActionLevels > 0)
        {
            int index = (int)value;
            if (index != value || index < 0 || index >= Options.ActionLevels)
                ThrowInvalidDiscreteAction(value, Options.ActionLevels);
            return (double)index / (Options.ActionLevels - 1);
        }
        if (!float.IsFinite(value))
            ThrowNonFiniteAction(value);
        if (value < 0f || value > 1f)
            throw new PolicyLabException($"{Id}: the action (fraction of the remaining inventory to sell) must be in [0, 1]; got {value.ToString("R", CultureInfo.InvariantCulture)}.");
        return value;
    }

    /// <summary>The action that sells <paramref name="fraction"/> of the remaining shares (the nearest level for a discrete action).</summary>
    public float ActionFor(double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1))
            throw new PolicyLabException($"{Id}: the fraction of the remaining inventory to sell must be in [0, 1]; got {fraction.ToString("R", CultureInfo.InvariantCulture)}.");
        return Options.ActionLevels > 0 ? (float)Math.Round(fraction * (Options.ActionLevels - 1)) : (float)fraction;
    }

    /// <inheritdoc />
    public override bool CanSaveState => true;

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        state.Set($"{prefix}.state", [_period, _remaining, _price, _shortfall, _highRegime ? 1 : 0, _riskCharge, _transient]);
        state.Set($"{prefix}.returns", _returns);
        state.Set($"{prefix}.prices", _pricePath.ToArray());
    }

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        double[] values = state.ReadDoubles($"{prefix}.state");
        (_period, _remaining, _price, _shortfall, _highRegime) = ((int)values[0], values[1], values[2], values[3], values[4] != 0);
        // Snapshots written before the risk charge and the transient impact existed have 5 or 6 values.
        _riskCharge = values.Length > 5 ? values[5] : 0;
        _transient = values.Length > 6 ? values[6] : 0;
        state.Read($"{prefix}.returns", _returns);
        _pricePath.Clear();
        _pricePath.AddRange(state.ReadDoubles($"{prefix}.prices"));
    }

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        _period = 0;
        _remaining = _market.Shares;
        _price = _market.InitialPrice;
        _shortfall = 0;
        _riskCharge = 0;
        _transient = 0;
        Array.Clear(_returns);
        _highRegime = Random.NextDouble() < 0.5;
        _pricePath.Clear();
        _pricePath.Add(_price);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        double fraction = FractionOf(action);
        bool last = _period == _market.Periods - 1;
        double shares = last || fraction == 1.0 ? _remaining : fraction * _remaining;
        double tau = _market.Tau;
        double temporary = _market.TemporaryImpact / tau * shares;
        double executionPrice = _price - (shares > 0 ? _market.FixedCost : 0) - temporary - _transient;
        _transient = Options.ImpactDecay * (_transient + temporary);
        double periodShortfall = shares * (_market.InitialPrice - executionPrice);
        _remaining = last || fraction == 1.0 ? 0.0 : _remaining - shares;
        double sigma = CurrentVolatility;
        double risk = _market.RiskAversion * sigma * sigma * tau * _remaining * _remaining;

        // One normal and one uniform per step, whatever the action (common random numbers across policies).
        double shock = Random.Normal();
        bool switchRegime = Random.NextDouble() < Options.VolatilitySwitchProbability;
        double previous = _price;
        _price = Options.PriceModel == PriceModel.Arithmetic
            ? _price + _market.Drift * tau + sigma * _sqrtTau * shock - _market.PermanentImpact * shares
            : _price * Math.Exp((_market.Drift / _market.InitialPrice - 0.5 * Square(sigma / _market.InitialPrice)) * tau
                + sigma / _market.InitialPrice * _sqrtTau * shock) - _market.PermanentImpact * shares;
        if (switchRegime) _highRegime = !_highRegime;
        if (_returns.Length > 0)
        {
            Array.Copy(_returns, 0, _returns, 1, _returns.Length - 1);
            _returns[0] = previous > 0 && _price > 0 ? Math.Log(_price / previous) * _returnScale : 0.0;
        }
        _pricePath.Add(_price);
        _period++;
        _shortfall += periodShortfall;
        _riskCharge += risk;

        Info.Set(ShortfallKey, _shortfall);
        Info.Set(InventoryKey, _remaining);
        Info.Set(TradedKey, shares);
        Info.Set(PriceKey, _price);
        Info.Set(RiskChargeKey, _riskCharge);
        bool terminated = _remaining <= 0 || _period >= _market.Periods;
        double reward = Options.Reward switch
        {
            LiquidationReward.Utility => -(periodShortfall + risk) * Options.RewardScale,
            LiquidationReward.Shortfall => -periodShortfall * Options.RewardScale,
            _ => RelativeUtilityReduction(_remaining + shares, _remaining),
        };
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation[0] = (float)(_remaining / _market.Shares);
        observation[1] = (float)((double)(_market.Periods - _period) / _market.Periods);
        for (int i = 0; i < _returns.Length; i++) observation[2 + i] = (float)_returns[i];
        int next = 2 + _returns.Length;
        if (Options.HasStochasticVolatility) observation[next++] = (float)Multiplier;
        if (Options.HasTransientImpact) observation[next] = (float)(_transient / (_market.TemporaryImpact / _market.Tau * _market.Shares / _market.Periods));
    }

    /// <summary>Draws a 600×400 frame: the unaffected price path (blue, top) and the remaining inventory per period (grey bars, bottom).</summary>
    public override RgbFrame Render()
    {
        const int width = 600, height = 400;
        var canvas = new Canvas(width, height);
        canvas.Clear(RgbColor.White);
        int n = _market.Periods;
        double slot = (width - 40.0) / (n + 1);
        double low = _market.InitialPrice * 0.9, high = _market.InitialPrice * 1.1;
        foreach (double p in _pricePath) (low, high) = (Math.Min(low, p), Math.Max(high, p));
        var points = new double[2 * _pricePath.Count];
        for (int i = 0; i < _pricePath.Count; i++)
        {
            points[2 * i] = 20 + (i + 0.5) * slot;
            points[2 * i + 1] = 20 + (high - _pricePath[i]) / (high - low) * 160;
        }
        if (_pricePath.Count > 1) canvas.DrawPolyline(points, 3, new RgbColor(31, 119, 180));
        double barHeight = _remaining / _market.Shares * 180;
        canvas.FillRectangle(20 + (_period + 0.1) * slot, height - 20 - barHeight, 20 + (_period + 0.9) * slot, height - 20, new RgbColor(127, 127, 127));
        canvas.FillRectangle(20, height - 22, width - 20, height - 20, RgbColor.Black);
        return canvas.Frame;
    }

    private static LiquidationOptions Checked(LiquidationOptions? options) => (options ?? new LiquidationOptions()).Validate();

    private static Space MakeActionSpace(LiquidationOptions options) =>
        options.ActionLevels == 0 ? new Box(0f, 1f, 1) : new Discrete(options.ActionLevels);

    private static Box MakeObservationSpace(LiquidationOptions options)
    {
        int size = 2 + options.ReturnLags + (options.HasStochasticVolatility ? 1 : 0) + (options.HasTransientImpact ? 1 : 0);
        var low = new float[size];
        var high = new float[size];
        high[0] = 1f;
        high[1] = 1f;
        for (int i = 2; i < size; i++) (low[i], high[i]) = (float.NegativeInfinity, float.PositiveInfinity);
        int extra = 2 + options.ReturnLags;
        if (options.HasStochasticVolatility) (low[extra], high[extra++]) = (0f, float.PositiveInfinity);
        if (options.HasTransientImpact) (low[extra], high[extra]) = (0f, float.PositiveInfinity);
        return new Box(low, high);
    }

    private static double Square(double x) => x * x;

    /// <summary>(U*(before) − U*(after))/U*(before) for the closed-form optimal utility of the position before and after this step's trade.</summary>
    private double RelativeUtilityReduction(double before, double after)
    {
        int periodsBefore = _market.Periods - _period + 1;
        double lambda = _market.RiskAversion;
        double u0 = AlmgrenChriss.OptimalUtility(_market, before, periodsBefore, lambda);
        double u1 = after > 0 && periodsBefore > 1 ? AlmgrenChriss.OptimalUtility(_market, after, periodsBefore - 1, lambda) : 0.0;
        return u0 > 0 ? (u0 - u1) / u0 : 0.0;
    }
}
