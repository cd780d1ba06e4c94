using System.Globalization;
using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>The element type a <see cref="Box"/> describes (values always travel as floats).</summary>
public enum BoxElementType
{
    /// <summary>32-bit floats (the default).</summary>
    Float32,
    /// <summary>Whole numbers in [0, 255], e.g. image pixels (Gymnasium's <c>dtype=np.uint8</c>): replay buffers store
    /// them as bytes, and CNN policies divide them by the upper bound.</summary>
    UInt8,
}

/// <summary>A box of float32 vectors with per-element bounds (bounds may be infinite), or of uint8 values
/// (<see cref="ElementType"/>; see <see cref="Image"/>).</summary>
public sealed class Box : Space
{
    /// <summary>Creates a box whose elements all share the same bounds.</summary>
    public Box(float low, float high, params int[] shape) : this(Fill(low, shape), Fill(high, shape), shape) { }

    /// <summary>Creates a one-dimensional box with per-element bounds.</summary>
    public Box(float[] low, float[] high) : this(low, high, [low.Length]) { }

    /// <summary>Creates a box with per-element bounds and an explicit shape.</summary>
    public Box(float[] low, float[] high, int[] shape) : base(shape)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Length != FlatSize || high.Length != FlatSize)
            throw new ArgumentException($"A box of shape {FormatShape(shape)} needs {FlatSize} lower and upper bounds; got {low.Length} and {high.Length}.", nameof(low));
        for (int i = 0; i < low.Length; i++)
        {
            if (float.IsNaN(low[i]) || float.IsNaN(high[i]) || low[i] > high[i])
                throw new ArgumentException($"Box bound {i} is invalid: low {low[i]} must be a number not above high {high[i]}.", nameof(low));
        }
        Low = (float[])low.Clone();
        High = (float[])high.Clone();
    }

    /// <summary>Creates a box with per-element bounds, an explicit shape and an element type; uint8 bounds must be
    /// whole numbers in [0, 255].</summary>
    public Box(float[] low, float[] high, int[] shape, BoxElementType elementType) : this(low, high, shape)
    {
        if (elementType == BoxElementType.UInt8)
        {
            for (int i = 0; i < Low.Length; i++)
                if (!IsByte(Low[i]) || !IsByte(High[i]))
                    throw new ArgumentException($"A uint8 box needs whole-number bounds in [0, 255]; bound {i} is [{Low[i]}, {High[i]}].", nameof(low));
        }
        ElementType = elementType;
    }

    /// <summary>A channels-last image space: uint8 values in [0, <paramref name="high"/>] of shape
    /// (<paramref name="height"/>, <paramref name="width"/>, <paramref name="channels"/>), as Gymnasium's pixel observations.</summary>
    public static Box Image(int height, int width, int channels, int high = 255) =>
        new(Fill(0, [height, width, channels]), Fill(high, [height, width, channels]), [height, width, channels], BoxElementType.UInt8);

    /// <summary>The element type (float32 unless made as uint8).</summary>
    public BoxElementType ElementType { get; } = BoxElementType.Float32;

    /// <summary>True for a rank-3 uint8 box (height, width, channels): what CNN policies take.</summary>
    public bool IsImage => ElementType == BoxElementType.UInt8 && Shape.Length == 3;

    private static bool IsByte(float v) => v >= 0 && v <= 255 && v == MathF.Floor(v);

    /// <summary>Lower bounds, one per element (flat).</summary>
    public float[] Low { get; }

    /// <summary>Upper bounds, one per element (flat).</summary>
    public float[] High { get; }

    /// <summary>True when every element has finite bounds on both sides.</summary>
    public bool IsBounded => Low.All(float.IsFinite) && High.All(float.IsFinite);

    /// <inheritdoc />
    public override bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != FlatSize)
            return false;
        for (int i = 0; i < value.Length; i++)
        {
            float v = value[i];
            // Written so that NaN fails the test.
            if (!(v >= Low[i] && v <= High[i]))
                return false;
            if (ElementType == BoxElementType.UInt8 && v != MathF.Floor(v))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Samples each element independently: uniform on a bounded interval, an exponential offset from the finite
    /// side of a half-bounded interval, and a standard normal when both sides are infinite.
    /// </summary>
    public override void Sample(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLength(destination, FlatSize, nameof(destination));
        for (int i = 0; i < destination.Length; i++)
        {
            float low = Low[i], high = High[i];
            bool lowFinite = float.IsFinite(low), highFinite = float.IsFinite(high);
            double value;
            if (lowFinite && highFinite)
                value = low + ((double)high - low) * rng.NextDouble();
            else if (lowFinite)
                value = low - Math.Log(1.0 - rng.NextDouble());
            else if (highFinite)
                value = high + Math.Log(1.0 - rng.NextDouble());
            else
                value = rng.Normal();
            destination[i] = ElementType == BoxElementType.UInt8 ? rng.NextInt((int)high - (int)low + 1) + low : Math.Clamp((float)value, low, high);
        }
    }

    /// <summary>Clips every element of <paramref name="value"/> into the bounds, in place.</summary>
    public void Clip(Span<float> value)
    {
        CheckLength(value, FlatSize, nameof(value));
        for (int i = 0; i < value.Length; i++)
            value[i] = Math.Clamp(value[i], Low[i], High[i]);
    }

    /// <summary>Formats as <c>Box(low, high, (shape), float32)</c> (or <c>uint8</c>), listing bounds per element when they differ.</summary>
    public override string ToString()
    {
        static string Bound(float[] values) =>
            values.Length > 0 && values.All(v => v.Equals(values[0]))
                ? FormatFloat(values[0])
                : "[" + string.Join(" ", values.Select(FormatFloat)) + "]";
        return $"Box({Bound(Low)}, {Bound(High)}, {FormatShape(Shape)}, {(ElementType == BoxElementType.UInt8 ? "uint8" : "float32")})";
    }

    private static string FormatFloat(float value) =>
        float.IsPositiveInfinity(value) ? "inf" : float.IsNegativeInfinity(value) ? "-inf" : value.ToString("G7", CultureInfo.InvariantCulture);

    private static float[] Fill(float value, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int size = 1;
        foreach (int dimension in shape)
            size *= Math.Max(dimension, 0);
        var values = new float[size];
        Array.Fill(values, value);
        return values;
    }
}
