using System.Globalization;
using System.Text.Json;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tracking;

/// <summary>What the x axis of a learning curve counts.</summary>
public enum CurveAxis
{
    /// <summary>Environment steps (summed over copies).</summary>
    Steps,
    /// <summary>Finished training episodes.</summary>
    Episodes,
    /// <summary>Updates (iterations of the training loop).</summary>
    Updates,
    /// <summary>Wall-clock seconds, approximated from timing.json as proportional to steps.</summary>
    Wall,
}

/// <summary>How to draw learning curves of several runs.</summary>
/// <param name="Axis">The x axis.</param>
/// <param name="Percentiles">Percentiles across the runs of a group: the middle one is the line, the outer ones bound the band.</param>
/// <param name="Smooth">Each run's return is the mean of its last <paramref name="Smooth"/> episodes.</param>
public sealed record CurveOptions(CurveAxis Axis, IReadOnlyList<double> Percentiles, int Smooth)
{
    /// <summary>Steps, 20/50/80 %, smoothing over 10 episodes.</summary>
    public static CurveOptions Default { get; } = new(CurveAxis.Steps, [20, 50, 80], 10);
}

/// <summary>One run folder's recorded episodes, loaded for plotting.</summary>
/// <param name="Path">The run folder.</param>
/// <param name="Log">Its experiment.json.</param>
/// <param name="WallSeconds">Wall-clock seconds from timing.json (NaN when missing).</param>
public sealed record RecordedRun(string Path, ExperimentLog Log, double WallSeconds)
{
    /// <summary>Loads a run folder (it must hold experiment.json).</summary>
    public static RecordedRun Load(string folder)
    {
        string file = System.IO.Path.Combine(folder, "experiment.json");
        ExperimentLog log;
        try
        {
            log = ExperimentLog.FromJson(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new PolicyLabException($"'{file}' could not be read as a PolicyLab experiment log ({e.Message}); pass run folders written by `policylab train`.", e);
        }
        double wall = double.NaN;
        string timing = System.IO.Path.Combine(folder, "timing.json");
        if (File.Exists(timing))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(timing));
            if (doc.RootElement.TryGetProperty("wall_seconds", out JsonElement w)) wall = w.GetDouble();
        }
        return new RecordedRun(System.IO.Path.GetFullPath(folder), log, wall);
    }

    /// <summary>Finds the run folders in <paramref name="paths"/>: each is a run folder or a folder of runs (searched three levels deep).</summary>
    /// <exception cref="PolicyLabException">A path does not exist or holds no run.</exception>
    public static List<RecordedRun> Discover(IEnumerable<string> paths)
    {
        var runs = new List<RecordedRun>();
        foreach (string path in paths)
        {
            if (!Directory.Exists(path))
                throw new PolicyLabException($"'{path}' does not exist; pass run folders (or folders of runs) written by `policylab train`.");
            var found = new List<string>();
            Collect(path, 0, found);
            if (found.Count == 0)
                throw new PolicyLabException($"'{path}' holds no run (no experiment.json in it or in its subfolders up to three levels down).");
            runs.AddRange(found.Order(StringComparer.Ordinal).Select(Load));
        }
        return runs;
    }

    private static void Collect(string dir, int depth, List<string> found)
    {
        if (File.Exists(System.IO.Path.Combine(dir, "experiment.json")))
        {
            found.Add(dir);
            return;
        }
        if (depth >= 3) return;
        foreach (string child in Directory.GetDirectories(dir)) Collect(child, depth + 1, found);
    }

    /// <summary>The run's smoothed episodic-return curve on <paramref name="axis"/>.</summary>
    public (double[] X, double[] Y) Curve(CurveAxis axis, int smooth)
    {
        List<EpisodeRecord> episodes = Log.Episodes;
        var x = new double[episodes.Count];
        var y = new double[episodes.Count];
        long totalSteps = Log.Updates.Count > 0 ? Log.Updates[^1].Step : 1;
        double window = 0;
        int update = 0;
        for (int i = 0; i < episodes.Count; i++)
        {
            window += episodes[i].Return;
            if (i >= smooth) window -= episodes[i - smooth].Return;
            y[i] = window / Math.Min(i + 1, smooth);
            while (update < Log.Updates.Count && Log.Updates[update].Step < episodes[i].Step) update++;
            x[i] = axis switch
            {
                CurveAxis.Steps => episodes[i].Step,
                CurveAxis.Episodes => i + 1,
                CurveAxis.Updates => Math.Min(update + 1, Math.Max(Log.Updates.Count, 1)),
                _ => double.IsFinite(WallSeconds) ? episodes[i].Step / (double)Math.Max(totalSteps, 1) * WallSeconds
                    : throw new PolicyLabException($"The run '{Path}' has no timing.json, so it cannot be plotted against wall-clock time; use --x steps."),
            };
        }
        return (x, y);
    }
}

/// <summary>
/// Learning curves of several runs: runs whose parameters differ only in the seed form a group, drawn as the
/// median (middle percentile) across its runs with a shaded band between the outer percentiles; the legend
/// names the parameters in which the groups differ.
/// </summary>
public static class LearningCurves
{
    /// <summary>Builds the chart.</summary>
    public static LineChart Build(IReadOnlyList<RecordedRun> runs, CurveOptions options, string? title = null)
    {
        if (runs.Count == 0) throw new PolicyLabException("There is no run to plot.");
        double[] percentiles = [.. options.Percentiles.Order()];
        if (percentiles.Length == 0 || percentiles.Any(p => p is < 0 or > 100 || double.IsNaN(p)))
            throw new PolicyLabException($"Percentiles must be between 0 and 100, e.g. 20,50,80; got {string.Join(",", options.Percentiles)}.");
        if (options.Smooth < 1) throw new PolicyLabException($"--smooth must be ≥ 1 episode; got {options.Smooth}.");

        var groups = runs.GroupBy(r => Key(r.Log), StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        List<string> differing = DifferingParameters(groups.Select(g => g[0].Log).ToList());
        string[] environments = runs.Select(r => r.Log.Environment).Distinct().ToArray();
        var notes = new List<string>();
        if (options.Smooth > 1) notes.Add($"each run: mean return of its last {options.Smooth} episodes");
        if (percentiles.Length > 1 && groups.Any(g => g.Count > 1))
            notes.Add($"across seeds: line {Pct(percentiles[percentiles.Length / 2])} percentile, band {Pct(percentiles[0])}–{Pct(percentiles[^1])}");
        var chart = new LineChart
        {
            Title = title ?? $"Episodic return — {string.Join(", ", environments)}",
            XLabel = options.Axis switch
            {
                CurveAxis.Steps => "environment steps",
                CurveAxis.Episodes => "training episodes",
                CurveAxis.Updates => "updates",
                _ => "wall-clock seconds (approx.)",
            },
            YLabel = "episodic return",
            Note = notes.Count > 0 ? string.Join("; ", notes) : null,
        };
        for (int g = 0; g < groups.Count; g++)
        {
            List<RecordedRun> group = groups[g];
            ExperimentLog first = group[0].Log;
            string label = differing.Count > 0
                ? string.Join(", ", differing.Select(k => $"{k}={Parameter(first, k)}"))
                : $"{first.Algorithm} on {first.Environment}";
            label += group.Count == 1 ? $" (seed {first.Seed})" : $" ({group.Count} seeds)";
            chart.Series.Add(GroupSeries(group, options, percentiles, label, LineChart.Palette[g % LineChart.Palette.Count]));
        }
        return chart;
    }

    private static ChartSeries GroupSeries(List<RecordedRun> group, CurveOptions options, double[] percentiles, string label, Environments.Rendering.RgbColor color)
    {
        var curves = group.Select(r => r.Curve(options.Axis, options.Smooth)).Where(c => c.X.Length > 0).ToList();
        if (curves.Count == 0) return new ChartSeries(label, color, [], []);
        if (group.Count == 1)
            return new ChartSeries(label, color, curves[0].X, curves[0].Y);
        // Only where every run of the group has data, so the band never narrows to the runs that lasted longest.
        double lo = curves.Max(c => c.X[0]), hi = curves.Min(c => c.X[^1]);
        if (hi <= lo) hi = lo + 1;
        const int points = 160;
        var x = new double[points];
        var line = new double[points];
        var lower = new double[points];
        var upper = new double[points];
        var values = new List<double>();
        var cursor = new int[curves.Count];
        for (int p = 0; p < points; p++)
        {
            x[p] = lo + (hi - lo) * p / (points - 1);
            values.Clear();
            for (int c = 0; c < curves.Count; c++)
            {
                (double[] cx, double[] cy) = curves[c];
                while (cursor[c] + 1 < cx.Length && cx[cursor[c] + 1] <= x[p]) cursor[c]++;
                if (cx[cursor[c]] <= x[p] && cx[^1] >= x[p] - 1e-9 * Math.Abs(x[p])) values.Add(cy[cursor[c]]);
            }
            if (values.Count == 0)
            {
                line[p] = lower[p] = upper[p] = double.NaN;
                continue;
            }
            values.Sort();
            line[p] = Percentile(values, percentiles[percentiles.Length / 2]);
            lower[p] = Percentile(values, percentiles[0]);
            upper[p] = Percentile(values, percentiles[^1]);
        }
        return percentiles.Length > 1 ? new ChartSeries(label, color, x, line, lower, upper) : new ChartSeries(label, color, x, line);
    }

    /// <summary>Linear-interpolation percentile of sorted values (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        double rank = percent / 100 * (sorted.Count - 1);
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }

    private static string Pct(double p) => p.ToString("0.##", CultureInfo.InvariantCulture) + "th";

    /// <summary>Settings that change what a run records, not what it learns: never split groups.</summary>
    private static readonly HashSet<string> Ignored = ["seed", "render", "render_every", "tensorboard", "checkpoint_freq"];

    private static string Key(ExperimentLog log) =>
        string.Join("\n", log.Parameters.Where(p => !Ignored.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static string Parameter(ExperimentLog log, string key) =>
        log.Parameters.FirstOrDefault(p => p.Key == key).Value ?? "(unset)";

    private static List<string> DifferingParameters(List<ExperimentLog> logs)
    {
        if (logs.Count < 2) return [];
        var keys = logs.SelectMany(l => l.Parameters.Select(p => p.Key)).Where(k => !Ignored.Contains(k)).Distinct().ToList();
        return keys.Where(k => logs.Select(l => Parameter(l, k)).Distinct().Count() > 1).ToList();
    }
}
