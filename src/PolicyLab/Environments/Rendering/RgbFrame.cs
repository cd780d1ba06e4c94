namespace PolicyLab.Environments.Rendering;

/// <summary>An RGB image: <see cref="Height"/> rows of <see cref="Width"/> pixels, three bytes per pixel, top row first.</summary>
public sealed class RgbFrame
{
    /// <summary>Creates a black frame.</summary>
    public RgbFrame(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixel bytes, row-major, in R, G, B order.</summary>
    public byte[] Pixels { get; }

    /// <summary>The colour of pixel (x, y), with y = 0 the top row.</summary>
    public RgbColor this[int x, int y]
    {
        get
        {
            CheckInside(x, y);
            int offset = (y * Width + x) * 3;
            return new RgbColor(Pixels[offset], Pixels[offset + 1], Pixels[offset + 2]);
        }
        set
        {
            CheckInside(x, y);
            int offset = (y * Width + x) * 3;
            Pixels[offset] = value.R;
            Pixels[offset + 1] = value.G;
            Pixels[offset + 2] = value.B;
        }
    }

    /// <summary>Returns an independent copy.</summary>
    public RgbFrame Clone()
    {
        var copy = new RgbFrame(Width, Height);
        Pixels.CopyTo(copy.Pixels, 0);
        return copy;
    }

    /// <summary>Writes the frame as a binary PPM (P6) image, readable by most image tools and ffmpeg.</summary>
    public void WritePpm(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = System.Text.Encoding.ASCII.GetBytes($"P6\n{Width} {Height}\n255\n");
        stream.Write(header);
        stream.Write(Pixels);
    }

    private void CheckInside(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside the {Width}×{Height} frame.");
    }
}

/// <summary>An opaque 24-bit colour.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static RgbColor Black => new(0, 0, 0);

    /// <summary>White.</summary>
    public static RgbColor White => new(255, 255, 255);
}
