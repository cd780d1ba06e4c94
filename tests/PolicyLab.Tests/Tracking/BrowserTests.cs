using Xunit.Abstractions;
namespace PolicyLab.Tests.Tracking;

/// <summary>The HTML pages in headless Chromium: they load offline, run their scripts without errors and render.</summary>
public sealed class BrowserTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-chromium-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? Chromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }.FirstOrDefault(Tools.Has);

    private string Flags(string profile) =>
        $"--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars --user-data-dir=\"{Path.Combine(_dir, profile)}\"";

    [Theory]
    [InlineData("report.html")]
    [InlineData("first_observation_value.html")]
    public void Page_loads_without_script_errors_and_renders(string page)
    {
        string? chromium = Chromium();
        if (chromium is null)
        {
            Tools.Skip(log, $"SKIPPED Page_loads_without_script_errors_and_renders({page}): Chromium is not installed (apt-get install chromium).");
            return;
        }
        string url = new Uri(Path.Combine(VisualizationRuns.Full, page)).AbsoluteUri;
        // 1. The DOM after the scripts ran: the page marks itself ready; console errors go to stderr.
        (int code, string output) = Tools.Run(chromium, $"{Flags("dom")} --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom {url}", _dir);
        Assert.True(code == 0, output);
        Assert.Matches("data-report-ready=\"[1-9][0-9]*\"", output);
        Assert.DoesNotContain("Uncaught", output, StringComparison.Ordinal);
        // 2. A screenshot: a PNG with more than a blank page in it.
        string shot = Path.Combine(_dir, "shot.png");
        (code, output) = Tools.Run(chromium, $"{Flags("shot")} --window-size=1000,1400 --screenshot=\"{shot}\" {url}", _dir);
        Assert.True(code == 0, output);
        Assert.True(File.Exists(shot), output);
        Assert.True(new FileInfo(shot).Length > 20_000, $"screenshot of {page} is only {new FileInfo(shot).Length} bytes");
    }
}
