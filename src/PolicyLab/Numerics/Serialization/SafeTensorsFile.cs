using System.Collections.ObjectModel;

namespace PolicyLab.Numerics.Serialization;

/// <summary>The parsed content of a safetensors file: metadata and tensors, in header order.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensor> _byName;

    internal SafeTensorsFile(string sourceName, IReadOnlyDictionary<string, string> metadata, List<SafeTensor> tensors)
    {
        SourceName = sourceName;
        Metadata = metadata;
        Tensors = tensors.AsReadOnly();
        _byName = new Dictionary<string, SafeTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensor t in tensors)
            _byName.Add(t.Name, t);
    }

    /// <summary>The file name (or other label) used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>All tensors in the order the header lists them.</summary>
    public ReadOnlyCollection<SafeTensor> Tensors { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="PolicyLabException">The file has no such tensor.</exception>
    public SafeTensor this[string name] => TryGetTensor(name, out SafeTensor? t) ? t : throw MissingTensor(name);

    /// <summary>Whether the file has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks up a tensor by name.</summary>
    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafeTensor? tensor)
        => _byName.TryGetValue(name, out tensor);

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/> after checking its shape;
    /// see <see cref="SafeTensors.LoadInto"/>.</summary>
    public void LoadInto(string name, Span<float> destination, ReadOnlySpan<int> expectedShape)
        => SafeTensors.LoadInto(this, name, destination, expectedShape);

    internal PolicyLabException MissingTensor(string name)
    {
        const int MaxListed = 8;
        string held = Tensors.Count == 0
            ? "it holds no tensors"
            : "it holds " + string.Join(", ", Tensors.Take(MaxListed).Select(t => $"'{t.Name}'"))
                + (Tensors.Count > MaxListed ? $" and {Tensors.Count - MaxListed} more" : "");
        return new PolicyLabException(
            $"weights file '{SourceName}' has no tensor named '{name}' ({held}); the checkpoint was saved for a " +
            "different architecture or by a different program.");
    }
}
