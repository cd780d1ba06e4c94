namespace PolicyLab.Environments;

/// <summary>
/// A reusable set of named numbers describing the latest reset or step (Gymnasium's <c>info</c> dictionary, restricted
/// to numbers so that it never allocates per step).
/// </summary>
/// <remarks>
/// Environments and wrappers call <see cref="Set"/> with string literals; the slots are kept between steps, so once a
/// name has been seen, setting it again costs a short scan and no allocation. <see cref="Clear"/> forgets the values,
/// not the slots. Well-known names are listed in <see cref="InfoKeys"/>.
/// </remarks>
public sealed class EnvironmentInfo
{
    private string[] _names = new string[4];
    private double[] _values = new double[4];
    private bool[] _present = new bool[4];
    private int _slots;

    /// <summary>Number of values currently set.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _slots; i++)
                count += _present[i] ? 1 : 0;
            return count;
        }
    }

    /// <summary>Forgets every value (keeps the slots for reuse).</summary>
    public void Clear()
    {
        if (_slots != 0)
            Array.Clear(_present, 0, _slots);
    }

    /// <summary>Sets a named value, replacing an earlier value of the same name.</summary>
    public void Set(string name, double value)
    {
        int slot = FindSlot(name);
        if (slot < 0)
            slot = AddSlot(name);
        _values[slot] = value;
        _present[slot] = true;
    }

    /// <summary>Removes a named value if present.</summary>
    public void Remove(string name)
    {
        int slot = FindSlot(name);
        if (slot >= 0)
            _present[slot] = false;
    }

    /// <summary>Gets a named value if it was set since the last clear.</summary>
    public bool TryGetValue(string name, out double value)
    {
        int slot = FindSlot(name);
        if (slot >= 0 && _present[slot])
        {
            value = _values[slot];
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>True when the named value was set since the last clear.</summary>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>Gets a named value.</summary>
    /// <exception cref="KeyNotFoundException">The value is not set.</exception>
    public double this[string name] =>
        TryGetValue(name, out double value) ? value : throw new KeyNotFoundException($"The info has no value named '{name}'. It has: {string.Join(", ", Names)}.");

    /// <summary>The names currently set (allocates; for diagnostics).</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var names = new List<string>();
            for (int i = 0; i < _slots; i++)
            {
                if (_present[i])
                    names.Add(_names[i]);
            }
            return names;
        }
    }

    /// <summary>Copies every set value of <paramref name="source"/> into this info.</summary>
    public void CopyFrom(EnvironmentInfo source)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (int i = 0; i < source._slots; i++)
        {
            if (source._present[i])
                Set(source._names[i], source._values[i]);
        }
    }

    private int FindSlot(string name)
    {
        for (int i = 0; i < _slots; i++)
        {
            if (ReferenceEquals(_names[i], name))
                return i;
        }
        for (int i = 0; i < _slots; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private int AddSlot(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_slots == _names.Length)
        {
            Array.Resize(ref _names, _slots * 2);
            Array.Resize(ref _values, _slots * 2);
            Array.Resize(ref _present, _slots * 2);
        }
        _names[_slots] = name;
        return _slots++;
    }
}

/// <summary>Names of the info values set by PolicyLab's environments and wrappers.</summary>
public static class InfoKeys
{
    /// <summary>Set by <see cref="Wrappers.EpisodeStatistics"/> on the step that ends an episode: the undiscounted return.</summary>
    public const string EpisodeReturn = "episode.return";

    /// <summary>Set by <see cref="Wrappers.EpisodeStatistics"/> on the step that ends an episode: the number of steps.</summary>
    public const string EpisodeLength = "episode.length";

    /// <summary>Set by <see cref="Wrappers.TimeLimit"/> on the step where the limit truncated the episode (value 1).</summary>
    public const string TimeLimitTruncated = "time_limit.truncated";

    /// <summary>Set by the bandit environment: the expected reward of the arm just pulled.</summary>
    public const string ArmMean = "bandit.arm_mean";

    /// <summary>Set by the bandit environment: the regret of the arm just pulled (best mean minus its mean).</summary>
    public const string Regret = "bandit.regret";
}
