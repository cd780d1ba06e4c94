using System.Globalization;
using System.Net;
using System.Text;
using PolicyLab.Environments.Rendering;

namespace PolicyLab.Tracking.Charts;

/// <summary>Draws a <see cref="LineChart"/> as a standalone SVG document (no scripts, no external resources).</summary>
public static class SvgChart
{
    /// <summary>The SVG markup (an <c>&lt;svg&gt;</c> element with its namespace, usable inline in HTML or as a file).</summary>
    public static string Render(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return Render(chart, 0, 0, clipId: "plot");
    }

    /// <summary>Several charts (e.g. one per environment) stacked vertically in one SVG document.</summary>
    public static string Render(IReadOnlyList<LineChart> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 1) return Render(panels[0]);
        int width = panels.Max(p => p.Width);
        double height = panels.Sum(p => new ChartLayout(p).Height);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height:0.##}\" viewBox=\"0 0 {width} {height:0.##}\">\n");
        double y = 0;
        for (int i = 0; i < panels.Count; i++)
        {
            sb.Append(Render(panels[i], 0, y, clipId: $"plot{i}"));
            y += new ChartLayout(panels[i]).Height;
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Render(LineChart chart, double originX, double originY, string clipId)
    {
        var l = new ChartLayout(chart);
        var sb = new StringBuilder();
        string position = originX == 0 && originY == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" x=\"{originX:0.##}\" y=\"{originY:0.##}\"");
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\"{position} width=\"{chart.Width}\" height=\"{l.Height:0.##}\" viewBox=\"0 0 {chart.Width} {l.Height:0.##}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{chart.Width}\" height=\"{l.Height:0.##}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{chart.Width / 2.0:0.#}\" y=\"28\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">{Escape(chart.Title)}</text>\n");
        if (chart.Note is not null)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{chart.Width / 2.0:0.#}\" y=\"48\" text-anchor=\"middle\" fill=\"#555\">{Escape(chart.Note)}</text>\n");
        // Grid and ticks.
        for (int ti = 0; ti < l.XTicks.Length; ti++)
        {
            double t = l.XTicks[ti];
            double x = l.PixelX(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.##}\" y1=\"{l.Top:0.##}\" x2=\"{x:0.##}\" y2=\"{l.Bottom:0.##}\" stroke=\"#e4e4e4\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.##}\" y=\"{l.Bottom + 18:0.##}\" text-anchor=\"middle\" fill=\"#333\">{l.XTickLabel(ti)}</text>\n");
        }
        for (int ti = 0; ti < l.YTicks.Length; ti++)
        {
            double t = l.YTicks[ti];
            double y = l.PixelY(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{l.Left:0.##}\" y1=\"{y:0.##}\" x2=\"{l.Right:0.##}\" y2=\"{y:0.##}\" stroke=\"#e4e4e4\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{l.Left - 8:0.##}\" y=\"{y + 4:0.##}\" text-anchor=\"end\" fill=\"#333\">{l.YTickLabel(ti)}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{l.Left:0.##}\" y=\"{l.Top:0.##}\" width=\"{l.Right - l.Left:0.##}\" height=\"{l.Bottom - l.Top:0.##}\" fill=\"none\" stroke=\"#444\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(l.Left + l.Right) / 2:0.##}\" y=\"{chart.Height - 18}\" text-anchor=\"middle\" font-size=\"14\">{Escape(chart.XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(20 {(l.Top + l.Bottom) / 2:0.##}) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">{Escape(chart.YLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"{clipId}\"><rect x=\"{l.Left:0.##}\" y=\"{l.Top:0.##}\" width=\"{l.Right - l.Left:0.##}\" height=\"{l.Bottom - l.Top:0.##}\"/></clipPath>\n<g clip-path=\"url(#{clipId})\">\n");
        foreach (ChartSeries s in chart.Series)
        {
            if (s.Lower is not null && s.Upper is not null)
            {
                foreach (List<int> seg in BandSegments(s))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<polygon fill=\"{Hex(s.Color)}\" fill-opacity=\"0.22\" stroke=\"none\" points=\"");
                    foreach (int i in seg) sb.Append(CultureInfo.InvariantCulture, $"{l.PixelX(s.X[i]):0.##},{l.PixelY(s.Upper[i]):0.##} ");
                    for (int k = seg.Count - 1; k >= 0; k--) sb.Append(CultureInfo.InvariantCulture, $"{l.PixelX(s.X[seg[k]]):0.##},{l.PixelY(s.Lower[seg[k]]):0.##} ");
                    sb.Append("\"/>\n");
                }
            }
            foreach (List<int> seg in ChartLayout.Segments(s.X, s.Y))
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Hex(s.Color)}\" stroke-width=\"2.2\" stroke-linejoin=\"round\" points=\"");
                foreach (int i in seg) sb.Append(CultureInfo.InvariantCulture, $"{l.PixelX(s.X[i]):0.##},{l.PixelY(s.Y[i]):0.##} ");
                sb.Append("\"/>\n");
                if (s.Markers)
                    foreach (int i in seg) sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{l.PixelX(s.X[i]):0.##}\" cy=\"{l.PixelY(s.Y[i]):0.##}\" r=\"3.5\" fill=\"{Hex(s.Color)}\"/>");
            }
        }
        sb.Append("</g>\n");
        // Legend below the plot area, flowed into rows and wrapped (never over the curves, never clipped).
        foreach (LegendEntry e in l.Legend)
        {
            ChartSeries s = chart.Series[e.Series];
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{e.X:0.##}\" y=\"{e.Y + 5:0.##}\" width=\"20\" height=\"10\" fill=\"{Hex(s.Color)}\" fill-opacity=\"{(s.Lower is null ? 1 : 0.35)}\" stroke=\"{Hex(s.Color)}\" stroke-width=\"2\"/>");
            for (int line = 0; line < e.Lines.Count; line++)
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{e.X + ChartLayout.LegendTextOffset:0.##}\" y=\"{e.Y + 14 + line * ChartLayout.LegendLineHeight:0.##}\">{Escape(e.Lines[line])}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>#rrggbb.</summary>
    public static string Hex(RgbColor c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    internal static IEnumerable<List<int>> BandSegments(ChartSeries s)
    {
        var lo = s.Lower!;
        var hi = s.Upper!;
        var mid = new double[s.X.Length];
        for (int i = 0; i < mid.Length; i++) mid[i] = double.IsFinite(lo[i]) && double.IsFinite(hi[i]) ? 0 : double.NaN;
        return ChartLayout.Segments(s.X, mid);
    }
}
