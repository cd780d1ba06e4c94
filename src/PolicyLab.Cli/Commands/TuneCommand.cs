using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.IO;
using PolicyLab.Training;
using PolicyLab.Tuning;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab tune`: hyperparameter search (TPE or random, pruning) over trials that are training runs, in a SQLite study file.</summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var algo = new Option<string>("--algo") { Description = "algorithm (default ppo)", DefaultValueFactory = _ => "ppo" };
        var env = new Option<string>("--env") { Description = "environment id (default CartPole-v1)", DefaultValueFactory = _ => "CartPole-v1" };
        var trials = new Option<int>("--trials") { Description = "complete or pruned trials the study is to have (failed ones are replaced)", DefaultValueFactory = _ => 50 };
        var sampler = new Option<string>("--sampler") { Description = "tpe or random", DefaultValueFactory = _ => "tpe" };
        var pruner = new Option<string>("--pruner") { Description = "median (with a warm-up of a third of the evaluations), halving (successive halving, η = 4) or none", DefaultValueFactory = _ => "median" };
        var steps = new Option<long?>("--steps-per-trial") { Description = "training budget of each trial (default: the environment's n_timesteps in configs/)" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "environment steps between intermediate evaluations (default: a tenth of the budget)" };
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = "episodes per evaluation", DefaultValueFactory = _ => 5 };
        var storage = new Option<string?>("--storage") { Description = "the study file, SQLite (default studies/<algo>-<env>.db)" };
        var study = new Option<string?>("--study") { Description = "study name within the file (default <algo>-<env>)" };
        var workers = new Option<int>("--workers") { Description = "trial processes to run in parallel on this machine, sharing the study file", DefaultValueFactory = _ => 1 };
        var space = new Option<string?>("--space") { Description = "YAML file overriding the default search space (docs/tuning.md)" };
        var seed = new Option<long>("--seed") { Description = "training seed of every trial and the sampler's seed", DefaultValueFactory = _ => 0 };
        var objective = new Option<string>("--objective") { Description = "last (final evaluation's mean return, as RL Zoo) or mean (mean of all evaluations: favours fast learning)", DefaultValueFactory = _ => "last" };
        var startup = new Option<int>("--startup-trials") { Description = "random trials before TPE, and complete trials before the median rule prunes", DefaultValueFactory = _ => 10 };
        var printSpace = new Option<bool>("--print-space") { Description = "print the search space and exit" };
        var command = new Command("tune", "Search hyperparameters: trials are training runs with sampled settings, recorded in a study file (see `policylab tune show`, `policylab tune export`).")
        {
            algo, env, trials, sampler, pruner, steps, evalEvery, evalEpisodes, storage, study, workers, space, seed, objective, startup, printSpace,
        };
        command.Subcommands.Add(ShowCommand());
        command.Subcommands.Add(ExportCommand());
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string algorithm = AlgorithmRegistry.Get(parse.GetValue(algo)!).Name;
            string environment = parse.GetValue(env)!;
            SearchSpace searchSpace = ResolveSpace(algorithm, parse.GetValue(space));
            if (parse.GetValue(printSpace))
            {
                Console.WriteLine(searchSpace);
                return 0;
            }
            int target = parse.GetValue(trials);
            if (target <= 0) return CommandLine.UserError($"--trials must be > 0; got {target}.");
            int workerCount = parse.GetValue(workers);
            if (workerCount <= 0) return CommandLine.UserError($"--workers must be ≥ 1; got {workerCount}.");
            long budget = parse.GetValue(steps) ?? SettingsResolver.Resolve(new SettingsRequest(algorithm, environment, null, [], null, null)).Run.TotalSteps;
            long every = parse.GetValue(evalEvery) ?? Math.Max(1, budget / 10);
            var settings = new TuneSettings(algorithm, environment, budget, every, parse.GetValue(evalEpisodes), parse.GetValue(seed),
                parse.GetValue(sampler)!, parse.GetValue(pruner)!, parse.GetValue(objective)!, parse.GetValue(startup));
            settings.ThrowIfInvalid();
            TrialTraining.Resolve(settings, []); // the environment and the fixed settings are valid before any trial starts
            string file = Path.GetFullPath(parse.GetValue(storage) ?? Path.Combine("studies", $"{algorithm}-{environment}.db"));
            string name = parse.GetValue(study) ?? $"{algorithm}-{environment}";
            using (SqliteStudyStorage created = SqliteStudyStorage.OpenOrCreate(file, name, settings, searchSpace))
                Console.WriteLine($"study {name} in {file}: {algorithm} on {environment}, {target} trials of {budget:N0} steps, sampler {settings.Sampler}, pruner {settings.Pruner}" +
                    (workerCount > 1 ? $", {workerCount} worker processes" : ""));
            int exit = workerCount == 1 ? RunWorker(file, name, settings, searchSpace, target) : RunWorkers(workerCount, file, name, settings, parse.GetValue(space), target);
            using (SqliteStudyStorage done = SqliteStudyStorage.Open(file, name))
                PrintSummary(done, top: 5);
            return exit;
        }));
        return command;
    }

    private static SearchSpace ResolveSpace(string algorithm, string? spaceFile)
    {
        SearchSpace space;
        if (spaceFile is null) space = SearchSpace.ForAlgorithm(algorithm);
        else
        {
            space = (DefaultSearchSpaces.For(algorithm) ?? new SearchSpace([])).WithOverrides(ConfigFile.ReadText(spaceFile), spaceFile);
            if (space.Parameters.Count == 0)
                throw new PolicyLabException($"The search space from '{spaceFile}' is empty; define at least one parameter (docs/tuning.md shows the format).");
        }
        space.CheckAgainst(algorithm, spaceFile ?? $"the default {algorithm} search space");
        return space;
    }

    /// <summary>Runs trials in this process until the study has them.</summary>
    private static int RunWorker(string file, string name, TuneSettings settings, SearchSpace space, int target)
    {
        using var cancel = new CancellationTokenSource();
        int signalExit = 0;
        void Stop(int code)
        {
            if (signalExit == 0) signalExit = code;
            cancel.Cancel();
        }
        ConsoleCancelEventHandler onInterrupt = (_, e) => { e.Cancel = true; Stop(130); };
        Console.CancelKeyPress += onInterrupt;
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(143); });
        try
        {
            using SqliteStudyStorage storage = SqliteStudyStorage.OpenOrCreate(file, name, settings, space);
            int orphans = storage.FailOrphanedTrials();
            if (orphans > 0) Console.WriteLine($"{orphans} trial(s) left running by a process that ended are marked failed; new trials replace them.");
            string trialsFolder = TrialsFolder(file, name);
            var runner = new Study(storage, space, settings.CreateSampler(), settings.CreatePruner(), target);
            var clock = Stopwatch.StartNew();
            runner.Optimize((trial, token) =>
            {
                clock.Restart();
                return TrialTraining.Run(settings, trial, trialsFolder, token);
            }, t => Console.WriteLine(Describe(t, space, clock.Elapsed.TotalSeconds)), cancel.Token);
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopped: the interrupted trial is recorded failed; run the same command again to continue the study.");
            return signalExit == 0 ? 130 : signalExit;
        }
        finally
        {
            Console.CancelKeyPress -= onInterrupt;
        }
    }

    /// <summary>Starts <paramref name="count"/> worker processes of this command on the same study file and waits for them.</summary>
    private static int RunWorkers(int count, string file, string name, TuneSettings s, string? spaceFile, int target)
    {
        string[] args = ["tune", "--algo", s.Algorithm, "--env", s.Environment, "--trials", Text(target), "--sampler", s.Sampler, "--pruner", s.Pruner,
            "--steps-per-trial", Text(s.StepsPerTrial), "--eval-every", Text(s.EvaluateEvery), "--eval-episodes", Text(s.EvaluationEpisodes),
            "--storage", file, "--study", name, "--seed", Text(s.Seed), "--objective", s.Objective, "--startup-trials", Text(s.StartupTrials), "--workers", "1",
            .. spaceFile is null ? Array.Empty<string>() : ["--space", Path.GetFullPath(spaceFile)]];
        string self = Environment.ProcessPath ?? "dotnet";
        bool direct = Path.GetFileNameWithoutExtension(self) is "PolicyLab.Cli" or "policylab";
        var processes = new List<Process>();
        try
        {
            for (int w = 0; w < count; w++)
            {
                var start = new ProcessStartInfo(direct ? self : "dotnet") { UseShellExecute = false };
                if (!direct) start.ArgumentList.Add(typeof(TuneCommand).Assembly.Location);
                foreach (string a in args) start.ArgumentList.Add(a);
                processes.Add(Process.Start(start) ?? throw new PolicyLabException($"Could not start worker process {w + 1} ({start.FileName})."));
            }
            foreach (Process p in processes) p.WaitForExit();
            int worst = processes.Max(p => p.ExitCode);
            if (worst != 0) Console.Error.WriteLine($"a worker process ended with exit code {worst}; the study file keeps every trial that finished.");
            return worst;
        }
        finally
        {
            foreach (Process p in processes) p.Dispose();
        }
    }

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a study's trials keep their run folders: next to the study file.</summary>
    internal static string TrialsFolder(string file, string name) =>
        Path.Combine(Path.GetDirectoryName(file) ?? ".", Path.GetFileNameWithoutExtension(file) + ".trials", name);

    private static string Describe(TrialRecord t, SearchSpace space, double seconds)
    {
        string parameters = string.Join(" ", space.Parameters.Where(p => t.Parameters.ContainsKey(p.Name))
            .Select(p => $"{p.Name}={StudyReport.Short(p, t.Parameters[p.Name])}"));
        return t.State switch
        {
            TrialState.Failed => $"trial {t.Number} failed: {t.Error}",
            TrialState.Pruned => string.Create(CultureInfo.InvariantCulture, $"trial {t.Number} pruned at evaluation {t.LastStep}: {t.Value:F2} ({t.EnvironmentSteps:N0} steps, {seconds:F1} s) {parameters}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"trial {t.Number} complete: {t.Value:F2} ({t.EnvironmentSteps:N0} steps, {seconds:F1} s) {parameters}"),
        };
    }

    private static void PrintSummary(SqliteStudyStorage storage, int top)
    {
        IReadOnlyList<TrialRecord> all = storage.Trials();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"study {storage.StudyName}: {all.Count(t => t.State == TrialState.Complete)} complete, {all.Count(t => t.State == TrialState.Pruned)} pruned, " +
            $"{all.Count(t => t.State == TrialState.Failed)} failed, {all.Count(t => t.State == TrialState.Running)} running; {all.Sum(t => t.EnvironmentSteps):N0} environment steps"));
        List<TrialRecord> best = [.. all.Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Value).ThenBy(t => t.Number).Take(top)];
        if (best.Count == 0) return;
        Console.WriteLine("best trials:");
        foreach (TrialRecord t in best)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  #{t.Number,-4} {t.Value,10:F2}  ") +
                string.Join(" ", storage.Space.Parameters.Where(p => t.Parameters.ContainsKey(p.Name)).Select(p => $"{p.Name}={StudyReport.Short(p, t.Parameters[p.Name])}")));
    }

    private static Command ShowCommand()
    {
        var file = new Argument<string>("STUDY_FILE") { Description = "the study file (SQLite) `policylab tune --storage` wrote" };
        var study = new Option<string?>("--study") { Description = "the study's name (needed when the file holds several)" };
        var top = new Option<int>("--top") { Description = "best trials to list", DefaultValueFactory = _ => 10 };
        var output = new Option<string?>("--output", "-o") { Description = "HTML report to write (default <file>-<study>.html next to the file)" };
        var command = new Command("show", "Show a study: trial counts, best trials, parameter importances, and an HTML report with plots.") { file, study, top, output };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string path = parse.GetValue(file)!;
            using SqliteStudyStorage storage = SqliteStudyStorage.Open(path, parse.GetValue(study));
            TuneSettings s = storage.Settings;
            IReadOnlyList<TrialRecord> all = storage.Trials();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"study {storage.StudyName} in {Path.GetFullPath(path)}: {s.Algorithm} on {s.Environment}, {s.StepsPerTrial:N0} steps per trial, evaluation every {s.EvaluateEvery:N0}, sampler {s.Sampler}, pruner {s.Pruner}, objective {s.Objective}, seed {s.Seed}"));
            PrintSummary(storage, parse.GetValue(top));
            Console.WriteLine("parameter importances (correlation ratio η² over complete trials, scaled to sum 1):");
            foreach ((string name, double importance) in ParameterImportance.Compute(storage.Space, all))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-22} {importance:F3}"));
            foreach (TrialRecord t in all.Where(t => t.State == TrialState.Failed))
                Console.WriteLine($"trial {t.Number} failed: {t.Error}");
            string report = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".",
                $"{Path.GetFileNameWithoutExtension(path)}-{storage.StudyName}.html");
            string? dir = Path.GetDirectoryName(Path.GetFullPath(report));
            if (dir is not null) Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(report, StudyReport.Html(storage.StudyName, s, storage.Space, all));
            Console.WriteLine($"report: {Path.GetFullPath(report)}");
            return 0;
        }));
        return command;
    }

    private static Command ExportCommand()
    {
        var storageOption = new Option<string?>("--storage") { Description = "the study file" };
        var study = new Option<string?>("--study") { Description = "the study's name, or the study file itself" };
        var output = new Option<string>("--output", "-o") { Description = "YAML file to write the section into (an existing sectioned file keeps its other sections)", Required = true };
        var env = new Option<string?>("--env") { Description = "section to write (default: the study's environment)" };
        var trial = new Option<int?>("--trial") { Description = "export this trial instead of the best complete one" };
        var command = new Command("export", "Write a study's best trial as a zoo-format YAML section that `policylab train --config FILE` reads.") { storageOption, study, output, env, trial };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string? file = parse.GetValue(storageOption), name = parse.GetValue(study);
            if (file is null && name is not null && File.Exists(name)) (file, name) = (name, null);
            if (file is null)
                return CommandLine.UserError("tune export needs the study file: --storage FILE (or --study FILE), and --study NAME when the file holds several studies.");
            using SqliteStudyStorage storage = SqliteStudyStorage.Open(file, name);
            IReadOnlyList<TrialRecord> all = storage.Trials();
            TrialRecord? chosen = parse.GetValue(trial) is int number
                ? all.FirstOrDefault(t => t.Number == number) ?? throw new PolicyLabException($"The study '{storage.StudyName}' has no trial {number}; it has trials 0–{all.Count - 1}.")
                : all.Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Value).ThenBy(t => t.Number).FirstOrDefault();
            if (chosen is null)
                throw new PolicyLabException($"The study '{storage.StudyName}' has no complete trial yet; run `policylab tune` on it first.");
            if (chosen.State != TrialState.Complete)
                throw new PolicyLabException($"Trial {chosen.Number} is {chosen.State.ToString().ToLowerInvariant()}, not complete; export a complete trial.");
            TuneSettings s = storage.Settings;
            string section = parse.GetValue(env) ?? s.Environment;
            if (section != s.Environment)
                Console.WriteLine($"note: the study tuned on {s.Environment}; its settings are written under {section}.");
            IReadOnlyList<KeyValuePair<string, string>> pairs = ZooExport.SectionPairs(s, storage.Space.ToSettings(chosen.Parameters));
            string path = parse.GetValue(output)!;
            ZooExport.Write(path, section, pairs, string.Create(CultureInfo.InvariantCulture,
                $"trial {chosen.Number} of study {storage.StudyName} ({Path.GetFileName(storage.Path)}): objective {chosen.Value:G6} at {s.StepsPerTrial:N0} steps per trial, seed {s.Seed}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trial {chosen.Number} (objective {chosen.Value:F2}) → section {section} of {Path.GetFullPath(path)}"));
            Console.WriteLine($"train with it: policylab train --algo {s.Algorithm} --env {section} --config {path}");
            return 0;
        }));
        return command;
    }
}
