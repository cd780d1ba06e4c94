using PolicyLab.Numerics;

namespace PolicyLab.Environments.Spaces;

/// <summary>One entry of a <see cref="DictSpace"/> or <see cref="TupleSpace"/>: its name (the key, or the index as text),
/// its space and where its floats start in the flat value.</summary>
/// <param name="Name">The key of a Dict entry, the position ("0", "1", …) of a Tuple entry.</param>
/// <param name="Space">The entry's space (itself possibly a Dict or Tuple).</param>
/// <param name="Offset">Index of the entry's first float in the flat value.</param>
/// <param name="EncodedOffset">Index of the entry's first float in the network encoding.</param>
public readonly record struct SpaceEntry(string Name, Space Space, int Offset, int EncodedOffset);

/// <summary>
/// A space made of named sub-spaces (Gymnasium's <c>Dict</c> and <c>Tuple</c>). Its flat value is the entries' flat
/// values one after another in entry order, so vector environments, buffers and normalizers handle it as they handle a
/// vector; its encoding concatenates the entries' encodings. Networks find the entries with <see cref="Entries"/>.
/// </summary>
public abstract class CompositeSpace : Space
{
    private readonly SpaceEntry[] _entries;

    /// <summary>Lays out the entries in the given order.</summary>
    private protected CompositeSpace(IReadOnlyList<(string Name, Space Space)> entries) : base([TotalSize(entries)])
    {
        _entries = new SpaceEntry[entries.Count];
        int offset = 0, encoded = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            _entries[i] = new SpaceEntry(entries[i].Name, entries[i].Space, offset, encoded);
            offset += entries[i].Space.FlatSize;
            encoded += entries[i].Space.EncodedSize;
        }
        EncodedSize = encoded;
    }

    private static int TotalSize(IReadOnlyList<(string Name, Space Space)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
            throw new PolicyLabException("A Dict or Tuple space needs at least one entry.");
        int size = 0;
        foreach ((string name, Space space) in entries)
        {
            if (space is null)
                throw new PolicyLabException($"The entry '{name}' of a Dict or Tuple space has no space.");
            size = checked(size + space.FlatSize);
        }
        return size;
    }

    /// <summary>The entries in flat order.</summary>
    public IReadOnlyList<SpaceEntry> Entries => _entries;

    /// <inheritdoc />
    public override int EncodedSize { get; }

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such entry.</exception>
    public SpaceEntry this[string name] =>
        Array.Find(_entries, e => e.Name == name) is { Space: not null } entry ? entry
            : throw new KeyNotFoundException($"{this} has no entry '{name}'; it has {string.Join(", ", _entries.Select(e => e.Name))}.");

    /// <summary>The floats of entry <paramref name="name"/> inside a flat value.</summary>
    public ReadOnlySpan<float> Slice(ReadOnlySpan<float> value, string name)
    {
        SpaceEntry entry = this[name];
        return value.Slice(entry.Offset, entry.Space.FlatSize);
    }

    /// <summary>The floats of entry <paramref name="name"/> inside a flat value, writable.</summary>
    public Span<float> Slice(Span<float> value, string name)
    {
        SpaceEntry entry = this[name];
        return value.Slice(entry.Offset, entry.Space.FlatSize);
    }

    /// <inheritdoc />
    public override bool Contains(ReadOnlySpan<float> value) => value.Length == FlatSize && FirstOutside(value) is null;

    /// <summary>The path of the first (innermost) entry whose part of <paramref name="value"/> lies outside its space,
    /// e.g. <c>desired_goal</c> or <c>sensors.1</c>, or null when every entry holds.</summary>
    public string? FirstOutside(ReadOnlySpan<float> value)
    {
        foreach (SpaceEntry entry in _entries)
        {
            ReadOnlySpan<float> part = value.Slice(entry.Offset, entry.Space.FlatSize);
            if (entry.Space is CompositeSpace inner)
            {
                if (inner.FirstOutside(part) is string path) return $"{entry.Name}.{path}";
            }
            else if (!entry.Space.Contains(part))
            {
                return entry.Name;
            }
        }
        return null;
    }

    /// <summary>Every leaf (non-composite) entry with its path and flat offset, depth first.</summary>
    public IEnumerable<(string Path, Space Space, int Offset)> Leaves()
    {
        foreach (SpaceEntry entry in _entries)
        {
            if (entry.Space is CompositeSpace inner)
            {
                foreach ((string path, Space space, int offset) in inner.Leaves())
                    yield return ($"{entry.Name}.{path}", space, entry.Offset + offset);
            }
            else
            {
                yield return (entry.Name, entry.Space, entry.Offset);
            }
        }
    }

    /// <inheritdoc />
    public override void Sample(Rng rng, Span<float> destination)
    {
        CheckLength(destination, FlatSize, nameof(destination));
        foreach (SpaceEntry entry in _entries)
            entry.Space.Sample(rng, destination.Slice(entry.Offset, entry.Space.FlatSize));
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<float> value, Span<float> destination)
    {
        CheckLength(value, FlatSize, nameof(value));
        CheckLength(destination, EncodedSize, nameof(destination));
        foreach (SpaceEntry entry in _entries)
            entry.Space.Encode(value.Slice(entry.Offset, entry.Space.FlatSize), destination.Slice(entry.EncodedOffset, entry.Space.EncodedSize));
    }
}

/// <summary>
/// Named sub-spaces (Gymnasium's <c>Dict</c>), e.g. a goal-conditioned task's <c>observation</c>, <c>achieved_goal</c>
/// and <c>desired_goal</c>. As Gymnasium does, the entries are kept in sorted key order (ordinal), which is also the
/// order of their floats in the flat value.
/// </summary>
public sealed class DictSpace : CompositeSpace
{
    /// <summary>Creates the space; the keys are sorted.</summary>
    /// <exception cref="PolicyLabException">No entry, an empty or repeated key, or a missing space.</exception>
    public DictSpace(params (string Key, Space Space)[] entries) : base(Sorted(entries)) { }

    /// <summary>Creates the space from a dictionary; the keys are sorted.</summary>
    public DictSpace(IReadOnlyDictionary<string, Space> entries)
        : this([.. (entries ?? throw new ArgumentNullException(nameof(entries))).Select(p => (p.Key, p.Value))]) { }

    private static (string, Space)[] Sorted((string Key, Space Space)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach ((string key, _) in entries)
            if (string.IsNullOrEmpty(key) || key.Contains('.', StringComparison.Ordinal))
                throw new PolicyLabException($"Dict space keys must be non-empty and contain no '.'; got '{key}'.");
        string? repeated = entries.GroupBy(e => e.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (repeated is not null)
            throw new PolicyLabException($"The Dict space has the key '{repeated}' twice; keys must be unique.");
        return [.. entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Space))];
    }

    /// <summary>Formats as <c>Dict('a': Box(…), 'b': Discrete(3))</c>, as Gymnasium prints it.</summary>
    public override string ToString() => $"Dict({string.Join(", ", Entries.Select(e => $"'{e.Name}': {e.Space}"))})";
}

/// <summary>Sub-spaces by position (Gymnasium's <c>Tuple</c>); entry i is named "i".</summary>
public sealed class TupleSpace : CompositeSpace
{
    /// <summary>Creates the space.</summary>
    /// <exception cref="PolicyLabException">No entry, or a missing space.</exception>
    public TupleSpace(params Space[] spaces)
        : base([.. (spaces ?? throw new ArgumentNullException(nameof(spaces))).Select((s, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), s))]) { }

    /// <summary>Formats as <c>Tuple(Box(…), Discrete(3))</c>.</summary>
    public override string ToString() => $"Tuple({string.Join(", ", Entries.Select(e => e.Space))})";
}
