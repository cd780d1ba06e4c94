using PolicyLab.Plotting;
using PolicyLab.Tests.Tracking;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;
using SkiaSharp;

namespace PolicyLab.Tests.Plotting;

/// <summary>PNG through Skia: decoded back, it has the layout's size, the curves' colours, anti-aliased edges and text.</summary>
public sealed class SkiaChartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-skia-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Panels_decode_to_the_layout_size_with_every_curve_colour_anti_aliasing_and_text()
    {
        List<LineChart> panels = LearningCurves.BuildPanels(PlotLegendTests.Mixed(), new CurveOptions(CurveAxis.Steps, [20, 50, 80], 1, CurveBand.StandardDeviation));
        string path = Path.Combine(_dir, "panels.png");
        FigureFiles.Save(panels, path);
        using SKBitmap bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException("not a PNG Skia can decode");
        Assert.Equal(900, bitmap.Width);
        Assert.InRange(bitmap.Height, 2 * 520 + 2 * 20, 2 * 520 + 2 * 60); // two panels, each with one row of legend below
        var colours = new Dictionary<uint, int>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                uint key = (uint)(c.Red << 16 | c.Green << 8 | c.Blue);
                colours[key] = colours.GetValueOrDefault(key) + 1;
            }
        int Near(PolicyLab.Environments.Rendering.RgbColor target) => colours.Where(kv =>
            Math.Abs((int)(kv.Key >> 16) - target.R) + Math.Abs((int)((kv.Key >> 8) & 255) - target.G) + Math.Abs((int)(kv.Key & 255) - target.B) <= 12).Sum(kv => kv.Value);
        foreach (int k in new[] { 0, 1, 2 })
            Assert.True(Near(LineChart.Palette[k]) > 150, $"curve colour {k} is (nearly) absent: {Near(LineChart.Palette[k])} pixels");
        Assert.True(colours.Count > 200, $"only {colours.Count} distinct colours: no anti-aliasing?");
        int dark = 0;
        for (int y = 5; y < 35; y++)
            for (int x = 300; x < 600; x++)
                if (bitmap.GetPixel(x, y).Red < 80) dark++;
        Assert.True(dark > 200, $"the title should be drawn in dark text ({dark} dark pixels, font {SkiaChart.FontFamily})");
    }
}
