using System.CommandLine;
using PolicyLab.Algorithms;
using PolicyLab.Environments;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab list algos|envs`.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("what") { Description = "algos or envs" };
        var envAssembly = new Option<string?>("--env-assembly") { Description = "also list the environments a .dll of your own registers" };
        var command = new Command("list", "List the available algorithms or environments (with their spaces and arguments).") { what, envAssembly };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            switch (parse.GetValue(what))
            {
                case "algos" or "algorithms":
                    foreach (string name in AlgorithmRegistry.Names)
                    {
                        AlgorithmInfo info = AlgorithmRegistry.Get(name);
                        Console.WriteLine($"{name,-10} {info.Description} [{info.DescribeActionSpaces()}]");
                    }
                    return 0;
                case "envs" or "environments":
                    if (parse.GetValue(envAssembly) is string assembly) EnvironmentAssemblies.Load(assembly);
                    foreach (string id in EnvironmentRegistry.Ids)
                    {
                        EnvironmentSpec spec = EnvironmentRegistry.Spec(id);
                        Console.WriteLine($"{id,-28} max steps {spec.MaxEpisodeSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",-6} reward threshold {spec.RewardThreshold?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
                        using (IEnvironment environment = EnvironmentRegistry.Make(id))
                            Console.WriteLine($"    observations {environment.ObservationSpace}, actions {environment.ActionSpace}");
                        if (spec.DefaultArguments.Count > 0)
                            Console.WriteLine("    env_kwargs: " + string.Join(", ", spec.DefaultArguments.Select(kv => $"{kv.Key}={EnvironmentArguments.FormatValue(kv.Value)}")));
                    }
                    return 0;
                default:
                    return CommandLine.UserError($"`policylab list` takes 'algos' or 'envs', not '{parse.GetValue(what)}'.");
            }
        }));
        return command;
    }
}
