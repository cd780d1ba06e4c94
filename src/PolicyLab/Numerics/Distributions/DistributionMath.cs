namespace PolicyLab.Numerics.Distributions;

/// <summary>Constants, scalar formulas and argument checks shared by the distributions.</summary>
internal static class DistributionMath
{
    /// <summary>½ log 2π.</summary>
    public const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>log 2.</summary>
    public const double Ln2 = 0.69314718055994530942;

    /// <summary>Stable log(1 + eˣ) in double precision.</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>log(1 − tanh²u) = 2·(log 2 − u − softplus(−2u)), without the cancellation of the naive form.</summary>
    public static double LogOneMinusTanhSquared(double u) => 2.0 * (Ln2 - u - Softplus(-2.0 * u));

    /// <summary>Checks a [B, D] parameter tensor.</summary>
    public static void CheckMatrix(Tensor t, string name, string distribution)
    {
        if (t.Shape.Rank != 2 || t.Shape[1] == 0)
            throw new ArgumentException($"{distribution} needs {name} of shape [batch, size] with size ≥ 1; got {t.Shape}. " +
                "Reshape a single observation's parameters to [1, size].", name);
    }

    /// <summary>Checks that two tensors have the same shape.</summary>
    public static void CheckSameShape(Tensor a, Tensor b, string what)
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"{what}: shapes differ ({a.Shape} vs {b.Shape}).");
    }

    /// <summary>Checks that a span has the expected length.</summary>
    public static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
    }

    /// <summary>The number of rows of a flat batch of rows of width <paramref name="width"/>.</summary>
    public static int RowsOf(int length, int width, string name)
    {
        if (width <= 0 || length % width != 0)
            throw new ArgumentException($"{name} has {length} elements, not a whole number of rows of {width}.", name);
        return length / width;
    }
}
