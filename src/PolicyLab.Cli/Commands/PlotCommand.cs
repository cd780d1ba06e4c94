using System.CommandLine;
using System.Globalization;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab plot`: learning curves of runs, grouped by configuration (median and percentile band across seeds).</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("RUN_OR_EXPERIMENT") { Description = "run folders, or folders holding run folders", Arity = ArgumentArity.OneOrMore };
        var x = new Option<string>("--x") { Description = "x axis: steps, episodes, updates or wall", DefaultValueFactory = _ => "steps" };
        var percentiles = new Option<string>("--percentiles") { Description = "percentiles across seeds: the middle one is the line, the outer ones the band", DefaultValueFactory = _ => "20,50,80" };
        var smooth = new Option<int>("--smooth") { Description = "mean over the last N episodes of each run", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--output", "-o") { Description = "output file: .svg, .png or .html", DefaultValueFactory = _ => "plot.svg" };
        var title = new Option<string?>("--title") { Description = "chart title (default: the environments)" };
        var command = new Command("plot", "Plot learning curves of runs; runs that differ only in seed form one band.")
        {
            paths, x, percentiles, smooth, output, title,
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
            List<RecordedRun> runs = RecordedRun.Discover(parse.GetValue(paths)!);
            LineChart chart = LearningCurves.Build(runs, new CurveOptions(axis, values, parse.GetValue(smooth)), parse.GetValue(title));
            string path = parse.GetValue(output)!;
            ChartFiles.Save(chart, path);
            Console.WriteLine($"{runs.Count} run(s) in {chart.Series.Count} group(s) → {Path.GetFullPath(path)}");
            foreach (ChartSeries s in chart.Series) Console.WriteLine($"  {s.Label}");
            return 0;
        }));
        return command;
    }
}
