using PolicyLab.Environments.Rendering;
using PolicyLab.Tracking.Charts;
using SkiaSharp;

namespace PolicyLab.Plotting;

/// <summary>
/// Draws <see cref="LineChart"/>s with Skia: anti-aliased lines and bands and TrueType text (Liberation Sans, Helvetica,
/// Arial or DejaVu Sans, whichever the system has), with the same layout as <see cref="SvgChart"/> — the legend below
/// the plot area, flowed into rows and wrapped — and several panels stacked vertically.
/// </summary>
public static class SkiaChart
{
    private static readonly string[] Families = ["Liberation Sans", "Helvetica", "Arial", "DejaVu Sans"];
    private static readonly Lazy<SKTypeface> Regular = new(() => Typeface(SKFontStyle.Normal));
    private static readonly Lazy<SKTypeface> Bold = new(() => Typeface(SKFontStyle.Bold));

    /// <summary>The typeface the charts' text is set in (its family name tells which font was found).</summary>
    public static string FontFamily => Regular.Value.FamilyName;

    /// <summary>The panels as one PNG image, top to bottom.</summary>
    public static byte[] RenderPng(IReadOnlyList<LineChart> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new PolicyLabException("There is no chart to draw.");
        using var text = new SKFont(Regular.Value, 13);
        Func<string, double> measure = s => text.MeasureText(s);
        var layouts = panels.Select(p => new ChartLayout(p, measure)).ToList();
        int width = panels.Max(p => p.Width), height = (int)Math.Ceiling(layouts.Sum(l => l.Height));
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new PolicyLabException($"Skia could not create a {width}×{height} image.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        float y = 0;
        foreach (ChartLayout layout in layouts)
        {
            canvas.Save();
            canvas.Translate(0, y);
            Draw(canvas, layout);
            canvas.Restore();
            y += (float)layout.Height;
        }
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void Draw(SKCanvas canvas, ChartLayout l)
    {
        LineChart chart = l.Chart;
        using var font = new SKFont(Regular.Value, 13) { Subpixel = true, Edging = SKFontEdging.Antialias };
        using var labelFont = new SKFont(Regular.Value, 14) { Subpixel = true, Edging = SKFontEdging.Antialias };
        using var titleFont = new SKFont(Bold.Value, 17) { Subpixel = true, Edging = SKFontEdging.Antialias };
        using var ink = new SKPaint { IsAntialias = true, Color = new SKColor(0x22, 0x22, 0x22) };
        using var muted = new SKPaint { IsAntialias = true, Color = new SKColor(0x55, 0x55, 0x55) };
        using var tickInk = new SKPaint { IsAntialias = true, Color = new SKColor(0x33, 0x33, 0x33) };
        using var grid = new SKPaint { IsAntialias = true, Color = new SKColor(0xe4, 0xe4, 0xe4), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var frame = new SKPaint { IsAntialias = true, Color = new SKColor(0x44, 0x44, 0x44), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        float left = (float)l.Left, right = (float)l.Right, top = (float)l.Top, bottom = (float)l.Bottom;

        canvas.DrawText(chart.Title, chart.Width / 2f, 28, SKTextAlign.Center, titleFont, ink);
        if (chart.Note is not null) canvas.DrawText(chart.Note, chart.Width / 2f, 48, SKTextAlign.Center, font, muted);
        for (int i = 0; i < l.XTicks.Length; i++)
        {
            float x = (float)l.PixelX(l.XTicks[i]);
            canvas.DrawLine(x, top, x, bottom, grid);
            canvas.DrawText(l.XTickLabel(i), x, bottom + 18, SKTextAlign.Center, font, tickInk);
        }
        for (int i = 0; i < l.YTicks.Length; i++)
        {
            float y = (float)l.PixelY(l.YTicks[i]);
            canvas.DrawLine(left, y, right, y, grid);
            canvas.DrawText(l.YTickLabel(i), left - 8, y + 4, SKTextAlign.Right, font, tickInk);
        }
        canvas.DrawText(chart.XLabel, (left + right) / 2, chart.Height - 18, SKTextAlign.Center, labelFont, ink);
        canvas.Save();
        canvas.Translate(20, (top + bottom) / 2);
        canvas.RotateDegrees(-90);
        canvas.DrawText(chart.YLabel, 0, 0, SKTextAlign.Center, labelFont, ink);
        canvas.Restore();

        canvas.Save();
        canvas.ClipRect(new SKRect(left, top, right, bottom), SKClipOperation.Intersect, antialias: true);
        foreach (ChartSeries s in chart.Series)
        {
            if (s.Lower is null || s.Upper is null) continue;
            using var band = new SKPaint { IsAntialias = true, Color = Colour(s.Color, 0.22), Style = SKPaintStyle.Fill };
            foreach (List<int> seg in Segments(s.X, s.Lower, s.Upper))
            {
                using var builder = new SKPathBuilder();
                builder.MoveTo((float)l.PixelX(s.X[seg[0]]), (float)l.PixelY(s.Upper[seg[0]]));
                foreach (int i in seg.Skip(1)) builder.LineTo((float)l.PixelX(s.X[i]), (float)l.PixelY(s.Upper[i]));
                for (int k = seg.Count - 1; k >= 0; k--) builder.LineTo((float)l.PixelX(s.X[seg[k]]), (float)l.PixelY(s.Lower[seg[k]]));
                builder.Close();
                using SKPath path = builder.Snapshot();
                canvas.DrawPath(path, band);
            }
        }
        foreach (ChartSeries s in chart.Series)
        {
            using var line = new SKPaint
            {
                IsAntialias = true, Color = Colour(s.Color, 1), Style = SKPaintStyle.Stroke, StrokeWidth = 2.2f,
                StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round,
            };
            using var dot = new SKPaint { IsAntialias = true, Color = Colour(s.Color, 1), Style = SKPaintStyle.Fill };
            foreach (List<int> seg in ChartLayout.Segments(s.X, s.Y))
            {
                using var builder = new SKPathBuilder();
                builder.MoveTo((float)l.PixelX(s.X[seg[0]]), (float)l.PixelY(s.Y[seg[0]]));
                foreach (int i in seg.Skip(1)) builder.LineTo((float)l.PixelX(s.X[i]), (float)l.PixelY(s.Y[i]));
                using SKPath path = builder.Snapshot();
                canvas.DrawPath(path, line);
                if (s.Markers || seg.Count == 1)
                    foreach (int i in seg) canvas.DrawCircle((float)l.PixelX(s.X[i]), (float)l.PixelY(s.Y[i]), 3.5f, dot);
            }
        }
        canvas.Restore();
        canvas.DrawRect(new SKRect(left, top, right, bottom), frame);

        foreach (LegendEntry e in l.Legend)
        {
            ChartSeries s = chart.Series[e.Series];
            var swatch = new SKRect((float)e.X, (float)e.Y + 5, (float)e.X + 20, (float)e.Y + 15);
            using var fill = new SKPaint { IsAntialias = true, Color = Colour(s.Color, s.Lower is null ? 1 : 0.35), Style = SKPaintStyle.Fill };
            using var edge = new SKPaint { IsAntialias = true, Color = Colour(s.Color, 1), Style = SKPaintStyle.Stroke, StrokeWidth = 2 };
            canvas.DrawRect(swatch, fill);
            canvas.DrawRect(swatch, edge);
            for (int line = 0; line < e.Lines.Count; line++)
                canvas.DrawText(e.Lines[line], (float)(e.X + ChartLayout.LegendTextOffset), (float)(e.Y + 14 + line * ChartLayout.LegendLineHeight), SKTextAlign.Left, font, ink);
        }
    }

    private static SKColor Colour(RgbColor c, double alpha) => new(c.R, c.G, c.B, (byte)Math.Round(alpha * 255));

    private static IEnumerable<List<int>> Segments(double[] x, double[] lower, double[] upper)
    {
        var both = new double[x.Length];
        for (int i = 0; i < both.Length; i++) both[i] = double.IsFinite(lower[i]) && double.IsFinite(upper[i]) ? 0 : double.NaN;
        return ChartLayout.Segments(x, both);
    }

    private static SKTypeface Typeface(SKFontStyle style)
    {
        foreach (string family in Families)
        {
            SKTypeface? face = SKFontManager.Default.MatchFamily(family, style);
            if (face is not null) return face;
        }
        return SKTypeface.Default;
    }
}
