using PolicyLab.Cli;

namespace PolicyLab.Tests.Cli;

/// <summary>Runs the <c>policylab</c> command in-process with its console output captured. The console is
/// process-wide, so every test class that uses this belongs to the "Console" collection.</summary>
internal static class CliRunner
{
    /// <summary>Runs <c>policylab <paramref name="args"/></c>; returns the exit code and what it wrote.</summary>
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldError = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = CommandLine.Run(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
