namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// Named arrays that together describe a component's state (weights, optimizer moments, RNG states,
/// normalizer statistics, counters), saved as one safetensors file: float32 as F32, float64 as F64,
/// integers as I64 and RNG words as U64. Components write their state under a prefix of their own
/// (e.g. <c>policy.</c>, <c>optimizer.</c>) and read it back by the same names.
/// </summary>
public sealed class StateDictionary
{
    private readonly Dictionary<string, Array> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Free-form text entries stored in the file's metadata.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>The names, in insertion order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>Stores a copy of float32 values.</summary>
    public void Set(string name, ReadOnlySpan<float> values) => Put(name, values.ToArray());

    /// <summary>Stores a copy of float64 values.</summary>
    public void Set(string name, ReadOnlySpan<double> values) => Put(name, values.ToArray());

    /// <summary>Stores a copy of integer values.</summary>
    public void Set(string name, ReadOnlySpan<long> values) => Put(name, values.ToArray());

    /// <summary>Stores a copy of 64-bit words (RNG states).</summary>
    public void Set(string name, ReadOnlySpan<ulong> values) => Put(name, values.ToArray());

    /// <summary>Stores one integer.</summary>
    public void SetScalar(string name, long value) => Put(name, new[] { value });

    /// <summary>Stores one float64.</summary>
    public void SetScalar(string name, double value) => Put(name, new[] { value });

    /// <summary>Whether an entry exists.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Removes every entry whose name starts with <paramref name="prefix"/>; returns how many.</summary>
    public int RemoveWithPrefix(string prefix)
    {
        int removed = _order.RemoveAll(n => n.StartsWith(prefix, StringComparison.Ordinal));
        foreach (string name in _entries.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList()) _entries.Remove(name);
        return removed;
    }

    /// <summary>Copies float32 values into <paramref name="destination"/>, which must have the saved length.</summary>
    public void Read(string name, Span<float> destination) => Get<float>(name, destination.Length).CopyTo(destination);

    /// <summary>Copies float64 values into <paramref name="destination"/>, which must have the saved length.</summary>
    public void Read(string name, Span<double> destination) => Get<double>(name, destination.Length).CopyTo(destination);

    /// <summary>Copies integers into <paramref name="destination"/>, which must have the saved length.</summary>
    public void Read(string name, Span<long> destination) => Get<long>(name, destination.Length).CopyTo(destination);

    /// <summary>The saved 64-bit words.</summary>
    public ulong[] ReadWords(string name) => Get<ulong>(name, -1);

    /// <summary>The saved float32 array.</summary>
    public float[] ReadFloats(string name) => Get<float>(name, -1);

    /// <summary>The saved float64 array.</summary>
    public double[] ReadDoubles(string name) => Get<double>(name, -1);

    /// <summary>One saved integer.</summary>
    public long ReadScalarInt64(string name) => Get<long>(name, 1)[0];

    /// <summary>One saved float64.</summary>
    public double ReadScalarDouble(string name) => Get<double>(name, 1)[0];

    /// <summary>Writes the dictionary atomically as a safetensors file.</summary>
    public void Save(string path) => SafeTensors.Write(path, Tensors(), Metadata);

    /// <summary>The dictionary as the bytes of a safetensors file (e.g. to send an environment's state to another process).</summary>
    public byte[] ToBytes() => SafeTensors.Serialize(Tensors(), Metadata);

    private List<NamedTensor> Tensors()
    {
        var tensors = new List<NamedTensor>(_order.Count);
        foreach (string name in _order)
        {
            tensors.Add(_entries[name] switch
            {
                float[] f => NamedTensor.F32(name, [f.Length], f),
                double[] d => NamedTensor.F64(name, [d.Length], d),
                long[] l => NamedTensor.I64(name, [l.Length], l),
                ulong[] u => NamedTensor.U64(name, [u.Length], u),
                _ => throw new InvalidOperationException($"Unsupported state entry type for '{name}'."),
            });
        }
        return tensors;
    }

    /// <summary>Reads a dictionary saved by <see cref="Save"/>.</summary>
    /// <exception cref="PolicyLabException">The file is missing or damaged.</exception>
    public static StateDictionary Load(string path) => From(SafeTensors.Read(path), path);

    /// <summary>Reads a dictionary written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="PolicyLabException">The bytes are damaged.</exception>
    public static StateDictionary FromBytes(ReadOnlySpan<byte> bytes, string sourceName) => From(SafeTensors.Read(bytes, sourceName), sourceName);

    private static StateDictionary From(SafeTensorsFile file, string path)
    {
        var state = new StateDictionary();
        foreach (KeyValuePair<string, string> kv in file.Metadata) state.Metadata[kv.Key] = kv.Value;
        foreach (SafeTensor t in file.Tensors)
        {
            Array values = t.DType switch
            {
                SafeTensorDType.F32 => t.ToFloat32(),
                SafeTensorDType.F64 => t.ToFloat64(),
                SafeTensorDType.I64 => t.ToInt64(),
                SafeTensorDType.U64 => t.ToUInt64(),
                _ => throw new PolicyLabException($"State file '{path}' holds tensor '{t.Name}' of type {t.DType}, which PolicyLab never writes; the file was not written by PolicyLab."),
            };
            state.Put(t.Name, values);
        }
        return state;
    }

    private void Put(string name, Array values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_entries.ContainsKey(name)) _order.Add(name);
        _entries[name] = values;
    }

    private T[] Get<T>(string name, int expectedLength)
    {
        if (!_entries.TryGetValue(name, out Array? values))
            throw new PolicyLabException($"The saved state has no entry '{name}'; it was written by a different algorithm or version.");
        if (values is not T[] typed)
            throw new PolicyLabException($"The saved entry '{name}' holds {values.GetType().GetElementType()?.Name} values, not {typeof(T).Name}.");
        if (expectedLength >= 0 && typed.Length != expectedLength)
            throw new PolicyLabException($"The saved entry '{name}' has {typed.Length} values where {expectedLength} are needed; it was saved for a different configuration.");
        return typed;
    }
}
