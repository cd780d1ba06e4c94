namespace PolicyLab.Cli;

/// <summary>Parses the command line and delegates to the library.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        Console.WriteLine("policylab 0.1.0");
        return 0;
    }
}
