using System.CommandLine;
using PolicyLab.Cli.Commands;

namespace PolicyLab.Cli;

/// <summary>Builds the `policylab` command tree; each command parses its options and delegates to the library.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
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
                $"The disk is full ({what}). Free some space or pick an --out on another disk; files are written atomically, so what was already written (config.yaml, the last checkpoint) is intact.",
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
            Console.Error.WriteLine("cancelled; the last checkpoint is intact.");
            return 130;
        }
    }
}
