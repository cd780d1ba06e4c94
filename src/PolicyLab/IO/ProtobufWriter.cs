using System.Buffers.Binary;
using System.Text;

namespace PolicyLab.IO;

/// <summary>
/// Encodes the protocol-buffer field kinds that TensorBoard's event records and ONNX models need (varints,
/// 64-bit doubles, 32-bit floats, length-delimited bytes, strings and nested messages) into a growing byte
/// buffer. Fields are written in the order they are called; a repeated field is written by calling once per
/// element (the unpacked encoding, which every protobuf reader accepts).
/// </summary>
public sealed class ProtobufWriter
{
    private readonly List<byte> _buffer = [];

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.Count;

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => [.. _buffer];

    /// <summary>Writes a varint (wire type 0) field.</summary>
    public ProtobufWriter Varint(int field, ulong value)
    {
        WriteRawVarint(((ulong)field << 3) | 0);
        WriteRawVarint(value);
        return this;
    }

    /// <summary>Writes a signed 64-bit (int64/int32/enum) varint field: negative values take ten bytes, as protobuf encodes them.</summary>
    public ProtobufWriter Int64(int field, long value) => Varint(field, unchecked((ulong)value));

    /// <summary>Writes a double (wire type 1) field.</summary>
    public ProtobufWriter Double(int field, double value)
    {
        WriteRawVarint(((ulong)field << 3) | 1);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        _buffer.AddRange(bytes);
        return this;
    }

    /// <summary>Writes a float (wire type 5) field.</summary>
    public ProtobufWriter Float(int field, float value)
    {
        WriteRawVarint(((ulong)field << 3) | 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.AddRange(bytes);
        return this;
    }

    /// <summary>Writes a length-delimited (wire type 2) field.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        WriteRawVarint(((ulong)field << 3) | 2);
        WriteRawVarint((ulong)value.Length);
        _buffer.AddRange(value);
        return this;
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a nested message field.</summary>
    public ProtobufWriter Message(int field, ProtobufWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        WriteRawVarint(((ulong)field << 3) | 2);
        WriteRawVarint((ulong)message._buffer.Count);
        _buffer.AddRange(message._buffer);
        return this;
    }

    private void WriteRawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.Add((byte)value);
    }
}
