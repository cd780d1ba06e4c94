using System.Globalization;

namespace PolicyLab.Tuning;

/// <summary>The kind of values a search parameter takes.</summary>
public enum ParameterKind
{
    /// <summary>A real number in [low, high] (log-uniform when <see cref="SearchParameter.Log"/>).</summary>
    Float,
    /// <summary>An integer in [low, high] (log-uniform when <see cref="SearchParameter.Log"/>).</summary>
    Int,
    /// <summary>One of a list of choices (the text of a setting's value).</summary>
    Categorical,
}

/// <summary>How a sampled number becomes the value of the settings it sets.</summary>
public enum ParameterTransform
{
    /// <summary>The setting is the sampled number.</summary>
    None,
    /// <summary>The setting is 1 − the sampled number (RL Zoo samples 1 − γ and 1 − λ log-uniformly).</summary>
    OneMinus,
}

/// <summary>
/// One dimension of a search space. Samplers see its <em>internal</em> value: the number itself for
/// <see cref="ParameterKind.Float"/> and <see cref="ParameterKind.Int"/>, the index of the choice for
/// <see cref="ParameterKind.Categorical"/>. <see cref="SettingText"/> turns it into the text every setting in
/// <see cref="Targets"/> is set to. A conditional parameter (<see cref="WhenParameter"/>) exists in a trial only
/// when that (unconditional, categorical) parameter took one of <see cref="WhenValues"/>.
/// </summary>
/// <param name="Name">Its name (the setting's key unless <paramref name="Targets"/> says otherwise).</param>
/// <param name="Kind">Float, integer or categorical.</param>
/// <param name="Low">Lower bound (numeric kinds).</param>
/// <param name="High">Upper bound (numeric kinds).</param>
/// <param name="Log">Sample the logarithm uniformly (numeric kinds; needs low &gt; 0).</param>
/// <param name="Choices">The choices (categorical).</param>
/// <param name="Targets">The settings it sets (usually just <paramref name="Name"/>).</param>
/// <param name="Transform">How the sampled number maps to the settings.</param>
/// <param name="WhenParameter">The parameter this one depends on, or null.</param>
/// <param name="WhenValues">The values of <paramref name="WhenParameter"/> for which this one exists.</param>
public sealed record SearchParameter(string Name, ParameterKind Kind, double Low, double High, bool Log,
    IReadOnlyList<string> Choices, IReadOnlyList<string> Targets, ParameterTransform Transform = ParameterTransform.None,
    string? WhenParameter = null, IReadOnlyList<string>? WhenValues = null)
{
    /// <summary>A real parameter in [low, high].</summary>
    public static SearchParameter Float(string name, double low, double high, bool log = false,
        ParameterTransform transform = ParameterTransform.None, params string[] targets) =>
        new(name, ParameterKind.Float, low, high, log, [], targets.Length > 0 ? targets : [name], transform);

    /// <summary>An integer parameter in [low, high].</summary>
    public static SearchParameter Int(string name, int low, int high, bool log = false, params string[] targets) =>
        new(name, ParameterKind.Int, low, high, log, [], targets.Length > 0 ? targets : [name]);

    /// <summary>A categorical parameter.</summary>
    public static SearchParameter Categorical(string name, IReadOnlyList<string> choices, params string[] targets) =>
        new(name, ParameterKind.Categorical, 0, choices.Count - 1, false, choices, targets.Length > 0 ? targets : [name]);

    /// <summary>This parameter, existing only when <paramref name="parent"/> takes one of <paramref name="values"/>.</summary>
    public SearchParameter When(string parent, params string[] values) => this with { WhenParameter = parent, WhenValues = values };

    /// <summary>Whether the parameter exists given the values sampled so far (name → setting text).</summary>
    public bool IsActive(IReadOnlyDictionary<string, string> sampled) =>
        WhenParameter is null || (sampled.TryGetValue(WhenParameter, out string? v) && (WhenValues ?? []).Contains(v));

    /// <summary>
    /// The interval a Parzen estimator or a uniform sampler works in: [low, high] (its logarithm when <see cref="Log"/>),
    /// widened by ½ on each side for integers so that every integer has the same share; [−½, K − ½] for K choices.
    /// </summary>
    public (double Low, double High) SamplingInterval => Kind switch
    {
        ParameterKind.Float => Log ? (Math.Log(Low), Math.Log(High)) : (Low, High),
        ParameterKind.Int => Log ? (Math.Log(Low - 0.5), Math.Log(High + 0.5)) : (Low - 0.5, High + 0.5),
        _ => (-0.5, Choices.Count - 0.5),
    };

    /// <summary>Maps a point of <see cref="SamplingInterval"/> to the internal value (an integer or a choice's index is rounded).</summary>
    public double FromSamplingSpace(double u)
    {
        (double a, double b) = SamplingInterval;
        u = Math.Clamp(u, a, b);
        double x = Log ? Math.Exp(u) : u;
        return Kind switch
        {
            ParameterKind.Float => Math.Clamp(x, Low, High),
            ParameterKind.Int => Math.Clamp(Math.Round(x, MidpointRounding.AwayFromZero), Low, High),
            _ => Math.Clamp(Math.Round(u, MidpointRounding.AwayFromZero), 0, Choices.Count - 1),
        };
    }

    /// <summary>The internal value in the sampling space (its logarithm when <see cref="Log"/>).</summary>
    public double ToSamplingSpace(double value) => Log ? Math.Log(value) : value;

    /// <summary>The text that every target setting is set to for internal value <paramref name="value"/>.</summary>
    public string SettingText(double value) => Kind switch
    {
        ParameterKind.Categorical => Choices[(int)value],
        ParameterKind.Int => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => (Transform == ParameterTransform.OneMinus ? 1 - value : value).ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A one-line description (<c>learning_rate: log-uniform [1e-05, 0.002]</c>).</summary>
    public override string ToString()
    {
        string range = Kind switch
        {
            ParameterKind.Categorical => "one of {" + string.Join(", ", Choices) + "}",
            _ => string.Create(CultureInfo.InvariantCulture, $"{(Log ? "log-uniform " : "uniform ")}{(Kind == ParameterKind.Int ? "integer " : "")}[{Low}, {High}]"),
        };
        string transform = Transform == ParameterTransform.OneMinus ? $" (sets {string.Join(", ", Targets)} = 1 − x)" :
            Targets.Count != 1 || Targets[0] != Name ? $" (sets {string.Join(", ", Targets)})" : "";
        string when = WhenParameter is null ? "" : $" when {WhenParameter} is {string.Join(" or ", WhenValues ?? [])}";
        return $"{Name}: {range}{transform}{when}";
    }
}
