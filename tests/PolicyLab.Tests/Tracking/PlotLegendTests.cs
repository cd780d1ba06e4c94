using System.Globalization;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tests.Tracking;

/// <summary>Plots of runs that differ in many settings: few keys in the labels (algorithm first), one panel per
/// environment, the legend below the plot area and wrapped, non-run folders skipped with a notice.</summary>
[Collection("Console")]
public sealed class PlotLegendTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-legend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static RecordedRun Synthetic(string algo, string env, long seed, params (string Key, string Value)[] parameters)
    {
        var log = new ExperimentLog
        {
            Algorithm = algo, Environment = env, Seed = seed,
            Parameters = [new("algo", algo), new("env", env), new("seed", seed.ToString(CultureInfo.InvariantCulture)), .. parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))],
        };
        for (int i = 0; i < 20; i++) log.Episodes.Add(new EpisodeRecord((i + 1) * 100, i * (seed + 1) + (algo == "sac" ? 50 : 0), 10));
        log.Updates.Add(new UpdateRecord(1, 2000, []));
        return new RecordedRun($"/runs/{algo}-{env}-{seed}", log, 10);
    }

    internal static RecordedRun[] Mixed() =>
    [
        Synthetic("ppo", "CartPole-v1", 0, ("learning_rate", "0.001"), ("n_steps", "2048"), ("gae_lambda", "0.95"), ("clip_range", "0.2")),
        Synthetic("ppo", "CartPole-v1", 1, ("learning_rate", "0.001"), ("n_steps", "2048"), ("gae_lambda", "0.95"), ("clip_range", "0.2")),
        Synthetic("ppo", "CartPole-v1", 0, ("learning_rate", "0.0003"), ("n_steps", "2048"), ("gae_lambda", "0.95"), ("clip_range", "0.2")),
        Synthetic("sac", "CartPole-v1", 0, ("learning_rate", "0.0003"), ("buffer_size", "1000000"), ("tau", "0.005"), ("train_freq", "1")),
        Synthetic("ppo", "Pendulum-v1", 0, ("learning_rate", "0.001"), ("n_steps", "1024"), ("gae_lambda", "0.9"), ("clip_range", "0.2")),
    ];

    [Fact]
    public void Labels_name_the_algorithm_and_only_the_settings_that_differ_within_it_and_environments_get_panels()
    {
        List<LineChart> panels = LearningCurves.BuildPanels(Mixed(), new CurveOptions(CurveAxis.Steps, [20, 50, 80], 1));
        Assert.Equal(["Episodic return — CartPole-v1", "Episodic return — Pendulum-v1"], panels.Select(p => p.Title));
        Assert.Equal(["ppo, learning_rate=0.001 (2 seeds)", "ppo, learning_rate=0.0003 (seed 0)", "sac (seed 0)"], panels[0].Series.Select(s => s.Label));
        Assert.Equal(["ppo, learning_rate=0.001 (seed 0)"], panels[1].Series.Select(s => s.Label)); // n_steps and gae_lambda differ only with the environment
        Assert.Equal(panels[0].Series[0].Color, panels[1].Series[0].Color); // one configuration, one colour in every panel
        Assert.DoesNotContain(panels.SelectMany(p => p.Series), s => s.Label.Contains("(unset)", StringComparison.Ordinal));
        Assert.Throws<PolicyLabException>(() => LearningCurves.Build(Mixed(), CurveOptions.Default));
    }

    [Fact]
    public void The_legend_lies_below_the_plot_area_inside_the_image_and_long_labels_wrap()
    {
        var chart = new LineChart { Title = "t", XLabel = "x", YLabel = "y", Width = 600 };
        string longLabel = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"setting_number_{i}=value{i}"));
        chart.Series.Add(new ChartSeries(longLabel, LineChart.Palette[0], [0, 1], [0, 1]));
        for (int k = 1; k < 8; k++) chart.Series.Add(new ChartSeries($"short {k}", LineChart.Palette[k], [0, 1], [1, k]));
        var layout = new ChartLayout(chart);
        Assert.Equal(8, layout.Legend.Count);
        Assert.True(layout.Legend[0].Lines.Count >= 3, $"{layout.Legend[0].Lines.Count} lines");
        Assert.Equal(longLabel, string.Join(" ", layout.Legend[0].Lines));
        foreach (LegendEntry e in layout.Legend)
        {
            Assert.True(e.Y >= layout.Bottom + 30, "the legend must not overlap the plot area or the x-axis label");
            Assert.True(e.X >= 0 && e.X + ChartLayout.LegendTextOffset + e.Lines.Max(l => l.Length * 7.0) <= chart.Width, $"entry {e.Series} is clipped");
            Assert.True(e.Y + e.Lines.Count * ChartLayout.LegendLineHeight <= layout.Height, "the image must be tall enough for the legend");
        }
        Assert.True(layout.Legend.Select(e => e.Y).Distinct().Count() >= 2, "the entries should flow into several rows");
        string svg = SvgChart.Render(chart);
        Assert.Contains($"height=\"{layout.Height:0.##}\"", svg, StringComparison.Ordinal);
        Assert.Contains(">short 7<", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_runs_among_the_arguments_is_skipped_with_a_notice()
    {
        string notRun = Directory.CreateDirectory(Path.Combine(_dir, "notes")).FullName;
        File.WriteAllText(Path.Combine(notRun, "readme.txt"), "not a run");
        string output = Path.Combine(_dir, "mixed.svg");
        (int code, string stdout, string error) = Cli.CliRunner.Run("plot", VisualizationRuns.Comparison, notRun, "-o", output);
        Assert.True(code == 0, error);
        Assert.Contains($"note: skipped '{notRun}' holds no run", error, StringComparison.Ordinal);
        Assert.Contains("6 run(s) in 2 group(s), 1 panel(s)", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }
}
