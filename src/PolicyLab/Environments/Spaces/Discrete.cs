using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>The integers <c>start, start + 1, …, start + n − 1</c>, exchanged as one float holding the integer.</summary>
/// <remarks>Its network encoding is a one-hot vector of length <see cref="Count"/>.</remarks>
public sealed class Discrete : Space
{
    /// <summary>Creates the space of <paramref name="n"/> integers starting at <paramref name="start"/>.</summary>
    public Discrete(int n, int start = 0) : base([])
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "A discrete space needs at least one element.");
        Count = n;
        Start = start;
    }

    /// <summary>Number of elements (n).</summary>
    public int Count { get; }

    /// <summary>The smallest element.</summary>
    public int Start { get; }

    /// <inheritdoc />
    public override int EncodedSize => Count;

    /// <summary>True when <paramref name="candidate"/> is an integer-valued float that lies in the space.</summary>
    public bool Contains(float candidate)
    {
        int index = (int)candidate;
        return index == candidate && (uint)(index - Start) < (uint)Count;
    }

    /// <inheritdoc />
    public override bool Contains(ReadOnlySpan<float> value) => value.Length == 1 && Contains(value[0]);

    /// <inheritdoc />
    public override void Sample(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLength(destination, 1, nameof(destination));
        destination[0] = Start + rng.NextInt(Count);
    }

    /// <summary>Writes the one-hot vector of the element (position <c>value − start</c>).</summary>
    public override void Encode(ReadOnlySpan<float> value, Span<float> destination)
    {
        CheckLength(value, 1, nameof(value));
        CheckLength(destination, Count, nameof(destination));
        if (!Contains(value[0]))
            throw new ArgumentException($"{value[0]} is not an element of {this}.", nameof(value));
        destination.Clear();
        destination[(int)value[0] - Start] = 1f;
    }

    /// <summary>Formats as <c>Discrete(n)</c> or <c>Discrete(n, start=s)</c>.</summary>
    public override string ToString() => Start == 0 ? $"Discrete({Count})" : $"Discrete({Count}, start={Start})";
}
