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

/// <summary>What the line and band of a group of seeds show.</summary>
public enum CurveBand
{
    /// <summary>The middle percentile is the line, the outer percentiles bound the band.</summary>
    Percentiles,
    /// <summary>The mean across seeds is the line, the band is mean ± one standard deviation (population).</summary>
    StandardDeviation,
}

/// <summary>How to draw learning curves of several runs.</summary>
/// <param name="Axis">The x axis.</param>
/// <param name="Percentiles">Percentiles across the runs of a group: the middle one is the line, the outer ones bound the band.</param>
/// <param name="Smooth">Each run's return is the mean of its last <paramref name="Smooth"/> episodes.</param>
/// <param name="Band">Percentiles (median line) or mean ± standard deviation across seeds.</param>
public sealed record CurveOptions(CurveAxis Axis, IReadOnlyList<double> Percentiles, int Smooth, CurveBand Band = CurveBand.Percentiles)
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
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or FormatException or UnauthorizedAccessException)
        {
            throw new PolicyLabException($"'{file}' could not be read as a PolicyLab experiment log ({e.Message}); pass run folders written by `policylab train`.", e);
        }
        double wall = double.NaN;
        string timing = System.IO.Path.Combine(folder, "timing.json");
        if (File.Exists(timing))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(timing));
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("wall_seconds", out JsonElement w)
                    && w.ValueKind == JsonValueKind.Number) wall = w.GetDouble();
            }
            catch (JsonException)
            {
                // a damaged timing.json only loses the wall-clock axis
            }
        }
        return new RecordedRun(System.IO.Path.GetFullPath(folder), log, wall);
    }

    /// <summary>Finds the run folders in <paramref name="paths"/>: each is a run folder or a folder of runs (searched three levels deep).</summary>
    /// <param name="paths">Run folders or folders holding run folders.</param>
    /// <param name="skipped">When given, a path that does not exist, holds no run or holds an unreadable run is skipped and
    /// described here (one line each) instead of failing the whole call.</param>
    /// <exception cref="PolicyLabException">A path does not exist or holds no run (without <paramref name="skipped"/>), or no path holds a run.</exception>
    public static List<RecordedRun> Discover(IEnumerable<string> paths, ICollection<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var runs = new List<RecordedRun>();
        foreach (string path in paths)
        {
            try
            {
                if (!Directory.Exists(path))
                    throw new PolicyLabException($"'{path}' does not exist; pass run folders (or folders of runs) written by `policylab train`.");
                var found = new List<string>();
                Collect(path, 0, found);
                if (found.Count == 0)
                    throw new PolicyLabException($"'{path}' holds no run (no experiment.json in it or in its subfolders up to three levels down).");
                foreach (string folder in found.Order(StringComparer.Ordinal))
                {
                    try
                    {
                        runs.Add(Load(folder));
                    }
                    catch (PolicyLabException e) when (skipped is not null)
                    {
                        skipped.Add($"skipped '{folder}': {e.Message}");
                    }
                }
            }
            catch (PolicyLabException e) when (skipped is not null)
            {
                skipped.Add($"skipped {e.Message}");
            }
        }
        if (runs.Count == 0 && skipped is not null)
            throw new PolicyLabException($"None of the paths holds a run written by `policylab train`: {string.Join(" ", skipped)}");
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
    /// <summary>Builds the chart of runs of one environment (see <see cref="BuildPanels"/> for several).</summary>
    /// <exception cref="PolicyLabException">No runs, bad options, or runs of several environments.</exception>
    public static LineChart Build(IReadOnlyList<RecordedRun> runs, CurveOptions options, string? title = null)
    {
        List<LineChart> panels = BuildPanels(runs, options, title);
        return panels.Count == 1 ? panels[0]
            : throw new PolicyLabException($"The runs are of {panels.Count} environments; draw one panel per environment (LearningCurves.BuildPanels).");
    }

    /// <summary>
    /// One chart per environment (in the order the runs name them). Within a panel, runs whose parameters differ only in
    /// the seed form a group; a group is named by its algorithm (when the runs use several) and by the few settings that
    /// differ between groups of the same algorithm, so settings that only follow from the algorithm never fill the legend.
    /// A group keeps its colour in every panel.
    /// </summary>
    /// <exception cref="PolicyLabException">No runs or bad options.</exception>
    public static List<LineChart> BuildPanels(IReadOnlyList<RecordedRun> runs, CurveOptions options, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        if (runs.Count == 0) throw new PolicyLabException("There is no run to plot.");
        double[] percentiles = [.. options.Percentiles.Order()];
        if (percentiles.Length == 0 || percentiles.Any(p => p is < 0 or > 100 || double.IsNaN(p)))
            throw new PolicyLabException($"Percentiles must be between 0 and 100, e.g. 20,50,80; got {string.Join(",", options.Percentiles)}.");
        if (options.Smooth < 1) throw new PolicyLabException($"--smooth must be ≥ 1 episode; got {options.Smooth}.");

        var groups = runs.GroupBy(r => Key(r.Log), StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        bool severalAlgorithms = groups.Select(g => g[0].Log.Algorithm).Distinct(StringComparer.Ordinal).Count() > 1;
        // An algorithm's groups are named by the settings in which they differ from each other on one environment.
        var differing = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var sameKind in groups.GroupBy(g => (g[0].Log.Environment, g[0].Log.Algorithm)))
        {
            if (!differing.TryGetValue(sameKind.Key.Algorithm, out HashSet<string>? keys)) differing[sameKind.Key.Algorithm] = keys = new(StringComparer.Ordinal);
            keys.UnionWith(DifferingParameters(sameKind.Select(g => g[0].Log).ToList()));
        }
        List<string> keyOrder = [.. runs.SelectMany(r => r.Log.Parameters.Select(p => p.Key)).Distinct(StringComparer.Ordinal)];
        var colours = new Dictionary<string, int>(StringComparer.Ordinal);
        var panels = new List<LineChart>();
        foreach (string environment in runs.Select(r => r.Log.Environment).Distinct(StringComparer.Ordinal))
        {
            var panelGroups = groups.Where(g => g[0].Log.Environment == environment).ToList();
            var notes = new List<string>();
            if (options.Smooth > 1) notes.Add($"each run: mean return of its last {options.Smooth} episodes");
            if (options.Band == CurveBand.StandardDeviation && panelGroups.Any(g => g.Count > 1))
                notes.Add("across seeds: line mean, band ± 1 standard deviation");
            else if (percentiles.Length > 1 && panelGroups.Any(g => g.Count > 1))
                notes.Add($"across seeds: line {Pct(percentiles[percentiles.Length / 2])} percentile, band {Pct(percentiles[0])}–{Pct(percentiles[^1])}");
            var chart = new LineChart
            {
                Title = title is null ? $"Episodic return — {environment}" : runs.Select(r => r.Log.Environment).Distinct().Count() > 1 ? $"{title} — {environment}" : title,
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
            foreach (List<RecordedRun> group in panelGroups)
            {
                ExperimentLog first = group[0].Log;
                var parts = new List<string>();
                if (severalAlgorithms) parts.Add(first.Algorithm);
                parts.AddRange(keyOrder.Where(k => differing[first.Algorithm].Contains(k) && first.Parameters.Any(p => p.Key == k)).Select(k => $"{k}={Parameter(first, k)}"));
                string label = parts.Count > 0 ? string.Join(", ", parts) : first.Algorithm;
                if (!colours.TryGetValue(label, out int colour)) colours[label] = colour = colours.Count;
                label += group.Count == 1 ? $" (seed {first.Seed})" : $" ({group.Count} seeds)";
                chart.Series.Add(GroupSeries(group, options, percentiles, label, LineChart.Palette[colour % LineChart.Palette.Count]));
            }
            if (chart.Series.All(series => series.X.Length == 0))
            {
                var empty = new LineChart { Title = chart.Title, XLabel = chart.XLabel, YLabel = chart.YLabel, Note = "no training episode has finished in these runs yet: nothing to draw" };
                empty.Series.AddRange(chart.Series);
                chart = empty;
            }
            panels.Add(chart);
        }
        return panels;
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
            if (options.Band == CurveBand.StandardDeviation)
            {
                double mean = values.Average();
                double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
                (line[p], lower[p], upper[p]) = (mean, mean - std, mean + std);
                continue;
            }
            values.Sort();
            line[p] = Percentile(values, percentiles[percentiles.Length / 2]);
            lower[p] = Percentile(values, percentiles[0]);
            upper[p] = Percentile(values, percentiles[^1]);
        }
        return percentiles.Length > 1 || options.Band == CurveBand.StandardDeviation ? new ChartSeries(label, color, x, line, lower, upper) : new ChartSeries(label, color, x, line);
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

    /// <summary>Settings named by the panel (env) or the label's first part (algo), never as key=value.</summary>
    private static readonly HashSet<string> Named = ["algo", "env"];

    private static string Key(ExperimentLog log) =>
        string.Join("\n", log.Parameters.Where(p => !Ignored.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static string Parameter(ExperimentLog log, string key) =>
        log.Parameters.FirstOrDefault(p => p.Key == key).Value ?? "(unset)";

    private static List<string> DifferingParameters(List<ExperimentLog> logs)
    {
        if (logs.Count < 2) return [];
        var keys = logs.SelectMany(l => l.Parameters.Select(p => p.Key)).Where(k => !Ignored.Contains(k) && !Named.Contains(k)).Distinct().ToList();
        return keys.Where(k => logs.Select(l => Parameter(l, k)).Distinct().Count() > 1).ToList();
    }
}
