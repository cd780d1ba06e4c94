using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// One tensor read from a safetensors file: its name, dtype, shape and raw little-endian bytes. The
/// reader has already checked that the bytes lie inside the file and match the shape exactly.
/// </summary>
public sealed class SafeTensor
{
    private readonly int[] _shape;

    internal SafeTensor(string sourceName, string name, SafeTensorDType dtype, int[] shape, long elementCount,
        long dataBegin, ReadOnlyMemory<byte> data)
    {
        SourceName = sourceName;
        Name = name;
        DType = dtype;
        _shape = shape;
        Shape = new ReadOnlyCollection<int>(shape);
        ElementCount = elementCount;
        DataOffset = dataBegin;
        Data = data;
    }

    /// <summary>The file the tensor was read from.</summary>
    public string SourceName { get; }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>The dimensions, outermost first (empty for a scalar).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of elements (the product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Where the tensor's bytes start, relative to the data region after the header.</summary>
    public long DataOffset { get; }

    /// <summary>The raw little-endian bytes (exactly <see cref="ElementCount"/> × element size).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The shape as a span, for comparisons.</summary>
    public ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>The shape written like <c>[64, 8]</c>.</summary>
    public string ShapeText => SafeTensors.FormatShape(_shape);

    /// <summary>The elements converted to <see cref="float"/>; the dtype must be F32, F16, BF16 or F64.</summary>
    /// <exception cref="PolicyLabException">The dtype is not floating point.</exception>
    public float[] ToFloat32()
    {
        var result = new float[ElementCount];
        CopyTo(result);
        return result;
    }

    /// <summary>Converts the elements to <see cref="float"/> into <paramref name="destination"/>, which must have
    /// exactly <see cref="ElementCount"/> elements; the dtype must be F32, F16, BF16 or F64.</summary>
    /// <exception cref="PolicyLabException">The dtype is not floating point.</exception>
    public void CopyTo(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        ReadOnlySpan<byte> bytes = Data.Span;
        switch (DType)
        {
            case SafeTensorDType.F32 when BitConverter.IsLittleEndian:
                bytes.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case SafeTensorDType.F32:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case SafeTensorDType.F64:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            case SafeTensorDType.F16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case SafeTensorDType.BF16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            default:
                throw WrongKind("floating-point numbers");
        }
    }

    /// <summary>The elements converted to <see cref="double"/>; the dtype must be F32, F16, BF16 or F64.</summary>
    /// <exception cref="PolicyLabException">The dtype is not floating point.</exception>
    public double[] ToFloat64()
    {
        if (DType == SafeTensorDType.F64)
        {
            var result = new double[ElementCount];
            ReadOnlySpan<byte> bytes = Data.Span;
            for (int i = 0; i < result.Length; i++)
                result[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
            return result;
        }
        float[] singles = ToFloat32();
        return Array.ConvertAll(singles, static x => (double)x);
    }

    /// <summary>
    /// The elements converted to <see cref="long"/>; the dtype must be BOOL or an integer type. Smaller
    /// types are sign- or zero-extended; U64 values are reinterpreted bit for bit (values above
    /// <see cref="long.MaxValue"/> become negative), so U64 bit patterns such as RNG states survive.
    /// </summary>
    /// <exception cref="PolicyLabException">The dtype is not an integer type.</exception>
    public long[] ToInt64()
    {
        var result = new long[ElementCount];
        ReadOnlySpan<byte> b = Data.Span;
        switch (DType)
        {
            case SafeTensorDType.Bool:
            case SafeTensorDType.U8:
                for (int i = 0; i < result.Length; i++) result[i] = b[i];
                break;
            case SafeTensorDType.I8:
                for (int i = 0; i < result.Length; i++) result[i] = (sbyte)b[i];
                break;
            case SafeTensorDType.I16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(b[(2 * i)..]);
                break;
            case SafeTensorDType.U16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]);
                break;
            case SafeTensorDType.I32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]);
                break;
            case SafeTensorDType.U32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * i)..]);
                break;
            case SafeTensorDType.I64:
            case SafeTensorDType.U64:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]);
                break;
            default:
                throw WrongKind("integers");
        }
        return result;
    }

    /// <summary>The elements as <see cref="ulong"/> bit patterns: <see cref="ToInt64"/> reinterpreted, so
    /// U64 and I64 values round-trip exactly.</summary>
    /// <exception cref="PolicyLabException">The dtype is not an integer type.</exception>
    public ulong[] ToUInt64() => Array.ConvertAll(ToInt64(), static x => unchecked((ulong)x));

    private void CheckLength(int length, string paramName)
    {
        if (length != ElementCount)
        {
            throw new ArgumentException(
                $"Tensor '{Name}' has {ElementCount} elements but the destination holds {length}.", paramName);
        }
    }

    private PolicyLabException WrongKind(string expected) => new(
        $"tensor '{Name}' in weights file '{SourceName}' holds {DType.FormatName()} values where {expected} were expected; " +
        "the file was written by a different program or for a different purpose.");
}
