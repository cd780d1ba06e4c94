using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Training;
using YamlDotNet.RepresentationModel;

namespace PolicyLab.Tuning;

/// <summary>
/// The parameters a study searches over, in sampling order (every conditional parameter after the parameter it
/// depends on). <see cref="ForAlgorithm"/> gives RL Zoo's space for an algorithm (<see cref="DefaultSearchSpaces"/>),
/// <see cref="WithOverrides"/> applies a user's YAML file to it, <see cref="CheckAgainst"/> checks every target
/// setting and value against the algorithm.
/// </summary>
public sealed class SearchSpace
{
    /// <summary>Settings a study fixes for every trial, which a search space may not set.</summary>
    public static readonly IReadOnlySet<string> FixedByStudy = new HashSet<string>(StringComparer.Ordinal)
    {
        "algo", "env", "seed", "n_timesteps", "eval_freq", "eval_episodes", "checkpoint_freq", "stop_at_threshold",
        "tensorboard", "render", "render_every", "env_assembly",
    };

    /// <summary>Creates a space; conditional parameters must depend on an unconditional categorical parameter of the space.</summary>
    /// <exception cref="PolicyLabException">Two parameters share a name, or a condition names no such parameter or value.</exception>
    public SearchSpace(IEnumerable<SearchParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        List<SearchParameter> list = [.. parameters];
        var errors = new List<string>();
        foreach (IGrouping<string, SearchParameter> g in list.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            errors.Add($"the parameter '{g.Key}' is defined {g.Count()} times");
        foreach (SearchParameter p in list.Where(p => p.WhenParameter is not null))
        {
            SearchParameter? parent = list.FirstOrDefault(q => q.Name == p.WhenParameter);
            if (parent is null)
                errors.Add($"'{p.Name}' depends on '{p.WhenParameter}', which is not a parameter of the space.{NameSuggestions.DidYouMean(p.WhenParameter!, list.Select(q => q.Name))}");
            else if (parent.Kind != ParameterKind.Categorical || parent.WhenParameter is not null)
                errors.Add($"'{p.Name}' depends on '{parent.Name}', which must be an unconditional categorical parameter");
            else
                foreach (string v in (p.WhenValues ?? []).Where(v => !parent.Choices.Contains(v)))
                    errors.Add($"'{p.Name}' depends on {parent.Name} = {v}, which is not one of its choices ({string.Join(", ", parent.Choices)})");
        }
        if (errors.Count > 0)
            throw new PolicyLabException($"The search space is inconsistent: {string.Join("; ", errors)}.");
        Parameters = [.. list.Where(p => p.WhenParameter is null), .. list.Where(p => p.WhenParameter is not null)];
    }

    /// <summary>The parameters, unconditional ones first.</summary>
    public IReadOnlyList<SearchParameter> Parameters { get; }

    /// <summary>The parameter called <paramref name="name"/>, or null.</summary>
    public SearchParameter? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>RL Zoo's search space for <paramref name="algorithm"/>.</summary>
    /// <exception cref="PolicyLabException">The algorithm has no default space.</exception>
    public static SearchSpace ForAlgorithm(string algorithm) =>
        DefaultSearchSpaces.For(algorithm) ?? throw new PolicyLabException(
            $"There is no default search space for '{algorithm}' (there are spaces for {string.Join(", ", DefaultSearchSpaces.Algorithms)}); " +
            "write one in a YAML file and pass it with --space (docs/tuning.md shows the format).");

    /// <summary>
    /// The settings of a trial (setting key → text) for the sampled internal values (parameter name → value); inactive
    /// parameters are absent from <paramref name="values"/>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToSettings(IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var settings = new List<KeyValuePair<string, string>>();
        foreach (SearchParameter p in Parameters)
            if (values.TryGetValue(p.Name, out double v))
                foreach (string target in p.Targets) settings.Add(new(target, p.SettingText(v)));
        return settings;
    }

    /// <summary>
    /// Checks that every target is a setting of <paramref name="algorithm"/> (or a run setting a study may vary) and
    /// that every value the parameter can take is one that setting accepts.
    /// </summary>
    /// <exception cref="PolicyLabException">Names every problem, with a did-you-mean for misspelt settings.</exception>
    public void CheckAgainst(string algorithm, string source)
    {
        AlgorithmInfo info = AlgorithmRegistry.Get(algorithm);
        Hyperparameters settings = info.CreateSettings();
        var run = new RunSettings();
        var errors = new List<string>();
        foreach (SearchParameter p in Parameters)
            foreach (string target in p.Targets)
            {
                if (FixedByStudy.Contains(target))
                {
                    errors.Add($"'{p.Name}' sets {target}, which the study fixes for every trial (use the tune command's options instead)");
                    continue;
                }
                Hyperparameters? owner = settings.Has(target) ? settings : run.Has(target) ? run : null;
                if (owner is null)
                {
                    errors.Add($"'{target}' is not a setting of {info.Name}.{NameSuggestions.DidYouMean(target, settings.Keys.Concat(run.Keys))}");
                    continue;
                }
                IEnumerable<double> probes = p.Kind == ParameterKind.Categorical ? Enumerable.Range(0, p.Choices.Count).Select(i => (double)i) : [p.Low, p.High];
                foreach (double v in probes)
                {
                    try
                    {
                        owner.Set(target, p.SettingText(v));
                    }
                    catch (PolicyLabException e)
                    {
                        errors.Add($"'{p.Name}' can take {p.SettingText(v)}, which {target} does not accept ({e.Message.TrimEnd('.')})");
                    }
                }
            }
        if (errors.Count > 0)
            throw new PolicyLabException($"{source}: {string.Join("; ", errors)}. Run `policylab train --algo {info.Name} --list-settings` to see every setting.");
    }

    /// <summary>
    /// This space with a user's YAML file applied. Each top-level key names a parameter: a mapping defines (or
    /// replaces) it, <c>off</c> removes it from the space; <c>defaults: false</c> starts from an empty space. A
    /// parameter's mapping has <c>type</c> (float, int or categorical), <c>low</c>/<c>high</c> and <c>log</c> (numbers),
    /// <c>choices</c> (categorical), optionally <c>transform: one_minus</c>, <c>sets: [keys]</c> and
    /// <c>when: {parameter: value or [values]}</c>.
    /// </summary>
    /// <exception cref="PolicyLabException">The file is not valid YAML or a definition is wrong (named, with the fix).</exception>
    public SearchSpace WithOverrides(string yaml, string source)
    {
        YamlStream stream = ConfigFile.Load(yaml, source);
        if (stream.Documents.Count == 0) return this;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PolicyLabException($"The search-space file '{source}' must be a mapping of parameter names to definitions, such as\n  learning_rate: {{type: float, low: 1.0e-5, high: 0.002, log: true}}");
        var parameters = Parameters.ToList();
        foreach ((YamlNode keyNode, YamlNode value) in root.Children)
        {
            string name = Scalar(keyNode, source, "a parameter name");
            if (name == "defaults")
            {
                if (Scalar(value, source, "defaults") is "false" or "off" or "no") parameters.Clear();
                continue;
            }
            parameters.RemoveAll(p => p.Name == name);
            if (value is YamlScalarNode { Value: "off" or "false" or "null" or "~" or "none" }) continue;
            if (value is not YamlMappingNode map)
                throw new PolicyLabException($"{source}, line {value.Start.Line}: '{name}' must be a mapping such as {{type: float, low: 0.1, high: 1}} (or off to remove it from the space).");
            parameters.Add(ParseParameter(name, map, source));
        }
        try
        {
            return new SearchSpace(parameters);
        }
        catch (PolicyLabException e)
        {
            throw new PolicyLabException($"{source}: {e.Message}", e);
        }
    }

    private static readonly string[] FieldNames = ["type", "low", "high", "log", "choices", "sets", "transform", "when"];

    private static SearchParameter ParseParameter(string name, YamlMappingNode map, string source)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach ((YamlNode k, YamlNode v) in map.Children)
        {
            string field = Scalar(k, source, "a field name");
            if (!FieldNames.Contains(field))
                throw new PolicyLabException($"{source}, line {k.Start.Line}: '{name}' has an unknown field '{field}'.{NameSuggestions.DidYouMean(field, FieldNames)} The fields are {string.Join(", ", FieldNames)}.");
            fields[field] = v;
        }
        string Where(string field) => fields.TryGetValue(field, out YamlNode? n) ? $"{source}, line {n.Start.Line}" : source;
        if (!fields.TryGetValue("type", out YamlNode? typeNode))
            throw new PolicyLabException($"{source}, line {map.Start.Line}: '{name}' needs a type (float, int or categorical).");
        string type = Scalar(typeNode, source, "type");
        double Number(string field)
        {
            if (!fields.TryGetValue(field, out YamlNode? n))
                throw new PolicyLabException($"{source}, line {map.Start.Line}: the {type} parameter '{name}' needs '{field}'.");
            string text = Scalar(n, source, field);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
                throw new PolicyLabException($"{Where(field)}: '{name}'.{field} = '{text}' is not a finite number.");
            return x;
        }
        IReadOnlyList<string> List(string field)
        {
            YamlNode n = fields[field];
            return n is YamlSequenceNode seq
                ? [.. seq.Children.Select(c => c is YamlSequenceNode inner
                    ? "[" + string.Join(", ", inner.Children.Select(i => Scalar(i, source, field))) + "]"
                    : Scalar(c, source, field))]
                : [Scalar(n, source, field)];
        }
        bool log = fields.TryGetValue("log", out YamlNode? logNode) && Scalar(logNode, source, "log") switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            string other => throw new PolicyLabException($"{Where("log")}: '{name}'.log = '{other}' must be true or false."),
        };
        ParameterTransform transform = !fields.TryGetValue("transform", out YamlNode? tNode) ? ParameterTransform.None
            : Scalar(tNode, source, "transform") switch
            {
                "none" => ParameterTransform.None,
                "one_minus" => ParameterTransform.OneMinus,
                string other => throw new PolicyLabException($"{Where("transform")}: '{name}'.transform = '{other}' must be none or one_minus (the setting is 1 − the sampled value)."),
            };
        string[] targets = fields.ContainsKey("sets") ? [.. List("sets")] : [];
        SearchParameter parameter;
        switch (type)
        {
            case "float":
            case "int":
                double low = Number("low"), high = Number("high");
                if (!(low < high))
                    throw new PolicyLabException($"{Where("low")}: '{name}' needs low < high (got low {low.ToString(CultureInfo.InvariantCulture)}, high {high.ToString(CultureInfo.InvariantCulture)}).");
                if (log && low <= 0)
                    throw new PolicyLabException($"{Where("low")}: '{name}' is log-uniform, so low must be > 0 (got {low.ToString(CultureInfo.InvariantCulture)}).");
                if (type == "int" && (low != Math.Floor(low) || high != Math.Floor(high)))
                    throw new PolicyLabException($"{Where("low")}: the int parameter '{name}' needs whole-number bounds.");
                if (type == "int" && transform != ParameterTransform.None)
                    throw new PolicyLabException($"{Where("transform")}: '{name}': transform applies to float parameters only.");
                parameter = type == "float"
                    ? SearchParameter.Float(name, low, high, log, transform, targets)
                    : SearchParameter.Int(name, (int)low, (int)high, log, targets);
                break;
            case "categorical":
                if (!fields.ContainsKey("choices"))
                    throw new PolicyLabException($"{source}, line {map.Start.Line}: the categorical parameter '{name}' needs 'choices: [a, b, …]'.");
                IReadOnlyList<string> choices = List("choices");
                if (choices.Count == 0 || choices.Distinct().Count() != choices.Count)
                    throw new PolicyLabException($"{Where("choices")}: '{name}' needs at least one choice and no repeated choice.");
                parameter = SearchParameter.Categorical(name, choices, targets);
                break;
            default:
                throw new PolicyLabException($"{Where("type")}: '{name}' has type '{type}'; the types are float, int and categorical.");
        }
        if (fields.TryGetValue("when", out YamlNode? whenNode))
        {
            if (whenNode is not YamlMappingNode { Children.Count: 1 } when)
                throw new PolicyLabException($"{Where("when")}: '{name}'.when must name one parameter and its value(s), such as when: {{regularization: entropy}}.");
            (YamlNode pk, YamlNode pv) = when.Children.First();
            string[] values = pv is YamlSequenceNode s ? [.. s.Children.Select(c => Scalar(c, source, "when"))] : [Scalar(pv, source, "when")];
            parameter = parameter.When(Scalar(pk, source, "when"), values);
        }
        return parameter;
    }

    private static string Scalar(YamlNode node, string source, string what) => node is YamlScalarNode { Value: string v }
        ? v : throw new PolicyLabException($"{source}, line {node.Start.Line}: {what} must be a single value here.");

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The space as canonical JSON (stored with a study; equal spaces give equal text).</summary>
    public string ToJson() => JsonSerializer.Serialize(Parameters, Json);

    /// <summary>Reads a space written by <see cref="ToJson"/>.</summary>
    /// <exception cref="PolicyLabException">The text is not such a space.</exception>
    public static SearchSpace FromJson(string json, string source)
    {
        try
        {
            return new SearchSpace(JsonSerializer.Deserialize<List<SearchParameter>>(json, Json)
                ?? throw new PolicyLabException($"{source}: the stored search space is empty."));
        }
        catch (JsonException e)
        {
            throw new PolicyLabException($"{source}: the stored search space cannot be read ({e.Message}); the study file is damaged or from another version.", e);
        }
    }

    /// <summary>One line per parameter.</summary>
    public override string ToString() => string.Join("\n", Parameters.Select(p => p.ToString()));
}
