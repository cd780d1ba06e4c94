using System.Globalization;
using PolicyLab.IO;
using PolicyLab.Plotting;
using PolicyLab.Tracking;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;

namespace PolicyLab.Cli.Sweeps;

/// <summary>
/// <c>train --seeds … / --set key=a,b</c>: creates the experiment folder, trains the sweep's runs into it, and ends with
/// the summary table (summary.md), the grouped learning curves (plot.svg, plot.png: mean and ± std band across seeds) and,
/// with --json, one JSON object.
/// </summary>
internal static class SweepExperiment
{
    /// <summary>Runs the sweep; returns the exit code.</summary>
    public static int Run(SweepPlan plan, SweepBase common, string? outDir, string? logFolder, int jobs, bool asJson, StopSignals signals)
    {
        RunSettings first = new SweepRunner(plan, common, "", jobs, asJson).Validate(); // before anything is written
        string folder = outDir ?? DefaultFolder(logFolder ?? "runs", first);
        Create(folder);
        folder = Path.GetFullPath(folder);
        var runner = new SweepRunner(plan, common, folder, jobs, asJson);
        if (!asJson)
            Console.WriteLine($"sweep of {plan.Runs.Count} run(s) ({(plan.Axes.Count > 0 ? $"grid {string.Join(" × ", plan.Axes.Select(a => $"{a.Key}: {a.Values.Count}"))}, " : "")}" +
                $"seeds {string.Join(",", plan.Seeds)}) {(jobs > 1 ? $"{jobs} at a time in parallel processes" : "one after another")} → {folder}");
        (List<SweepOutcome> outcomes, int exit) = runner.Run(signals);
        List<SweepGroup> groups = SweepSummary.Groups(plan, outcomes);
        string table = SweepSummary.Table(plan, groups);
        AtomicFile.WriteAllText(Path.Combine(folder, "summary.md"), table);
        var plots = new List<string>();
        var finished = outcomes.Where(o => File.Exists(Path.Combine(o.Folder, "experiment.json"))).Select(o => RecordedRun.Load(o.Folder)).ToList();
        if (finished.Count > 0)
        {
            List<LineChart> panels = LearningCurves.BuildPanels(finished, new CurveOptions(CurveAxis.Steps, [20, 50, 80], 10, CurveBand.StandardDeviation));
            foreach (string name in new[] { "plot.svg", "plot.png" })
            {
                string path = Path.Combine(folder, name);
                FigureFiles.Save(panels, path);
                plots.Add(path);
            }
        }
        int failed = outcomes.Count(o => o.Error is not null);
        if (asJson)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "train",
                ["sweep"] = true,
                ["experiment_folder"] = folder,
                ["algorithm"] = first.Algorithm,
                ["environment"] = first.Environment,
                ["grid"] = plan.Axes.ToDictionary(a => a.Key, a => a.Values),
                ["seeds"] = plan.Seeds,
                ["jobs"] = jobs,
                ["groups"] = SweepSummary.Json(groups),
                ["runs"] = outcomes.Select(o => new Dictionary<string, object?>
                {
                    ["name"] = o.Run.Name,
                    ["seed"] = o.Run.Seed,
                    ["point"] = o.Run.Point.ToDictionary(kv => kv.Key, kv => kv.Value),
                    ["run_folder"] = o.Folder,
                    ["mean_return"] = o.MeanReturn is double m ? JsonOutput.Number(m) : null,
                    ["std_return"] = o.StdReturn is double s ? JsonOutput.Number(s) : null,
                    ["env_steps"] = o.Steps,
                    ["end_reason"] = o.EndReason,
                    ["error"] = o.Error,
                }).ToList(),
                ["not_started"] = plan.Runs.Count - outcomes.Count,
                ["failed"] = failed,
                ["summary"] = Path.Combine(folder, "summary.md"),
                ["plots"] = plots,
            });
        }
        else
        {
            Console.WriteLine();
            Console.Write(table);
            Console.WriteLine($"summary → {Path.Combine(folder, "summary.md")}");
            foreach (string p in plots) Console.WriteLine($"plot → {p}");
            if (outcomes.Count < plan.Runs.Count)
                Console.WriteLine($"stopped early: {plan.Runs.Count - outcomes.Count} run(s) not started; the finished runs are in {folder}.");
        }
        if (exit != 0) return exit;
        if (failed > 0)
            return CommandLine.UserError($"{failed} of {plan.Runs.Count} run(s) of the sweep failed: " +
                string.Join(" ", outcomes.Where(o => o.Error is not null).Select(o => $"{o.Run.Name}: {o.Error}")));
        return 0;
    }

    private static string DefaultFolder(string root, RunSettings first)
    {
        string stem = $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{first.Algorithm}-{first.Environment}-sweep";
        string path = Path.Combine(root, stem);
        for (int i = 2; Directory.Exists(path); i++) path = Path.Combine(root, $"{stem}-{i}");
        return path;
    }

    private static void Create(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new PolicyLabException("--out needs a folder path for the sweep's experiment folder; got an empty one.");
        if (File.Exists(folder))
            throw new PolicyLabException($"--out '{folder}' names an existing file, not a folder; pick a path that does not exist yet.");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new PolicyLabException($"The experiment folder '{folder}' already exists and is not empty; choose another --out.");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyLabException($"Cannot create the experiment folder '{folder}' ({e.Message}); pick a writable --out with free space.", e);
        }
    }
}
