using System.Globalization;

namespace PolicyLab.MuJoCo;

/// <summary>Reads Gymnasium keyword arguments of the MuJoCo tasks from the registry's argument dictionary.</summary>
internal sealed class MuJoCoArguments(IReadOnlyDictionary<string, object> arguments, string id)
{
    public bool Has(string name) => arguments.ContainsKey(name);

    public double Double(string name) => arguments[name] switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        string s when TryParse(s, out double parsed) => parsed,
        var other => throw WrongType(name, "a number", other),
    };

    public int Int(string name)
    {
        double value = Double(name);
        if (value != Math.Floor(value) || value < 1 || value > 1000)
            throw WrongType(name, "a whole number from 1 to 1000", arguments[name]);
        return (int)value;
    }

    public bool Bool(string name) => arguments[name] switch
    {
        bool b => b,
        string s when bool.TryParse(s, out bool parsed) => parsed,
        var other => throw WrongType(name, "true or false", other),
    };

    public string Text(string name) => arguments[name] switch
    {
        string s => s,
        var other => throw WrongType(name, "a string", other),
    };

    /// <summary>A (low, high) pair: a two-element array, or text "low,high" ("inf" allowed).</summary>
    public (double Low, double High) Range(string name)
    {
        object value = arguments[name];
        double[]? pair = value switch
        {
            double[] d => d,
            float[] f => [.. f.Select(v => (double)v)],
            int[] i => [.. i.Select(v => (double)v)],
            string s => s.Trim('(', ')', '[', ']', ' ').Split(',') is { Length: 2 } parts && TryParse(parts[0], out double a) && TryParse(parts[1], out double b) ? [a, b] : null,
            IEnumerable<object> e => e.Select(o => o is string t && TryParse(t, out double x) ? x : Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray(),
            _ => null,
        };
        if (pair is not { Length: 2 } || double.IsNaN(pair[0]) || double.IsNaN(pair[1]) || pair[0] > pair[1])
            throw WrongType(name, "a range of two numbers low ≤ high (e.g. [0.7, inf] or \"0.7,inf\")", value);
        return (pair[0], pair[1]);
    }

    /// <summary>A non-negative finite weight.</summary>
    public double Weight(string name)
    {
        double value = Double(name);
        if (!double.IsFinite(value))
            throw WrongType(name, "a finite number", arguments[name]);
        return value;
    }

    private static bool TryParse(string text, out double value)
    {
        string t = text.Trim();
        if (t is "inf" or "+inf" or "np.inf") { value = double.PositiveInfinity; return true; }
        if (t is "-inf" or "-np.inf") { value = double.NegativeInfinity; return true; }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private PolicyLabException WrongType(string name, string expected, object? value) =>
        new($"{id}: the argument '{name}' must be {expected}; got '{value}' ({value?.GetType().Name ?? "null"}). Pass a value of the expected type.");
}
