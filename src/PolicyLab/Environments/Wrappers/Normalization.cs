namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// The normalization formulas shared by the single-environment wrappers (<see cref="NormalizeObservation"/>,
/// <see cref="NormalizeReward"/>) and the vector one (<see cref="Vector.NormalizeVectorEnvironment"/>, SB3's
/// VecNormalize): one place for a fix.
/// </summary>
internal static class Normalization
{
    /// <summary>x ← clip((x − μ) / √(σ² + ε), ±clip), per component, in place.</summary>
    public static void Observation(RunningMeanVariance statistics, Span<float> observation, double clip, double epsilon)
    {
        double[] mean = statistics.Mean, variance = statistics.Variance;
        for (int i = 0; i < observation.Length; i++)
            observation[i] = (float)Math.Clamp((observation[i] - mean[i]) / Math.Sqrt(variance[i] + epsilon), -clip, clip);
    }

    /// <summary>The scale rewards are divided by: √(Var[discounted return] + ε).</summary>
    public static double RewardScale(RunningMeanVariance returnStatistics, double epsilon) => Math.Sqrt(returnStatistics.Variance[0] + epsilon);

    /// <summary>r ← clip(r / scale, ±clip).</summary>
    public static double Reward(double reward, double scale, double clip) => Math.Clamp(reward / scale, -clip, clip);
}
