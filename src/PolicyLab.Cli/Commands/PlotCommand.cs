using System.CommandLine;
using System.Globalization;
using PolicyLab.Plotting;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab plot`: learning curves of runs, grouped by configuration (median and percentile band, or mean ± std,
/// across seeds), one panel per environment; PNG through Skia.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("RUN_OR_EXPERIMENT") { Description = "run folders, or folders holding run folders", Arity = ArgumentArity.OneOrMore };
        var x = new Option<string>("--x") { Description = "x axis: steps, episodes, updates or wall", DefaultValueFactory = _ => "steps" };
        var percentiles = new Option<string>("--percentiles") { Description = "percentiles across seeds: the middle one is the line, the outer ones the band", DefaultValueFactory = _ => "20,50,80" };
        var smooth = new Option<int>("--smooth") { Description = "mean over the last N episodes of each run", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--output", "-o") { Description = "output file: .svg, .png or .html", DefaultValueFactory = _ => "plot.svg" };
        var title = new Option<string?>("--title") { Description = "chart title (default: the environment; one panel per environment)" };
        var band = new Option<string>("--band") { Description = "across seeds: percentiles (line = middle percentile, band = outer ones) or std (line = mean, band = ± 1 std)", DefaultValueFactory = _ => "percentiles" };
        var command = new Command("plot", "Plot learning curves of runs; runs that differ only in seed form one band.")
        {
            paths, x, percentiles, smooth, output, title, band,
        };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string axisText = parse.GetValue(x)!;
            if (!Enum.TryParse(axisText, ignoreCase: true, out CurveAxis axis) || !Enum.IsDefined(axis) || int.TryParse(axisText, out _))
                return CommandLine.UserError($"--x must be steps, episodes, updates or wall; got '{axisText}'.");
            var values = new List<double>();
            foreach (string part in parse.GetValue(percentiles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double p))
                    return CommandLine.UserError($"--percentiles takes numbers separated by commas, e.g. 20,50,80; '{part}' is not a number.");
                values.Add(p);
            }
            CurveBand bandKind = parse.GetValue(band) switch
            {
                "percentiles" => CurveBand.Percentiles,
                "std" => CurveBand.StandardDeviation,
                string other => throw new PolicyLabException($"--band must be percentiles or std; got '{other}'."),
                null => CurveBand.Percentiles,
            };
            var skipped = new List<string>();
            List<RecordedRun> runs = RecordedRun.Discover(parse.GetValue(paths)!, skipped);
            foreach (string notice in skipped) Console.Error.WriteLine($"note: {notice}");
            List<LineChart> panels = LearningCurves.BuildPanels(runs, new CurveOptions(axis, values, parse.GetValue(smooth), bandKind), parse.GetValue(title));
            string path = parse.GetValue(output)!;
            FigureFiles.Save(panels, path);
            Console.WriteLine($"{runs.Count} run(s) in {panels.Sum(p => p.Series.Count)} group(s), {panels.Count} panel(s) → {Path.GetFullPath(path)}");
            foreach (LineChart panel in panels)
            {
                if (panels.Count > 1) Console.WriteLine($"  {panel.Title}");
                foreach (ChartSeries s in panel.Series) Console.WriteLine($"{(panels.Count > 1 ? "    " : "  ")}{s.Label}");
            }
            return 0;
        }));
        return command;
    }
}
