using PolicyLab.Environments.Rendering;
using PolicyLab.Tracking.Imaging;

namespace PolicyLab.Tracking.Video;

/// <summary>Image operations for videos: area-averaged downscaling, pasting, greying with a tint, labels.</summary>
public static class FrameOps
{
    /// <summary>Resizes <paramref name="source"/> to <paramref name="width"/>×<paramref name="height"/> by averaging the source pixels under each target pixel.</summary>
    public static RgbFrame Resize(RgbFrame source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = new RgbFrame(width, height);
        byte[] s = source.Pixels, t = target.Pixels;
        int sw = source.Width, sh = source.Height;
        var xStart = new int[width];
        var xEnd = new int[width];
        for (int x = 0; x < width; x++)
        {
            xStart[x] = x * sw / width;
            xEnd[x] = Math.Max(xStart[x] + 1, (x + 1) * sw / width);
        }
        var sums = new int[width * 3];
        for (int y = 0; y < height; y++)
        {
            int y0 = y * sh / height, y1 = Math.Max(y0 + 1, (y + 1) * sh / height);
            Array.Clear(sums);
            for (int sy = y0; sy < y1; sy++)
            {
                ReadOnlySpan<byte> row = s.AsSpan(sy * sw * 3, sw * 3);
                for (int x = 0; x < width; x++)
                {
                    int r = 0, g = 0, b = 0;
                    for (int o = xStart[x] * 3, end = xEnd[x] * 3; o < end; o += 3)
                    {
                        r += row[o];
                        g += row[o + 1];
                        b += row[o + 2];
                    }
                    sums[3 * x] += r;
                    sums[3 * x + 1] += g;
                    sums[3 * x + 2] += b;
                }
            }
            int d = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int n = (xEnd[x] - xStart[x]) * (y1 - y0);
                t[d + 3 * x] = (byte)(sums[3 * x] / n);
                t[d + 3 * x + 1] = (byte)(sums[3 * x + 1] / n);
                t[d + 3 * x + 2] = (byte)(sums[3 * x + 2] / n);
            }
        }
        return target;
    }

    /// <summary>Copies <paramref name="tile"/> into <paramref name="target"/> with its top-left corner at (x, y).</summary>
    public static void Paste(RgbFrame target, RgbFrame tile, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tile);
        for (int row = 0; row < tile.Height && y + row < target.Height; row++)
            Array.Copy(tile.Pixels, row * tile.Width * 3, target.Pixels, ((y + row) * target.Width + x) * 3, Math.Min(tile.Width, target.Width - x) * 3);
    }

    /// <summary>Converts to grey and lays <paramref name="tint"/> over it with opacity <paramref name="alpha"/> (in place).</summary>
    public static void GreyAndTint(RgbFrame frame, RgbColor tint, double alpha)
    {
        ArgumentNullException.ThrowIfNull(frame);
        byte[] p = frame.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            double grey = 0.8 * (0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2]); // darkened so "greyed" reads on white
            p[i] = (byte)Math.Round(grey + (tint.R - grey) * alpha);
            p[i + 1] = (byte)Math.Round(grey + (tint.G - grey) * alpha);
            p[i + 2] = (byte)Math.Round(grey + (tint.B - grey) * alpha);
        }
    }

    /// <summary>Draws <paramref name="text"/> in white on a black box in the bottom-right corner of the area
    /// [x, x + width) × [y, y + height) of <paramref name="canvas"/>.</summary>
    public static void LabelBottomRight(Canvas canvas, int x, int y, int width, int height, string text, int scale)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        int w = BitmapFont.Measure(text, scale) + 4 * scale, h = BitmapFont.LineHeight(scale) + 4 * scale;
        int left = x + width - w - 2, top = y + height - h - 2;
        canvas.FillRectangle(left, top, left + w, top + h, RgbColor.Black);
        BitmapFont.Draw(canvas, left + 2 * scale, top + 2 * scale, text, scale, RgbColor.White);
    }
}
