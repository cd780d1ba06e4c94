using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>A vector of <c>n</c> bits, each exchanged as 0f or 1f.</summary>
public sealed class MultiBinary : Space
{
    /// <summary>Creates the space of <paramref name="n"/> bits.</summary>
    public MultiBinary(int n) : base([n])
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "A multi-binary space needs at least one bit.");
    }

    /// <inheritdoc />
    public override bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != FlatSize)
            return false;
        foreach (float v in value)
        {
            if (v != 0f && v != 1f)
                return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override void Sample(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLength(destination, FlatSize, nameof(destination));
        for (int i = 0; i < destination.Length; i++)
            destination[i] = rng.NextUInt64() >> 63;
    }

    /// <summary>Formats as <c>MultiBinary(n)</c>.</summary>
    public override string ToString() => $"MultiBinary({FlatSize})";
}
