namespace PolicyLab.Environments.Rendering;

/// <summary>
/// A minimal software rasterizer over an <see cref="RgbFrame"/>: clear, thick lines, filled polygons, circles and
/// rectangles. Coordinates are in pixels with (0, 0) at the top-left corner and y growing downwards; a pixel is
/// covered when its centre lies inside the shape. No anti-aliasing; everything outside the frame is clipped.
/// </summary>
public sealed class Canvas
{
    private double[] _crossings = new double[16];

    /// <summary>Creates a canvas drawing into <paramref name="frame"/>.</summary>
    public Canvas(RgbFrame frame) => Frame = frame ?? throw new ArgumentNullException(nameof(frame));

    /// <summary>Creates a canvas over a new black frame.</summary>
    public Canvas(int width, int height) : this(new RgbFrame(width, height)) { }

    /// <summary>The frame being drawn on.</summary>
    public RgbFrame Frame { get; }

    /// <summary>Width in pixels.</summary>
    public int Width => Frame.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => Frame.Height;

    /// <summary>Paints every pixel with <paramref name="color"/>.</summary>
    public void Clear(RgbColor color) => Fill(Frame.Pixels, color);

    /// <summary>Paints one pixel if it is inside the frame.</summary>
    public void SetPixel(int x, int y, RgbColor color)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
            Frame[x, y] = color;
    }

    /// <summary>Fills the axis-aligned rectangle [left, right) × [top, bottom).</summary>
    public void FillRectangle(double left, double top, double right, double bottom, RgbColor color)
    {
        int x0 = Math.Max(0, (int)Math.Ceiling(Math.Min(left, right) - 0.5));
        int x1 = Math.Min(Width - 1, (int)Math.Ceiling(Math.Max(left, right) - 0.5) - 1);
        int y0 = Math.Max(0, (int)Math.Ceiling(Math.Min(top, bottom) - 0.5));
        int y1 = Math.Min(Height - 1, (int)Math.Ceiling(Math.Max(top, bottom) - 0.5) - 1);
        for (int y = y0; y <= y1; y++)
            FillSpan(y, x0, x1, color);
    }

    /// <summary>Fills the disc of the given centre and radius.</summary>
    public void FillCircle(double centerX, double centerY, double radius, RgbColor color)
    {
        if (radius <= 0)
            return;
        int y0 = Math.Max(0, (int)Math.Floor(centerY - radius));
        int y1 = Math.Min(Height - 1, (int)Math.Ceiling(centerY + radius));
        for (int y = y0; y <= y1; y++)
        {
            double dy = y + 0.5 - centerY;
            double half2 = radius * radius - dy * dy;
            if (half2 < 0)
                continue;
            double half = Math.Sqrt(half2);
            int x0 = Math.Max(0, (int)Math.Ceiling(centerX - half - 0.5));
            int x1 = Math.Min(Width - 1, (int)Math.Floor(centerX + half - 0.5));
            FillSpan(y, x0, x1, color);
        }
    }

    /// <summary>Draws a circle outline of the given thickness (centred on the radius).</summary>
    public void DrawCircle(double centerX, double centerY, double radius, double thickness, RgbColor color)
    {
        double outer = radius + thickness / 2, inner = Math.Max(0, radius - thickness / 2);
        int y0 = Math.Max(0, (int)Math.Floor(centerY - outer));
        int y1 = Math.Min(Height - 1, (int)Math.Ceiling(centerY + outer));
        int x0 = Math.Max(0, (int)Math.Floor(centerX - outer));
        int x1 = Math.Min(Width - 1, (int)Math.Ceiling(centerX + outer));
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                double dx = x + 0.5 - centerX, dy = y + 0.5 - centerY;
                double d2 = dx * dx + dy * dy;
                if (d2 <= outer * outer && d2 >= inner * inner)
                    Frame[x, y] = color;
            }
        }
    }

    /// <summary>Draws a line segment of the given thickness with round ends.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, double thickness, RgbColor color)
    {
        double half = Math.Max(thickness, 1.0) / 2;
        double dx = x1 - x0, dy = y1 - y0;
        double length = Math.Sqrt(dx * dx + dy * dy);
        if (length > 0)
        {
            double nx = -dy / length * half, ny = dx / length * half;
            ReadOnlySpan<double> quad = [x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny];
            FillPolygon(quad, color);
        }
        if (thickness > 2)
        {
            FillCircle(x0, y0, half, color);
            FillCircle(x1, y1, half, color);
        }
    }

    /// <summary>Draws a polyline (consecutive points joined by thick lines).</summary>
    /// <param name="points">Interleaved coordinates x0, y0, x1, y1, ….</param>
    /// <param name="thickness">Line thickness in pixels.</param>
    /// <param name="color">Line colour.</param>
    public void DrawPolyline(ReadOnlySpan<double> points, double thickness, RgbColor color)
    {
        CheckPoints(points);
        for (int i = 2; i + 1 < points.Length; i += 2)
            DrawLine(points[i - 2], points[i - 1], points[i], points[i + 1], thickness, color);
    }

    /// <summary>Fills a polygon (any simple or self-intersecting outline, even-odd rule).</summary>
    /// <param name="points">Interleaved vertex coordinates x0, y0, x1, y1, …; at least three vertices.</param>
    /// <param name="color">Fill colour.</param>
    public void FillPolygon(ReadOnlySpan<double> points, RgbColor color)
    {
        CheckPoints(points);
        int count = points.Length / 2;
        if (count < 3)
            return;
        double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            minY = Math.Min(minY, points[2 * i + 1]);
            maxY = Math.Max(maxY, points[2 * i + 1]);
        }
        if (!double.IsFinite(minY) || !double.IsFinite(maxY))
            return;
        if (_crossings.Length < count)
            _crossings = new double[count * 2];
        int yStart = Math.Max(0, (int)Math.Ceiling(minY - 0.5));
        int yEnd = Math.Min(Height - 1, (int)Math.Floor(maxY - 0.5));
        for (int y = yStart; y <= yEnd; y++)
        {
            double scanY = y + 0.5;
            int found = 0;
            for (int i = 0, j = count - 1; i < count; j = i++)
            {
                double xi = points[2 * i], yi = points[2 * i + 1], xj = points[2 * j], yj = points[2 * j + 1];
                if ((yi <= scanY && yj > scanY) || (yj <= scanY && yi > scanY))
                    _crossings[found++] = xi + (scanY - yi) / (yj - yi) * (xj - xi);
            }
            Array.Sort(_crossings, 0, found);
            for (int k = 0; k + 1 < found; k += 2)
            {
                int x0 = Math.Max(0, (int)Math.Ceiling(_crossings[k] - 0.5));
                int x1 = Math.Min(Width - 1, (int)Math.Ceiling(_crossings[k + 1] - 0.5) - 1);
                FillSpan(y, x0, x1, color);
            }
        }
    }

    private void FillSpan(int y, int x0, int x1, RgbColor color)
    {
        if (x1 < x0)
            return;
        Fill(Frame.Pixels.AsSpan((y * Width + x0) * 3, (x1 - x0 + 1) * 3), color);
    }

    /// <summary>Paints whole pixels: the first one byte by byte, then doubling block copies (memory-move speed on long spans).</summary>
    private static void Fill(Span<byte> pixels, RgbColor color)
    {
        if (pixels.Length < 3)
            return;
        pixels[0] = color.R;
        pixels[1] = color.G;
        pixels[2] = color.B;
        for (int filled = 3; filled < pixels.Length; filled *= 2)
            pixels[..Math.Min(filled, pixels.Length - filled)].CopyTo(pixels[filled..]);
    }

    private static void CheckPoints(ReadOnlySpan<double> points)
    {
        if (points.Length % 2 != 0)
            throw new ArgumentException($"Points are interleaved x, y pairs, so their count must be even; got {points.Length}.", nameof(points));
    }
}
