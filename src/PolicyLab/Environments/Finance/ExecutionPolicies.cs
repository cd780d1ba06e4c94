using PolicyLab.Finance;

namespace PolicyLab.Environments.Finance;

/// <summary>A trading rule for <see cref="LiquidationEnvironment"/>: the fraction of the remaining shares to sell now.</summary>
public interface IExecutionPolicy
{
    /// <summary>Name shown in tables and plots.</summary>
    string Name { get; }

    /// <summary>The fraction in [0, 1] of <see cref="LiquidationEnvironment.Remaining"/> to sell this period.</summary>
    /// <param name="environment">The environment in its current state (period, inventory, price, volatility).</param>
    /// <param name="observation">The observation the environment wrote for this state.</param>
    double Fraction(LiquidationEnvironment environment, ReadOnlySpan<float> observation);
}

/// <summary>
/// Follows a static schedule (Almgren–Chriss for a λ, TWAP, VWAP, immediate sale): in period k it sells the
/// scheduled trade n_{k+1} as a fraction of the scheduled holdings x_k.
/// </summary>
/// <param name="Name">Name shown in tables and plots.</param>
/// <param name="Schedule">The schedule (its number of periods must match the environment's).</param>
public sealed record ScheduleExecutionPolicy(string Name, ExecutionSchedule Schedule) : IExecutionPolicy
{
    /// <summary>Almgren–Chriss's optimal schedule for risk aversion λ.</summary>
    public static ScheduleExecutionPolicy AlmgrenChrissFor(AlmgrenChrissParameters market, double riskAversion, string? name = null) =>
        new(name ?? $"Almgren–Chriss λ={riskAversion:G3}", AlmgrenChriss.Optimal(market, riskAversion));

    /// <summary>Time-weighted average price (equal trades).</summary>
    public static ScheduleExecutionPolicy Twap(AlmgrenChrissParameters market) => new("TWAP", AlmgrenChriss.Twap(market));

    /// <summary>Volume-weighted schedule on a volume profile (the U-shaped intraday profile by default).</summary>
    public static ScheduleExecutionPolicy Vwap(AlmgrenChrissParameters market, IReadOnlyList<double>? volumeProfile = null) =>
        new("VWAP (U-shaped volume)", AlmgrenChriss.Vwap(market, volumeProfile ?? AlmgrenChriss.UShapedVolumeProfile(market.Periods)));

    /// <summary>Sell everything in the first period (zero variance, the largest expected cost).</summary>
    public static ScheduleExecutionPolicy Immediate(AlmgrenChrissParameters market)
    {
        var holdings = new double[market.Periods + 1];
        holdings[0] = market.Shares;
        return new("Immediate sale", AlmgrenChriss.Evaluate(market, holdings));
    }

    /// <inheritdoc />
    public double Fraction(LiquidationEnvironment environment, ReadOnlySpan<float> observation)
    {
        ArgumentNullException.ThrowIfNull(environment);
        int k = environment.Period;
        if (Schedule.Trades.Length != environment.Options.Market.Periods)
            throw new PolicyLabException($"{Name}: the schedule has {Schedule.Trades.Length} periods but the environment has {environment.Options.Market.Periods}.");
        double held = Schedule.Holdings[k];
        return held <= 0 ? 1.0 : Math.Clamp(Schedule.Trades[k] / held, 0.0, 1.0);
    }
}

/// <summary>
/// Almgren–Chriss re-solved every period for the shares and periods left with the volatility observed now: the
/// natural adaptive extension of the static solution (it ignores that the volatility may switch later).
/// </summary>
/// <param name="Name">Name shown in tables and plots.</param>
/// <param name="RiskAversion">λ of the schedules it solves.</param>
public sealed record AdaptiveAlmgrenChrissPolicy(string Name, double RiskAversion) : IExecutionPolicy
{
    /// <inheritdoc />
    public double Fraction(LiquidationEnvironment environment, ReadOnlySpan<float> observation)
    {
        ArgumentNullException.ThrowIfNull(environment);
        AlmgrenChrissParameters market = environment.Options.Market;
        int left = market.Periods - environment.Period;
        if (left <= 1 || environment.Remaining <= 0) return 1.0;
        AlmgrenChrissParameters now = market with
        {
            Shares = environment.Remaining,
            Periods = left,
            Horizon = left * market.Tau,
            Volatility = environment.CurrentVolatility,
        };
        double[] holdings = AlmgrenChriss.OptimalHoldings(now, RiskAversion);
        return Math.Clamp(1 - holdings[1] / holdings[0], 0.0, 1.0);
    }
}
