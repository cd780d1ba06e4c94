using System.Globalization;

namespace PolicyLab.Finance;

/// <summary>
/// The constants of the discrete Almgren–Chriss (2000) sell program: X shares sold over N periods of length τ = T/N
/// against linear permanent impact γ·n and temporary impact ε·sgn(n) + (η/τ)·n, with an arithmetic random-walk price of
/// volatility σ. The defaults are the paper's numerical example (S₀ = $50, X = 10⁶, σ = 0.95 $/(share·day^½),
/// ε = $0.0625, γ = 2.5×10⁻⁷, η = 2.5×10⁻⁶, T = 5 days, N = 5, λ = 10⁻⁶).
/// </summary>
public sealed record AlmgrenChrissParameters
{
    /// <summary>Initial (arrival) price S₀ in $/share.</summary>
    public double InitialPrice { get; init; } = 50.0;

    /// <summary>Shares to sell, X.</summary>
    public double Shares { get; init; } = 1_000_000.0;

    /// <summary>Liquidation horizon T (days).</summary>
    public double Horizon { get; init; } = 5.0;

    /// <summary>Number of trading periods N.</summary>
    public int Periods { get; init; } = 5;

    /// <summary>Price volatility σ in $/(share·day^½).</summary>
    public double Volatility { get; init; } = 0.95;

    /// <summary>Price drift α in $/(share·day) (the closed form assumes 0).</summary>
    public double Drift { get; init; }

    /// <summary>Fixed part of the temporary impact ε in $/share (half the bid-ask spread).</summary>
    public double FixedCost { get; init; } = 0.0625;

    /// <summary>Permanent impact γ in $/share².</summary>
    public double PermanentImpact { get; init; } = 2.5e-7;

    /// <summary>Temporary impact η in ($/share)/(share/day).</summary>
    public double TemporaryImpact { get; init; } = 2.5e-6;

    /// <summary>Risk aversion λ in 1/$ of the utility E + λ·Var.</summary>
    public double RiskAversion { get; init; } = 1e-6;

    /// <summary>Period length τ = T/N.</summary>
    public double Tau => Horizon / Periods;

    /// <summary>η̃ = η − ½·γ·τ, the temporary impact net of the permanent impact's own-trade share.</summary>
    public double AdjustedTemporaryImpact => TemporaryImpact - 0.5 * PermanentImpact * Tau;

    /// <summary>
    /// Throws a <see cref="PolicyLabException"/> naming the first parameter that is out of range: shares, periods,
    /// horizon, price and volatility must be positive; ε and γ non-negative; η positive with η̃ &gt; 0; λ ≥ 0; all finite.
    /// </summary>
    public AlmgrenChrissParameters Validate()
    {
        Positive(Shares, "shares");
        if (Periods <= 0)
            throw new PolicyLabException($"Almgren–Chriss: periods must be a positive number of trading periods; got {Periods}.");
        Positive(Horizon, "horizon");
        Positive(InitialPrice, "initial_price");
        Positive(Volatility, "volatility");
        if (!double.IsFinite(Drift))
            throw new PolicyLabException($"Almgren–Chriss: drift must be a finite number; got {Text(Drift)}.");
        NonNegative(FixedCost, "fixed_cost (ε)");
        NonNegative(PermanentImpact, "permanent_impact (γ)");
        Positive(TemporaryImpact, "temporary_impact (η)");
        if (!(AdjustedTemporaryImpact > 0))
            throw new PolicyLabException($"Almgren–Chriss: temporary_impact (η = {Text(TemporaryImpact)}) must exceed ½·γ·τ = {Text(0.5 * PermanentImpact * Tau)} so that η̃ = η − ½γτ is positive; raise η, lower γ or use shorter periods.");
        NonNegative(RiskAversion, "risk_aversion (λ)");
        return this;
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new PolicyLabException($"Almgren–Chriss: {name} must be a positive finite number; got {Text(value)}.");
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new PolicyLabException($"Almgren–Chriss: {name} must be a finite number ≥ 0; got {Text(value)}.");
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
