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
        var l = new ChartLayout(chart);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{chart.Width}\" height=\"{chart.Height}\" viewBox=\"0 0 {chart.Width} {chart.Height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{chart.Width}\" height=\"{chart.Height}\" fill=\"white\"/>\n");
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
        sb.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"plot\"><rect x=\"{l.Left:0.##}\" y=\"{l.Top:0.##}\" width=\"{l.Right - l.Left:0.##}\" height=\"{l.Bottom - l.Top:0.##}\"/></clipPath>\n<g clip-path=\"url(#plot)\">\n");
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
        // Legend, top-left inside the plot area.
        if (chart.Series.Count > 0 && chart.ShowLegend)
        {
            double width = 44 + chart.Series.Max(s => s.Label.Length) * 6.6, height = 10 + chart.Series.Count * 20;
            (double lx, double ly) = l.LegendOrigin(width, height);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:0.##}\" y=\"{ly:0.##}\" width=\"{width:0.##}\" height=\"{height}\" fill=\"white\" fill-opacity=\"0.88\" stroke=\"#bbb\"/>\n");
            for (int k = 0; k < chart.Series.Count; k++)
            {
                ChartSeries s = chart.Series[k];
                double y = ly + 15 + k * 20;
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx + 8:0.##}\" y=\"{y - 7:0.##}\" width=\"20\" height=\"10\" fill=\"{Hex(s.Color)}\" fill-opacity=\"{(s.Lower is null ? 1 : 0.35)}\" stroke=\"{Hex(s.Color)}\" stroke-width=\"2\"/>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 36:0.##}\" y=\"{y + 3:0.##}\">{Escape(s.Label)}</text>\n");
            }
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
