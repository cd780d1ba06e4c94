using PolicyLab.Environments.Rendering;

namespace PolicyLab.Tracking.Video;

/// <summary>
/// Writes an animated GIF (GIF89a, looping) with a fixed palette — a 6 × 6 × 6 colour cube plus a ramp of 40
/// greys, so greyed tiles stay neutral — and LZW-compressed frames, for when ffmpeg is not available.
/// </summary>
public sealed class GifEncoder : IDisposable
{
    private readonly Stream _output;
    private readonly int _width, _height, _delay;
    private readonly byte[] _indices;
    private bool _finished;

    /// <summary>Starts a GIF of <paramref name="width"/>×<paramref name="height"/> at about <paramref name="fps"/> frames per second.</summary>
    public GifEncoder(Stream output, int width, int height, int fps)
    {
        ArgumentNullException.ThrowIfNull(output);
        (_output, _width, _height) = (output, width, height);
        _delay = Math.Max(2, (int)Math.Round(100.0 / fps)); // hundredths of a second; browsers treat < 2 as slow
        _indices = new byte[width * height];
        WriteAscii("GIF89a");
        WriteUInt16(width);
        WriteUInt16(height);
        _output.WriteByte(0xF7); // global colour table of 256 entries, 8 bits per primary
        _output.WriteByte(0);
        _output.WriteByte(0);
        for (int i = 0; i < 256; i++)
        {
            (byte r, byte g, byte b) = PaletteColor(i);
            _output.WriteByte(r);
            _output.WriteByte(g);
            _output.WriteByte(b);
        }
        // NETSCAPE2.0 application extension: loop forever.
        _output.Write([0x21, 0xFF, 0x0B]);
        WriteAscii("NETSCAPE2.0");
        _output.Write([0x03, 0x01, 0x00, 0x00, 0x00]);
    }

    /// <summary>Colour <paramref name="index"/> of the palette: 0–215 the cube (levels 0, 51, …, 255), 216–255 greys.</summary>
    public static (byte R, byte G, byte B) PaletteColor(int index)
    {
        if (index >= 216)
        {
            byte grey = (byte)Math.Round((index - 216) * 255 / 39.0);
            return (grey, grey, grey);
        }
        return ((byte)(index / 36 * 51), (byte)(index / 6 % 6 * 51), (byte)(index % 6 * 51));
    }

    /// <summary>The palette index for a colour: the grey ramp for near-greys, else the nearest cube colour.</summary>
    public static byte Quantize(byte r, byte g, byte b)
    {
        int max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
        if (max - min <= 12) return (byte)(216 + ((r + g + b) * 39 + 382) / 765);
        return (byte)((r + 25) / 51 * 36 + (g + 25) / 51 * 6 + (b + 25) / 51);
    }

    /// <summary>Appends a frame (same size as the GIF).</summary>
    public void AddFrame(RgbFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != _width || frame.Height != _height)
            throw new ArgumentException($"Frame is {frame.Width}×{frame.Height} but the GIF is {_width}×{_height}.", nameof(frame));
        byte[] p = frame.Pixels;
        for (int i = 0; i < _indices.Length; i++) _indices[i] = Quantize(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
        _output.Write([0x21, 0xF9, 0x04, 0x00, (byte)(_delay & 0xFF), (byte)(_delay >> 8), 0x00, 0x00]); // graphic control
        _output.WriteByte(0x2C); // image descriptor
        WriteUInt16(0);
        WriteUInt16(0);
        WriteUInt16(_width);
        WriteUInt16(_height);
        _output.WriteByte(0);
        _output.WriteByte(8); // LZW minimum code size
        Lzw.Encode(_indices, _output);
    }

    /// <summary>Writes the trailer.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        _output.WriteByte(0x3B);
        _output.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => Finish();

    private void WriteUInt16(int v)
    {
        _output.WriteByte((byte)(v & 0xFF));
        _output.WriteByte((byte)(v >> 8));
    }

    private void WriteAscii(string s)
    {
        foreach (char c in s) _output.WriteByte((byte)c);
    }

    /// <summary>GIF's variable-width LZW (8-bit symbols, codes of 9–12 bits, clear code when the table is full),
    /// packed least-significant bit first into sub-blocks of at most 255 bytes.</summary>
    private static class Lzw
    {
        public static void Encode(ReadOnlySpan<byte> symbols, Stream output)
        {
            const int clear = 256, end = 257;
            var table = new Dictionary<int, int>(4096);
            var block = new byte[256];
            int blockLength = 0;
            int bitBuffer = 0, bitCount = 0, codeSize = 9, next = 258;

            void Emit(int code)
            {
                bitBuffer |= code << bitCount;
                bitCount += codeSize;
                while (bitCount >= 8)
                {
                    block[blockLength++] = (byte)bitBuffer;
                    bitBuffer >>= 8;
                    bitCount -= 8;
                    if (blockLength == 255) Flush();
                }
            }

            void Flush()
            {
                output.WriteByte((byte)blockLength);
                output.Write(block, 0, blockLength);
                blockLength = 0;
            }

            Emit(clear);
            if (symbols.Length == 0)
            {
                Emit(end);
            }
            else
            {
                int prefix = symbols[0];
                for (int i = 1; i < symbols.Length; i++)
                {
                    int key = (prefix << 8) | symbols[i];
                    if (table.TryGetValue(key, out int code))
                    {
                        prefix = code;
                        continue;
                    }
                    Emit(prefix);
                    if (next < 4096)
                    {
                        table[key] = next++;
                        if (next > (1 << codeSize) && codeSize < 12) codeSize++;
                    }
                    else
                    {
                        Emit(clear);
                        table.Clear();
                        next = 258;
                        codeSize = 9;
                    }
                    prefix = symbols[i];
                }
                Emit(prefix);
                Emit(end);
            }
            if (bitCount > 0)
            {
                block[blockLength++] = (byte)bitBuffer;
                if (blockLength == 255) Flush();
            }
            if (blockLength > 0) Flush();
            output.WriteByte(0); // block terminator
        }
    }
}
