using System.Globalization;
using System.Text;
using PolicyLab.Environments.Rendering;
using PolicyLab.Finance;
using PolicyLab.Tracking.Charts;

namespace PolicyLab.Environments.Finance;

/// <summary>One policy's line of an <see cref="ExecutionReport"/>.</summary>
/// <param name="Result">Its shortfall in every episode.</param>
/// <param name="Utility">Mean + λ·variance of the shortfall ($).</param>
/// <param name="VersusReference">Utility minus the reference's, with the paired standard error.</param>
/// <param name="IsAgent">True for a trained agent, false for a baseline.</param>
public sealed record ExecutionRow(ExecutionResult Result, double Utility, UtilityComparison VersusReference, bool IsAgent)
{
    /// <summary>Utility relative to the reference: (U − U_ref)/U_ref.</summary>
    public double RelativeGap(double referenceUtility) => VersusReference.Difference / referenceUtility;
}

/// <summary>
/// Agents and baselines evaluated on the same price paths of one liquidation market: implementation-shortfall mean and
/// standard deviation, mean–variance utility, and the utility gap to the reference (Almgren–Chriss for the market's λ;
/// with stochastic volatility, Almgren–Chriss with the volatility √E[σ²], the best static schedule).
/// </summary>
public sealed class ExecutionReport
{
    private ExecutionReport(string environment, LiquidationOptions options, int episodes, ulong seed, string reference, List<ExecutionRow> rows)
    {
        (Environment, Options, Episodes, Seed, ReferenceName, Rows) = (environment, options, episodes, seed, reference, rows);
    }

    /// <summary>The environment id (or a description) the policies were evaluated on.</summary>
    public string Environment { get; }

    /// <summary>The market settings.</summary>
    public LiquidationOptions Options { get; }

    /// <summary>Episodes per policy.</summary>
    public int Episodes { get; }

    /// <summary>Seed of the common price paths.</summary>
    public ulong Seed { get; }

    /// <summary>Risk aversion λ of the utility.</summary>
    public double RiskAversion => Options.Market.RiskAversion;

    /// <summary>Name of the reference policy.</summary>
    public string ReferenceName { get; }

    /// <summary>The reference's row.</summary>
    public ExecutionRow Reference => Rows.First(r => r.Result.Name == ReferenceName);

    /// <summary>Rows: the baselines, then the agents in the order given.</summary>
    public IReadOnlyList<ExecutionRow> Rows { get; }

    /// <summary>The market the static baselines are solved for: the nominal one, or with σ·√E[m²] under stochastic volatility.</summary>
    public static AlmgrenChrissParameters StaticMarket(LiquidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Market with { Volatility = options.Market.Volatility * Math.Sqrt(options.MeanSquaredVolatilityMultiplier) };
    }

    /// <summary>The baselines for a market: Almgren–Chriss for its λ (and adaptive under stochastic volatility), TWAP, VWAP, immediate sale.</summary>
    public static List<IExecutionPolicy> Baselines(LiquidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        double lambda = options.Market.RiskAversion;
        AlmgrenChrissParameters market = StaticMarket(options);
        var baselines = new List<IExecutionPolicy>();
        if (options.HasStochasticVolatility)
        {
            baselines.Add(ScheduleExecutionPolicy.AlmgrenChrissFor(market, lambda, $"Almgren–Chriss λ={lambda:G3} (σ=√E[σ²])"));
            baselines.Add(ScheduleExecutionPolicy.AlmgrenChrissFor(options.Market, lambda, $"Almgren–Chriss λ={lambda:G3} (nominal σ)"));
            baselines.Add(new AdaptiveAlmgrenChrissPolicy("Adaptive Almgren–Chriss (re-solved with observed σ)", lambda));
        }
        else
        {
            baselines.Add(ScheduleExecutionPolicy.AlmgrenChrissFor(market, lambda));
        }
        if (options.HasTransientImpact)
            baselines.Add(new ScheduleExecutionPolicy($"Static optimum with decaying impact λ={lambda:G3}",
                AlmgrenChriss.OptimalWithTransientImpact(market, lambda, options.ImpactDecay)));
        baselines.Add(ScheduleExecutionPolicy.Twap(market));
        baselines.Add(ScheduleExecutionPolicy.Vwap(market));
        baselines.Add(ScheduleExecutionPolicy.Immediate(market));
        return baselines;
    }

    /// <summary>Evaluates the baselines and <paramref name="agents"/> on <paramref name="episodes"/> common price paths.</summary>
    public static ExecutionReport Build(string environment, LiquidationOptions options, IReadOnlyList<IExecutionPolicy> agents, int episodes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(agents);
        options.Validate();
        double lambda = options.Market.RiskAversion;
        List<IExecutionPolicy> baselines = Baselines(options);
        var results = new List<(ExecutionResult Result, bool Agent)>();
        foreach (IExecutionPolicy p in baselines) results.Add((ExecutionEvaluation.Evaluate(options, p, episodes, seed), false));
        foreach (IExecutionPolicy p in agents) results.Add((ExecutionEvaluation.Evaluate(options, p, episodes, seed), true));
        ExecutionResult reference = results[0].Result;
        List<ExecutionRow> rows = [.. results.Select(r => new ExecutionRow(r.Result, r.Result.Utility(lambda), ExecutionEvaluation.Compare(r.Result, reference, lambda), r.Agent))];
        return new ExecutionReport(environment, options, episodes, seed, reference.Name, rows);
    }

    /// <summary>The table as Markdown, with a header naming the market, λ, episodes and seed.</summary>
    public string ToMarkdown()
    {
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        AlmgrenChrissParameters m = Options.Market;
        string volatility = (Options.HasStochasticVolatility
            ? string.Create(c, $", volatility ×{Options.VolatilityLow:G3}/×{Options.VolatilityHigh:G3} switching with probability {Options.VolatilitySwitchProbability:G3}")
            : "") + (Options.HasTransientImpact ? string.Create(c, $", temporary impact decaying by ×{Options.ImpactDecay:G3} per period") : "");
        b.AppendLine(c, $"Environment `{Environment}`: X = {m.Shares:N0} shares, N = {m.Periods}, τ = {m.Tau:G4}, σ = {m.Volatility:G4}, ε = {m.FixedCost:G4}, γ = {m.PermanentImpact:G3}, η = {m.TemporaryImpact:G3}, λ = {RiskAversion:G3}{volatility}; {Episodes:N0} episodes on common price paths (seed {Seed}).");
        b.AppendLine();
        b.AppendLine("| policy | mean IS ($) | std IS ($) | utility E+λ·Var ($) | vs reference | Δ utility, 95 % CI ($) | E[IS] + λ·E[Σσ²τx²] ($) |");
        b.AppendLine("|---|---:|---:|---:|---:|---|---:|");
        double refUtility = Reference.Utility;
        foreach (ExecutionRow r in Rows)
        {
            string name = r.Result.Name + (r.Result.Name == ReferenceName ? " (reference)" : "");
            string ci = r.Result.Name == ReferenceName ? "—" : string.Create(c, $"{r.VersusReference.Difference:N0} [{r.VersusReference.Lower95:N0}, {r.VersusReference.Upper95:N0}]");
            b.AppendLine(c, $"| {name} | {r.Result.Mean:N0} | {r.Result.StandardDeviation:N0} | {r.Utility:N0} | {100 * r.RelativeGap(refUtility):+0.00;-0.00;0.00} % | {ci} | {r.Result.RiskChargedCost:N0} |");
        }
        return b.ToString();
    }

    /// <summary>
    /// The efficient frontier of the static market (E against Var for λ from 0, TWAP, up to 5× the market's λ) with the
    /// baselines' and agents' measured (variance, mean) as points; the agents of one algorithm share a colour, and
    /// immediate sale (far off to the top left) is left to the table.
    /// </summary>
    public LineChart FrontierChart()
    {
        AlmgrenChrissParameters market = StaticMarket(Options);
        double cap = 5 * (RiskAversion > 0 ? RiskAversion : 1e-6);
        FrontierPoint[] frontier = AlmgrenChriss.Frontier(market, AlmgrenChriss.FrontierRiskAversions(market, 121).Where(l => l <= cap));
        var chart = new LineChart
        {
            Title = $"Efficient frontier - {Environment}",
            Note = $"line: Almgren-Chriss optimum for lambda from 0 (TWAP) to {cap:G2}; points: measured over {Episodes:N0} common price paths; lambda = {RiskAversion:G3}",
            XLabel = "Var[implementation shortfall] (1e12 dollars squared)",
            YLabel = "E[shortfall] (dollars)",
        };
        chart.Series.Add(new ChartSeries("Almgren-Chriss frontier", new RgbColor(60, 60, 60),
            [.. frontier.Select(p => p.Variance / 1e12)], [.. frontier.Select(p => p.ExpectedCost)]));
        var groups = Rows.Where(r => r.Result.Variance > 0 || r.IsAgent)
            .GroupBy(r => r.IsAgent ? r.Result.Name.Split(" (")[0] : r.Result.Name);
        int colour = 0;
        foreach (var group in groups)
        {
            // Points separated by NaN gaps, so each is a dot and no line joins the runs of one algorithm.
            List<ExecutionRow> points = [.. group.OrderBy(r => r.Result.Variance)];
            var x = new List<double>();
            var y = new List<double>();
            foreach (ExecutionRow r in points)
            {
                if (x.Count > 0) { x.Add(double.NaN); y.Add(double.NaN); }
                x.Add(r.Result.Variance / 1e12);
                y.Add(r.Result.Mean);
            }
            string label = Plain(group.Key) + (points.Count > 1 ? $" ({points.Count} runs)" : "");
            chart.Series.Add(new ChartSeries(label, LineChart.Palette[colour++ % LineChart.Palette.Count], [.. x], [.. y], Markers: true));
        }
        return chart;
    }

    /// <summary>The name in ASCII, which the PNG rasterizer's bitmap font covers.</summary>
    private static string Plain(string name) => name
        .Replace("√E[σ²]", "sqrt(E[sigma^2])", StringComparison.Ordinal)
        .Replace("λ", "lambda", StringComparison.Ordinal)
        .Replace("σ", "sigma", StringComparison.Ordinal)
        .Replace("–", "-", StringComparison.Ordinal);
}
