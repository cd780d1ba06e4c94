using System.Text;

namespace PolicyLab.Numerics;

/// <summary>The shape of a tensor: up to four dimensions, stored inline (no allocation).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest rank a PolicyLab tensor can have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank { get; }

    /// <summary>A rank-0 (scalar) shape.</summary>
    public static Shape Scalar => default;

    /// <summary>A vector shape.</summary>
    public Shape(int d0) : this(1, d0, 0, 0, 0) { }

    /// <summary>A matrix shape (rows, columns).</summary>
    public Shape(int d0, int d1) : this(2, d0, d1, 0, 0) { }

    /// <summary>A rank-3 shape.</summary>
    public Shape(int d0, int d1, int d2) : this(3, d0, d1, d2, 0) { }

    /// <summary>A rank-4 shape.</summary>
    public Shape(int d0, int d1, int d2, int d3) : this(4, d0, d1, d2, d3) { }

    private Shape(int rank, int d0, int d1, int d2, int d3)
    {
        if (d0 < 0 || d1 < 0 || d2 < 0 || d3 < 0)
            throw new ArgumentException($"Tensor dimensions must be non-negative; got ({d0}, {d1}, {d2}, {d3}).");
        Rank = rank;
        (_d0, _d1, _d2, _d3) = (d0, d1, d2, d3);
    }

    /// <summary>A shape from a list of dimensions (rank 0 to 4).</summary>
    public static Shape Of(ReadOnlySpan<int> dims) => dims.Length switch
    {
        0 => Scalar,
        1 => new Shape(dims[0]),
        2 => new Shape(dims[0], dims[1]),
        3 => new Shape(dims[0], dims[1], dims[2]),
        4 => new Shape(dims[0], dims[1], dims[2], dims[3]),
        _ => throw new ArgumentException($"PolicyLab tensors have at most {MaxRank} dimensions; got {dims.Length}."),
    };

    /// <summary>The size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int this[int axis]
    {
        get
        {
            int a = NormalizeAxis(axis);
            return a switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    /// <summary>Total number of elements (1 for a scalar).</summary>
    public int Size => Rank switch
    {
        0 => 1,
        1 => _d0,
        2 => _d0 * _d1,
        3 => _d0 * _d1 * _d2,
        _ => _d0 * _d1 * _d2 * _d3,
    };

    /// <summary>The last dimension (1 for a scalar).</summary>
    public int Last => Rank == 0 ? 1 : this[Rank - 1];

    /// <summary>The product of all dimensions but the last (1 for a scalar or a vector).</summary>
    public int Rows => Rank <= 1 ? 1 : Size / Last;

    /// <summary>Converts a possibly negative axis to its index in [0, Rank).</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of shape {this}.");
        return a;
    }

    /// <summary>The dimensions as an array.</summary>
    public int[] ToArray()
    {
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = this[i];
        return dims;
    }

    /// <summary>This shape with dimension <paramref name="axis"/> replaced by <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        Span<int> dims = stackalloc int[MaxRank];
        for (int i = 0; i < Rank; i++) dims[i] = this[i];
        dims[NormalizeAxis(axis)] = size;
        return Of(dims[..Rank]);
    }

    /// <summary>This shape without dimension <paramref name="axis"/>.</summary>
    public Shape Without(int axis)
    {
        int a = NormalizeAxis(axis);
        Span<int> dims = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++)
            if (i != a) dims[r++] = this[i];
        return Of(dims[..r]);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank) return false;
        for (int i = 0; i < Rank; i++)
            if (this[i] != other[i]) return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[d0, d1, …]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < Rank; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(this[i]);
        }
        return sb.Append(']').ToString();
    }
}
