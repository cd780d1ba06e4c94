using PolicyLab.Environments.Rendering;
using PolicyLab.Tracking.Imaging;

namespace PolicyLab.Tracking.Charts;

/// <summary>Draws a <see cref="LineChart"/> into an <see cref="RgbFrame"/> with PolicyLab's own rasterizer and bitmap font.</summary>
public static class RasterChart
{
    private static readonly RgbColor Grid = new(228, 228, 228), Axis = new(68, 68, 68), Text = new(40, 40, 40);

    /// <summary>The chart as an image.</summary>
    public static RgbFrame Render(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var l = new ChartLayout(chart, text => BitmapFont.Measure(text, 2));
        int height = (int)Math.Ceiling(l.Height);
        var canvas = new Canvas(chart.Width, height);
        canvas.Clear(RgbColor.White);
        for (int ti = 0; ti < l.XTicks.Length; ti++)
        {
            double t = l.XTicks[ti];
            double x = l.PixelX(t);
            canvas.DrawLine(x, l.Top, x, l.Bottom, 1, Grid);
            string label = l.XTickLabel(ti);
            BitmapFont.Draw(canvas, (int)(x - BitmapFont.Measure(label, 2) / 2.0), (int)l.Bottom + 8, label, 2, Text);
        }
        for (int ti = 0; ti < l.YTicks.Length; ti++)
        {
            double t = l.YTicks[ti];
            double y = l.PixelY(t);
            canvas.DrawLine(l.Left, y, l.Right, y, 1, Grid);
            string label = l.YTickLabel(ti);
            BitmapFont.Draw(canvas, (int)l.Left - 8 - BitmapFont.Measure(label, 2), (int)(y - 7), label, 2, Text);
        }
        foreach (ChartSeries s in chart.Series)
        {
            if (s.Lower is null || s.Upper is null) continue;
            foreach (List<int> seg in SvgChart.BandSegments(s))
            {
                var points = new List<double>();
                foreach (int i in seg) points.AddRange([l.PixelX(s.X[i]), l.PixelY(s.Upper[i])]);
                for (int k = seg.Count - 1; k >= 0; k--) points.AddRange([l.PixelX(s.X[seg[k]]), l.PixelY(s.Lower[seg[k]])]);
                FillTranslucent(canvas, points.ToArray(), s.Color, 0.22);
            }
        }
        foreach (ChartSeries s in chart.Series)
        {
            foreach (List<int> seg in ChartLayout.Segments(s.X, s.Y))
            {
                var points = new double[seg.Count * 2];
                for (int k = 0; k < seg.Count; k++) (points[2 * k], points[2 * k + 1]) = (l.PixelX(s.X[seg[k]]), l.PixelY(s.Y[seg[k]]));
                if (seg.Count == 1) canvas.FillCircle(points[0], points[1], 2, s.Color);
                canvas.DrawPolyline(points, 2.5, s.Color);
                if (s.Markers)
                    for (int k = 0; k < seg.Count; k++) canvas.FillCircle(points[2 * k], points[2 * k + 1], 3.5, s.Color);
            }
        }
        // Frame and margins drawn after the data so nothing spills outside the plot area.
        canvas.FillRectangle(0, 0, chart.Width, l.Top, RgbColor.White);
        canvas.FillRectangle(0, l.Bottom + 1, chart.Width, height, RgbColor.White);
        canvas.FillRectangle(0, 0, l.Left, height, RgbColor.White);
        canvas.FillRectangle(l.Right + 1, 0, chart.Width, height, RgbColor.White);
        for (int ti = 0; ti < l.XTicks.Length; ti++)
        {
            double t = l.XTicks[ti];
            string label = l.XTickLabel(ti);
            BitmapFont.Draw(canvas, (int)(l.PixelX(t) - BitmapFont.Measure(label, 2) / 2.0), (int)l.Bottom + 8, label, 2, Text);
        }
        for (int ti = 0; ti < l.YTicks.Length; ti++)
        {
            double t = l.YTicks[ti];
            string label = l.YTickLabel(ti);
            BitmapFont.Draw(canvas, (int)l.Left - 8 - BitmapFont.Measure(label, 2), (int)(l.PixelY(t) - 7), label, 2, Text);
        }
        canvas.DrawPolyline([l.Left, l.Top, l.Right, l.Top, l.Right, l.Bottom, l.Left, l.Bottom, l.Left, l.Top], 1, Axis);
        BitmapFont.Draw(canvas, (chart.Width - BitmapFont.Measure(chart.Title, 3)) / 2, 12, chart.Title, 3, RgbColor.Black);
        if (chart.Note is not null)
            BitmapFont.Draw(canvas, (chart.Width - BitmapFont.Measure(chart.Note, 1)) / 2, 42, chart.Note, 1, Text);
        BitmapFont.Draw(canvas, (int)((l.Left + l.Right - BitmapFont.Measure(chart.XLabel, 2)) / 2), chart.Height - 26, chart.XLabel, 2, RgbColor.Black);
        BitmapFont.DrawVertical(canvas, 10, (int)((l.Top + l.Bottom + BitmapFont.Measure(chart.YLabel, 2)) / 2), chart.YLabel, 2, RgbColor.Black);
        foreach (LegendEntry e in l.Legend)
        {
            ChartSeries s = chart.Series[e.Series];
            double y = e.Y + 3;
            canvas.FillRectangle(e.X, y, e.X + 20, y + 13, Blend(RgbColor.White, s.Color, s.Lower is null ? 1 : 0.35));
            canvas.DrawPolyline([e.X, y, e.X + 20, y, e.X + 20, y + 13, e.X, y + 13, e.X, y], 2, s.Color);
            for (int line = 0; line < e.Lines.Count; line++)
                BitmapFont.Draw(canvas, (int)(e.X + ChartLayout.LegendTextOffset), (int)(y + line * ChartLayout.LegendLineHeight), e.Lines[line], 2, Text);
        }
        return canvas.Frame;
    }

    /// <summary>Blends <paramref name="top"/> over <paramref name="bottom"/> with opacity <paramref name="alpha"/>.</summary>
    public static RgbColor Blend(RgbColor bottom, RgbColor top, double alpha) => new(
        (byte)Math.Round(bottom.R + (top.R - bottom.R) * alpha),
        (byte)Math.Round(bottom.G + (top.G - bottom.G) * alpha),
        (byte)Math.Round(bottom.B + (top.B - bottom.B) * alpha));

    private static void FillTranslucent(Canvas canvas, double[] polygon, RgbColor color, double alpha)
    {
        var mask = new Canvas(canvas.Width, canvas.Height);
        mask.FillPolygon(polygon, RgbColor.White);
        byte[] m = mask.Frame.Pixels, p = canvas.Frame.Pixels;
        for (int i = 0; i < m.Length; i += 3)
        {
            if (m[i] == 0) continue;
            p[i] = (byte)Math.Round(p[i] + (color.R - p[i]) * alpha);
            p[i + 1] = (byte)Math.Round(p[i + 1] + (color.G - p[i + 1]) * alpha);
            p[i + 2] = (byte)Math.Round(p[i + 2] + (color.B - p[i + 2]) * alpha);
        }
    }
}
