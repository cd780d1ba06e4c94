using System.CommandLine;
using PolicyLab.Cli.Commands;

namespace PolicyLab.Cli;

/// <summary>Builds the `policylab` command tree; each command parses its options and delegates to the library.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        PolicyLab.MuJoCo.MuJoCoEnvironments.Register(); // the MuJoCo add-on's ids (they need libmujoco only when made)
        var root = new RootCommand("PolicyLab: policy-based deep reinforcement learning in C#.")
        {
            TrainCommand.Create(),
            EvalCommand.Create(),
            ListCommand.Create(),
            BenchCommand.Create(),
            AnnealCommand.Create(),
            DemoCommand.Create(),
            PlotCommand.Create(),
            ExecutionCommand.Create(),
        };
        try
        {
            return root.Parse(args).Invoke();
        }
        catch (PolicyLabException e)
        {
            return UserError(e.Message);
        }
    }

    /// <summary>Prints a user error (no stack trace) and returns exit code 2.</summary>
    public static int UserError(string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }

    /// <summary>Runs a command body, turning user errors into exit code 2 with a plain message.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (PolicyLabException e)
        {
            return UserError(e.Message);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; the last checkpoint is intact.");
            return 130;
        }
    }
}
