using System.Globalization;
using System.Reflection;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Configuration;

/// <summary>
/// A set of named, typed settings (an algorithm's hyperparameters, a run's settings). Properties
/// marked with <see cref="HyperparameterAttribute"/> can be set from text (YAML files, the command
/// line) by their snake_case key; <see cref="Validate()"/> lists values out of range in plain words.
/// </summary>
/// <remarks>
/// Value syntax: numbers in invariant culture; booleans <c>true/false</c>; lists <c>[64, 64]</c> or
/// <c>64,64</c>; enums by snake_case or PascalCase name; schedules as a number (constant),
/// <c>lin_0.001</c> (linear from 0.001 to 0, as RL Zoo writes it) or <c>linear(0.001, 0.0001)</c>.
/// </remarks>
public abstract class Hyperparameters
{
    private readonly Dictionary<string, (PropertyInfo Property, HyperparameterAttribute Attribute)> _keys;

    /// <summary>Discovers the marked properties.</summary>
    protected Hyperparameters()
    {
        _keys = new(StringComparer.Ordinal);
        foreach (PropertyInfo p in GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.GetCustomAttribute<HyperparameterAttribute>() is { } attribute)
                _keys[attribute.Key] = (p, attribute);
    }

    /// <summary>All keys, in declaration order.</summary>
    public IEnumerable<string> Keys => _keys.Keys;

    /// <summary>Whether <paramref name="key"/> names a setting.</summary>
    public bool Has(string key) => _keys.ContainsKey(key);

    /// <summary>The one-line description of <paramref name="key"/>.</summary>
    public string Describe(string key) => _keys[key].Attribute.Description;

    /// <summary>Sets <paramref name="key"/> from text.</summary>
    /// <exception cref="PolicyLabException">The key is unknown or the text is not a valid value.</exception>
    public void Set(string key, string text)
    {
        if (!_keys.TryGetValue(key, out var entry))
            throw new PolicyLabException($"Unknown setting '{key}'.{NameSuggestions.DidYouMean(key, _keys.Keys)}");
        object value;
        try
        {
            value = IsNullableText(entry.Property) && (text.Trim() is "" or "null" or "none" or "None" or "~")
                ? null! // a `string?` setting: null is written as "null" and must read back as null
                : Parse(entry.Property.PropertyType, text.Trim());
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new PolicyLabException($"Setting '{key}' = '{text}' is not a valid {Describe(entry.Property.PropertyType)}: {e.Message}");
        }
        entry.Property.SetValue(this, value);
    }

    /// <summary>The current value of <paramref name="key"/> as text that <see cref="Set"/> accepts.</summary>
    public string Get(string key) => Format(_keys[key].Property.GetValue(this));

    /// <summary>All settings as key → text, in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToList() =>
        _keys.Select(k => new KeyValuePair<string, string>(k.Key, Get(k.Key))).ToList();

    /// <summary>Problems with the current values, in plain words (empty when all are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Validate(errors);
        return errors;
    }

    /// <summary>Throws a <see cref="PolicyLabException"/> listing every invalid value.</summary>
    public void ThrowIfInvalid(string what)
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
            throw new PolicyLabException($"Invalid {what}: {string.Join("; ", errors)}.");
    }

    /// <summary>Adds a message to <paramref name="errors"/> for each value out of range.</summary>
    protected abstract void Validate(List<string> errors);

    /// <summary>Checks a value against an interval; adds a plain-words error when outside.</summary>
    protected static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition) errors.Add(message);
    }

    private static string Describe(Type t) =>
        t == typeof(Schedule) ? "number or schedule (e.g. 0.0003, lin_0.001, linear(0.001, 0))"
        : t.IsEnum ? $"choice ({string.Join(", ", Enum.GetNames(t).Select(SnakeCase))})"
        : t == typeof(int[]) ? "list of whole numbers (e.g. [64, 64])"
        : t == typeof(float[]) ? "list of numbers (e.g. [2.4, 24])"
        : t == typeof(int) || t == typeof(long) ? "whole number"
        : t == typeof(bool) ? "boolean (true or false)"
        : t == typeof(string) ? "text"
        : "number";

    private static bool IsNullableText(PropertyInfo property) =>
        property.PropertyType == typeof(string) && new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;

    private static object Parse(Type t, string text)
    {
        var inv = CultureInfo.InvariantCulture;
        Type? nullable = Nullable.GetUnderlyingType(t);
        if (nullable is not null)
            return text is "" or "null" or "none" or "None" or "~" ? null! : Parse(nullable, text);
        if (t == typeof(string)) return text;
        if (t == typeof(int)) return (int)WholeNumber.Parse(text, int.MinValue, int.MaxValue);
        if (t == typeof(long)) return WholeNumber.Parse(text, -WholeNumber.MaxExact, WholeNumber.MaxExact);
        // A plain number may be written ±Infinity on purpose (max_grad_norm=Infinity: no clipping; each setting's
        // validation says where that is meaningless), but never NaN or a literal that overflows (1e400).
        if (t == typeof(float)) return IsInfinityLiteral(text) ? float.Parse(text, NumberStyles.Float, inv) : Finite(float.Parse(text, NumberStyles.Float, inv), text);
        if (t == typeof(double)) return IsInfinityLiteral(text) ? double.Parse(text, NumberStyles.Float, inv) : Finite(double.Parse(text, NumberStyles.Float, inv), text);
        if (t == typeof(bool))
            return text.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" => true,
                "false" or "no" or "0" => false,
                _ => throw new FormatException("expected true or false"),
            };
        if (t == typeof(int[]))
        {
            string inner = text.Trim('[', ']', '(', ')', ' ');
            return inner.Length == 0 ? Array.Empty<int>()
                : inner.Split(',', StringSplitOptions.TrimEntries).Select(s => (int)WholeNumber.Parse(s, int.MinValue, int.MaxValue)).ToArray();
        }
        if (t == typeof(float[]))
        {
            string inner = text.Trim('[', ']', '(', ')', ' ');
            return inner.Length == 0 ? Array.Empty<float>()
                : inner.Split(',', StringSplitOptions.TrimEntries).Select(s => Finite(float.Parse(s, NumberStyles.Float, inv), s)).ToArray();
        }
        if (t == typeof(Schedule)) return ParseSchedule(text);
        if (t.IsEnum)
        {
            foreach (string name in Enum.GetNames(t))
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase) || string.Equals(SnakeCase(name), text, StringComparison.OrdinalIgnoreCase))
                    return Enum.Parse(t, name);
            throw new FormatException($"expected one of {string.Join(", ", Enum.GetNames(t).Select(SnakeCase))}");
        }
        throw new InvalidOperationException($"Unsupported hyperparameter type {t.Name}.");
    }

    private static bool IsInfinityLiteral(string text) =>
        text.TrimStart('+', '-') is "Infinity" or "infinity" or "inf" or "Inf" or "∞";

    private static float Finite(float value, string text) =>
        float.IsFinite(value) ? value : throw new FormatException($"'{text}' is not a finite number (it is beyond ±3.4e38, or Infinity/NaN)");

    private static double Finite(double value, string text) =>
        double.IsFinite(value) ? value : throw new FormatException($"'{text}' is not a finite number (it is beyond ±1.8e308, or Infinity/NaN)");

    /// <summary>Parses a schedule: a number, <c>lin_X</c> or <c>linear(X, Y)</c>.</summary>
    public static Schedule ParseSchedule(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        string t = text.Trim();
        if (t.StartsWith("lin_", StringComparison.OrdinalIgnoreCase))
            return Schedule.Linear(Finite(float.Parse(t[4..], NumberStyles.Float, inv), t), 0f);
        if (t.StartsWith("linear(", StringComparison.OrdinalIgnoreCase) && t.EndsWith(')'))
        {
            string[] parts = t[7..^1].Split(',', StringSplitOptions.TrimEntries);
            return parts.Length switch
            {
                1 => Schedule.Linear(Finite(float.Parse(parts[0], NumberStyles.Float, inv), t), 0f),
                2 => Schedule.Linear(Finite(float.Parse(parts[0], NumberStyles.Float, inv), t), Finite(float.Parse(parts[1], NumberStyles.Float, inv), t)),
                _ => throw new FormatException("linear(start, end) takes one or two numbers"),
            };
        }
        return Schedule.Constant(Finite(float.Parse(t, NumberStyles.Float, inv), t));
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        int[] list => "[" + string.Join(", ", list.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]",
        float[] list => "[" + string.Join(", ", list.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "]",
        ConstantSchedule c => c.Value.ToString("R", CultureInfo.InvariantCulture),
        LinearSchedule l => $"linear({l.Start.ToString("R", CultureInfo.InvariantCulture)}, {l.End.ToString("R", CultureInfo.InvariantCulture)})",
        Enum e => SnakeCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>PascalCase → snake_case.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
