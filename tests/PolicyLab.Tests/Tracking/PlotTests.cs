using System.Text.RegularExpressions;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tests.Tracking;

/// <summary>`policylab plot`: grouping by configuration, percentile bands, legends, file formats; eval --render.</summary>
[Collection("Console")]
public sealed partial class PlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-plot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => Cli.CliRunner.Run(args);

    private static RecordedRun Synthetic(long seed, string lr, params double[] returns)
    {
        var log = new ExperimentLog
        {
            Algorithm = "ppo", Environment = "CartPole-v1", Seed = seed,
            Parameters = [new("algo", "ppo"), new("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("learning_rate", lr), new("render", seed == 0 ? "full" : "none")],
        };
        for (int i = 0; i < returns.Length; i++) log.Episodes.Add(new EpisodeRecord((i + 1) * 100, returns[i], 10));
        log.Updates.Add(new UpdateRecord(1, returns.Length * 100, []));
        return new RecordedRun($"/runs/{lr}-{seed}", log, 10);
    }

    [Fact]
    public void Runs_differing_only_in_seed_form_one_band_with_percentiles_across_seeds()
    {
        RecordedRun[] runs =
        [
            Synthetic(0, "0.001", 10, 10, 10), Synthetic(1, "0.001", 20, 20, 20), Synthetic(2, "0.001", 40, 40, 40),
            Synthetic(0, "0.01", 5, 5, 5),
        ];
        LineChart chart = LearningCurves.Build(runs, new CurveOptions(CurveAxis.Steps, [20, 50, 80], 1));
        Assert.Equal(2, chart.Series.Count);
        ChartSeries band = chart.Series[0];
        Assert.Equal("learning_rate=0.001 (3 seeds)", band.Label); // render differs too but never splits groups
        Assert.All(band.Y, y => Assert.Equal(20, y, 9));
        Assert.All(band.Lower!, y => Assert.Equal(14, y, 9)); // numpy.percentile([10, 20, 40], 20) = 14
        Assert.All(band.Upper!, y => Assert.Equal(32, y, 9));
        Assert.Equal("learning_rate=0.01 (seed 0)", chart.Series[1].Label);
        Assert.Null(chart.Series[1].Lower);
        Assert.Equal("environment steps", chart.XLabel);
        Assert.Contains("band 20th–80th", chart.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Smoothing_and_axes()
    {
        RecordedRun run = Synthetic(0, "0.001", 0, 10, 20, 30);
        (double[] x, double[] y) = run.Curve(CurveAxis.Episodes, 2);
        Assert.Equal([1, 2, 3, 4], x);
        Assert.Equal([0, 5, 15, 25], y);
        Assert.Equal([2.5, 5, 7.5, 10], run.Curve(CurveAxis.Wall, 1).X);
        Assert.Equal([1, 1, 1, 1], run.Curve(CurveAxis.Updates, 1).X);
    }

    [Fact]
    public void Plot_of_three_seeds_of_two_configurations_draws_two_labelled_bands()
    {
        string svg = Path.Combine(_dir, "out.svg");
        (int code, string output, string error) = Run("plot", VisualizationRuns.Comparison, "--percentiles", "20,50,80", "--smooth", "5", "-o", svg);
        Assert.True(code == 0, error);
        Assert.Contains("6 run(s) in 2 group(s)", output, StringComparison.Ordinal);
        string text = File.ReadAllText(svg);
        Assert.Equal(2, PolygonRegex().Count(text)); // one shaded band per configuration
        Assert.Contains("learning_rate=0.001 (3 seeds)", text, StringComparison.Ordinal);
        Assert.Contains("learning_rate=0.0003 (3 seeds)", text, StringComparison.Ordinal);
        Assert.Contains(">environment steps<", text, StringComparison.Ordinal);
        Assert.Contains(">episodic return<", text, StringComparison.Ordinal);
        Assert.Contains("Episodic return — CartPole-v1", text, StringComparison.Ordinal);

        foreach (string ext in new[] { "png", "html" })
        {
            string path = Path.Combine(_dir, $"out.{ext}");
            (code, _, error) = Run("plot", VisualizationRuns.Comparison, "--x", "episodes", "-o", path);
            Assert.True(code == 0, error);
        }
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(_dir, "out.png"))[0]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(_dir, "out.html")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--x", "minutes", "--x must be steps, episodes, updates or wall")]
    [InlineData("--percentiles", "20,abc", "'abc' is not a number")]
    [InlineData("-o", "out.jpg", "use a name ending in .svg, .png or .html")]
    public void Plot_user_errors_exit_2(string option, string value, string expected)
    {
        (int code, _, string error) = Run("plot", VisualizationRuns.Comparison, option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plot_of_a_folder_without_runs_exits_2() =>
        Assert.Contains("holds no run", Run("plot", _dir).Error, StringComparison.Ordinal);

    [Fact]
    public void Eval_render_writes_a_video_says_which_encoder_and_links_it_from_the_report()
    {
        string run = VisualizationRuns.Train($"eval-render-{Guid.NewGuid():N}", "ppo", 1, ["eval_freq=0"], 1024);
        string before = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("PolicyLab run report · step budget spent", before, StringComparison.Ordinal);
        (int code, string output, string error) = Run("eval", "--run", run, "--episodes", "2", "--render");
        Assert.True(code == 0, error);
        string video = File.Exists(Path.Combine(run, "eval.mp4")) ? "eval.mp4" : "eval.gif";
        Assert.True(File.Exists(Path.Combine(run, video)));
        Assert.Contains(video == "eval.mp4" ? "with ffmpeg" : "own GIF encoder", output, StringComparison.Ordinal);
        string after = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains($"href=\"{video}\"", after, StringComparison.Ordinal);
        // The finished run's status and results are unchanged: only the video links are new.
        Assert.Contains("PolicyLab run report · step budget spent", after, StringComparison.Ordinal);
        Assert.DoesNotContain("run in progress", after, StringComparison.Ordinal);
        static string WithoutMedia(string html) => System.Text.RegularExpressions.Regex.Replace(html, "<h2>Videos and files</h2>.*?<h2>Configuration</h2>", "", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.Equal(WithoutMedia(before), WithoutMedia(after));
    }

    [GeneratedRegex("<polygon ")]
    private static partial Regex PolygonRegex();
}

/// <summary>Axis ticks and their labels.</summary>
public sealed class ChartLayoutTests
{
    [Theory]
    [InlineData(0.0006, 0.0002, "6e-4")]
    [InlineData(0.25, 0.25, "0.25")]
    [InlineData(0.5, 0.1, "0.5")]
    [InlineData(15000, 5000, "15k")]
    [InlineData(2500000, 500000, "2.5M")]
    [InlineData(400, 100, "400")]
    [InlineData(-2.5, 2.5, "-2.5")]
    [InlineData(0, 0.001, "0")]
    public void Tick_labels_carry_the_precision_of_the_spacing(double value, double step, string expected) =>
        Assert.Equal(expected, ChartLayout.FormatTick(value, step));

    [Fact]
    public void Nice_ticks_cover_the_range_with_round_steps()
    {
        Assert.Equal([0, 100, 200, 300, 400, 500], ChartLayout.NiceTicks(3, 497, 6));
        Assert.Equal([0, 0.0002, 0.0004, 0.0006, 0.0008, 0.001], ChartLayout.NiceTicks(0, 0.001, 6).Select(t => Math.Round(t, 6)).ToArray());
    }
}
