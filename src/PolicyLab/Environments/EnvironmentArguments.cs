using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyLab.Environments;

/// <summary>
/// Environment constructor arguments as text (the <c>env_kwargs</c> setting, <c>--env-kwargs</c>): a YAML flow mapping
/// such as <c>{g: 9.81, sutton_barto_reward: true, sizes: [3, 3]}</c>. Numbers become doubles, <c>true</c>/<c>false</c>
/// booleans, lists of numbers double arrays, anything else text; the registry's factories convert from there.
/// </summary>
public static class EnvironmentArguments
{
    /// <summary>Parses <paramref name="text"/> (empty: no arguments).</summary>
    /// <param name="text">A YAML flow mapping, e.g. <c>{g: 9.81}</c>.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    /// <exception cref="PolicyLabException">The text is not a mapping of names to values or lists.</exception>
    public static IReadOnlyDictionary<string, object> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return result;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Malformed(text, source, e.Message);
        }
        if (stream.Documents.Count == 0) return result;
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping) throw Malformed(text, source, "it is not a mapping");
        foreach ((YamlNode key, YamlNode value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } name }) throw Malformed(text, source, "a key is not a plain name");
            result[name] = value switch
            {
                YamlScalarNode s => Scalar(s.Value ?? ""),
                YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => List(seq),
                _ => throw Malformed(text, source, $"the value of '{name}' must be a single value or a list of values"),
            };
        }
        return result;
    }

    /// <summary>Builds the text form from <c>name=value</c> pairs (as <c>--env-kwargs g=9.81 x=1</c> gives them).</summary>
    /// <exception cref="PolicyLabException">A pair has no '=' or no name.</exception>
    public static string FromPairs(IEnumerable<string> pairs)
    {
        var parts = new List<string>();
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new PolicyLabException($"--env-kwargs expects name=value pairs (e.g. --env-kwargs g=9.81); got '{pair}'.");
            parts.Add($"{pair[..eq].Trim()}: {pair[(eq + 1)..].Trim()}");
        }
        return parts.Count == 0 ? "" : "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Checks that <paramref name="environment"/> takes every argument named in <paramref name="arguments"/>.</summary>
    /// <exception cref="PolicyLabException">An unknown name (with the closest known ones).</exception>
    public static void Validate(string environment, IReadOnlyDictionary<string, object> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        EnvironmentSpec spec = EnvironmentRegistry.Spec(environment);
        foreach (string name in arguments.Keys)
        {
            if (spec.DefaultArguments.ContainsKey(name)) continue;
            string known = spec.DefaultArguments.Count == 0 ? $"{environment} takes no arguments." : $"{environment} takes: {string.Join(", ", spec.DefaultArguments.Keys)}.";
            throw new PolicyLabException($"env_kwargs: {environment} has no argument '{name}'.{NameSuggestions.DidYouMean(name, spec.DefaultArguments.Keys)} {known} " +
                "`policylab list envs` shows every environment's arguments.");
        }
    }

    /// <summary>Formats an argument value as the text form shows it.</summary>
    public static string FormatValue(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e when value is not string => "[" + string.Join(", ", e.Cast<object>().Select(FormatValue)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static object List(YamlSequenceNode sequence)
    {
        object[] items = [.. sequence.Children.Select(c => Scalar(((YamlScalarNode)c).Value ?? ""))];
        return items.All(i => i is double)
            ? items.Cast<double>().ToArray()
            : items.Select(i => FormatValue(i)).ToArray();
    }

    private static object Scalar(string text) =>
        text is "true" or "True" ? true
        : text is "false" or "False" ? false
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
        : text;

    private static PolicyLabException Malformed(string text, string source, string why) =>
        new($"{source}: environment arguments '{text}' are not readable ({why}). Write them as a mapping, e.g. env_kwargs: {{g: 9.81}} or --env-kwargs g=9.81.");
}
