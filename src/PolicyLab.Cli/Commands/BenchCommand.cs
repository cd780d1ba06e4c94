using System.CommandLine;
using System.Globalization;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Benchmarks;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>
/// `policylab bench ppo-cartpole | sac-pendulum`: end-to-end training speed with the shipped tuned settings;
/// `policylab bench es-cartpole`: ES candidate-evaluation speed on one and two cores;
/// `policylab bench ppo-lunarlander`: PPO training speed on LunarLander-v3 on one and two cores;
/// `policylab bench lunarlander-vector | highway-vector | mujoco-vector`: 16 LunarLanders (random actions), 16
/// highway-fast-v0 (IDLE) or 8 HalfCheetah-v4 (random) stepped by the synchronous and the threaded vector;
/// `policylab bench vector --env ID --copies N [--action A]`: the same for any registered id;
/// `policylab bench cluster-es`: ES on LunarLander-v3 on a localhost cluster of 1 and 2 workers, per-unit costs and the projection (<see cref="ClusterBench"/>).
/// `policylab bench mujoco`: MuJoCo environment steps/s beside mujoco-testspeed (<see cref="MuJoCoBench"/>).
/// </summary>
internal static class BenchCommand
{
    private const string Choices = "ppo-cartpole, sac-pendulum, es-cartpole, ppo-lunarlander, lunarlander-vector, highway-vector, mujoco-vector, vector, mujoco, cluster-es";

    public static Command Create()
    {
        var which = new Argument<string>("benchmark") { Description = Choices };
        var repeats = new Option<int?>("--repeats") { Description = "runs per configuration (medians are reported; default 5 for ppo-cartpole and the vector benchmarks, 3 for sac-pendulum and ppo-lunarlander)" };
        var steps = new Option<long?>("--steps") { Description = "steps per run (default 100,000 for ppo-cartpole, 20,000 for sac-pendulum, the tuned 1,000,000 for ppo-lunarlander; the vector benchmarks: vector steps per stretch, default 20,000 for lunarlander-vector (about half a second per stretch), 100 for highway-vector, 1,000 for mujoco-vector, 32,000 / copies for vector)" };
        var env = new Option<string?>("--env") { Description = "vector: the registered environment id to step" };
        var copies = new Option<int?>("--copies") { Description = "vector: copies in the vector (default 16)" };
        var action = new Option<string?>("--action") { Description = "vector: 'random' (default: uniformly random actions) or a number every action component is set to (a discrete action's index, e.g. 1 = IDLE for highway)" };
        var iterations = new Option<int>("--iterations") { Description = "es-cartpole: timed ES iterations per run", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var command = new Command("bench", "Measure end-to-end training speed.") { which, repeats, steps, iterations, json, env, copies, action };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string name = parse.GetValue(which)!;
            if (name is not ("ppo-cartpole" or "sac-pendulum" or "es-cartpole" or "ppo-lunarlander" or "lunarlander-vector" or "highway-vector" or "mujoco-vector" or "vector" or "mujoco" or "cluster-es"))
                return CommandLine.UserError($"Unknown benchmark '{name}'; available: {Choices}.");
            if (name == "cluster-es")
                return ClusterBench.Run(parse.GetValue(repeats) ?? 3, parse.GetValue(iterations));
            if (name == "mujoco")
                return MuJoCoBench.Run((int)(parse.GetValue(steps) ?? 20_000), parse.GetValue(json));
            if (name == "es-cartpole")
            {
                int runs = parse.GetValue(repeats) ?? 5, k = parse.GetValue(iterations);
                if (runs <= 0 || k <= 0) return CommandLine.UserError($"--repeats and --iterations must be positive; got {runs} and {k}.");
                return RunEs(runs, k, parse.GetValue(json));
            }
            if (name is "lunarlander-vector" or "highway-vector" or "mujoco-vector" or "vector")
            {
                // Default stretches of a few hundred milliseconds on a quiet machine (a highway step costs ~50 LunarLander steps).
                (string? id, int? count, string? actionText, long defaultSteps) = name switch
                {
                    "lunarlander-vector" => ("LunarLander-v3", 16, "random", 20_000L),
                    "highway-vector" => ("highway-fast-v0", 16, "1", 100L),
                    "mujoco-vector" => ("HalfCheetah-v4", 8, "random", 1_000L),
                    _ => (parse.GetValue(env), parse.GetValue(copies) ?? 16, parse.GetValue(action) ?? "random", Math.Max(1, 32_000 / (parse.GetValue(copies) ?? 16))),
                };
                if (name != "vector" && (parse.GetValue(env) ?? parse.GetValue(action) ?? (object?)parse.GetValue(copies)) is not null)
                    return CommandLine.UserError($"--env, --copies and --action belong to `bench vector`; `bench {name}` is fixed at {count} × {id}.");
                if (id is null)
                    return CommandLine.UserError("`bench vector` needs --env ID (e.g. --env LunarLander-v3 --copies 16).");
                if (count < 2)
                    return CommandLine.UserError($"--copies must be at least 2 (one per thread); got {count}.");
                float? fixedAction = null;
                if (actionText != "random")
                {
                    if (!float.TryParse(actionText, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                        return CommandLine.UserError($"--action must be 'random' or a number; got '{actionText}'.");
                    fixedAction = value;
                }
                int runs = parse.GetValue(repeats) ?? 5;
                long vectorSteps = parse.GetValue(steps) ?? defaultSteps;
                if (runs <= 0 || vectorSteps <= 0 || vectorSteps > int.MaxValue) return CommandLine.UserError($"--repeats and --steps must be positive; got {runs} and {vectorSteps}.");
                return VectorScaling(name, id, count!.Value, fixedAction, runs, (int)vectorSteps, parse.GetValue(json));
            }
            bool sac = name == "sac-pendulum", lander = name == "ppo-lunarlander";
            int n = parse.GetValue(repeats) ?? (sac || lander ? 3 : 5);
            if (n <= 0) return CommandLine.UserError($"--repeats must be positive; got {n}.");
            long stepCount = parse.GetValue(steps) ?? (sac ? 20_000 : 100_000);
            if (stepCount <= 0) return CommandLine.UserError($"--steps must be positive; got {stepCount}.");
            string scratch = Directory.CreateTempSubdirectory("policylab-bench-").FullName;
            try
            {
                if (lander)
                    return PpoLunarLander(n, parse.GetValue(steps), parse.GetValue(json), scratch);
                return sac ? SacPendulum(n, stepCount, parse.GetValue(json), scratch) : PpoCartPole(n, stepCount, parse.GetValue(json), scratch);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }));
        return command;
    }

    private static int PpoCartPole(int n, long stepCount, bool quiet, string scratch)
    {
        var request = new SettingsRequest("ppo", "CartPole-v1", null, [], 0, stepCount);
        if (!quiet) Console.WriteLine($"PPO on CartPole-v1 with the shipped RL-Zoo settings, {stepCount:N0} steps, {n} runs per figure (evaluation off)…");
        var one = TrainingBenchmark.Run(request, 475, n, 1, Path.Combine(scratch, "one")).Select(r => r[0]).ToList();
        var two = TrainingBenchmark.Run(request with { Seed = 1000 }, 475, n, 2, Path.Combine(scratch, "two"));
        double sps1 = TrainingBenchmark.Median(one.Select(r => r.StepsPerSecond));
        double sps2 = TrainingBenchmark.Median(two.Select(r => r.Sum(x => x.StepsPerSecond)));
        var reached = one.Where(r => r.StepsToThreshold is not null).ToList();
        double stepsTo = TrainingBenchmark.Median(reached.Select(r => (double)r.StepsToThreshold!.Value));
        double secondsTo = TrainingBenchmark.Median(reached.Select(r => r.SecondsToThreshold!.Value));
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "bench",
                ["benchmark"] = "ppo-cartpole",
                ["runs"] = n,
                ["steps_per_second_one_core"] = sps1,
                ["steps_per_second_two_cores"] = sps2,
                ["runs_reaching_475"] = reached.Count,
                ["median_steps_to_475"] = JsonOutput.Number(stepsTo),
                ["median_seconds_to_475"] = JsonOutput.Number(secondsTo),
                ["per_run_steps_per_second"] = one.Select(r => r.StepsPerSecond).ToArray(),
            });
        }
        else
        {
            var inv = CultureInfo.InvariantCulture;
            foreach (BenchmarkRun r in one)
                Console.WriteLine(string.Create(inv, $"  seed {r.Seed}: {r.StepsPerSecond:N0} steps/s; last-10 mean ≥ 475 at {(r.StepsToThreshold is long s ? s.ToString("N0", inv) : "never")} steps ({(r.SecondsToThreshold is double t ? t.ToString("F2", inv) + " s" : "-")})"));
            Console.WriteLine(string.Create(inv, $"one core:  median {sps1:N0} env-steps/s"));
            Console.WriteLine(string.Create(inv, $"two cores: median {sps2:N0} env-steps/s (two runs at once, summed)"));
            Console.WriteLine(string.Create(inv, $"reached a last-10-episode mean of 475 in {reached.Count}/{n} runs: median {stepsTo:N0} steps, {secondsTo:F2} s"));
        }
        return 0;
    }

    /// <summary>SAC with RL Zoo's Pendulum settings (one gradient step per env step, batch 256, 256×256 networks),
    /// once with one GEMM thread and once with two (the two critics on one core each, and the actor's large products
    /// split between cores; identical results either way).</summary>
    private static int SacPendulum(int n, long stepCount, bool quiet, string scratch)
    {
        var inv = CultureInfo.InvariantCulture;
        var request = new SettingsRequest("sac", "Pendulum-v1", null, [], 0, stepCount);
        if (!quiet) Console.WriteLine($"SAC on Pendulum-v1 with the shipped RL-Zoo settings (batch 256, 256×256, one gradient step per step), {stepCount:N0} steps, {n} runs per figure (evaluation off)…");
        var results = new Dictionary<int, List<BenchmarkRun>>();
        foreach (int threads in new[] { 1, 2 })
        {
            var runs = TrainingBenchmark.Run(request, -200, n, 1, Path.Combine(scratch, $"t{threads}"), gemmThreads: threads).Select(r => r[0]).ToList();
            results[threads] = runs;
            if (!quiet)
                foreach (BenchmarkRun r in runs)
                    Console.WriteLine(string.Create(inv, $"  {threads} GEMM thread{(threads > 1 ? "s" : "")}, seed {r.Seed}: {r.StepsPerSecond:N1} steps/s, {r.Seconds:F1} s"));
        }
        double sps1 = TrainingBenchmark.Median(results[1].Select(r => r.StepsPerSecond));
        double sps2 = TrainingBenchmark.Median(results[2].Select(r => r.StepsPerSecond));
        double wall1 = TrainingBenchmark.Median(results[1].Select(r => r.Seconds));
        double wall2 = TrainingBenchmark.Median(results[2].Select(r => r.Seconds));
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "bench",
                ["benchmark"] = "sac-pendulum",
                ["runs"] = n,
                ["steps"] = stepCount,
                ["steps_per_second_one_core"] = sps1,
                ["steps_per_second_two_cores"] = sps2,
                ["median_wall_seconds_one_core"] = wall1,
                ["median_wall_seconds_two_cores"] = wall2,
                ["per_run_steps_per_second_one_core"] = results[1].Select(r => r.StepsPerSecond).ToArray(),
                ["per_run_steps_per_second_two_cores"] = results[2].Select(r => r.StepsPerSecond).ToArray(),
            });
        }
        else
        {
            Console.WriteLine(string.Create(inv, $"one core (1 GEMM thread):   median {sps1:N1} env-steps/s; {stepCount:N0}-step run {wall1:F1} s"));
            Console.WriteLine(string.Create(inv, $"two cores (2 GEMM threads): median {sps2:N1} env-steps/s; {stepCount:N0}-step run {wall2:F1} s ({sps2 / sps1:F2}×)"));
        }
        return 0;
    }

    /// <summary>PPO with the shipped LunarLander-v3 settings (configs/ppo.yaml: 16 copies, 256-step rollouts, minibatch 256, 4 epochs): on one
    /// core (synchronous vector, one GEMM thread) and on two (threaded vector of the copies, two GEMM threads); the same
    /// seed gives identical results either way. Figures taken on a loaded machine are not speed figures.</summary>
    /// <summary>
    /// PPO on LunarLander-v3 with the shipped settings, over the tuned budget by default (1M steps: the run a user
    /// trains, with its mix of short crashing episodes early and long hovering and landed ones later), once with the
    /// synchronous vector and one GEMM thread and once with the threaded vector and two. The figure is the training
    /// loop's (evaluation off, setup excluded); <c>train</c>'s steps_per_second also pays for its evaluations and, on a
    /// short run, for JIT compilation (about a second here), so it is lower. The vector's own speed-up on two cores is
    /// <c>bench lunarlander-vector</c>.
    /// </summary>
    private static int PpoLunarLander(int n, long? steps, bool quiet, string scratch)
    {
        var inv = CultureInfo.InvariantCulture;
        var results = new Dictionary<int, List<BenchmarkRun>>();
        long budget = 0;
        foreach (int cores in new[] { 1, 2 })
        {
            var request = new SettingsRequest("ppo", "LunarLander-v3", null, [cores == 1 ? "vec_env=sync" : "vec_env=threaded"], 0, steps);
            if (cores == 1)
            {
                budget = steps ?? SettingsResolver.Resolve(request).Run.TotalSteps;
                if (!quiet) Console.WriteLine($"PPO on LunarLander-v3 with the shipped settings of configs/ppo.yaml (16 copies), {budget:N0} steps per run{(steps is null ? " (the tuned budget)" : "")}, {n} runs per figure; the training loop's speed (evaluation off)…");
            }
            var runs = TrainingBenchmark.Run(request, 200, n, 1, Path.Combine(scratch, $"c{cores}"), gemmThreads: cores).Select(r => r[0]).ToList();
            results[cores] = runs;
            if (!quiet)
                foreach (BenchmarkRun r in runs)
                    Console.WriteLine(string.Create(inv, $"  {cores} core{(cores > 1 ? "s" : "")}, seed {r.Seed}: {r.StepsPerSecond:N0} steps/s, {r.Seconds:F1} s for {r.Steps:N0} steps (cores obtained {r.CoresUsed:F2})"));
        }
        double sps1 = TrainingBenchmark.Median(results[1].Select(r => r.StepsPerSecond));
        double sps2 = TrainingBenchmark.Median(results[2].Select(r => r.StepsPerSecond));
        double cores1 = TrainingBenchmark.Median(results[1].Select(r => r.CoresUsed));
        double cores2 = TrainingBenchmark.Median(results[2].Select(r => r.CoresUsed));
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "bench",
                ["benchmark"] = "ppo-lunarlander",
                ["runs"] = n,
                ["steps"] = budget,
                ["steps_per_second_one_core"] = sps1,
                ["steps_per_second_two_cores"] = sps2,
                ["median_cores_obtained_one_core"] = cores1,
                ["median_cores_obtained_two_cores"] = cores2,
                ["per_run_steps_per_second_one_core"] = results[1].Select(r => r.StepsPerSecond).ToArray(),
                ["per_run_steps_per_second_two_cores"] = results[2].Select(r => r.StepsPerSecond).ToArray(),
            });
        }
        else
        {
            Console.WriteLine(string.Create(inv, $"one core (sync vector, 1 GEMM thread):      median {sps1:N0} env-steps/s (cores obtained {cores1:F2})"));
            Console.WriteLine(string.Create(inv, $"two cores (threaded vector, 2 GEMM threads): median {sps2:N0} env-steps/s ({sps2 / sps1:F2}×; cores obtained {cores2:F2})"));
            Console.WriteLine("Training-loop figures (evaluation off); `train` reports less because it also evaluates every eval_freq steps. " +
                "With cores obtained below 1 or 2 the machine was shared and the figures are low.");
        }
        return 0;
    }

    /// <summary>Copies of <paramref name="id"/>, no learner: the synchronous vector, the threaded one on two threads (the
    /// issues' ≥ 1.7× vector speed-up) and the copies cut into two independent halves on two threads (no hand-off: the
    /// ceiling the machine allowed meanwhile), alternating; medians of the per-stretch ratios.</summary>
    private static int VectorScaling(string name, string id, int copies, float? fixedAction, int n, int vectorSteps, bool quiet)
    {
        var inv = CultureInfo.InvariantCulture;
        string actions = fixedAction is float a ? string.Create(inv, $"fixed action {a}{(name == "highway-vector" ? " (IDLE)" : "")}") : "random actions";
        if (!quiet) Console.WriteLine($"{copies} {id} copies, {actions}, {vectorSteps:N0} vector steps per stretch, {n} stretches per vector, alternating (no learner)…");
        VectorScalingResult result = VectorScalingBenchmark.Run(id, copies, vectorSteps, n, fixedAction: fixedAction);
        var (sync, threaded, independent) = (result.Sync, result.Threaded, result.Independent);
        double sps1 = TrainingBenchmark.Median(sync.Select(r => r.StepsPerSecond));
        double sps2 = TrainingBenchmark.Median(threaded.Select(r => r.StepsPerSecond));
        double scaling = TrainingBenchmark.Median(sync.Zip(threaded, (a, b) => b.StepsPerSecond / a.StepsPerSecond));
        double ceiling = TrainingBenchmark.Median(sync.Zip(independent, (a, b) => b.StepsPerSecond / a.StepsPerSecond));
        double cores1 = TrainingBenchmark.Median(sync.Select(r => r.CoresUsed));
        double cores2 = TrainingBenchmark.Median(threaded.Select(r => r.CoresUsed));
        // Work efficiency: steps per processor-second threaded relative to sync (1.0 = no parallel overhead); 2 × this
        // is the speed-up to expect on two free cores.
        double efficiency = TrainingBenchmark.Median(sync.Zip(threaded, (a, b) => b.StepsPerCpuSecond / a.StepsPerCpuSecond));
        double bound = TrainingBenchmark.Median(result.LockstepBound);
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "bench",
                ["benchmark"] = name,
                ["env"] = id,
                ["runs"] = n,
                ["copies"] = copies,
                ["fixed_action"] = fixedAction,
                ["vector_steps"] = vectorSteps,
                ["steps_per_second_sync"] = sps1,
                ["steps_per_second_threaded_two_threads"] = sps2,
                ["median_scaling"] = scaling,
                ["median_scaling_independent_halves"] = ceiling,
                ["median_cores_obtained_sync"] = cores1,
                ["median_cores_obtained_threaded"] = cores2,
                ["median_cpu_efficiency_threaded"] = efficiency,
                ["median_lockstep_bound"] = bound,
                ["per_run_lockstep_bound"] = result.LockstepBound.ToArray(),
                ["per_run_steps_per_second_sync"] = sync.Select(r => r.StepsPerSecond).ToArray(),
                ["per_run_steps_per_second_threaded"] = threaded.Select(r => r.StepsPerSecond).ToArray(),
                ["per_run_steps_per_second_independent_halves"] = independent.Select(r => r.StepsPerSecond).ToArray(),
            });
        }
        else
        {
            for (int i = 0; i < sync.Count; i++)
                Console.WriteLine(string.Create(inv, $"  stretch {i}: sync {sync[i].StepsPerSecond:N0} steps/s, threaded {threaded[i].StepsPerSecond:N0} ({threaded[i].StepsPerSecond / sync[i].StepsPerSecond:F2}×), independent halves {independent[i].StepsPerSecond:N0} ({independent[i].StepsPerSecond / sync[i].StepsPerSecond:F2}×); cores obtained {sync[i].CoresUsed:F2}, {threaded[i].CoresUsed:F2}, {independent[i].CoresUsed:F2}"));
            Console.WriteLine(string.Create(inv, $"sync vector:                median {sps1:N0} env-steps/s"));
            Console.WriteLine(string.Create(inv, $"threaded vector, 2 threads: median {sps2:N0} env-steps/s"));
            Console.WriteLine(string.Create(inv, $"scaling: median {scaling:F2}× (per-stretch ratio); independent halves (no hand-off, the machine's ceiling meanwhile): {ceiling:F2}×"));
            Console.WriteLine(string.Create(inv, $"cores obtained: median {cores1:F2} sync, {cores2:F2} threaded; efficiency: median {efficiency:F2} (steps per processor-second, threaded / sync)"));
            Console.WriteLine(string.Create(inv, $"lockstep bound: median {bound:F2}× (copies timed one by one: the most a vector that waits for every copy at each step could reach with free hand-offs, max(sum / 2, slowest copy) per step)"));
        }
        return 0;
    }

    /// <summary>ES on CartPole (4→16→2 policy): candidate episodes per second with 1 and 2 worker threads, medians over repeats.</summary>
    private static int RunEs(int repeats, int iterations, bool quiet)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!quiet) Console.WriteLine($"ES on CartPole-v1, 4→16→2 tanh policy, 50 candidates × 1 episode per iteration, {iterations} timed iterations per run, {repeats} runs per figure…");
        var one = new List<EsBenchmarkRun>();
        var two = new List<EsBenchmarkRun>();
        for (int r = 0; r < repeats; r++)
        {
            // Alternate the thread counts so a change in machine load affects both alike; same seed, same work.
            one.Add(EsBenchmark.Run(1, iterations, r));
            two.Add(EsBenchmark.Run(2, iterations, r));
            if (!quiet)
                Console.WriteLine(string.Create(inv, $"  seed {r}: {one[^1].EpisodesPerSecond:N0} episodes/s on 1 thread, {two[^1].EpisodesPerSecond:N0} on 2 ({one[^1].CandidateEpisodes:N0} episodes, {one[^1].Steps:N0} steps; cores obtained {one[^1].CoresUsed:F2} and {two[^1].CoresUsed:F2})"));
        }
        double eps1 = TrainingBenchmark.Median(one.Select(x => x.EpisodesPerSecond));
        double eps2 = TrainingBenchmark.Median(two.Select(x => x.EpisodesPerSecond));
        double sps1 = TrainingBenchmark.Median(one.Select(x => x.StepsPerSecond));
        double sps2 = TrainingBenchmark.Median(two.Select(x => x.StepsPerSecond));
        double scaling = TrainingBenchmark.Median(one.Zip(two, (a, b) => b.EpisodesPerSecond / a.EpisodesPerSecond));
        double cores1 = TrainingBenchmark.Median(one.Select(x => x.CoresUsed));
        double cores2 = TrainingBenchmark.Median(two.Select(x => x.CoresUsed));
        // Work efficiency: episodes per processor-second with 2 threads relative to 1 (1.0 = no parallel overhead),
        // the scaling to expect when both cores are free.
        double efficiency = TrainingBenchmark.Median(one.Zip(two, (a, b) => b.EpisodesPerCpuSecond / a.EpisodesPerCpuSecond));
        if (quiet)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "bench",
                ["benchmark"] = "es-cartpole",
                ["runs"] = repeats,
                ["iterations"] = iterations,
                ["candidate_episodes_per_second_one_core"] = eps1,
                ["candidate_episodes_per_second_two_cores"] = eps2,
                ["steps_per_second_one_core"] = sps1,
                ["steps_per_second_two_cores"] = sps2,
                ["median_scaling"] = scaling,
                ["median_cores_obtained_one_thread"] = cores1,
                ["median_cores_obtained_two_threads"] = cores2,
                ["median_cpu_efficiency_two_threads"] = efficiency,
            });
        }
        else
        {
            Console.WriteLine(string.Create(inv, $"one core:  median {eps1:N0} candidate-episodes/s ({sps1:N0} env-steps/s)"));
            Console.WriteLine(string.Create(inv, $"two cores: median {eps2:N0} candidate-episodes/s ({sps2:N0} env-steps/s)"));
            Console.WriteLine(string.Create(inv, $"scaling:   median {scaling:F2}× (per-seed ratio two/one); cores obtained: median {cores1:F2} with 1 thread, {cores2:F2} with 2"));
            Console.WriteLine(string.Create(inv, $"efficiency: median {efficiency:F2} (episodes per processor-second, 2 threads / 1 thread; 2 × this is the scaling on two free cores)"));
        }
        return 0;
    }
}
