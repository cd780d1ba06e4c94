using System.CommandLine;
using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Tracking;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab train`: resolve settings, run the training loop, report.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var algo = new Option<string?>("--algo") { Description = "algorithm (default ppo; see `policylab list algos`)" };
        var env = new Option<string?>("--env") { Description = "environment id (default CartPole-v1; see `policylab list envs`)" };
        var seed = new Option<long?>("--seed") { Description = "random seed" };
        var steps = new Option<long?>("--steps", "-n", "--n-timesteps") { Description = "environment steps to train for (n_timesteps; with --resume, the new total); 1e5, 100k, 1_000_000 work" };
        // RL Zoo's flags beside ours: each is a shorthand for one --set.
        var nEnvs = new Option<long?>("--n-envs") { Description = "environment copies (= --set n_envs=N)" };
        var evalFreq = new Option<long?>("--eval-freq") { Description = "evaluate every N steps (= --set eval_freq=N)" };
        var evalEpisodes = new Option<long?>("--eval-episodes") { Description = "episodes per evaluation (= --set eval_episodes=N)" };
        var saveFreq = new Option<long?>("--save-freq") { Description = "checkpoint every N steps (= --set checkpoint_freq=N)" };
        var logFolder = new Option<string?>("--log-folder", "-f") { Description = "folder in which the run folder is created (default runs)" };
        var tensorboardLog = new Option<string?>("--tensorboard-log", "-tb") { Description = "RL Zoo compatibility: turns TensorBoard on; events go to the run folder's tb/ (point TensorBoard at this folder's runs)" };
        var progress = new Option<bool>("--progress", "-P") { Description = "RL Zoo compatibility: the progress display is always on (off with --json)" };
        var config = new Option<string?>("--config") { Description = "YAML file of settings (flat, or one section per environment id)" };
        var set = new Option<string[]>("--set") { Description = "override one setting: --set key=value (repeatable)", AllowMultipleArgumentsPerToken = true };
        var envKwargs = new Option<string[]>("--env-kwargs") { Description = "environment arguments: --env-kwargs g=9.81 [name=value ...] (see `policylab list envs`)", AllowMultipleArgumentsPerToken = true };
        var envAssembly = new Option<string?>("--env-assembly") { Description = "a .dll that registers your own environments (IEnvironmentRegistration); recorded in the run" };
        var outDir = new Option<string?>("--out") { Description = "run folder to create (default runs/<timestamp>-<algo>-<env>-s<seed>)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its latest checkpoint (with --steps N: to a new total of N steps)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "with --resume: the checkpoint to continue from (a step, latest or latest-intact; default latest)" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object describing the result" };
        var render = new Option<string?>("--render") { Description = "plots: value-function page (actor-critic); full: also training.mp4/.gif of all environments tiled, every render_every-th update" };
        var listSettings = new Option<bool>("--list-settings") { Description = "print every setting with its resolved value and exit" };
        var seeds = new Option<string?>("--seeds") { Description = "train one run per seed into one experiment folder: --seeds 0..4 (inclusive) or 0,3,7; with --set key=a,b,c grids, every combination" };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "with --seeds or a --set grid: train N runs at a time in parallel processes (default 1: one after another in this process)" };
        var maxMemory = new Option<string?>("--max-memory") { Description = "refuse a configuration whose estimated memory exceeds this (e.g. 4G, 512M; default: the machine's memory)" };
        ClusterCommandOptions cluster = ClusterCommandOptions.Create();
        var command = new Command("train", "Train an agent and write a run folder.")
        {
            algo, env, seed, steps, config, set, envKwargs, envAssembly, outDir, resume, checkpoint, json, listSettings, render,
            nEnvs, evalFreq, evalEpisodes, saveFreq, logFolder, tensorboardLog, progress, seeds, jobs, maxMemory,
        };
        cluster.AddTo(command);
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            // Listen for Ctrl-C/SIGTERM before anything starts, so a signal during set-up still stops the run cleanly.
            using var signals = new StopSignals();
            bool asJson = parse.GetValue(json);
            string[] zoo = [.. new (string Key, long? Value)[] { ("n_envs", parse.GetValue(nEnvs)), ("eval_freq", parse.GetValue(evalFreq)),
                    ("eval_episodes", parse.GetValue(evalEpisodes)), ("checkpoint_freq", parse.GetValue(saveFreq)) }
                .Where(z => z.Value is not null).Select(z => string.Create(CultureInfo.InvariantCulture, $"{z.Key}={z.Value}")),
                .. parse.GetValue(tensorboardLog) is null ? Array.Empty<string>() : ["tensorboard=true"]];
            string[] userSets = [.. zoo, .. parse.GetValue(set) ?? []];
            long? memoryLimit = parse.GetValue(maxMemory) is string limit ? MemoryEstimate.ParseSize(limit) : null;
            if (parse.GetValue(resume) is string resumeDir)
            {
                if (parse.GetValue(seeds) is not null || parse.GetValue(jobs) is not null)
                    return CommandLine.UserError("--seeds and --jobs start a new sweep; --resume continues one run. Resume the sweep's runs one at a time (train --resume EXPERIMENT/RUN).");
                if (parse.GetValue(render) is not null)
                    return CommandLine.UserError("--render cannot change a run being resumed (it keeps the render setting it started with); start a new run with --render.");
                string[] fixedOnResume = [.. new (string Name, bool Given)[] { ("--algo", parse.GetValue(algo) is not null), ("--env", parse.GetValue(env) is not null),
                    ("--seed", parse.GetValue(seed) is not null), ("--config", parse.GetValue(config) is not null), ("--out", parse.GetValue(outDir) is not null),
                    ("--log-folder", parse.GetValue(logFolder) is not null) }
                    .Where(o => o.Given).Select(o => o.Name)];
                if (fixedOnResume.Length > 0)
                    return CommandLine.UserError($"--resume continues the run with the settings in its config.yaml, so {string.Join(", ", fixedOnResume)} cannot be given with it; " +
                        "change the budget with --steps N (the new total) or a changeable setting with --set, or start a new run.");
                using Cluster.ClusterDriver? resumeDriver = cluster.Connect(parse);
                Trainer resumed = Trainer.ResumeTraining(RunFolder.Open(resumeDir), parse.GetValue(checkpoint), userSets, parse.GetValue(steps),
                    new ProgressReporter(asJson), memoryLimit, resumeDriver);
                if (!asJson)
                {
                    Console.WriteLine($"resuming from checkpoint {resumed.ResumedFrom} of {resumed.Folder.Path}" +
                        (resumed.Log.Resumes.Count > 0 && resumed.Log.Resumes[^1].Step == resumed.ResumedFrom
                            ? $" with {string.Join(", ", resumed.Log.Resumes[^1].Changes.Select(kv => $"{kv.Key}={kv.Value}"))}" : ""));
                    if (resumed.Steps >= resumed.Settings.TotalSteps)
                        Console.WriteLine($"note: the run already reached its budget of {resumed.Settings.TotalSteps:N0} steps; pass --steps N (a new total above {resumed.Steps}) to train further.");
                }
                int resumedExit = Train(resumed, asJson, signals);
                if (resumeDriver is not null && !asJson) Console.WriteLine(resumeDriver.Summary());
                return resumedExit;
            }
            if (parse.GetValue(checkpoint) is not null)
                return CommandLine.UserError("--checkpoint chooses where a resumed run continues from; use it with --resume RUN.");
            string[] overrides = userSets;
            if (parse.GetValue(render) is string mode) overrides = [.. overrides, $"render={mode}"];
            if (parse.GetValue(envKwargs) is { Length: > 0 } kwargs) overrides = [.. overrides, $"env_kwargs={Environments.EnvironmentArguments.FromPairs(kwargs)}"];
            if (parse.GetValue(envAssembly) is string assembly) overrides = [.. overrides, $"env_assembly={assembly}"];
            if (Sweeps.SweepPlan.From(parse.GetValue(seeds), parse.GetValue(seed), overrides) is { } plan)
            {
                if (parse.GetValue(listSettings))
                    return CommandLine.UserError("--list-settings shows one run's settings; drop --seeds and the --set grid (or list one of its points).");
                int jobCount = parse.GetValue(jobs) ?? 1;
                if (jobCount < 1) return CommandLine.UserError($"--jobs must be at least 1; got {jobCount}.");
                var common = new Sweeps.SweepBase(parse.GetValue(algo), parse.GetValue(env), parse.GetValue(config), plan.FixedSets, parse.GetValue(steps));
                return Sweeps.SweepExperiment.Run(plan, common, parse.GetValue(outDir), parse.GetValue(logFolder), Math.Min(jobCount, plan.Runs.Count), asJson, signals);
            }
            if (parse.GetValue(jobs) is not null)
                return CommandLine.UserError("--jobs trains the runs of a sweep in parallel; give it with --seeds 0..4 or a --set key=a,b,c grid.");
            var request = new SettingsRequest(parse.GetValue(algo), parse.GetValue(env), parse.GetValue(config),
                overrides, parse.GetValue(seed), parse.GetValue(steps));
            (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(request);
            run.MaxMemoryBytes = memoryLimit;
            if (parse.GetValue(listSettings))
            {
                PrintSettings(run, settings);
                return 0;
            }
            cluster.CheckAlgorithm(parse, run.Algorithm);
            using Cluster.ClusterDriver? driver = cluster.Connect(parse);
            if (driver is not null && !asJson) Console.WriteLine($"cluster: {driver.Description}");
            RunFolder folder = parse.GetValue(outDir) is string o
                ? RunFolder.CreateAt(o)
                : RunFolder.Create(parse.GetValue(logFolder) ?? "runs", run.Algorithm, run.Environment, run.Seed, DateTime.Now);
            try
            {
                int exit = Train(Trainer.Start(run, settings, folder, driver), asJson, signals);
                if (driver is not null && !asJson) Console.WriteLine(driver.Summary());
                return exit;
            }
            catch (PolicyLabException) when (Directory.Exists(folder.Path) && Directory.EnumerateFileSystemEntries(folder.Path)
                .All(e => Path.GetFileName(e) is RunLock.LockFileName or RunLock.OwnerFileName))
            {
                Directory.Delete(folder.Path, recursive: true); // nothing but the lock: the run never started
                throw;
            }
        }));
        return command;
    }

    private static int Train(Trainer trainer, bool asJson, StopSignals signals)
    {
        using (trainer)
        {
            var reporter = new ProgressReporter(asJson);
            RunSettings run = SettingsResolver.FromRunFolder(trainer.Folder).Run;
            if (!asJson) Console.WriteLine($"training {run.Algorithm} on {run.Environment} (seed {run.Seed}, {run.TotalSteps:N0} steps) → {trainer.Folder.Path}");
            // Ctrl-C (SIGINT) and SIGTERM stop the run after the current update; it then ends as usual, with a final
            // evaluation and checkpoint, and the command exits with 128 + the signal's number.
            TrainingResult result = reporter.Run(run.TotalSteps, $"{run.Algorithm} {run.Environment}", () => trainer.RunWithTrackers(reporter, signals.Token));
            EvaluationResult? final = result.FinalEvaluation;
            if (asJson)
            {
                JsonOutput.Print(new Dictionary<string, object?>
                {
                    ["command"] = "train",
                    ["algorithm"] = run.Algorithm,
                    ["environment"] = run.Environment,
                    ["seed"] = run.Seed,
                    ["mean_return"] = final is null ? null : JsonOutput.Number(final.MeanReturn),
                    ["std_return"] = final is null ? null : JsonOutput.Number(final.StdReturn),
                    ["episodes"] = final?.Returns.Length,
                    ["training_episodes"] = result.Episodes,
                    ["env_steps"] = result.Steps,
                    ["wall_seconds"] = result.WallSeconds,
                    ["steps_per_second"] = result.Steps / Math.Max(result.WallSeconds, 1e-9),
                    ["end_reason"] = result.EndReason,
                    ["run_folder"] = result.RunFolder,
                    ["checkpoint_step"] = result.Steps,
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"done: {result.EndReason}; {result.Steps:N0} steps in {result.WallSeconds:F1} s; final evaluation {final?.MeanReturn:F2} ± {final?.StdReturn:F2}"));
                Console.WriteLine($"run folder: {result.RunFolder}");
                if (signals.ExitCode != 0)
                    Console.WriteLine($"stopped early: the checkpoint at step {result.Steps:N0} is saved; continue with `policylab train --resume {result.RunFolder}`.");
            }
            return signals.ExitCode;
        }
    }

    private static void PrintSettings(RunSettings run, Hyperparameters settings)
    {
        foreach (Hyperparameters h in new Hyperparameters[] { run, settings })
            foreach (string key in h.Keys)
                Console.WriteLine($"{key,-22} {h.Get(key),-22} {h.Describe(key)}");
    }
}
