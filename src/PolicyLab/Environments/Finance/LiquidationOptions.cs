using PolicyLab.Finance;

namespace PolicyLab.Environments.Finance;

/// <summary>How the unaffected price moves between periods.</summary>
public enum PriceModel
{
    /// <summary>Almgren–Chriss's arithmetic random walk S_k = S_{k−1} + ατ + σ_k·√τ·ξ_k − γ·n_k.</summary>
    Arithmetic,

    /// <summary>Geometric Brownian motion with relative volatility σ_k/S₀ and relative drift α/S₀, then − γ·n_k.</summary>
    Geometric,
}

/// <summary>The per-step reward of the liquidation environment (both in $ times <see cref="LiquidationOptions.RewardScale"/>).</summary>
public enum LiquidationReward
{
    /// <summary>Minus the period's implementation shortfall n_k·(S₀ − S̃_k); the return is −IS (risk-neutral).</summary>
    Shortfall,

    /// <summary>
    /// Minus the period's change in the mean–variance utility: the shortfall plus the risk charge λ·σ_k²·τ·x_k² of the
    /// shares still held over the coming period; for a static schedule the expected return is −(E + λ·Var).
    /// </summary>
    Utility,

    /// <summary>
    /// The relative reduction of the closed-form optimal utility of the remaining position (the Udacity DRL course's
    /// formulation): r_k = (U*(x_{k−1}, N − k + 1) − U*(x_k, N − k))/U*(x_{k−1}, N − k + 1), with U* = E + λ·Var of
    /// Almgren–Chriss for that many shares and periods. Unscaled (not multiplied by the reward scale).
    /// </summary>
    AcRelative,
}

/// <summary>
/// Settings of <see cref="LiquidationEnvironment"/>: the Almgren–Chriss market (the paper's example by default), the
/// price model, the reward, the observation's return features, the action form and an optional regime-switching
/// volatility that breaks Almgren–Chriss's constant-volatility assumption.
/// </summary>
public sealed record LiquidationOptions
{
    /// <summary>The market constants and the risk aversion λ (used by the utility reward).</summary>
    public AlmgrenChrissParameters Market { get; init; } = new();

    /// <summary>Arithmetic random walk (default) or geometric Brownian motion.</summary>
    public PriceModel PriceModel { get; init; } = PriceModel.Arithmetic;

    /// <summary>The per-step reward (default: the change in mean–variance utility).</summary>
    public LiquidationReward Reward { get; init; } = LiquidationReward.Utility;

    /// <summary>How many recent log returns the observation carries (each divided by the per-period log volatility σ√τ/S₀).</summary>
    public int ReturnLags { get; init; } = 3;

    /// <summary>Factor from $ to reward units (default 10⁻⁶: rewards in millions of dollars).</summary>
    public double RewardScale { get; init; } = 1e-6;

    /// <summary>0 for a continuous Box action in [0, 1]; k ≥ 2 for a discrete action i meaning the fraction i/(k − 1).</summary>
    public int ActionLevels { get; init; }

    /// <summary>Volatility multiplier of the low regime (1 with <see cref="VolatilityHigh"/> = 1: constant volatility).</summary>
    public double VolatilityLow { get; init; } = 1.0;

    /// <summary>Volatility multiplier of the high regime.</summary>
    public double VolatilityHigh { get; init; } = 1.0;

    /// <summary>Probability that the regime switches between two periods (the initial regime is low or high with ½ each).</summary>
    public double VolatilitySwitchProbability { get; init; }

    /// <summary>
    /// Fraction ρ ∈ [0, 1) of the temporary price depression that survives into the next period (0: Almgren–Chriss's
    /// instantaneous impact). With ρ &gt; 0 trade k also pays the residual D_{k−1} of earlier trades, and
    /// D_k = ρ·(D_{k−1} + (η/τ)·n_k); the observation then carries D_k divided by the TWAP impact (η/τ)·X/N.
    /// </summary>
    public double ImpactDecay { get; init; }

    /// <summary>True when the temporary impact lingers (<see cref="ImpactDecay"/> &gt; 0).</summary>
    public bool HasTransientImpact => ImpactDecay > 0;

    /// <summary>True when the volatility changes between regimes (then the observation also carries the current multiplier).</summary>
    public bool HasStochasticVolatility => VolatilityLow != VolatilityHigh;

    /// <summary>
    /// E[m²] of the volatility multiplier under the regimes' stationary distribution (½, ½): the constant volatility
    /// σ·√E[m²] gives a static schedule the same variance, so Almgren–Chriss with it is the best static schedule.
    /// </summary>
    public double MeanSquaredVolatilityMultiplier => HasStochasticVolatility
        ? 0.5 * (VolatilityLow * VolatilityLow + VolatilityHigh * VolatilityHigh)
        : 1.0;

    /// <summary>Throws a <see cref="PolicyLabException"/> naming the first setting out of range.</summary>
    public LiquidationOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Market);
        Market.Validate();
        if (ReturnLags < 0 || ReturnLags > 64)
            throw new PolicyLabException($"Liquidation: return_lags must be between 0 and 64; got {ReturnLags}.");
        if (!(RewardScale > 0) || !double.IsFinite(RewardScale))
            throw new PolicyLabException($"Liquidation: reward_scale must be a positive finite number; got {RewardScale}.");
        if (ActionLevels is < 0 or 1)
            throw new PolicyLabException($"Liquidation: action_levels must be 0 (continuous fraction) or at least 2 (discrete fractions i/(k−1)); got {ActionLevels}.");
        if (!(VolatilityLow > 0) || !double.IsFinite(VolatilityLow))
            throw new PolicyLabException($"Liquidation: vol_low must be a positive finite multiplier; got {VolatilityLow}.");
        if (!(VolatilityHigh > 0) || !double.IsFinite(VolatilityHigh))
            throw new PolicyLabException($"Liquidation: vol_high must be a positive finite multiplier; got {VolatilityHigh}.");
        if (!(VolatilitySwitchProbability >= 0 && VolatilitySwitchProbability <= 1))
            throw new PolicyLabException($"Liquidation: vol_switch_probability must be in [0, 1]; got {VolatilitySwitchProbability}.");
        if (!(ImpactDecay >= 0 && ImpactDecay < 1))
            throw new PolicyLabException($"Liquidation: impact_decay must be in [0, 1) (the share of the temporary impact left after one period); got {ImpactDecay}.");
        if (!Enum.IsDefined(PriceModel))
            throw new PolicyLabException($"Liquidation: price_model must be arithmetic or geometric; got {PriceModel}.");
        if (!Enum.IsDefined(Reward))
            throw new PolicyLabException($"Liquidation: reward must be shortfall, utility or ac_relative; got {Reward}.");
        return this;
    }
}
