using System.CommandLine;
using System.Globalization;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab bench ppo-cartpole`: end-to-end training speed with RL Zoo's CartPole PPO settings.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("benchmark") { Description = "ppo-cartpole" };
        var repeats = new Option<int>("--repeats") { Description = "runs per configuration (medians are reported)", DefaultValueFactory = _ => 5 };
        var steps = new Option<long>("--steps") { Description = "steps per run", DefaultValueFactory = _ => 100_000 };
        var json = new Option<bool>("--json") { Description = "end with one JSON object" };
        var command = new Command("bench", "Measure end-to-end training speed.") { which, repeats, steps, json };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string name = parse.GetValue(which)!;
            if (name != "ppo-cartpole")
                return CommandLine.UserError($"Unknown benchmark '{name}'; available: ppo-cartpole.");
            int n = parse.GetValue(repeats);
            if (n <= 0) return CommandLine.UserError($"--repeats must be positive; got {n}.");
            string scratch = Directory.CreateTempSubdirectory("policylab-bench-").FullName;
            try
            {
                var request = new SettingsRequest("ppo", "CartPole-v1", null, [], 0, parse.GetValue(steps));
                bool quiet = parse.GetValue(json);
                if (!quiet) Console.WriteLine($"PPO on CartPole-v1 with the shipped RL-Zoo settings, {parse.GetValue(steps):N0} steps, {n} runs per figure (evaluation off)…");
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
                        ["benchmark"] = name,
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
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }));
        return command;
    }
}
