using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyLab.IO;

namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets
/// relative to the data that follows the header) plus an optional <c>"__metadata__"</c> object of
/// strings, then the raw little-endian tensor data.
/// </summary>
/// <remarks>
/// <para>Writing pads the header with spaces to a multiple of 8 bytes, lays the tensors out
/// contiguously in the given order, and replaces the destination atomically (<see cref="AtomicFile"/>).</para>
/// <para>Reading is strict and throws <see cref="SafeTensorsFormatException"/> for anything malformed:
/// short files, header lengths beyond the file or above <see cref="MaxHeaderBytes"/>, invalid UTF-8 or
/// JSON, duplicate names or fields, missing or unknown fields, unknown dtypes, bad shapes or offsets,
/// sizes that disagree with shapes, overlapping tensors, holes, and trailing bytes. The data region must
/// be covered exactly: every byte belongs to exactly one tensor (as in the reference implementation);
/// zero-size tensors may sit at any tensor boundary.</para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The reserved header key of the metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header the reader accepts (100 MB, as in the reference implementation).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>The largest number of dimensions the reader accepts.</summary>
    public const int MaxRank = 64;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // The header is never embedded in HTML; keep non-ASCII names readable as plain UTF-8.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Atomically writes <paramref name="tensors"/> (in order) and optional metadata to <paramref name="path"/>.</summary>
    /// <param name="path">The destination file; its directory must exist.</param>
    /// <param name="tensors">The tensors; names must be unique.</param>
    /// <param name="metadata">Optional string metadata stored under <c>__metadata__</c> (omitted when null or empty).</param>
    /// <exception cref="ArgumentException">Two tensors share a name.</exception>
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        List<NamedTensor> list = Validate(tensors);
        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, stream => WriteCore(stream, header, list));
    }

    /// <summary>Writes the safetensors encoding of <paramref name="tensors"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name.</exception>
    public static void WriteTo(Stream stream, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        List<NamedTensor> list = Validate(tensors);
        WriteCore(stream, BuildHeader(list, metadata), list);
    }

    /// <summary>The safetensors encoding of <paramref name="tensors"/> as a byte array.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name.</exception>
    public static byte[] Serialize(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var memory = new MemoryStream();
        WriteTo(memory, tensors, metadata);
        return memory.ToArray();
    }

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is damaged or not a safetensors file.</exception>
    /// <exception cref="PolicyLabException">The file does not exist or is too large to load.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = stream.Length;
            if (length > Array.MaxLength)
            {
                throw new PolicyLabException(
                    $"weights file '{path}' is {length} bytes long, more than the {Array.MaxLength} bytes PolicyLab can load at once; " +
                    "split the checkpoint or check that the path points to a weights file.");
            }
            bytes = new byte[length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PolicyLabException($"weights file '{path}' does not exist; check the path or train and save a model first.", e);
        }
        catch (EndOfStreamException e)
        {
            throw SafeTensorsFormatException.Damaged(path, "it became shorter while it was being read", e);
        }
        return SafeTensorsParser.Parse(bytes, path);
    }

    /// <summary>Parses and validates safetensors bytes held in memory (they are copied).</summary>
    /// <param name="bytes">The complete file content.</param>
    /// <param name="sourceName">The file name or label used in error messages.</param>
    /// <exception cref="SafeTensorsFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return SafeTensorsParser.Parse(bytes.ToArray(), sourceName);
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> of <paramref name="file"/> into <paramref name="destination"/>
    /// as <see cref="float"/>, after checking that it exists and has exactly <paramref name="expectedShape"/>.
    /// </summary>
    /// <param name="file">The parsed file.</param>
    /// <param name="name">The tensor's name.</param>
    /// <param name="destination">Receives the elements; its length must be the product of <paramref name="expectedShape"/>.</param>
    /// <param name="expectedShape">The shape the network expects.</param>
    /// <exception cref="PolicyLabException">The tensor is missing, has another shape, or is not floating point.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not match <paramref name="expectedShape"/>.</exception>
    public static void LoadInto(SafeTensorsFile file, string name, Span<float> destination, ReadOnlySpan<int> expectedShape)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(name);
        long expectedCount = 1;
        foreach (int dim in expectedShape)
        {
            if (dim < 0)
                throw new ArgumentException($"Expected shape {FormatShape(expectedShape)} has a negative dimension.", nameof(expectedShape));
            expectedCount = checked(expectedCount * dim);
        }
        if (destination.Length != expectedCount)
        {
            throw new ArgumentException(
                $"Destination holds {destination.Length} elements but shape {FormatShape(expectedShape)} has {expectedCount}.",
                nameof(destination));
        }
        if (!file.TryGetTensor(name, out SafeTensor? tensor))
            throw file.MissingTensor(name);
        if (!tensor.ShapeSpan.SequenceEqual(expectedShape))
        {
            throw new PolicyLabException(
                $"tensor '{name}' has shape {tensor.ShapeText} in file '{file.SourceName}' but the network expects " +
                $"{FormatShape(expectedShape)}; the checkpoint was saved for a different architecture.");
        }
        tensor.CopyTo(destination);
    }

    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(shape[i]);
        }
        return sb.Append(']').ToString();
    }

    private static List<NamedTensor> Validate(IEnumerable<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<NamedTensor>(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (NamedTensor t in list)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (!names.Add(t.Name))
                throw new ArgumentException($"Two tensors are named '{t.Name}'; safetensors names must be unique.", nameof(tensors));
        }
        return list;
    }

    private static byte[] BuildHeader(List<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> entry in metadata)
                {
                    ArgumentNullException.ThrowIfNull(entry.Key, nameof(metadata));
                    ArgumentNullException.ThrowIfNull(entry.Value, nameof(metadata));
                    json.WriteString(entry.Key, entry.Value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (NamedTensor t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.FormatName());
                json.WriteStartArray("shape");
                foreach (int dim in t.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset = checked(offset + t.Data.Length);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int length = checked((int)buffer.Length);
        int padded = checked((length + 7) & ~7);
        if (padded > MaxHeaderBytes)
            throw new ArgumentException($"The safetensors header would be {padded} bytes, more than the {MaxHeaderBytes} readers accept.", nameof(tensors));
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteCore(Stream stream, byte[] header, List<NamedTensor> tensors)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (NamedTensor t in tensors)
            stream.Write(t.Data.Span);
    }
}
