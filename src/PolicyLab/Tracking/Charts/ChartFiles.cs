using System.Net;
using PolicyLab.IO;
using PolicyLab.Tracking.Imaging;

namespace PolicyLab.Tracking.Charts;

/// <summary>Saves a chart as SVG, PNG (PolicyLab's rasterizer) or a self-contained HTML page, by file extension.</summary>
public static class ChartFiles
{
    /// <summary>Writes <paramref name="chart"/> to <paramref name="path"/> (.svg, .png or .html), atomically.</summary>
    /// <exception cref="PolicyLabException">The extension is none of those.</exception>
    public static void Save(LineChart chart, string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        switch (ext)
        {
            case ".svg":
                AtomicFile.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + SvgChart.Render(chart));
                break;
            case ".png":
                AtomicFile.WriteAllBytes(path, PngEncoder.Encode(RasterChart.Render(chart)));
                break;
            case ".html":
            case ".htm":
                AtomicFile.WriteAllText(path, Page(chart.Title, SvgChart.Render(chart)));
                break;
            default:
                throw new PolicyLabException($"Cannot tell the image format of '{path}': use a name ending in .svg, .png or .html.");
        }
    }

    /// <summary>A minimal offline HTML page around an inline SVG.</summary>
    public static string Page(string title, string svg) =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>\n<body style=\"margin:16px;font-family:Helvetica,Arial,sans-serif\">\n{svg}</body></html>\n";
}
