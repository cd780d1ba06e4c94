using System.CommandLine;
using System.Globalization;
using PolicyLab.Configuration;
using PolicyLab.Tracking;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>
/// `policylab anneal`: policy annealing with the reference tool's option names and defaults. It runs
/// the same training loop and writes the same run folder as `train --algo annealing`.
/// </summary>
internal static class AnnealCommand
{
    public static Command Create()
    {
        var envName = new Option<string>("--env-name") { Description = "environment id", DefaultValueFactory = _ => "CartPole-v1" };
        var valueFunction = new Option<string>("--value-function") { Description = "grouped or direct", DefaultValueFactory = _ => "grouped" };
        var batchSize = new Option<int>("--batch-size") { Description = "episodes per batch (groups × group size)", DefaultValueFactory = _ => 32 };
        var groupSize = new Option<int>("--group-size") { Description = "episodes per group sharing a start state", DefaultValueFactory = _ => 8 };
        var batches = new Option<int>("--num-episode-batches") { Description = "episode batches", DefaultValueFactory = _ => 100 };
        var optimSteps = new Option<int>("--num-optim-steps") { Description = "full-batch gradient steps per episode batch", DefaultValueFactory = _ => 30 };
        var tempStart = new Option<float>("--temp-start") { Description = "temperature of the first batch", DefaultValueFactory = _ => 2f };
        var tempEnd = new Option<float>("--temp-end") { Description = "temperature of the last batch (reached exactly)", DefaultValueFactory = _ => 2f };
        var learningRate = new Option<float>("--learning-rate") { Description = "Adam learning rate (betas 0.5, 0.99)", DefaultValueFactory = _ => 1e-3f };
        var discount = new Option<float>("--discount-factor") { Description = "γ of the value-function variant", DefaultValueFactory = _ => 0.985f };
        var clipEps = new Option<float>("--clip-eps") { Description = "trust region on each trajectory's centred log-probability (grouped; 1e5 = off)", DefaultValueFactory = _ => 1e5f };
        var noGroups = new Option<bool>("--disable-group-initialization") { Description = "give every episode its own start state (the grouped loss then compares trajectories from different start states)" };
        var runs = new Option<int>("--num-runs") { Description = "independent runs (seeds seed, seed+1, …) in subfolders 000, 001, …", DefaultValueFactory = _ => 1 };
        var validate = new Option<bool>("--validate") { Description = "one batch with argmax actions and no updates (use with --load-models)" };
        var loadModels = new Option<string?>("--load-models") { Description = "start from the weights of a run folder, checkpoint folder or model.safetensors" };
        var render = new Option<string?>("--render") { Description = "plots (value-function page) or full (plots and a tiled training video)" };
        var seed = new Option<long>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string?>("--out") { Description = "run folder (default runs/<timestamp>-annealing-<env>-s<seed>)" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var command = new Command("anneal", "Policy annealing with the reference tool's options.")
        {
            envName, valueFunction, batchSize, groupSize, batches, optimSteps, tempStart, tempEnd, learningRate, discount,
            clipEps, noGroups, runs, validate, loadModels, render, seed, outDir, json,
        };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string variant = parse.GetValue(valueFunction)!;
            if (variant == "difference")
                return CommandLine.UserError("--value-function difference is not a separate method (the reference tool silently ran the direct loss for it); use --value-function direct.");
            int n = parse.GetValue(runs);
            if (n <= 0) return CommandLine.UserError($"--num-runs must be positive; got {n}.");
            var inv = CultureInfo.InvariantCulture;
            bool isValidation = parse.GetValue(validate);
            var sets = new List<string>
            {
                $"value_function={variant}",
                $"batch_size={parse.GetValue(batchSize)}",
                $"group_size={(variant == "direct" || isValidation ? 1 : parse.GetValue(groupSize))}",
                $"num_episode_batches={parse.GetValue(batches)}",
                $"num_optim_steps={parse.GetValue(optimSteps)}",
                $"temp_start={parse.GetValue(tempStart).ToString(inv)}",
                $"temp_end={parse.GetValue(tempEnd).ToString(inv)}",
                $"learning_rate={parse.GetValue(learningRate).ToString(inv)}",
                $"discount_factor={parse.GetValue(discount).ToString(inv)}",
                $"clip_eps={parse.GetValue(clipEps).ToString(inv)}",
                $"disable_group_initialization={(parse.GetValue(noGroups) || isValidation ? "true" : "false")}",
                $"validate={(isValidation ? "true" : "false")}",
            };
            if (parse.GetValue(render) is string renderMode)
            {
                sets.Add($"render={renderMode}");
                sets.Add("render_every=1"); // film every episode batch, as the reference tool does
            }
            string env = parse.GetValue(envName)!;
            long firstSeed = parse.GetValue(seed);
            bool quiet = parse.GetValue(json);
            string root = parse.GetValue(outDir) ?? Path.Combine("runs",
                $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", inv)}-annealing-{env}-s{firstSeed}");
            if (n > 1 && Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
                return CommandLine.UserError($"The folder '{root}' already exists and is not empty; choose another --out.");
            var results = new List<TrainingResult>();
            for (int r = 0; r < n; r++)
            {
                (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(
                    new SettingsRequest("annealing", env, null, sets, firstSeed + r, null));
                string folder = n > 1 ? Path.Combine(root, r.ToString("000", inv)) : root;
                using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
                if (parse.GetValue(loadModels) is string weights) trainer.LoadWeights(weights);
                var observer = new BatchLines(trainer, quiet);
                results.Add(trainer.RunWithTrackers(observer));
            }
            Report(results, quiet, root);
            return 0;
        }));
        return command;
    }

    private static void Report(List<TrainingResult> results, bool quiet, string root)
    {
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "anneal",
                ["runs"] = results.Count,
                ["mean_return"] = results.Select(r => JsonOutput.Number(r.FinalEvaluation?.MeanReturn ?? double.NaN)).ToArray(),
                ["episodes"] = results.Select(r => r.Episodes).ToArray(),
                ["env_steps"] = results.Select(r => r.Steps).ToArray(),
                ["wall_seconds"] = results.Sum(r => r.WallSeconds),
                ["run_folder"] = Path.GetFullPath(root),
            });
            return;
        }
        foreach (TrainingResult r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {r.EndReason}; deterministic evaluation {r.FinalEvaluation?.MeanReturn:F2} ± {r.FinalEvaluation?.StdReturn:F2}; run folder {r.RunFolder}"));
    }

    /// <summary>The per-batch console line: episodes, timesteps, mean reward, mean length, loss, temperature.</summary>
    private sealed class BatchLines(Trainer trainer, bool quiet) : ITrainingObserver
    {
        public void OnUpdate(TrainingStatus s)
        {
            if (quiet) return;
            UpdateRecord u = trainer.Log.Updates[^1];
            var v = u.Values.ToDictionary(kv => kv.Key, kv => kv.Value);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Annealing [{u.Iteration}/{trainer.Algorithm.Settings.Get("num_episode_batches")} ({s.Episodes} episodes) ({s.Steps} timesteps)]: reward {v["mean_return"]:F1}, episode length {v["mean_length"]:F1}, loss {v["loss"]:G4}, temperature {v["temperature"]:G4}"));
        }

        public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

        public void OnNotice(string message) => Console.Error.WriteLine($"note: {message}");
    }
}
