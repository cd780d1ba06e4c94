using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// A tensor to be written to a safetensors file: a name, a shape, an element type and the elements as
/// little-endian bytes. Use the constructor for <see cref="float"/> data (the common case) or the typed
/// factories (<see cref="F64"/>, <see cref="I64"/>, <see cref="I32"/>, <see cref="U64"/>); the data is
/// copied, so later changes to the source array do not affect what is written.
/// </summary>
public sealed record NamedTensor
{
    /// <summary>Creates an F32 tensor.</summary>
    /// <param name="name">The tensor's name in the file (non-empty, not <c>__metadata__</c>).</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    /// <param name="data">The elements in row-major order.</param>
    public NamedTensor(string name, int[] shape, ReadOnlySpan<float> data)
        : this(name, SafeTensorDType.F32, shape, ToBytes(data, static (d, v) => BinaryPrimitives.WriteSingleLittleEndian(d, v)))
    {
    }

    /// <summary>Creates a tensor of any dtype from its raw little-endian bytes.</summary>
    /// <param name="name">The tensor's name in the file (non-empty, not <c>__metadata__</c>).</param>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">The dimensions (each at least 0).</param>
    /// <param name="data">Exactly product(shape) × element size bytes, little-endian.</param>
    /// <exception cref="ArgumentException">The name, a dimension or the data length is invalid.</exception>
    public NamedTensor(string name, SafeTensorDType dtype, int[] shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensors.MetadataKey)
            throw new ArgumentException($"'{SafeTensors.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(name));
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            count = checked(count * dim);
        }
        long expectedBytes = checked(count * dtype.ElementSize());
        if (data.Length != expectedBytes)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtype.FormatName()} needs {expectedBytes} bytes of data, got {data.Length}.",
                nameof(data));
        }
        Name = name;
        DType = dtype;
        Shape = (int[])shape.Clone();
        Data = data.ToArray();
    }

    /// <summary>The tensor's name in the file.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>The dimensions, outermost first (a copy owned by this tensor).</summary>
    public int[] Shape { get; }

    /// <summary>The elements as little-endian bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Creates an F32 tensor (same as the constructor).</summary>
    public static NamedTensor F32(string name, int[] shape, ReadOnlySpan<float> data) => new(name, shape, data);

    /// <summary>Creates an F64 tensor.</summary>
    public static NamedTensor F64(string name, int[] shape, ReadOnlySpan<double> data)
        => new(name, SafeTensorDType.F64, shape, ToBytes(data, static (d, v) => BinaryPrimitives.WriteDoubleLittleEndian(d, v)));

    /// <summary>Creates an I64 tensor (e.g. step counters).</summary>
    public static NamedTensor I64(string name, int[] shape, ReadOnlySpan<long> data)
        => new(name, SafeTensorDType.I64, shape, ToBytes(data, static (d, v) => BinaryPrimitives.WriteInt64LittleEndian(d, v)));

    /// <summary>Creates an I32 tensor.</summary>
    public static NamedTensor I32(string name, int[] shape, ReadOnlySpan<int> data)
        => new(name, SafeTensorDType.I32, shape, ToBytes(data, static (d, v) => BinaryPrimitives.WriteInt32LittleEndian(d, v)));

    /// <summary>Creates a U64 tensor (e.g. the state words of an <see cref="Rng"/>).</summary>
    public static NamedTensor U64(string name, int[] shape, ReadOnlySpan<ulong> data)
        => new(name, SafeTensorDType.U64, shape, ToBytes(data, static (d, v) => BinaryPrimitives.WriteUInt64LittleEndian(d, v)));

    private delegate void WriteLittleEndian<T>(Span<byte> destination, T value);

    private static byte[] ToBytes<T>(ReadOnlySpan<T> data, WriteLittleEndian<T> write)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
            return MemoryMarshal.AsBytes(data).ToArray();
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = new byte[checked(data.Length * size)];
        for (int i = 0; i < data.Length; i++)
            write(bytes.AsSpan(i * size, size), data[i]);
        return bytes;
    }
}
