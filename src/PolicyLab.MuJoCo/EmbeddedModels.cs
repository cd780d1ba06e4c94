namespace PolicyLab.MuJoCo;

/// <summary>The MJCF model files shipped inside this assembly (written for PolicyLab from Gymnasium's model descriptions).</summary>
public static class EmbeddedModels
{
    private const string Prefix = "PolicyLab.MuJoCo.Models.";

    /// <summary>The file names of the embedded models, e.g. <c>hopper.xml</c>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(EmbeddedModels).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal)];

    /// <summary>The text of an embedded model file.</summary>
    public static string Read(string fileName)
    {
        using Stream? stream = typeof(EmbeddedModels).Assembly.GetManifestResourceStream(Prefix + fileName)
            ?? throw new PolicyLabException($"There is no embedded MuJoCo model named '{fileName}'; the embedded models are: {string.Join(", ", Names)}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
