using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>
/// The set of valid observations or actions of an environment. Every value is exchanged as a flat run of
/// <see cref="float"/>s of length <see cref="FlatSize"/> (row-major over <see cref="Shape"/>); integer spaces store
/// each integer as its exact float value.
/// </summary>
/// <remarks>
/// Networks read values through <see cref="EncodedSize"/> and <see cref="Encode"/>: <see cref="Box"/> and
/// <see cref="MultiBinary"/> pass through unchanged, while <see cref="Discrete"/> and <see cref="MultiDiscrete"/>
/// become one-hot vectors (one block per component). The flat float view itself always holds the index, never the
/// one-hot vector, so an environment with a <see cref="Discrete"/> observation writes a single float.
/// </remarks>
public abstract class Space
{
    /// <summary>Creates a space with the given shape.</summary>
    protected Space(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int size = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
                throw new ArgumentException($"A space shape cannot have a negative dimension; got ({string.Join(", ", shape)}).", nameof(shape));
            size = checked(size * dimension);
        }
        Shape = (int[])shape.Clone();
        FlatSize = size;
    }

    /// <summary>The shape of one value (e.g. <c>[4]</c> for CartPole's observation, <c>[]</c> for a Discrete space).</summary>
    public int[] Shape { get; }

    /// <summary>Number of floats in the flat view of one value.</summary>
    public int FlatSize { get; }

    /// <summary>Number of floats a network sees for one value after <see cref="Encode"/>.</summary>
    public virtual int EncodedSize => FlatSize;

    /// <summary>True when <paramref name="value"/> has <see cref="FlatSize"/> elements and every element is valid.</summary>
    public abstract bool Contains(ReadOnlySpan<float> value);

    /// <summary>Writes a random member of the space into <paramref name="destination"/> (length <see cref="FlatSize"/>).</summary>
    public abstract void Sample(Rng rng, Span<float> destination);

    /// <summary>Returns a new random member of the space.</summary>
    public float[] Sample(Rng rng)
    {
        var value = new float[FlatSize];
        Sample(rng, value);
        return value;
    }

    /// <summary>Writes the network input for <paramref name="value"/> into <paramref name="destination"/>
    /// (length <see cref="EncodedSize"/>). The default copies the value unchanged.</summary>
    public virtual void Encode(ReadOnlySpan<float> value, Span<float> destination)
    {
        CheckLength(value, FlatSize, nameof(value));
        CheckLength(destination, EncodedSize, nameof(destination));
        value.CopyTo(destination);
    }

    /// <summary>Throws when a buffer has the wrong length.</summary>
    private protected static void CheckLength(ReadOnlySpan<float> buffer, int expected, string name)
    {
        if (buffer.Length != expected)
            throw new ArgumentException($"Expected {expected} floats in '{name}' but got {buffer.Length}.", name);
    }

    /// <summary>Formats a shape like NumPy does, e.g. <c>(4,)</c>.</summary>
    private protected static string FormatShape(int[] shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
}
