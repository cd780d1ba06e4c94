using System.Text.Json;

namespace PolicyLab.Cli;

/// <summary>The one JSON object a command prints at the end with --json.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static void Print(IReadOnlyDictionary<string, object?> values) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(values, Options));

    /// <summary>A double as a JSON-safe value (null when not finite).</summary>
    public static object? Number(double value) => double.IsFinite(value) ? value : null;
}
