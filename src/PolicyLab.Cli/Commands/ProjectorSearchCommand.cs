using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PolicyLab.Environments;
using PolicyLab.IO;
using PolicyLab.TaskComplexity;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab projector-search`: random-weight guessing over latent-action projectors, ranked by mean POIC.</summary>
internal static class ProjectorSearchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = "environment id (Box actions)", Required = true };
        var latent = new Option<int>("--latent") { Description = "latent size L (1 ≤ L ≤ action size)", Required = true };
        var projectors = new Option<int>("--projectors") { Description = "random projectors P to try", DefaultValueFactory = _ => 10 };
        var seeds = new Option<int>("--seeds") { Description = "POIC seeds K per projector", DefaultValueFactory = _ => 5 };
        var samples = new Option<int>("--samples") { Description = "policy samples N", DefaultValueFactory = _ => 100 };
        var episodes = new Option<int>("--episodes") { Description = "episodes M per policy sample", DefaultValueFactory = _ => 100 };
        var searchSeed = new Option<long>("--search-seed") { Description = "seed of the projectors' weights (projector p: DeriveSeed(search seed, p))", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "first POIC seed", DefaultValueFactory = _ => 0 };
        var reward = new Option<string>("--reward") { Description = "raw, constant or random", DefaultValueFactory = _ => "raw" };
        var cleanrl = new Option<bool>("--cleanrl-setup") { Description = "CleanRL's wrappers while sampling returns" };
        var threads = new Option<int>("--threads") { Description = "worker threads (results do not depend on it)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var outDir = new Option<string>("--out") { Description = "folder for best_projector.safetensors, worst_projector.safetensors and summary.json", DefaultValueFactory = _ => "projectors" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var envAssembly = new Option<string?>("--env-assembly") { Description = "a .dll that registers your own environments (IEnvironmentRegistration); on a cluster the workers load the same file (`worker --env-assembly`)" };
        var command = new Command("projector-search", "Try random latent-action projectors and keep the best and worst by mean POIC.")
        {
            env, latent, projectors, seeds, samples, episodes, searchSeed, seed, reward, cleanrl, threads, outDir, json, envAssembly,
        };
        ClusterCommandOptions cluster = ClusterCommandOptions.Create();
        cluster.AddTo(command);
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            if (parse.GetValue(envAssembly) is string assembly) EnvironmentAssemblies.Load(assembly);
            string id = parse.GetValue(env)!;
            int l = parse.GetValue(latent), p = parse.GetValue(projectors), k = parse.GetValue(seeds);
            bool quiet = parse.GetValue(json);
            if (p < 1) return CommandLine.UserError($"--projectors must be ≥ 1; got {p}.");
            if (k < 1) return CommandLine.UserError($"--seeds must be ≥ 1; got {k}.");
            if (parse.GetValue(searchSeed) < 0) return CommandLine.UserError($"--search-seed must be ≥ 0; got {parse.GetValue(searchSeed)}.");
            _ = PoicCommand.MakeProjector(id, l, 0, null); // bad latent size or action space: fail before any work
            var options = new ReturnSamplingOptions
            {
                Environment = id,
                Samples = parse.GetValue(samples),
                Episodes = parse.GetValue(episodes),
                Reward = PoicCommand.ParseReward(parse.GetValue(reward)!),
                CleanRlSetup = parse.GetValue(cleanrl),
                Threads = parse.GetValue(threads),
            };
            if (options.Samples < 2 || options.Episodes < 1)
                return CommandLine.UserError($"--samples must be ≥ 2 and --episodes ≥ 1; got {options.Samples} and {options.Episodes}.");
            if (options.Threads < 1) return CommandLine.UserError($"--threads must be ≥ 1; got {options.Threads}.");
            using Cluster.ClusterDriver? driver = cluster.Connect(parse);
            if (driver is not null) options = options with { Units = driver.CreateReturnSampleUnits() };
            var inv = CultureInfo.InvariantCulture;
            long totalEpisodes = (long)p * k * options.Samples * options.Episodes;
            int? limit = EnvironmentRegistry.Spec(id).MaxEpisodeSteps;
            if (!quiet)
            {
                if (driver is not null) Console.WriteLine($"cluster: {driver.Description}");
                string bound = limit is int max ? string.Create(inv, $", at most {totalEpisodes * max:N0} steps ({max} per episode)") : "";
                Console.WriteLine(string.Create(inv, $"projector search on {id}: {p} projectors × {k} seeds × {options.Samples} samples × {options.Episodes} episodes = {totalEpisodes:N0} episodes{bound}"));
                Console.WriteLine(options.Prior.Describe());
            }
            var clock = Stopwatch.StartNew();
            ProjectorSearchResult result = PoicCommand.WithProgress(totalEpisodes, $"{id} L={l} episodes", quiet,
                tick => ProjectorSearch.Run(options, l, p, k, (ulong)parse.GetValue(searchSeed), parse.GetValue(seed), progress: tick));
            double wall = clock.Elapsed.TotalSeconds;
            string folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            string bestPath = Path.Combine(folder, "best_projector.safetensors"), worstPath = Path.Combine(folder, "worst_projector.safetensors");
            result.Best.Projector.Save(bestPath);
            result.Worst.Projector.Save(worstPath);
            var summary = new Dictionary<string, object?>
            {
                ["command"] = "projector-search",
                ["environment"] = id,
                ["latent_dim"] = l,
                ["projectors"] = p,
                ["seeds"] = k,
                ["first_seed"] = parse.GetValue(seed),
                ["search_seed"] = parse.GetValue(searchSeed),
                ["samples"] = options.Samples,
                ["episodes"] = options.Episodes,
                ["reward"] = options.Reward.ToString().ToLowerInvariant(),
                ["cleanrl_setup"] = options.CleanRlSetup,
                ["prior"] = options.Prior.Describe(),
                ["candidates"] = result.Candidates.Select(c => new Dictionary<string, object?>
                {
                    ["index"] = c.Index,
                    ["projector_seed"] = c.ProjectorSeed.ToString(inv),
                    ["poic"] = c.Poic,
                    ["eta"] = c.Eta,
                    ["mean"] = c.Spread.Mean,
                    ["std"] = c.Spread.Std,
                    ["best"] = c.Spread.Max,
                    ["worst"] = c.Spread.Min,
                }).ToArray(),
                ["best"] = new Dictionary<string, object?> { ["index"] = result.Best.Index, ["mean_poic"] = result.Best.Spread.Mean, ["file"] = Path.GetFullPath(bestPath) },
                ["worst"] = new Dictionary<string, object?> { ["index"] = result.Worst.Index, ["mean_poic"] = result.Worst.Spread.Mean, ["file"] = Path.GetFullPath(worstPath) },
                ["overall"] = new Dictionary<string, object?>
                {
                    ["best"] = result.Candidates.Max(c => c.Spread.Max),
                    ["worst"] = result.Candidates.Min(c => c.Spread.Min),
                    ["mean"] = Spread.Of(result.Candidates.SelectMany(c => c.Poic).ToArray()).Mean,
                    ["std"] = Spread.Of(result.Candidates.SelectMany(c => c.Poic).ToArray()).Std,
                },
                ["env_steps"] = result.Steps,
                ["threads"] = options.Threads,
                ["wall_seconds"] = wall,
            };
            string summaryPath = Path.Combine(folder, "summary.json");
            AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, Indented) + "\n");
            if (quiet)
            {
                summary["summary_file"] = Path.GetFullPath(summaryPath);
                JsonOutput.Print(summary);
                if (driver is not null) Console.Error.WriteLine(driver.Summary()); // stdout holds only the JSON
                return 0;
            }
            foreach (ProjectorCandidate c in result.Candidates)
                Console.WriteLine(string.Create(inv, $"projector {c.Index} (seed {c.ProjectorSeed}): POIC {c.Spread.Mean:G6} ± {c.Spread.Std:G3} (best {c.Spread.Max:G6}, worst {c.Spread.Min:G6})"));
            Console.WriteLine(string.Create(inv, $"best: projector {result.Best.Index}, mean POIC {result.Best.Spread.Mean:G6} → {bestPath}"));
            Console.WriteLine(string.Create(inv, $"worst: projector {result.Worst.Index}, mean POIC {result.Worst.Spread.Mean:G6} → {worstPath}"));
            Console.WriteLine(string.Create(inv, $"summary → {summaryPath}; wall time {wall:F1} s, {result.Steps:N0} steps on {options.Threads} thread(s)"));
            if (driver is not null) Console.WriteLine(driver.Summary());
            Console.WriteLine($"use one with: policylab train --env {id} --set projector={bestPath}");
            return 0;
        }));
        return command;
    }
}
