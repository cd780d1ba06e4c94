namespace PolicyLab.Algorithms;

/// <summary>The named scalar results of one update (losses, entropy, approximate KL, …), in the order first set.</summary>
public sealed class UpdateDiagnostics
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Sets (or replaces) a value.</summary>
    public void Set(string name, double value)
    {
        if (!_values.ContainsKey(name)) _names.Add(name);
        _values[name] = value;
    }

    /// <summary>The names in first-set order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The value of <paramref name="name"/>.</summary>
    public double this[string name] => _values[name];

    /// <summary>Whether a value was set.</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        _names.Clear();
        _values.Clear();
    }
}
