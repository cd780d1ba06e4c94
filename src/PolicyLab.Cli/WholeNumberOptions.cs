using System.CommandLine;
using System.CommandLine.Parsing;
using PolicyLab.Configuration;

namespace PolicyLab.Cli;

/// <summary>Makes every whole-number option of the command tree accept <c>1e5</c>, <c>100k</c> and <c>1_000_000</c>
/// (see <see cref="WholeNumber"/>), with a short error naming the option otherwise.</summary>
internal static class WholeNumberOptions
{
    public static void Apply(Command command)
    {
        foreach (Option option in command.Options)
        {
            switch (option)
            {
                case Option<long> o when o.CustomParser is null: o.CustomParser = r => Parse(r, long.MinValue + 1, WholeNumber.MaxExact); break;
                case Option<long?> o when o.CustomParser is null: o.CustomParser = r => Parse(r, long.MinValue + 1, WholeNumber.MaxExact); break;
                case Option<int> o when o.CustomParser is null: o.CustomParser = r => (int)Parse(r, int.MinValue, int.MaxValue); break;
                case Option<int?> o when o.CustomParser is null: o.CustomParser = r => (int)Parse(r, int.MinValue, int.MaxValue); break;
            }
        }
        foreach (Command sub in command.Subcommands) Apply(sub);
    }

    private static long Parse(ArgumentResult result, long min, long max)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (WholeNumber.TryParse(text, out long value, out string? error, min, max)) return value;
        string name = result.Parent is OptionResult o ? o.Option.Name : "the value";
        result.AddError($"{name}: {error}");
        return 0;
    }
}
