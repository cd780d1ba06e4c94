using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyLab.Configuration;

/// <summary>
/// YAML configuration files. A file is either flat (<c>key: value</c> pairs) or, like RL Zoo's
/// hyperparameter files, has one section per environment id (plus an optional <c>default</c>
/// section applied first).
/// </summary>
public static class ConfigFile
{
    /// <summary>The key/value pairs that apply to <paramref name="environment"/>, in file order.</summary>
    /// <param name="yaml">The file's text.</param>
    /// <param name="environment">Environment id whose section to take (when the file has sections).</param>
    /// <param name="source">File name for error messages.</param>
    /// <exception cref="PolicyLabException">The text is not valid YAML or not a mapping.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string yaml, string environment, string source)
    {
        YamlStream stream = Load(yaml, source);
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PolicyLabException($"Configuration file '{source}' must be a mapping of key: value pairs (or of environment ids to such mappings).");
        // A file whose values are all mappings has one section per environment id (env_kwargs is a setting whose
        // value is a mapping, never a section).
        bool sectioned = IsSectioned(root);
        var result = new List<KeyValuePair<string, string>>();
        if (!sectioned)
        {
            AddPairs(root, result, source);
            return result;
        }
        foreach ((YamlNode key, YamlNode value) in root.Children)
            if (KeyText(key, source) == "default") AddPairs((YamlMappingNode)value, result, source);
        foreach ((YamlNode key, YamlNode value) in root.Children)
            if (KeyText(key, source) == environment) AddPairs((YamlMappingNode)value, result, source);
        return result;
    }

    private static bool IsSectioned(YamlMappingNode root) =>
        root.Children.Count > 0 && root.Children.All(kv => kv.Value is YamlMappingNode && (kv.Key as YamlScalarNode)?.Value != "env_kwargs");

    /// <summary>Largest configuration file read (real ones are a few kilobytes).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Deepest nesting accepted (a sectioned file with lists needs 3).</summary>
    public const int MaxDepth = 16;

    /// <summary>Reads a configuration file's text, refusing files larger than <see cref="MaxBytes"/>.</summary>
    /// <exception cref="PolicyLabException">The file is missing, too large or unreadable.</exception>
    public static string ReadText(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new PolicyLabException($"The configuration file '{path}' does not exist.");
        if (info.Length > MaxBytes)
            throw new PolicyLabException($"The configuration file '{path}' is {info.Length:N0} bytes; configuration files are at most {MaxBytes:N0} bytes. Pass the right file.");
        try
        {
            return File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new PolicyLabException($"The configuration file '{path}' is not UTF-8 text; pass a YAML file.");
        }
    }

    /// <summary>
    /// Parses YAML with limits, before building any tree: at most <see cref="MaxBytes"/> characters and
    /// <see cref="MaxDepth"/> levels of nesting, no anchors or aliases (an alias bomb expands exponentially), one document.
    /// </summary>
    internal static YamlStream Load(string yaml, string source)
    {
        if (yaml.Length > MaxBytes)
            throw new PolicyLabException($"Configuration file '{source}' is {yaml.Length:N0} characters; configuration files are at most {MaxBytes:N0}.");
        try
        {
            var parser = new Parser(new StringReader(yaml));
            int depth = 0, documents = 0;
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.AnchorAlias alias:
                        throw new PolicyLabException($"Configuration file '{source}' uses the YAML alias *{alias.Value} (line {alias.Start.Line}); aliases and anchors are not supported: write the values out.");
                    case YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false } anchored:
                        throw new PolicyLabException($"Configuration file '{source}' defines the YAML anchor &{anchored.Anchor} (line {anchored.Start.Line}); aliases and anchors are not supported: write the values out.");
                }
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                        if (++depth > MaxDepth)
                            throw new PolicyLabException($"Configuration file '{source}' nests deeper than {MaxDepth} levels (line {parser.Current.Start.Line}); a configuration is key: value pairs, optionally in one section per environment.");
                        break;
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        break;
                    case YamlDotNet.Core.Events.DocumentStart:
                        if (++documents > 1)
                            throw new PolicyLabException($"Configuration file '{source}' holds more than one YAML document (line {parser.Current.Start.Line}); put everything in one.");
                        break;
                }
            }
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return stream;
        }
        catch (YamlException e)
        {
            throw new PolicyLabException($"Configuration file '{source}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // The YAML reader's own failure on malformed input (found by fuzzing): still the file's fault.
            throw new PolicyLabException($"Configuration file '{source}' is not valid YAML (the YAML reader stopped on it: {e.Message}); fix or regenerate the file.", e);
        }
    }

    private static string KeyText(YamlNode key, string source) => key is YamlScalarNode { Value: string text }
        ? text
        : throw new PolicyLabException($"Configuration file '{source}' has a key that is not plain text (line {key.Start.Line}: a complex key such as ? [a, b]); keys are setting names or environment ids.");

    /// <summary>The environment ids that have sections in <paramref name="yaml"/>.</summary>
    /// <exception cref="PolicyLabException">The text is not valid YAML or breaks a limit.</exception>
    public static IReadOnlyList<string> Sections(string yaml, string source = "configuration")
    {
        YamlStream stream = Load(yaml, source);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root || !IsSectioned(root)) return [];
        return root.Children.Select(kv => KeyText(kv.Key, source)).ToList();
    }

    /// <summary>Formats key/value pairs as a flat YAML file.</summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> pairs, string? header = null)
    {
        var sb = new StringBuilder();
        if (header is not null)
            foreach (string line in header.Split('\n')) sb.Append("# ").Append(line).Append('\n');
        foreach (KeyValuePair<string, string> kv in pairs)
            sb.Append(kv.Key).Append(": ").Append(Quote(kv.Value)).Append('\n');
        return sb.ToString();
    }

    private static string Quote(string value)
    {
        if (value.Length == 0) return "''";
        bool list = value.StartsWith('[') && value.EndsWith(']');
        bool plain = list || value.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '(' or ')' or ',' or ' ')
            && !value.StartsWith(' ') && !value.EndsWith(' ');
        return plain ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A mapping of scalars or lists of scalars as one-line flow YAML (<c>{g: 9.81, sizes: [3, 3]}</c>).</summary>
    private static string FlowMapping(YamlMappingNode map, string source) =>
        "{" + string.Join(", ", map.Children.Select(kv => (kv.Key as YamlScalarNode)?.Value + ": " + kv.Value switch
        {
            YamlScalarNode s => s.Value,
            YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => "[" + string.Join(", ", seq.Children.Select(c => ((YamlScalarNode)c).Value)) + "]",
            _ => throw new PolicyLabException($"Configuration file '{source}': each environment argument in env_kwargs must be a single value or a list of values."),
        })) + "}";

    private static void AddPairs(YamlMappingNode mapping, List<KeyValuePair<string, string>> result, string source)
    {
        foreach ((YamlNode key, YamlNode value) in mapping.Children)
        {
            string k = KeyText(key, source);
            string v = value switch
            {
                YamlScalarNode s => s.Value ?? "null",
                YamlSequenceNode seq => "[" + string.Join(", ", seq.Children.Select(c => c is YamlScalarNode { Value: string item }
                    ? item : throw new PolicyLabException($"Configuration file '{source}': the list '{k}' (line {c.Start.Line}) must hold single values, not lists or mappings."))) + "]",
                YamlMappingNode map when k == "env_kwargs" => FlowMapping(map, source),
                _ => throw new PolicyLabException($"Configuration file '{source}': the value of '{k}' must be a single value or a list."),
            };
            result.Add(new KeyValuePair<string, string>(k, v));
        }
    }
}
