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
        for (int y = 0; y < height; y++)
        {
            int y0 = y * source.Height / height, y1 = Math.Max(y0 + 1, (y + 1) * source.Height / height);
            for (int x = 0; x < width; x++)
            {
                int x0 = x * source.Width / width, x1 = Math.Max(x0 + 1, (x + 1) * source.Width / width);
                int r = 0, g = 0, b = 0, n = 0;
                for (int sy = y0; sy < y1; sy++)
                {
                    int row = sy * source.Width;
                    for (int sx = x0; sx < x1; sx++)
                    {
                        int o = (row + sx) * 3;
                        r += s[o];
                        g += s[o + 1];
                        b += s[o + 2];
                        n++;
                    }
                }
                int d = (y * width + x) * 3;
                t[d] = (byte)(r / n);
                t[d + 1] = (byte)(g / n);
                t[d + 2] = (byte)(b / n);
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
