namespace PolicyLab.Environments;

/// <summary>
/// Optional per-reset settings (Gymnasium's reset <c>options</c>). Each environment documents which ones it reads and
/// ignores the rest.
/// </summary>
public sealed class ResetOptions
{
    /// <summary>Lower end of the uniform initial-state interval (CartPole, Acrobot, MountainCar).</summary>
    public double? Low { get; init; }

    /// <summary>Upper end of the uniform initial-state interval (CartPole, Acrobot, MountainCar).</summary>
    public double? High { get; init; }

    /// <summary>Pendulum: half-width of the initial angle interval (default π).</summary>
    public double? AngleHalfWidth { get; init; }

    /// <summary>Pendulum: half-width of the initial angular-velocity interval (default 1).</summary>
    public double? VelocityHalfWidth { get; init; }

    /// <summary>CarRacing with <c>domain_randomize</c>: whether this reset draws new colours (default true; false keeps the current ones).</summary>
    public bool? Randomize { get; init; }

    /// <summary>Returns the interval [low, high] with the given defaults, checking that it is not empty.</summary>
    internal static (double Low, double High) Interval(ResetOptions? options, double defaultLow, double defaultHigh, string environmentId)
    {
        double low = options?.Low ?? defaultLow;
        double high = options?.High ?? defaultHigh;
        if (!(low < high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new PolicyLabException($"{environmentId}: the reset options ask for the initial-state interval [{low}, {high}], which is empty or not finite. Pass a finite Low below High, or leave both unset for the defaults [{defaultLow}, {defaultHigh}].");
        return (low, high);
    }
}
