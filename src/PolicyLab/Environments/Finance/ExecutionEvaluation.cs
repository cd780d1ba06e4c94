using PolicyLab.Numerics;

namespace PolicyLab.Environments.Finance;

/// <summary>The implementation shortfall of every evaluation episode of one policy, with its summary statistics.</summary>
/// <param name="Name">The policy's name.</param>
/// <param name="Shortfalls">Implementation shortfall X·S₀ − capture of each episode ($), in episode order.</param>
/// <param name="RiskCharges">The environment's risk charge λ·Σσ_k²τx_k² of each episode ($).</param>
public sealed record ExecutionResult(string Name, double[] Shortfalls, double[] RiskCharges)
{
    /// <summary>
    /// Mean shortfall plus mean risk charge ($): the time-consistent mean–variance objective (the expected negative return
    /// of the utility reward over its scale), for which Almgren–Chriss is optimal among all policies in the
    /// constant-volatility arithmetic model.
    /// </summary>
    public double RiskChargedCost => Mean + RiskCharges.Average();

    /// <summary>Mean shortfall ($).</summary>
    public double Mean => Shortfalls.Average();

    /// <summary>Sample variance of the shortfall ($², n − 1 in the denominator).</summary>
    public double Variance
    {
        get
        {
            double mean = Mean;
            double sum = 0;
            foreach (double s in Shortfalls) sum += (s - mean) * (s - mean);
            return sum / Math.Max(Shortfalls.Length - 1, 1);
        }
    }

    /// <summary>Sample standard deviation of the shortfall ($).</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Standard error of <see cref="Mean"/> ($).</summary>
    public double MeanStandardError => StandardDeviation / Math.Sqrt(Shortfalls.Length);

    /// <summary>The mean–variance utility mean + λ·variance ($, lower is better).</summary>
    public double Utility(double riskAversion) => Mean + riskAversion * Variance;

    /// <summary>Per-episode influence of the utility, (s − m) + λ·((s − m)² − v): its mean is 0 and its spread gives the utility's standard error.</summary>
    public double[] UtilityInfluence(double riskAversion)
    {
        double mean = Mean, variance = Variance;
        return [.. Shortfalls.Select(s => s - mean + riskAversion * ((s - mean) * (s - mean) - variance))];
    }

    /// <summary>Standard error of <see cref="Utility"/> (delta method).</summary>
    public double UtilityStandardError(double riskAversion) => StandardDeviationOf(UtilityInfluence(riskAversion)) / Math.Sqrt(Shortfalls.Length);

    internal static double StandardDeviationOf(double[] values)
    {
        double mean = values.Average(), sum = 0;
        foreach (double v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / Math.Max(values.Length - 1, 1));
    }
}

/// <summary>The utility difference between two policies evaluated on the same price paths.</summary>
/// <param name="Difference">Utility of the first minus utility of the second ($; negative: the first is better).</param>
/// <param name="StandardError">Standard error of the paired difference ($).</param>
public readonly record struct UtilityComparison(double Difference, double StandardError)
{
    /// <summary>Lower end of the 95 % confidence interval.</summary>
    public double Lower95 => Difference - 1.959963984540054 * StandardError;

    /// <summary>Upper end of the 95 % confidence interval.</summary>
    public double Upper95 => Difference + 1.959963984540054 * StandardError;
}

/// <summary>
/// Evaluates execution policies with common random numbers: episode i of every policy is reset with the same seed, so
/// all policies face the same price shocks and volatility regimes and their differences have small variance.
/// </summary>
public static class ExecutionEvaluation
{
    /// <summary>Runs <paramref name="episodes"/> episodes of <paramref name="policy"/> on a fresh environment.</summary>
    /// <param name="options">The market and environment settings.</param>
    /// <param name="policy">The trading rule.</param>
    /// <param name="episodes">Number of episodes (each a different price path).</param>
    /// <param name="seed">Seed of the price paths; episode i uses <c>Rng.DeriveSeed(seed, i)</c>.</param>
    public static ExecutionResult Evaluate(LiquidationOptions options, IExecutionPolicy policy, int episodes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (episodes <= 0)
            throw new PolicyLabException($"Execution evaluation: episodes must be positive; got {episodes}.");
        using var environment = new LiquidationEnvironment(options);
        var observation = new float[environment.ObservationSize];
        var action = new float[1];
        var shortfalls = new double[episodes];
        var charges = new double[episodes];
        for (int i = 0; i < episodes; i++)
        {
            environment.Reset(observation, Rng.DeriveSeed(seed, (ulong)i));
            while (true)
            {
                action[0] = environment.ActionFor(policy.Fraction(environment, observation));
                if (environment.Step(action, observation).Done) break;
            }
            shortfalls[i] = environment.Shortfall;
            charges[i] = environment.RiskCharge;
        }
        return new ExecutionResult(policy.Name, shortfalls, charges);
    }

    /// <summary>Utility of <paramref name="first"/> minus utility of <paramref name="second"/>, with the standard error of the paired (same-path) difference.</summary>
    /// <exception cref="PolicyLabException">The two results do not cover the same number of episodes.</exception>
    public static UtilityComparison Compare(ExecutionResult first, ExecutionResult second, double riskAversion)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Shortfalls.Length != second.Shortfalls.Length)
            throw new PolicyLabException($"Execution evaluation: '{first.Name}' has {first.Shortfalls.Length} episodes and '{second.Name}' {second.Shortfalls.Length}; compare results over the same price paths.");
        double[] a = first.UtilityInfluence(riskAversion), b = second.UtilityInfluence(riskAversion);
        double[] d = [.. a.Zip(b, (x, y) => x - y)];
        return new UtilityComparison(first.Utility(riskAversion) - second.Utility(riskAversion),
            ExecutionResult.StandardDeviationOf(d) / Math.Sqrt(d.Length));
    }
}
