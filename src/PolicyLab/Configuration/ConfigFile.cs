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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PolicyLabException($"Configuration file '{source}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}");
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PolicyLabException($"Configuration file '{source}' must be a mapping of key: value pairs (or of environment ids to such mappings).");
        // A file whose values are all mappings has one section per environment id (env_kwargs is a setting whose
        // value is a mapping, never a section).
        bool sectioned = root.Children.Count > 0 && root.Children.All(kv => kv.Value is YamlMappingNode && (kv.Key as YamlScalarNode)?.Value != "env_kwargs");
        var result = new List<KeyValuePair<string, string>>();
        if (!sectioned)
        {
            AddPairs(root, result, source);
            return result;
        }
        foreach ((YamlNode key, YamlNode value) in root.Children)
            if (((YamlScalarNode)key).Value == "default") AddPairs((YamlMappingNode)value, result, source);
        foreach ((YamlNode key, YamlNode value) in root.Children)
            if (((YamlScalarNode)key).Value == environment) AddPairs((YamlMappingNode)value, result, source);
        return result;
    }

    /// <summary>The environment ids that have sections in <paramref name="yaml"/>.</summary>
    public static IReadOnlyList<string> Sections(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return [];
        return root.Children.Where(kv => kv.Value is YamlMappingNode).Select(kv => ((YamlScalarNode)kv.Key).Value!).ToList();
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
            string k = ((YamlScalarNode)key).Value ?? "";
            string v = value switch
            {
                YamlScalarNode s => s.Value ?? "null",
                YamlSequenceNode seq => "[" + string.Join(", ", seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? "")) + "]",
                YamlMappingNode map when k == "env_kwargs" => FlowMapping(map, source),
                _ => throw new PolicyLabException($"Configuration file '{source}': the value of '{k}' must be a single value or a list."),
            };
            result.Add(new KeyValuePair<string, string>(k, v));
        }
    }
}
