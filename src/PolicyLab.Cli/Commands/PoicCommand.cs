using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.TaskComplexity;
using Spectre.Console;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab poic`: PIC and POIC of an environment under the random-policy prior, over several seeds.</summary>
internal static class PoicCommand
{
    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = "environment id", Required = true };
        var latent = new Option<int?>("--latent") { Description = "policies act in a latent Box[-1,1]^L through a random projector (1 ≤ L ≤ action size)" };
        var projectorSeed = new Option<long>("--projector-seed") { Description = "seed of the random projector's weights", DefaultValueFactory = _ => 0 };
        var projectorFile = new Option<string?>("--projector") { Description = "act through a saved projector (safetensors) instead of a random one" };
        var samples = new Option<int>("--samples") { Description = "policy samples N", DefaultValueFactory = _ => 100 };
        var episodes = new Option<int>("--episodes") { Description = "episodes M per policy sample", DefaultValueFactory = _ => 100 };
        var seeds = new Option<int>("--seeds") { Description = "seeds K (one estimate each)", DefaultValueFactory = _ => 5 };
        var seed = new Option<long>("--seed") { Description = "first seed (seeds seed … seed + K − 1)", DefaultValueFactory = _ => 0 };
        var reward = new Option<string>("--reward") { Description = "raw, constant (1 per step) or random (U(−1, 1) per step)", DefaultValueFactory = _ => "raw" };
        var cleanrl = new Option<bool>("--cleanrl-setup") { Description = "CleanRL's wrappers: clip action, normalize observation and reward (γ 0.99), clip ±10" };
        var etaMin = new Option<double>("--eta-min") { Description = "lower end of the temperature search", DefaultValueFactory = _ => InformationCapacity.DefaultEtaMin };
        var etaMax = new Option<double>("--eta-max") { Description = "upper end of the temperature search", DefaultValueFactory = _ => InformationCapacity.DefaultEtaMax };
        var priorStd = new Option<double>("--prior-std") { Description = "standard deviation of the prior's weights (0.1: the latent-action system; 1: the PIC paper's code)", DefaultValueFactory = _ => 0.1 };
        var threads = new Option<int>("--threads") { Description = "worker threads (results do not depend on it)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var envAssembly = new Option<string?>("--env-assembly") { Description = "a .dll that registers your own environments (IEnvironmentRegistration); on a cluster the workers load the same file (`worker --env-assembly`)" };
        var command = new Command("poic", "PIC and POIC (Furuta et al. 2021) of an environment under a random-policy prior.")
        {
            env, latent, projectorSeed, projectorFile, samples, episodes, seeds, seed, reward, cleanrl, etaMin, etaMax, priorStd, threads, json, envAssembly,
        };
        ClusterCommandOptions cluster = ClusterCommandOptions.Create();
        cluster.AddTo(command);
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            if (parse.GetValue(envAssembly) is string assembly) EnvironmentAssemblies.Load(assembly);
            string id = parse.GetValue(env)!;
            bool quiet = parse.GetValue(json);
            InformationCapacity.ValidateEtaRange(parse.GetValue(etaMin), parse.GetValue(etaMax));
            ActionProjector? projector = MakeProjector(id, parse.GetValue(latent), parse.GetValue(projectorSeed), parse.GetValue(projectorFile));
            var options = new ReturnSamplingOptions
            {
                Environment = id,
                Samples = parse.GetValue(samples),
                Episodes = parse.GetValue(episodes),
                Reward = ParseReward(parse.GetValue(reward)!),
                CleanRlSetup = parse.GetValue(cleanrl),
                Projector = projector,
                Prior = RandomPolicyPrior.Default with { WeightStd = parse.GetValue(priorStd) },
                Threads = parse.GetValue(threads),
            };
            if (!(options.Prior.WeightStd > 0) || !double.IsFinite(options.Prior.WeightStd))
                return CommandLine.UserError($"--prior-std must be a positive number; got {options.Prior.WeightStd}.");
            int k = parse.GetValue(seeds);
            if (k < 1) return CommandLine.UserError($"--seeds must be ≥ 1; got {k}.");
            if (options.Samples < 2) return CommandLine.UserError($"PIC/POIC need at least 2 policy samples (--samples); got {options.Samples}.");
            if (options.Episodes < 1) return CommandLine.UserError($"PIC/POIC need at least 1 episode per policy sample (--episodes); got {options.Episodes}.");
            if (options.Threads < 1) return CommandLine.UserError($"--threads must be ≥ 1; got {options.Threads}.");
            using Cluster.ClusterDriver? driver = cluster.Connect(parse);
            if (driver is not null) options = options with { Units = driver.CreateReturnSampleUnits() };
            var inv = CultureInfo.InvariantCulture;
            if (!quiet)
            {
                if (driver is not null) Console.WriteLine($"cluster: {driver.Description}");
                Console.WriteLine(string.Create(inv, $"PIC/POIC of {id}: {options.Samples} policy samples × {options.Episodes} episodes, {k} seed(s) from {parse.GetValue(seed)}, reward {options.Reward.ToString().ToLowerInvariant()}{(options.CleanRlSetup ? ", CleanRL wrappers" : "")}{(projector is null ? "" : $", latent actions L = {projector.LatentSize} of {projector.ActionSize}")}"));
                Console.WriteLine(options.Prior.Describe());
                Console.WriteLine(Methods(options.Episodes));
            }
            var clock = Stopwatch.StartNew();
            TaskComplexityReport report = WithProgress((long)k * options.Samples * options.Episodes, $"{id} episodes", quiet,
                tick => TaskComplexityEstimator.Estimate(options, k, parse.GetValue(seed), parse.GetValue(etaMin), parse.GetValue(etaMax), tick));
            double wall = clock.Elapsed.TotalSeconds;
            if (quiet)
            {
                JsonOutput.Print(new Dictionary<string, object?>
                {
                    ["command"] = "poic",
                    ["environment"] = id,
                    ["samples"] = options.Samples,
                    ["episodes"] = options.Episodes,
                    ["reward"] = options.Reward.ToString().ToLowerInvariant(),
                    ["cleanrl_setup"] = options.CleanRlSetup,
                    ["latent_dim"] = projector?.LatentSize,
                    ["prior"] = options.Prior.Describe(),
                    ["prior_std"] = options.Prior.WeightStd,
                    ["poic"] = report.Seeds.Select(s => s.Poic.Value).ToArray(),
                    ["eta"] = report.Seeds.Select(s => s.Poic.Eta).ToArray(),
                    ["pic"] = report.Seeds.Select(s => s.Pic.Value).ToArray(),
                    ["pic_bins"] = report.Seeds.Select(s => s.Pic.Bins).ToArray(),
                    ["pic_plugin"] = report.Seeds.Select(s => s.Pic.PlugIn).ToArray(),
                    ["mean_return"] = report.Seeds.Select(s => s.MeanReturn).ToArray(),
                    ["max_return"] = report.Seeds.Select(s => s.MaxReturn).ToArray(),
                    ["poic_mean"] = JsonOutput.Number(report.Poic.Mean),
                    ["poic_std"] = JsonOutput.Number(report.Poic.Std),
                    ["pic_mean"] = JsonOutput.Number(report.Pic.Mean),
                    ["pic_std"] = JsonOutput.Number(report.Pic.Std),
                    ["env_steps"] = report.Steps,
                    ["threads"] = options.Threads,
                    ["wall_seconds"] = wall,
                });
                if (driver is not null) Console.Error.WriteLine(driver.Summary()); // stdout holds only the JSON
                return 0;
            }
            foreach (SeedEstimate s in report.Seeds)
                Console.WriteLine(string.Create(inv,
                    $"seed {s.Seed}: POIC {s.Poic.Value:G6} nats (η* = {s.Poic.Eta:G4})   PIC {s.Pic.Value:G6} nats ({s.Pic.Bins} bins; plug-in {s.Pic.PlugIn:G6})   mean return {s.MeanReturn:G6}, r_max {s.MaxReturn:G6}, {s.Steps:N0} steps"));
            Console.WriteLine(string.Create(inv, $"POIC {report.Poic.Mean:G6} ± {report.Poic.Std:G3} (min {report.Poic.Min:G6}, max {report.Poic.Max:G6}) nats"));
            Console.WriteLine(string.Create(inv, $"PIC  {report.Pic.Mean:G6} ± {report.Pic.Std:G3} (min {report.Pic.Min:G6}, max {report.Pic.Max:G6}) nats"));
            Console.WriteLine(string.Create(inv, $"wall time {wall:F2} s: {(long)k * options.Samples * options.Episodes:N0} episodes, {report.Steps:N0} steps {(driver is null ? $"on {options.Threads} thread(s)" : "on the cluster")}"));
            if (driver is not null) Console.WriteLine(driver.Summary());
            return 0;
        }));
        return command;
    }

    /// <summary>What the estimates are, in one paragraph.</summary>
    public static string Methods(int episodes) => string.Create(CultureInfo.InvariantCulture,
        $"POIC = max over η of H_b(p̄) − mean_i H_b(p_i), p_i = mean_j exp((R_ij − r_max)/η), searched deterministically over log η (grid of {InformationCapacity.EtaGridPoints}, then golden section); PIC = H(R) − mean_i H(R|θ_i) from histograms on common equal-width bins, Miller–Madow corrected, maximized over 2…{InformationCapacity.MaxBins(episodes)} bins (≥ 5 episodes per bin and policy); nats.");

    /// <summary>Parses --reward.</summary>
    public static RewardMode ParseReward(string text) => text.ToLowerInvariant() switch
    {
        "raw" => RewardMode.Raw,
        "constant" => RewardMode.Constant,
        "random" => RewardMode.Random,
        _ => throw new PolicyLabException($"Unknown reward mode '{text}'; use --reward raw (the environment's reward), constant (1 per step) or random (U(−1, 1) per step)."),
    };

    /// <summary>The projector the options ask for (a saved one, a random one of size L, or none).</summary>
    public static ActionProjector? MakeProjector(string id, int? latent, long projectorSeed, string? file)
    {
        if (latent is null && file is null) return null;
        if (projectorSeed < 0) throw new PolicyLabException($"--projector-seed must be ≥ 0; got {projectorSeed}.");
        using IEnvironment probe = EnvironmentRegistry.Make(id);
        return file is not null
            ? ActionProjector.Load(file, probe.ActionSpace, latent)
            : ActionProjector.Random(latent!.Value, probe.ActionSpace, (ulong)projectorSeed);
    }

    /// <summary>Runs <paramref name="body"/> with a progress bar over <paramref name="episodes"/> on a terminal, a line every 5 s otherwise.</summary>
    public static T WithProgress<T>(long episodes, string title, bool quiet, Func<Action<int>, T> body)
    {
        if (quiet) return body(_ => { });
        long done = 0;
        if (!ProgressReporter.IsTerminal)
        {
            var since = Stopwatch.StartNew();
            var gate = new object();
            return body(count =>
            {
                long now = Interlocked.Add(ref done, count);
                if (since.Elapsed.TotalSeconds < 5) return;
                lock (gate)
                {
                    if (since.Elapsed.TotalSeconds < 5) return;
                    since.Restart();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {now:N0}/{episodes:N0}"));
                }
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(Markup.Escape(title), maxValue: episodes);
                result = body(count => task.Value = Interlocked.Add(ref done, count));
                task.Value = episodes;
            });
        return result;
    }
}
