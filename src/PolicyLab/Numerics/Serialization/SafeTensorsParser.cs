using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// Strict, bounds-checked safetensors parser. Every problem becomes a <see cref="SafeTensorsFormatException"/>;
/// all sizes are compared in unsigned 64-bit arithmetic against lengths that are already known, so no
/// read can leave the buffer.
/// </summary>
internal static class SafeTensorsParser
{
    private const int MaxNameInMessage = 80;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = 4,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private readonly record struct Entry(string Name, SafeTensorDType DType, int[] Shape, long Count, ulong Begin, ulong End);

    internal static SafeTensorsFile Parse(byte[] file, string source)
    {
        if (file.Length < 8)
        {
            throw Damaged(source,
                $"it is only {file.Length} bytes long, too short to hold the 8-byte header length that starts every safetensors file");
        }
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        ulong available = (ulong)file.Length - 8;
        if (headerLength > SafeTensors.MaxHeaderBytes)
        {
            throw Damaged(source,
                $"its header claims to be {headerLength} bytes long, more than the {SafeTensors.MaxHeaderBytes} bytes a safetensors " +
                "header may have (the file is probably not a safetensors file)");
        }
        if (headerLength > available)
        {
            throw Damaged(source,
                $"its header claims to be {headerLength} bytes long but only {available} bytes follow the header length (the file is cut short)");
        }
        int headerBytes = (int)headerLength;
        ReadOnlySpan<byte> header = file.AsSpan(8, headerBytes);
        int dataStart = 8 + headerBytes;
        ulong dataLength = (ulong)(file.Length - dataStart);

        if (!Utf8.IsValid(header))
            throw Damaged(source, "its header is not valid UTF-8 text");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        try
        {
            var reader = new Utf8JsonReader(header, ReaderOptions);
            ParseRoot(ref reader, source, dataLength, metadata, entries);
        }
        catch (JsonException e)
        {
            string where = e.BytePositionInLine is long pos
                ? $" (the JSON breaks near byte {pos} of line {(e.LineNumber ?? 0) + 1})"
                : "";
            throw Damaged(source, $"its header is not valid JSON{where}", e);
        }

        CheckCoverage(source, entries, dataLength);

        var tensors = new List<SafeTensor>(entries.Count);
        foreach (Entry e in entries)
        {
            var data = new ReadOnlyMemory<byte>(file, dataStart + (int)e.Begin, (int)(e.End - e.Begin));
            tensors.Add(new SafeTensor(source, e.Name, e.DType, e.Shape, e.Count, (long)e.Begin, data));
        }
        return new SafeTensorsFile(source, metadata.AsReadOnly(), tensors);
    }

    private static void ParseRoot(ref Utf8JsonReader reader, string source, ulong dataLength,
        Dictionary<string, string> metadata, List<Entry> entries)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Damaged(source, $"its header is a JSON {Describe(reader.TokenType)} instead of a JSON object");

        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string name = GetString(ref reader, source);
            if (name == SafeTensors.MetadataKey)
            {
                if (sawMetadata)
                    throw Damaged(source, $"its header has two '{SafeTensors.MetadataKey}' entries");
                sawMetadata = true;
                ParseMetadata(ref reader, source, metadata);
                continue;
            }
            if (!names.Add(name))
                throw Damaged(source, $"the tensor name {Quote(name)} appears twice in its header");
            entries.Add(ParseTensor(ref reader, source, name, dataLength));
        }
        // Anything but whitespace after the root object makes Read throw a JsonException.
        if (reader.Read())
            throw Damaged(source, "its header has extra content after the JSON object");
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, string source, Dictionary<string, string> metadata)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Damaged(source, $"its '{SafeTensors.MetadataKey}' entry is a JSON {Describe(reader.TokenType)} instead of an object of strings");
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
                return;
            string key = GetString(ref reader, source);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw Damaged(source, $"metadata entry {Quote(key)} is a JSON {Describe(reader.TokenType)} instead of a string");
            string value = GetString(ref reader, source);
            if (!metadata.TryAdd(key, value))
                throw Damaged(source, $"metadata entry {Quote(key)} appears twice");
        }
    }

    private static Entry ParseTensor(ref Utf8JsonReader reader, string source, string name, ulong dataLength)
    {
        string tensor = $"tensor {Quote(name)}";
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Damaged(source, $"the header entry of {tensor} is a JSON {Describe(reader.TokenType)} instead of an object");

        SafeTensorDType? dtype = null;
        List<int>? shape = null;
        ulong begin = 0, end = 0;
        bool sawOffsets = false;
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string field = GetString(ref reader, source);
            switch (field)
            {
                case "dtype":
                    if (dtype is not null)
                        throw Damaged(source, $"{tensor} has two 'dtype' fields");
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        throw Damaged(source, $"the dtype of {tensor} is a JSON {Describe(reader.TokenType)} instead of a string like \"F32\"");
                    string dtypeName = GetString(ref reader, source);
                    if (!SafeTensorDTypes.TryParse(dtypeName, out SafeTensorDType parsed))
                        throw Damaged(source, $"{tensor} has the unknown dtype {Quote(dtypeName)}");
                    dtype = parsed;
                    break;

                case "shape":
                    if (shape is not null)
                        throw Damaged(source, $"{tensor} has two 'shape' fields");
                    shape = [];
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw Damaged(source, $"the shape of {tensor} is a JSON {Describe(reader.TokenType)} instead of a list of whole numbers");
                    while (true)
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.EndArray)
                            break;
                        if (shape.Count == SafeTensors.MaxRank)
                            throw Damaged(source, $"the shape of {tensor} has more than {SafeTensors.MaxRank} dimensions");
                        ulong dim = ReadWholeNumber(ref reader, source, $"a dimension in the shape of {tensor}");
                        if (dim > int.MaxValue)
                            throw Damaged(source, $"the shape of {tensor} has the dimension {dim}, which is larger than {int.MaxValue}");
                        shape.Add((int)dim);
                    }
                    break;

                case "data_offsets":
                    if (sawOffsets)
                        throw Damaged(source, $"{tensor} has two 'data_offsets' fields");
                    sawOffsets = true;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw Damaged(source, $"the data_offsets of {tensor} are a JSON {Describe(reader.TokenType)} instead of a list [begin, end]");
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.EndArray)
                        throw Damaged(source, $"the data_offsets of {tensor} are empty instead of [begin, end]");
                    begin = ReadWholeNumber(ref reader, source, $"the begin offset of {tensor}");
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.EndArray)
                        throw Damaged(source, $"the data_offsets of {tensor} have one number instead of two [begin, end]");
                    end = ReadWholeNumber(ref reader, source, $"the end offset of {tensor}");
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.EndArray)
                        throw Damaged(source, $"the data_offsets of {tensor} have more than two numbers instead of [begin, end]");
                    break;

                default:
                    throw Damaged(source,
                        $"{tensor} has the unexpected field {Quote(field)} (only dtype, shape and data_offsets are allowed)");
            }
        }

        if (dtype is null)
            throw Damaged(source, $"{tensor} has no 'dtype' field");
        if (shape is null)
            throw Damaged(source, $"{tensor} has no 'shape' field");
        if (!sawOffsets)
            throw Damaged(source, $"{tensor} has no 'data_offsets' field");

        if (begin > end)
            throw Damaged(source, $"{tensor} claims bytes {begin}..{end}, which end before they begin");
        if (end > dataLength)
            throw Damaged(source, $"{tensor} claims bytes {begin}..{end} but the file has only {dataLength} bytes of data");

        int[] dims = [.. shape];
        SafeTensorDType type = dtype.Value;
        ulong count = 1;
        bool overflow = false;
        if (!dims.Contains(0))
        {
            foreach (int dim in dims)
            {
                ulong high = Math.BigMul(count, (ulong)dim, out count);
                if (high != 0)
                {
                    overflow = true;
                    break;
                }
            }
        }
        else
        {
            count = 0;
        }
        ulong bytes = 0;
        if (!overflow)
            overflow = Math.BigMul(count, (ulong)type.ElementSize(), out bytes) != 0;
        if (overflow)
        {
            throw Damaged(source,
                $"{tensor} has the shape {SafeTensors.FormatShape(dims)}, whose size in bytes does not fit in 64 bits");
        }
        if (bytes != end - begin)
        {
            throw Damaged(source,
                $"{tensor} has shape {SafeTensors.FormatShape(dims)} of {type.FormatName()}, which needs {bytes} bytes, " +
                $"but claims bytes {begin}..{end} ({end - begin} bytes)");
        }
        // count <= bytes <= dataLength < 2^31, so it fits in a long (and an int).
        return new Entry(name, type, dims, (long)count, begin, end);
    }

    private static void CheckCoverage(string source, List<Entry> entries, ulong dataLength)
    {
        var order = entries.ToArray();
        Array.Sort(order, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong cursor = 0;
        Entry? previous = null;
        foreach (Entry e in order)
        {
            if (e.Begin < cursor)
            {
                Entry p = previous!.Value;
                throw Damaged(source,
                    $"tensor {Quote(e.Name)} (bytes {e.Begin}..{e.End}) overlaps tensor {Quote(p.Name)} (bytes {p.Begin}..{p.End})");
            }
            if (e.Begin > cursor)
            {
                throw Damaged(source,
                    $"bytes {cursor}..{e.Begin} of its data belong to no tensor (a safetensors file has no gaps between tensors)");
            }
            cursor = e.End;
            if (e.End > e.Begin || previous is null)
                previous = e;
        }
        if (cursor != dataLength)
        {
            throw Damaged(source, entries.Count == 0
                ? $"it lists no tensors but has {dataLength} bytes of data"
                : $"it has {dataLength - cursor} unexpected bytes after the last tensor's data");
        }
    }

    private static ulong ReadWholeNumber(ref Utf8JsonReader reader, string source, string what)
    {
        if (reader.TokenType != JsonTokenType.Number)
            throw Damaged(source, $"{what} is a JSON {Describe(reader.TokenType)} instead of a whole number");
        if (reader.TryGetUInt64(out ulong value))
            return value;
        string text = Encoding.UTF8.GetString(reader.ValueSpan);
        if (text.StartsWith('-'))
            throw Damaged(source, $"{what} is the negative number {Clip(text)}");
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
            throw Damaged(source, $"{what} is {Clip(text)}, which is not a whole number");
        throw Damaged(source, $"{what} is {Clip(text)}, which is too large");
    }

    private static string GetString(ref Utf8JsonReader reader, string source)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // E.g. an escaped lone surrogate ("\ud800"), which is not valid text.
            throw Damaged(source, "its header contains a string that is not valid Unicode text", e);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "list",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "true/false value",
        JsonTokenType.Null => "null",
        _ => "value",
    };

    /// <summary>A name for a message: quoted, control characters escaped, long names shortened.</summary>
    internal static string Quote(string name)
    {
        var sb = new StringBuilder("'");
        int limit = Math.Min(name.Length, MaxNameInMessage);
        for (int i = 0; i < limit; i++)
        {
            char c = name[i];
            if (char.IsControl(c))
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                sb.Append(c);
        }
        if (name.Length > MaxNameInMessage)
            sb.Append(CultureInfo.InvariantCulture, $"… ({name.Length} characters)");
        return sb.Append('\'').ToString();
    }

    private static string Clip(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    private static SafeTensorsFormatException Damaged(string source, string problem, Exception? inner = null)
        => SafeTensorsFormatException.Damaged(source, problem, inner);
}
