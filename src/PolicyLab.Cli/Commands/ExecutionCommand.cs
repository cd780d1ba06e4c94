using System.CommandLine;
using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Environments;
using PolicyLab.Environments.Finance;
using PolicyLab.Numerics;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab execution compare|frontier`: trained liquidation agents against Almgren–Chriss and the other baselines.</summary>
internal static class ExecutionCommand
{
    public static Command Create()
    {
        var command = new Command("execution", "Optimal execution: compare trained agents with Almgren–Chriss, TWAP and VWAP, and draw the efficient frontier.")
        {
            Subcommand("compare", "Table of implementation shortfall (mean, std) and utility E + λ·Var for agents and baselines on common price paths.", frontier: false),
            Subcommand("frontier", "The efficient frontier with the agents' and baselines' measured points (SVG or PNG), plus the table.", frontier: true),
        };
        return command;
    }

    private static Command Subcommand(string name, string description, bool frontier)
    {
        var agents = new Option<string[]>("--agents") { Description = "run folders of agents trained on a Liquidation environment", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.ZeroOrMore };
        var env = new Option<string?>("--env") { Description = "environment id (default: the agents' environment, else Liquidation-v0)" };
        var episodes = new Option<int>("--episodes") { Description = "evaluation episodes (common price paths) per policy", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<long>("--seed") { Description = "seed of the price paths", DefaultValueFactory = _ => 2024 };
        var output = new Option<string?>("--output", "-o") { Description = frontier ? "output image (.svg or .png; default: execution_frontier.svg in the first agent's run folder or ./execution)" : "output folder (default: the first agent's run folder, or ./execution)" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object describing the result" };
        var command = new Command(name, description) { agents, env, episodes, seed, output, json };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            int n = parse.GetValue(episodes);
            if (n < 2) return CommandLine.UserError($"--episodes must be at least 2; got {n}.");
            long s = parse.GetValue(seed);
            if (s < 0) return CommandLine.UserError($"--seed must be ≥ 0; got {s}.");
            string[] runs = parse.GetValue(agents) ?? [];
            var policies = new List<AgentExecutionPolicy>();
            try
            {
                foreach (string run in runs) policies.Add(AgentExecutionPolicy.Load(run));
                string id = parse.GetValue(env) ?? policies.FirstOrDefault()?.Environment ?? "Liquidation-v0";
                foreach (AgentExecutionPolicy p in policies.Where(p => p.Environment != id))
                    return CommandLine.UserError($"The agent '{p.Name}' was trained on '{p.Environment}' but the comparison runs on '{id}'; compare agents of one environment at a time (or leave out --env).");
                LiquidationOptions options = OptionsOf(id);
                ExecutionReport report = ExecutionReport.Build(id, options, policies, n, (ulong)s);

                string folder = frontier
                    ? Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(DefaultFolder(runs), "execution_frontier.svg")))!
                    : Path.GetFullPath(parse.GetValue(output) ?? DefaultFolder(runs));
                Directory.CreateDirectory(folder);
                string table = Path.Combine(folder, "execution_compare.md");
                string markdown = report.ToMarkdown();
                PolicyLab.IO.AtomicFile.WriteAllText(table, markdown);
                string? image = null;
                if (frontier)
                {
                    image = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(folder, "execution_frontier.svg"));
                    PolicyLab.Plotting.FigureFiles.Save(report.FrontierChart(), image);
                }
                if (parse.GetValue(json))
                {
                    JsonOutput.Print(new Dictionary<string, object?>
                    {
                        ["command"] = $"execution {name}",
                        ["environment"] = id,
                        ["risk_aversion"] = report.RiskAversion,
                        ["episodes"] = n,
                        ["seed"] = s,
                        ["reference"] = report.ReferenceName,
                        ["table"] = table,
                        ["plot"] = image,
                        ["rows"] = report.Rows.Select(r => new Dictionary<string, object?>
                        {
                            ["policy"] = r.Result.Name,
                            ["agent"] = r.IsAgent,
                            ["mean_shortfall"] = JsonOutput.Number(r.Result.Mean),
                            ["std_shortfall"] = JsonOutput.Number(r.Result.StandardDeviation),
                            ["utility"] = JsonOutput.Number(r.Utility),
                            ["relative_to_reference"] = JsonOutput.Number(r.RelativeGap(report.Reference.Utility)),
                            ["difference"] = JsonOutput.Number(r.VersusReference.Difference),
                            ["ci95_low"] = JsonOutput.Number(r.VersusReference.Lower95),
                            ["ci95_high"] = JsonOutput.Number(r.VersusReference.Upper95),
                            ["risk_charged_cost"] = JsonOutput.Number(r.Result.RiskChargedCost),
                        }).ToList(),
                    });
                }
                else
                {
                    Console.Write(markdown);
                    Console.WriteLine($"table → {table}");
                    if (image is not null) Console.WriteLine($"frontier → {image}");
                }
                return 0;
            }
            finally
            {
                foreach (AgentExecutionPolicy p in policies) p.Dispose();
            }
        }));
        return command;
    }

    private static string DefaultFolder(string[] runs) => runs.Length > 0 ? runs[0] : "execution";

    private static LiquidationOptions OptionsOf(string id)
    {
        using IEnvironment environment = EnvironmentRegistry.Make(id);
        return environment.Unwrapped() is LiquidationEnvironment liquidation
            ? liquidation.Options
            : throw new PolicyLabException($"'{id}' is not a liquidation environment; execution compares agents on Liquidation-v0, LiquidationDiscrete-v0, LiquidationRiskAverse-v0 or LiquidationStochVol-v0.");
    }

    /// <summary>A trained agent's deterministic policy, loaded from its run folder's latest checkpoint.</summary>
    private sealed class AgentExecutionPolicy : IExecutionPolicy, IDisposable
    {
        private readonly Trainer _trainer;
        private readonly Rng _rng = new(0UL);
        private readonly float[] _action;

        private AgentExecutionPolicy(Trainer trainer, string name, string environment)
        {
            (_trainer, Name, Environment) = (trainer, name, environment);
            _action = new float[1];
        }

        public string Name { get; }

        public string Environment { get; }

        public static AgentExecutionPolicy Load(string path)
        {
            RunFolder folder = RunFolder.Open(path);
            (RunSettings run, _) = SettingsResolver.FromRunFolder(folder);
            if (run.NormalizeObservations)
                throw new PolicyLabException($"The run '{path}' normalizes observations, which execution compare does not replay; train liquidation agents with normalize=false (the tuned defaults do).");
            Trainer trainer = Trainer.Resume(folder);
            return new AgentExecutionPolicy(trainer, $"{run.Algorithm.ToUpperInvariant()} ({Path.GetFileName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar))})", run.Environment);
        }

        public double Fraction(LiquidationEnvironment environment, ReadOnlySpan<float> observation)
        {
            IAlgorithm algorithm = _trainer.Algorithm;
            algorithm.Act(observation, 1, deterministic: true, _rng, _action);
            return environment.FractionOf(_action);
        }

        public void Dispose() => _trainer.Dispose();
    }
}
