using System.Globalization;
using PolicyLab.Environments.Rendering;

namespace PolicyLab.Tracking.Charts;

/// <summary>One curve of a <see cref="LineChart"/>: a line and, optionally, a shaded band around it.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Color">Line colour (the band uses it translucent).</param>
/// <param name="X">X coordinates, ascending.</param>
/// <param name="Y">Y coordinates of the line (NaN: gap).</param>
/// <param name="Lower">Lower edge of the band (same length as X), or null.</param>
/// <param name="Upper">Upper edge of the band, or null.</param>
/// <param name="Markers">Draw a dot at every point (for sparse series such as evaluations).</param>
public sealed record ChartSeries(string Label, RgbColor Color, double[] X, double[] Y, double[]? Lower = null, double[]? Upper = null, bool Markers = false);

/// <summary>A line chart (title, axis labels, series with bands), drawn by <see cref="SvgChart"/> or <see cref="RasterChart"/>.</summary>
public sealed class LineChart
{
    /// <summary>Title above the plot.</summary>
    public required string Title { get; init; }

    /// <summary>A smaller line under the title (e.g. what the line and band show), or null.</summary>
    public string? Note { get; init; }

    /// <summary>X-axis label.</summary>
    public required string XLabel { get; init; }

    /// <summary>Y-axis label.</summary>
    public required string YLabel { get; init; }

    /// <summary>The series, drawn in order (legend in the same order).</summary>
    public List<ChartSeries> Series { get; } = [];

    /// <summary>Whether to draw the legend.</summary>
    public bool ShowLegend { get; init; } = true;

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 900;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 520;

    /// <summary>A qualitative palette of ten distinguishable colours.</summary>
    public static IReadOnlyList<RgbColor> Palette { get; } =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];
}

/// <summary>One legend entry below the plot: series <paramref name="Series"/>, its label in one or more lines, its top-left corner.</summary>
/// <param name="Series">Index into <see cref="LineChart.Series"/>.</param>
/// <param name="Lines">The label, wrapped to the legend's width.</param>
/// <param name="X">Left edge of the colour swatch.</param>
/// <param name="Y">Top of the entry.</param>
public sealed record LegendEntry(int Series, IReadOnlyList<string> Lines, double X, double Y);

/// <summary>Where everything of a <see cref="LineChart"/> goes: plot area, axis ranges, ticks, the legend below the plot, and the data → pixel mapping.</summary>
public sealed class ChartLayout
{
    /// <summary>Height of one legend line in pixels.</summary>
    public const double LegendLineHeight = 20;

    /// <summary>From the left edge of an entry to its text: the swatch and a gap.</summary>
    public const double LegendTextOffset = 30;

    /// <summary>Computes the layout of <paramref name="chart"/>; <paramref name="measure"/> gives a label's width in pixels
    /// (default: 7 px per character, a conservative estimate for 13-px Helvetica).</summary>
    public ChartLayout(LineChart chart, Func<string, double>? measure = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        Chart = chart;
        measure ??= text => text.Length * 7.0;
        (Left, Top, Right, Bottom) = (78, chart.Note is null ? 48 : 64, chart.Width - 24, chart.Height - 62);
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        foreach (ChartSeries s in chart.Series)
        {
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.X[i])) continue;
                foreach (double y in new[] { s.Y[i], s.Lower?[i] ?? double.NaN, s.Upper?[i] ?? double.NaN })
                {
                    if (!double.IsFinite(y)) continue;
                    (x0, x1) = (Math.Min(x0, s.X[i]), Math.Max(x1, s.X[i]));
                    (y0, y1) = (Math.Min(y0, y), Math.Max(y1, y));
                }
            }
        }
        if (!double.IsFinite(x0)) (x0, x1, y0, y1) = (0, 1, 0, 1);
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) (y0, y1) = (y0 - 1, y1 + 1);
        double pad = (y1 - y0) * 0.04; // so lines on the extremes stay visible inside the frame
        (XMin, XMax, YMin, YMax) = (x0, x1, y0 - pad, y1 + pad);
        XTicks = NiceTicks(x0, x1, 7).Where(t => t >= XMin - 1e-9 * Math.Abs(XMax - XMin) && t <= XMax + 1e-9 * Math.Abs(XMax - XMin)).ToArray();
        YTicks = NiceTicks(y0, y1, 6).Where(t => t >= YMin && t <= YMax).ToArray();
        double legendBottom = chart.Height;
        Legend = chart.ShowLegend && chart.Series.Count > 0 ? LayOutLegend(chart, measure, out legendBottom) : [];
        Height = Legend.Count > 0 ? Math.Ceiling(legendBottom + 8) : chart.Height;
    }

    /// <summary>The legend's entries, below the x-axis label (outside the plot area), flowed into rows and wrapped to the chart's width.</summary>
    public IReadOnlyList<LegendEntry> Legend { get; }

    /// <summary>The drawing's full height: the chart's height plus the legend's rows.</summary>
    public double Height { get; }

    private static List<LegendEntry> LayOutLegend(LineChart chart, Func<string, double> measure, out double bottom)
    {
        // Equal-width columns (as many as the widest entry allows), filled row by row; labels wider than the chart wrap.
        const double margin = 16, gap = 24;
        double available = chart.Width - 2 * margin - LegendTextOffset;
        List<List<string>> labels = [.. chart.Series.Select(s => Wrap(s.Label, available, measure))];
        double column = LegendTextOffset + labels.Max(lines => lines.Max(measure));
        int columns = Math.Max(1, (int)((chart.Width - 2 * margin + gap) / (column + gap)));
        var entries = new List<LegendEntry>();
        double y = chart.Height + 2;
        for (int row = 0; row * columns < labels.Count; row++)
        {
            int height = 1;
            for (int c = 0; c < columns && row * columns + c < labels.Count; c++)
            {
                int k = row * columns + c;
                entries.Add(new LegendEntry(k, labels[k], margin + c * (column + gap), y));
                height = Math.Max(height, labels[k].Count);
            }
            y += height * LegendLineHeight;
        }
        bottom = y;
        return entries;
    }

    /// <summary>Breaks <paramref name="label"/> into lines no wider than <paramref name="width"/>: at ", " where possible, else mid-word.</summary>
    public static List<string> Wrap(string label, double width, Func<string, double> measure)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(measure);
        var lines = new List<string>();
        string current = "";
        foreach (string part in label.Split(", "))
        {
            string candidate = current.Length == 0 ? part : current + ", " + part;
            if (measure(candidate) <= width || current.Length == 0 && measure(part) <= width)
            {
                current = candidate;
                continue;
            }
            if (current.Length > 0) lines.Add(current + ",");
            current = part;
            while (measure(current) > width && current.Length > 1)
            {
                int fit = 1;
                while (fit < current.Length && measure(current[..(fit + 1)]) <= width) fit++;
                lines.Add(current[..fit]);
                current = current[fit..];
            }
        }
        if (current.Length > 0 || lines.Count == 0) lines.Add(current);
        return lines;
    }

    /// <summary>The chart.</summary>
    public LineChart Chart { get; }

    /// <summary>Plot area edges in pixels.</summary>
    public double Left { get; }
    /// <summary>Plot area top.</summary>
    public double Top { get; }
    /// <summary>Plot area right edge.</summary>
    public double Right { get; }
    /// <summary>Plot area bottom.</summary>
    public double Bottom { get; }

    /// <summary>Axis ranges.</summary>
    public double XMin { get; }
    /// <summary>Upper end of the x axis.</summary>
    public double XMax { get; }
    /// <summary>Lower end of the y axis.</summary>
    public double YMin { get; }
    /// <summary>Upper end of the y axis.</summary>
    public double YMax { get; }

    /// <summary>Tick positions (data units).</summary>
    public double[] XTicks { get; }
    /// <summary>Y tick positions.</summary>
    public double[] YTicks { get; }

    /// <summary>Data x → pixel x.</summary>
    public double PixelX(double x) => Left + (x - XMin) / (XMax - XMin) * (Right - Left);

    /// <summary>Data y → pixel y.</summary>
    public double PixelY(double y) => Bottom - (y - YMin) / (YMax - YMin) * (Bottom - Top);

    /// <summary>Short tick label with as many decimals as the tick spacing <paramref name="step"/> needs: 12.5, 100k, 1.2M, 2e-4.</summary>
    public static string FormatTick(double v, double step)
    {
        double a = Math.Abs(v);
        if (a < Math.Abs(step) * 1e-9) return "0";
        if (a >= 1e6 && step >= 1e4) return (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M";
        if (a >= 1e3 && step >= 10) return (v / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k";
        if (step < 1e-3) return v.ToString("0.##e0", CultureInfo.InvariantCulture);
        int decimals = 0;
        while (decimals < 6 && Math.Abs(step * Math.Pow(10, decimals) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6 * step * Math.Pow(10, decimals)) decimals++;
        return v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The label of x tick <paramref name="i"/>.</summary>
    public string XTickLabel(int i) => FormatTick(XTicks[i], XTicks.Length > 1 ? XTicks[1] - XTicks[0] : Math.Abs(XTicks[i]));

    /// <summary>The label of y tick <paramref name="i"/>.</summary>
    public string YTickLabel(int i) => FormatTick(YTicks[i], YTicks.Length > 1 ? YTicks[1] - YTicks[0] : Math.Abs(YTicks[i]));

    /// <summary>Ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi] with about <paramref name="count"/> intervals.</summary>
    public static double[] NiceTicks(double lo, double hi, int count)
    {
        double raw = (hi - lo) / count;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * 0.999);
        double start = Math.Floor(lo / step) * step, end = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step * 1e-6; t += step) ticks.Add(Math.Round(t / step) * step);
        return [.. ticks];
    }

    /// <summary>Splits a series into runs of consecutive finite points (gaps at NaN).</summary>
    public static IEnumerable<List<int>> Segments(double[] x, double[] y)
    {
        var current = new List<int>();
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i])) current.Add(i);
            else if (current.Count > 0)
            {
                yield return current;
                current = [];
            }
        }
        if (current.Count > 0) yield return current;
    }
}
