namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// The one advantage (or return-weight) normalization of the policy-gradient family, as SB3 and Spinning Up
/// write it: Â ← (Â − mean) / (std + 10⁻⁸) with the sample standard deviation (n − 1 in the denominator).
/// A batch of one row is left as it is (its standard deviation is undefined); equal values become zeros.
/// </summary>
public static class AdvantageNormalization
{
    /// <summary>Normalizes <paramref name="values"/> in place (see the class remarks).</summary>
    public static void Normalize(Span<float> values)
    {
        if (values.Length < 2) return;
        double mean = 0;
        foreach (float v in values) mean += v;
        mean /= values.Length;
        double ss = 0;
        foreach (float v in values) ss += (v - mean) * (v - mean);
        double std = Math.Sqrt(ss / (values.Length - 1));
        for (int i = 0; i < values.Length; i++) values[i] = (float)((values[i] - mean) / (std + 1e-8));
    }
}
