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
            ExportCommand.Create(),
            ListCommand.Create(),
            BenchCommand.Create(),
            AnnealCommand.Create(),
            DemoCommand.Create(),
            PlotCommand.Create(),
            ExecutionCommand.Create(),
            PoicCommand.Create(),
            ProjectorSearchCommand.Create(),
            TuneCommand.Create(),
            WorkerCommand.Create(),
        };
        root.HelpName = "policylab";
        root.Subcommands.Add(HelpCommand(root));
        WholeNumberOptions.Apply(root);
        try
        {
            ParseResult parsed = root.Parse(args);
            if (args.Length > 0 && !args[0].StartsWith('-') && !root.Subcommands.Any(c => c.Name == args[0] || c.Aliases.Contains(args[0])))
                return UserError($"There is no command '{args[0]}'; the commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))}. See `policylab help`.");
            if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
                return UsageError(parsed);
            return parsed.Invoke();
        }
        catch (PolicyLabException e)
        {
            return UserError(e.Message);
        }
        catch (Exception e) when (FaultMessage(e) is string message)
        {
            return UserError(message);
        }
    }

    /// <summary>
    /// The one-paragraph message for an exception that is not PolicyLab's own but comes from the input or the machine
    /// (a full or read-only disk, a malformed file, a value out of range), or null for a bug (which keeps its stack trace).
    /// </summary>
    internal static string? FaultMessage(Exception e)
    {
        string what = e.Message.TrimEnd('.');
        return e switch
        {
            IOException when what.Contains("No space left", StringComparison.OrdinalIgnoreCase) || e.HResult == 28 || e.HResult == unchecked((int)0x80070070) =>
                $"The disk is full ({what}). Free some space or pick an --out on another disk; files are written atomically, so nothing half-written was published (a run's existing checkpoints are intact).",
            IOException when what.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) =>
                $"Cannot write: the file system is read-only ({what}). Pick a writable --out (or copy the run to a writable place before resuming it).",
            UnauthorizedAccessException =>
                $"Permission denied ({what}). Pick a folder you can write to (--out), or fix the permissions of the run folder.",
            FileNotFoundException or DirectoryNotFoundException =>
                $"A file or folder is missing ({what}). Check the path you passed.",
            IOException =>
                $"A file operation failed ({what}). Check that the path exists, is writable and that the disk has room.",
            System.Text.Json.JsonException =>
                $"A JSON file is malformed ({what}). The file is damaged or was edited by hand; restore it or pick another checkpoint (--checkpoint latest-intact).",
            YamlDotNet.Core.YamlException =>
                $"A YAML file is malformed ({what}). Fix the file it names, or regenerate it.",
            OutOfMemoryException or InsufficientExecutionStackException =>
                $"The configuration needs more memory than this machine has ({what}). Lower n_envs, buffer_size or the network sizes.",
            OverflowException or FormatException or InvalidCastException or ArgumentException or InvalidDataException or ArithmeticException =>
                $"A value is out of range or malformed ({what}). Check the settings and files you passed (`policylab train --list-settings` shows every setting and its range).",
            _ => null,
        };
    }

    /// <summary>An argument error: the first problem in one line and where the help is (not the whole help), exit code 2.</summary>
    private static int UsageError(ParseResult parsed)
    {
        string command = parsed.CommandResult.Command is RootCommand ? "" : " " + parsed.CommandResult.Command.Name;
        string first = parsed.Errors[0].Message.TrimEnd('.');
        string more = parsed.Errors.Count > 1 ? $" (and {parsed.Errors.Count - 1} more)" : "";
        return UserError($"{first}{more}. See `policylab help{command}` for the options.");
    }

    /// <summary>`policylab help [command]`: the help of the tool or of one command.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var name = new Argument<string[]>("command") { Description = "the command (and subcommand) to explain", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Show the help of policylab or of one command: policylab help train.") { name };
        help.SetAction(parse =>
        {
            string[] path = parse.GetValue(name) ?? [];
            Command target = root;
            foreach (string part in path)
            {
                Command? next = target.Subcommands.FirstOrDefault(c => c.Name == part || c.Aliases.Contains(part));
                if (next is null)
                    return UserError($"There is no command '{string.Join(' ', path)}'; the commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))}.");
                target = next;
            }
            return root.Parse([.. path, "--help"]).Invoke();
        });
        return help;
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
        catch (Exception e) when (e is not OperationCanceledException && FaultMessage(e) is string message)
        {
            return UserError(message);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return 130;
        }
    }
}
