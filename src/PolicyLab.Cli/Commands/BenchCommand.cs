using System.CommandLine;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab bench`: end-to-end speed measurements.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("benchmark") { Description = "ppo-cartpole" };
        var command = new Command("bench", "Measure end-to-end training speed.") { which };
        command.SetAction(parse => CommandLine.Guard(() =>
            CommandLine.UserError($"Unknown benchmark '{parse.GetValue(which)}'; available: ppo-cartpole.")));
        return command;
    }
}
