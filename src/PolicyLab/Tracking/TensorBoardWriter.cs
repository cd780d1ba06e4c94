using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using PolicyLab.IO;

namespace PolicyLab.Tracking;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.&lt;unix-seconds&gt;.&lt;host&gt;</c>): a sequence of
/// records, each <c>u64le length</c>, <c>u32le masked CRC-32C of the length</c>, the serialized <c>Event</c>,
/// <c>u32le masked CRC-32C of the data</c>. The first record carries <c>file_version = "brain.Event:2"</c>.
/// </summary>
/// <remarks>
/// The file is an append-only log that TensorBoard reads while it grows, so unlike the run folder's other files it
/// is written in place (flushed after each batch of records) rather than atomically; a torn last record is
/// detected by its CRC. Wall times are wall-clock seconds, which is why this file lives apart from the
/// deterministic ones.
/// </remarks>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly Func<double> _clock;

    /// <summary>Creates a new event file in <paramref name="directory"/> (created if missing).</summary>
    /// <param name="directory">The log directory (TensorBoard's <c>--logdir</c> or a child of it).</param>
    /// <param name="clock">Wall time in Unix seconds (defaults to the system clock).</param>
    public TensorBoardWriter(string directory, Func<double>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        Directory.CreateDirectory(directory);
        long seconds = (long)_clock();
        string host = string.Concat(Environment.MachineName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        string name = $"events.out.tfevents.{seconds.ToString(CultureInfo.InvariantCulture)}.{host}";
        string path = Path.Combine(directory, name);
        for (int i = 2; File.Exists(path); i++) path = Path.Combine(directory, $"{name}.{i.ToString(CultureInfo.InvariantCulture)}");
        FilePath = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteEvent(new ProtobufWriter().Double(1, _clock()).Varint(2, 0).String(3, "brain.Event:2"));
        Flush();
    }

    /// <summary>The event file's path.</summary>
    public string FilePath { get; }

    /// <summary>Adds a scalar summary <c>Event{wall_time, step, summary{value{tag, simple_value}}}</c>.</summary>
    public void AddScalar(string tag, double value, long step)
    {
        var summaryValue = new ProtobufWriter().String(1, tag).Float(2, (float)value);
        WriteSummary(new ProtobufWriter().Message(1, summaryValue), step);
    }

    /// <summary>Adds a text summary (shown by TensorBoard's text plugin, Markdown rendered).</summary>
    public void AddText(string tag, string text, long step)
    {
        var pluginData = new ProtobufWriter().String(1, "text");
        var metadata = new ProtobufWriter().Message(1, pluginData);
        var shape = new ProtobufWriter().Message(2, new ProtobufWriter().Varint(1, 1));
        var tensor = new ProtobufWriter().Varint(1, 7 /* DT_STRING */).Message(2, shape).String(8, text);
        var summaryValue = new ProtobufWriter().String(1, tag).Message(8, tensor).Message(9, metadata);
        WriteSummary(new ProtobufWriter().Message(1, summaryValue), step);
    }

    /// <summary>Pushes buffered records to the file.</summary>
    public void Flush() => _stream.Flush();

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Flush();
        _stream.Dispose();
    }

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>: initial value all ones, final complement.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }

    /// <summary>TensorFlow's masked CRC: rotate right by 15 and add 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint c = Crc32C(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }

    private void WriteSummary(ProtobufWriter summary, long step) =>
        WriteEvent(new ProtobufWriter().Double(1, _clock()).Varint(2, unchecked((ulong)step)).Message(5, summary));

    private void WriteEvent(ProtobufWriter ev)
    {
        byte[] data = ev.ToArray();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
    }
}
