namespace PolicyLab.Numerics.Optimizers;

/// <summary>A value (learning rate, clip range, …) as a function of training progress.</summary>
public abstract record Schedule
{
    /// <summary>The value when <paramref name="progress"/> of training is done (0 at the start, 1 at the end).</summary>
    public abstract float ValueAt(double progress);

    /// <summary>A constant value.</summary>
    public static Schedule Constant(float value) => new ConstantSchedule(value);

    /// <summary>Linear from <paramref name="start"/> at progress 0 to <paramref name="end"/> at progress 1.</summary>
    public static Schedule Linear(float start, float end = 0f) => new LinearSchedule(start, end);
}

/// <summary>The same value throughout.</summary>
public sealed record ConstantSchedule(float Value) : Schedule
{
    /// <inheritdoc/>
    public override float ValueAt(double progress) => Value;
}

/// <summary>Linear interpolation from <see cref="Start"/> to <see cref="End"/>; progress is clamped to [0, 1].</summary>
public sealed record LinearSchedule(float Start, float End) : Schedule
{
    /// <inheritdoc/>
    public override float ValueAt(double progress) => (float)(Start + (End - Start) * Math.Clamp(progress, 0.0, 1.0));
}
