using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using PolicyLab.Configuration;
using PolicyLab.IO;
using PolicyLab.Tracking;
using PolicyLab.Training;

namespace PolicyLab.Cli.Sweeps;

/// <summary>What every run of a sweep shares: the command-line settings apart from the grid and the seed.</summary>
/// <param name="Algorithm">--algo, if given.</param>
/// <param name="Environment">--env, if given.</param>
/// <param name="ConfigPath">--config, if given.</param>
/// <param name="Overrides">--set overrides shared by every run (including --render, --env-kwargs and --env-assembly as settings).</param>
/// <param name="Steps">--steps, if given.</param>
internal sealed record SweepBase(string? Algorithm, string? Environment, string? ConfigPath, IReadOnlyList<string> Overrides, long? Steps);

/// <summary>How one run of a sweep ended.</summary>
/// <param name="Run">The run.</param>
/// <param name="Folder">Its run folder.</param>
/// <param name="MeanReturn">Mean return of its final evaluation (null when it failed).</param>
/// <param name="StdReturn">Standard deviation of the final evaluation's returns.</param>
/// <param name="Steps">Environment steps trained.</param>
/// <param name="EndReason">Why it ended (null when it failed).</param>
/// <param name="Error">The error, when it failed.</param>
internal sealed record SweepOutcome(SweepRun Run, string Folder, double? MeanReturn, double? StdReturn, long Steps, string? EndReason, string? Error);

/// <summary>
/// Trains every run of a <see cref="SweepPlan"/> into one experiment folder (one ordinary run folder per run): one after
/// another in this process, or <c>--jobs N</c> at a time as child <c>policylab train</c> processes. Each run is trained
/// with exactly the settings <c>train --seed S --set key=value …</c> would give it alone, so its folder holds the same files.
/// </summary>
internal sealed partial class SweepRunner(SweepPlan plan, SweepBase common, string experimentFolder, int jobs, bool asJson)
{
    /// <summary>The experiment folder's description of the sweep (plan, then results).</summary>
    public const string PlanFileName = "sweep.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The settings request of <paramref name="run"/>, as <c>train</c> alone would build it.</summary>
    public SettingsRequest Request(SweepRun run)
    {
        string? algorithm = common.Algorithm, environment = common.Environment;
        var overrides = new List<string>(common.Overrides);
        foreach (KeyValuePair<string, string> kv in run.Point)
        {
            if (kv.Key == "algo") algorithm = kv.Value;
            else if (kv.Key == "env") environment = kv.Value;
            else overrides.Add($"{kv.Key}={kv.Value}");
        }
        return new SettingsRequest(algorithm, environment, common.ConfigPath, overrides, run.Seed, common.Steps);
    }

    /// <summary>The arguments of the <c>policylab train</c> command that trains <paramref name="run"/> alone into <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> Arguments(SweepRun run, string folder)
    {
        SettingsRequest r = Request(run);
        var args = new List<string> { "train" };
        if (r.Algorithm is not null) args.AddRange(["--algo", r.Algorithm]);
        if (r.Environment is not null) args.AddRange(["--env", r.Environment]);
        if (r.ConfigPath is not null) args.AddRange(["--config", Path.GetFullPath(r.ConfigPath)]);
        if (r.Steps is long steps) args.AddRange(["--steps", steps.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--seed", run.Seed.ToString(CultureInfo.InvariantCulture)]);
        foreach (string set in r.Overrides) args.AddRange(["--set", set]);
        args.AddRange(["--out", folder, "--json"]);
        return args;
    }

    /// <summary>Resolves every run's settings, so a bad grid value fails before anything is written.</summary>
    /// <returns>The first run's settings.</returns>
    /// <exception cref="PolicyLabException">A run's settings are wrong, or two runs would share a folder.</exception>
    public RunSettings Validate()
    {
        RunSettings? first = null;
        foreach (SweepRun run in plan.Runs)
        {
            try
            {
                RunSettings settings = SettingsResolver.Resolve(Request(run)).Run;
                first ??= settings;
            }
            catch (PolicyLabException e) when (plan.Axes.Count > 0)
            {
                throw new PolicyLabException($"The sweep's run {run.Name} has a bad setting: {e.Message}", e);
            }
        }
        if (plan.Runs.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != plan.Runs.Count)
            throw new PolicyLabException("Two grid values give the same sub-run folder name (they differ only in punctuation); write the values differently.");
        return first!;
    }

    /// <summary>Checks every run's settings (nothing is written when one is wrong), then trains them all.</summary>
    /// <returns>The outcomes in plan order and the exit code (0; 130/143 when stopped by a signal).</returns>
    public (List<SweepOutcome> Outcomes, int ExitCode) Run(StopSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        Validate();
        WritePlan(null);
        List<SweepOutcome> outcomes = jobs <= 1 ? RunHere(signals.Token) : RunInProcesses(signals.Token);
        WritePlan(outcomes);
        return (outcomes, signals.ExitCode);
    }

    private List<SweepOutcome> RunHere(CancellationToken cancellation)
    {
        var outcomes = new List<SweepOutcome>();
        for (int i = 0; i < plan.Runs.Count && !cancellation.IsCancellationRequested; i++)
        {
            SweepRun run = plan.Runs[i];
            string folderPath = Path.Combine(experimentFolder, run.Name);
            SweepOutcome outcome;
            try
            {
                (RunSettings settings, Hyperparameters algorithm) = SettingsResolver.Resolve(Request(run));
                using Trainer trainer = Trainer.Start(settings, algorithm, RunFolder.CreateAt(folderPath));
                var reporter = new ProgressReporter(asJson);
                string title = $"[{i + 1}/{plan.Runs.Count}] {run.Name}";
                TrainingResult result = reporter.Run(settings.TotalSteps, title, () => trainer.RunWithTrackers(reporter, cancellation));
                outcome = new SweepOutcome(run, result.RunFolder, result.FinalEvaluation?.MeanReturn, result.FinalEvaluation?.StdReturn, result.Steps, result.EndReason, null);
            }
            catch (PolicyLabException e)
            {
                outcome = new SweepOutcome(run, Path.GetFullPath(folderPath), null, null, 0, null, e.Message);
            }
            outcomes.Add(outcome);
            Report(outcome, outcomes.Count);
        }
        return outcomes;
    }

    private List<SweepOutcome> RunInProcesses(CancellationToken cancellation)
    {
        var outcomes = new SweepOutcome?[plan.Runs.Count];
        var running = new Dictionary<int, Process>();
        int done = 0;
        object gate = new();
        using CancellationTokenRegistration forward = cancellation.Register(() =>
        {
            lock (gate)
                foreach (Process p in running.Values) SendTerminate(p); // each child stops after its current update, with a checkpoint
        });
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs };
        Parallel.ForEachAsync(Enumerable.Range(0, plan.Runs.Count), options, async (i, _) =>
        {
            if (cancellation.IsCancellationRequested) return;
            SweepRun run = plan.Runs[i];
            string folderPath = Path.GetFullPath(Path.Combine(experimentFolder, run.Name));
            var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(SweepRunner).Assembly.Location);
            foreach (string a in Arguments(run, folderPath)) start.ArgumentList.Add(a);
            start.Environment["CI"] = "1"; // plain output in the child; its --json line is all the sweep reads
            using var process = new Process { StartInfo = start };
            lock (gate)
            {
                if (cancellation.IsCancellationRequested) return;
                process.Start();
                running[i] = process;
            }
            if (!asJson) Console.WriteLine($"started [{i + 1}/{plan.Runs.Count}] {run.Name} (process {process.Id})");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            lock (gate) running.Remove(i);
            SweepOutcome outcome = FromChild(run, folderPath, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            lock (gate)
            {
                outcomes[i] = outcome;
                Report(outcome, ++done);
            }
        }).GetAwaiter().GetResult();
        return [.. outcomes.OfType<SweepOutcome>()];
    }

    private static SweepOutcome FromChild(SweepRun run, string folder, int exitCode, string stdout, string stderr)
    {
        string? last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (last is not null)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(last);
                JsonElement r = doc.RootElement;
                double? Number(string name) => r.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
                string? error = exitCode is 0 or 130 or 143 ? null : $"exit code {exitCode}: {stderr.Trim()}";
                return new SweepOutcome(run, folder, Number("mean_return"), Number("std_return"), (long)(Number("env_steps") ?? 0),
                    r.TryGetProperty("end_reason", out JsonElement end) ? end.GetString() : null, error);
            }
            catch (JsonException)
            {
                // fall through: report the child's error output
            }
        }
        string message = stderr.Trim();
        if (message.StartsWith("error: ", StringComparison.Ordinal)) message = message[7..];
        return new SweepOutcome(run, folder, null, null, 0, null, message.Length > 0 ? message : $"the training process exited with code {exitCode} and no result");
    }

    private void Report(SweepOutcome o, int done)
    {
        if (asJson) return;
        string result = o.Error is not null ? $"failed: {o.Error}"
            : string.Create(CultureInfo.InvariantCulture, $"final evaluation {o.MeanReturn:F2} ± {o.StdReturn:F2} ({o.EndReason})");
        Console.WriteLine($"finished {done}/{plan.Runs.Count} {o.Run.Name}: {result}");
    }

    /// <summary>Writes sweep.json: the plan and, once known, every run's outcome.</summary>
    private void WritePlan(IReadOnlyList<SweepOutcome>? outcomes)
    {
        var description = new Dictionary<string, object?>
        {
            ["algorithm"] = common.Algorithm,
            ["environment"] = common.Environment,
            ["config"] = common.ConfigPath,
            ["steps"] = common.Steps,
            ["set"] = common.Overrides,
            ["grid"] = plan.Axes.ToDictionary(a => a.Key, a => a.Values),
            ["seeds"] = plan.Seeds,
            ["jobs"] = jobs,
            ["runs"] = plan.Runs.Select(r =>
            {
                SweepOutcome? o = outcomes?.FirstOrDefault(x => x.Run == r);
                return new Dictionary<string, object?>
                {
                    ["name"] = r.Name,
                    ["seed"] = r.Seed,
                    ["point"] = r.Point.ToDictionary(kv => kv.Key, kv => kv.Value),
                    ["mean_return"] = o?.MeanReturn is double m ? JsonOutput.Number(m) : null,
                    ["std_return"] = o?.StdReturn is double s ? JsonOutput.Number(s) : null,
                    ["env_steps"] = o?.Steps,
                    ["end_reason"] = o?.EndReason,
                    ["error"] = o?.Error,
                    ["status"] = o is null ? (outcomes is null ? "planned" : "not started") : o.Error is null ? "done" : "failed",
                };
            }).ToList(),
        };
        AtomicFile.WriteAllText(Path.Combine(experimentFolder, PlanFileName), JsonSerializer.Serialize(description, Indented) + "\n");
    }

    /// <summary>The dotnet host that runs this CLI (the one running now, else dotnet on PATH).</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static void SendTerminate(Process p)
    {
        try
        {
            if (!p.HasExited && (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() || Kill(p.Id, 15) != 0)) p.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
