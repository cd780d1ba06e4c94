using PolicyLab.IO;
using PolicyLab.Tracking.Charts;

namespace PolicyLab.Plotting;

/// <summary>Saves one or more chart panels by file extension: .png through Skia (<see cref="SkiaChart"/>), .svg and .html as
/// <see cref="ChartFiles"/> writes them. Files are written atomically.</summary>
public static class FigureFiles
{
    /// <summary>Writes <paramref name="panels"/> (stacked top to bottom) to <paramref name="path"/> (.svg, .png or .html).</summary>
    /// <exception cref="PolicyLabException">The extension is none of those.</exception>
    public static void Save(IReadOnlyList<LineChart> panels, string path)
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(path);
        if (!Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            ChartFiles.Save(panels, path);
            return;
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllBytes(path, SkiaChart.RenderPng(panels));
    }

    /// <summary>Writes one chart (see <see cref="Save(IReadOnlyList{LineChart}, string)"/>).</summary>
    public static void Save(LineChart chart, string path) => Save([chart], path);
}
