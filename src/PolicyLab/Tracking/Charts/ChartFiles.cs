using System.Net;
using PolicyLab.IO;
using PolicyLab.Tracking.Imaging;

namespace PolicyLab.Tracking.Charts;

/// <summary>Saves a chart as SVG, PNG (PolicyLab's rasterizer) or a self-contained HTML page, by file extension.</summary>
public static class ChartFiles
{
    /// <summary>Writes <paramref name="chart"/> to <paramref name="path"/> (.svg, .png or .html), atomically.</summary>
    /// <exception cref="PolicyLabException">The extension is none of those.</exception>
    public static void Save(LineChart chart, string path) => Save([chart], path);

    /// <summary>Writes <paramref name="panels"/> stacked top to bottom (e.g. one per environment) to <paramref name="path"/>
    /// (.svg, .png or .html), atomically.</summary>
    /// <exception cref="PolicyLabException">The extension is none of those, or there is no panel.</exception>
    public static void Save(IReadOnlyList<LineChart> panels, string path)
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(path);
        if (panels.Count == 0) throw new PolicyLabException("There is no chart to save.");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        switch (ext)
        {
            case ".svg":
                AtomicFile.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + SvgChart.Render(panels));
                break;
            case ".png":
                AtomicFile.WriteAllBytes(path, PngEncoder.Encode(Stack(panels.Select(RasterChart.Render).ToList())));
                break;
            case ".html":
            case ".htm":
                AtomicFile.WriteAllText(path, Page(panels[0].Title, string.Concat(panels.Select(SvgChart.Render))));
                break;
            default:
                throw new PolicyLabException($"Cannot tell the image format of '{path}': use a name ending in .svg, .png or .html.");
        }
    }

    private static Environments.Rendering.RgbFrame Stack(List<Environments.Rendering.RgbFrame> frames)
    {
        if (frames.Count == 1) return frames[0];
        int width = frames.Max(f => f.Width), height = frames.Sum(f => f.Height);
        var stacked = new Environments.Rendering.RgbFrame(width, height);
        stacked.Pixels.AsSpan().Fill(255);
        int top = 0;
        foreach (Environments.Rendering.RgbFrame f in frames)
        {
            for (int row = 0; row < f.Height; row++)
                f.Pixels.AsSpan(row * f.Width * 3, f.Width * 3).CopyTo(stacked.Pixels.AsSpan(((top + row) * width) * 3));
            top += f.Height;
        }
        return stacked;
    }

    /// <summary>A minimal offline HTML page around an inline SVG.</summary>
    public static string Page(string title, string svg) =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>\n<body style=\"margin:16px;font-family:Helvetica,Arial,sans-serif\">\n{svg}</body></html>\n";
}
