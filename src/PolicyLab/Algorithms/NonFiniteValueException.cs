namespace PolicyLab.Algorithms;

/// <summary>A loss or gradient became NaN or infinite; training stops and keeps the last good checkpoint.</summary>
public sealed class NonFiniteValueException : PolicyLabException
{
    /// <summary>Creates the exception naming the quantity.</summary>
    public NonFiniteValueException(string quantity, double value)
        : base($"Training produced a non-finite {quantity} ({value}); lower the step size (learning rate, or the algorithm's gradient clipping where it has one) and resume from the last checkpoint.")
    {
        Quantity = quantity;
        Value = value;
    }

    /// <summary>The value that was not finite.</summary>
    public double Value { get; }

    /// <summary>The quantity that was not finite (e.g. "policy loss").</summary>
    public string Quantity { get; }

    /// <summary>Throws when <paramref name="value"/> is NaN or infinite.</summary>
    public static void ThrowIfNotFinite(string quantity, double value)
    {
        if (!double.IsFinite(value)) throw new NonFiniteValueException(quantity, value);
    }
}
