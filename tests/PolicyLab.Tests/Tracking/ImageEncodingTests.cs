using Xunit.Abstractions;
using System.Buffers.Binary;
using System.IO.Compression;
using PolicyLab.Environments.Rendering;
using PolicyLab.Tracking.Imaging;
using PolicyLab.Tracking.Video;

namespace PolicyLab.Tests.Tracking;

/// <summary>PNG and GIF encoders, checked by decoders written here (chunk CRCs, inflate, LZW).</summary>
public sealed class ImageEncodingTests(ITestOutputHelper log)
{
    private static RgbFrame Sample(int width, int height, int seed)
    {
        // Colours on the GIF palette's grid so the GIF round trip is exact.
        var frame = new RgbFrame(width, height);
        var random = new Random(seed);
        byte[] levels = [0, 51, 102, 153, 204, 255];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var c = new RgbColor(levels[random.Next(6)], levels[random.Next(6)], levels[random.Next(6)]);
                if (c.R == c.G && c.G == c.B) c = new RgbColor(0, 0, 0); // exact greys are black and white only
                byte grey = (byte)Math.Round((x + y) % 40 * 255 / 39.0);
                frame[x, y] = ((x / 7 + y / 5) % 3) switch { 0 => c, 1 => new RgbColor(grey, grey, grey), _ => RgbColor.White };
            }
        }
        return frame;
    }

    [Fact]
    public void Gif_palette_keeps_greys_neutral()
    {
        for (int v = 0; v < 256; v++)
        {
            (byte r, byte g, byte b) = GifEncoder.PaletteColor(GifEncoder.Quantize((byte)v, (byte)v, (byte)v));
            Assert.True(r == g && g == b && Math.Abs(r - v) <= 4, $"grey {v} → ({r}, {g}, {b})");
        }
        Assert.Equal((255, 0, 0), GifEncoder.PaletteColor(GifEncoder.Quantize(250, 10, 20)));
    }

    [Fact]
    public void Crc32_matches_the_check_value() => Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8));

    [Fact]
    public void Png_round_trips_through_an_independent_reader()
    {
        RgbFrame frame = Sample(37, 23, 1);
        byte[] png = PngEncoder.Encode(frame);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int pos = 8;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(BitwiseCrc32(png.AsSpan(pos + 4, 4 + length)), crc);
            if (type == "IHDR")
            {
                Assert.Equal(37, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 8)));
                Assert.Equal(23, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 12)));
                Assert.Equal(new byte[] { 8, 2, 0, 0, 0 }, png[(pos + 16)..(pos + 21)]);
            }
            if (type == "IDAT") idat.Write(png, pos + 8, length);
            types.Add(type);
            pos += 12 + length;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], types);
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        byte[] raw = inflated.ToArray();
        Assert.Equal(23 * (1 + 37 * 3), raw.Length);
        for (int y = 0; y < 23; y++)
        {
            Assert.Equal(0, raw[y * (1 + 37 * 3)]);
            Assert.Equal(frame.Pixels.AsSpan(y * 37 * 3, 37 * 3).ToArray(), raw.AsSpan(y * (1 + 37 * 3) + 1, 37 * 3).ToArray());
        }
    }

    [Fact]
    public void Gif_frames_decode_back_to_the_same_pixels()
    {
        // Large enough (and noisy enough) that the LZW table fills up and is cleared at least once.
        RgbFrame[] frames = [Sample(150, 120, 2), Sample(150, 120, 3)];
        using var stream = new MemoryStream();
        using (var gif = new GifEncoder(stream, 150, 120, 30))
            foreach (RgbFrame f in frames) gif.AddFrame(f);
        List<RgbFrame> decoded = GifDecoder.Decode(stream.ToArray());
        Assert.Equal(2, decoded.Count);
        for (int k = 0; k < 2; k++) Assert.Equal(frames[k].Pixels, decoded[k].Pixels);
    }

    [Fact]
    public void Gif_decodes_with_ffmpeg_when_present()
    {
        if (!Tools.Has("ffmpeg"))
        {
            Tools.Skip(log, "SKIPPED Gif_decodes_with_ffmpeg_when_present: ffmpeg is not installed.");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("policylab-gif-").FullName;
        try
        {
            RgbFrame frame = Sample(64, 48, 4);
            string path = Path.Combine(dir, "a.gif");
            using (var file = File.Create(path))
            using (var gif = new GifEncoder(file, 64, 48, 30))
            {
                gif.AddFrame(frame);
                gif.AddFrame(frame);
            }
            (int code, string output) = Tools.Run("ffmpeg", $"-loglevel error -i a.gif -frames:v 1 -f rawvideo -pix_fmt rgb24 a.rgb", dir);
            Assert.True(code == 0, output);
            Assert.Equal(frame.Pixels, File.ReadAllBytes(Path.Combine(dir, "a.rgb")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A minimal GIF reader (global palette, full-size frames, LZW) for the round-trip test.</summary>
    private static class GifDecoder
    {
        public static List<RgbFrame> Decode(byte[] gif)
        {
            Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(gif, 0, 6));
            int width = gif[6] | gif[7] << 8, height = gif[8] | gif[9] << 8;
            Assert.Equal(0xF7, gif[10]);
            byte[] palette = gif[13..(13 + 768)];
            int pos = 13 + 768;
            var frames = new List<RgbFrame>();
            while (gif[pos] != 0x3B)
            {
                if (gif[pos] == 0x21)
                {
                    pos += 2;
                    while (gif[pos] != 0) pos += gif[pos] + 1;
                    pos++;
                    continue;
                }
                Assert.Equal(0x2C, gif[pos]);
                pos += 10;
                int minimum = gif[pos++];
                var data = new List<byte>();
                while (gif[pos] != 0)
                {
                    data.AddRange(gif.AsSpan(pos + 1, gif[pos]).ToArray());
                    pos += gif[pos] + 1;
                }
                pos++;
                byte[] indices = Lzw([.. data], minimum, width * height);
                var frame = new RgbFrame(width, height);
                for (int i = 0; i < indices.Length; i++)
                    (frame.Pixels[3 * i], frame.Pixels[3 * i + 1], frame.Pixels[3 * i + 2]) = (palette[3 * indices[i]], palette[3 * indices[i] + 1], palette[3 * indices[i] + 2]);
                frames.Add(frame);
            }
            return frames;
        }

        private static byte[] Lzw(byte[] data, int minimum, int count)
        {
            int clear = 1 << minimum, end = clear + 1;
            var table = new List<byte[]>();
            void Reset()
            {
                table.Clear();
                for (int i = 0; i < clear; i++) table.Add([(byte)i]);
                table.Add([]);
                table.Add([]);
            }
            Reset();
            var output = new List<byte>();
            int size = minimum + 1, bit = 0;
            byte[]? previous = null;
            while (true)
            {
                int code = 0;
                for (int k = 0; k < size; k++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << k;
                if (code == clear)
                {
                    Reset();
                    size = minimum + 1;
                    previous = null;
                    continue;
                }
                if (code == end) break;
                byte[] entry;
                if (code < table.Count) entry = table[code];
                else
                {
                    Assert.Equal(table.Count, code);
                    entry = [.. previous!, previous![0]];
                }
                output.AddRange(entry);
                if (previous is not null && table.Count < 4096) table.Add([.. previous, entry[0]]);
                previous = entry;
                if (table.Count == 1 << size && size < 12) size++;
            }
            Assert.Equal(count, output.Count);
            return [.. output];
        }
    }
}
