using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>A vector of independent integers, component i in <c>[0, nvec[i])</c>.</summary>
/// <remarks>Its network encoding concatenates one one-hot block per component.</remarks>
public sealed class MultiDiscrete : Space
{
    /// <summary>Creates the space from the number of values of each component.</summary>
    public MultiDiscrete(params int[] nvec) : base([nvec.Length])
    {
        foreach (int n in nvec)
        {
            if (n <= 0)
                throw new ArgumentException($"Every component of a multi-discrete space needs at least one value; got [{string.Join(", ", nvec)}].", nameof(nvec));
        }
        Sizes = (int[])nvec.Clone();
        EncodedSize = nvec.Sum();
    }

    /// <summary>Number of values of each component (nvec).</summary>
    public int[] Sizes { get; }

    /// <inheritdoc />
    public override int EncodedSize { get; }

    /// <inheritdoc />
    public override bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != Sizes.Length)
            return false;
        for (int i = 0; i < value.Length; i++)
        {
            int index = (int)value[i];
            if (index != value[i] || (uint)index >= (uint)Sizes[i])
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
            destination[i] = rng.NextInt(Sizes[i]);
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<float> value, Span<float> destination)
    {
        CheckLength(value, FlatSize, nameof(value));
        CheckLength(destination, EncodedSize, nameof(destination));
        if (!Contains(value))
            throw new ArgumentException($"The value is not an element of {this}.", nameof(value));
        destination.Clear();
        int offset = 0;
        for (int i = 0; i < Sizes.Length; i++)
        {
            destination[offset + (int)value[i]] = 1f;
            offset += Sizes[i];
        }
    }

    /// <summary>Formats as <c>MultiDiscrete([3 3 2])</c>.</summary>
    public override string ToString() => $"MultiDiscrete([{string.Join(" ", Sizes)}])";
}
