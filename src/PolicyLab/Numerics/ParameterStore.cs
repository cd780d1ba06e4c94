namespace PolicyLab.Numerics;

/// <summary>
/// All trainable parameters of one network (or of several trained by one optimizer) in a single flat
/// float32 buffer, with a gradient buffer of the same layout. Optimizers, gradient clipping,
/// Fisher-vector products, evolution strategies and weight files all work on these flat spans.
/// </summary>
public sealed class ParameterStore
{
    private readonly List<Parameter> _parameters = [];
    private float[] _values = [];
    private float[] _gradients = [];

    /// <summary>Total number of scalar parameters.</summary>
    public int Count { get; private set; }

    /// <summary>The parameters, in the order they were added.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>All parameter values, flat.</summary>
    public Span<float> Values => _values.AsSpan(0, Count);

    /// <summary>All gradients, flat, in the same layout as <see cref="Values"/>.</summary>
    public Span<float> Gradients => _gradients.AsSpan(0, Count);

    internal float[] ValueArray => _values;
    internal float[] GradientArray => _gradients;

    /// <summary>Adds a zero-initialized parameter. Names must be unique within the store.</summary>
    /// <param name="name">Dot-separated name, e.g. <c>pi.0.weight</c>.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="storedTransposed">True for a matrix kept as [in, out] in memory but saved as
    /// [out, in] (the layout other frameworks use for linear-layer weights).</param>
    public Parameter Add(string name, Shape shape, bool storedTransposed = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (Parameter p in _parameters)
            if (p.Name == name)
                throw new ArgumentException($"A parameter named '{name}' already exists in this store.", nameof(name));
        // Start every parameter on a 64-byte boundary of the flat buffer (16 floats) for aligned SIMD.
        int offset = (Count + 15) & ~15;
        int end = offset + shape.Size;
        if (end > _values.Length)
        {
            int capacity = Math.Max(end, _values.Length * 2);
            Array.Resize(ref _values, capacity);
            Array.Resize(ref _gradients, capacity);
        }
        var parameter = new Parameter(this, name, shape, offset, storedTransposed);
        _parameters.Add(parameter);
        Count = end;
        return parameter;
    }

    /// <summary>Finds a parameter by name, or null.</summary>
    public Parameter? Find(string name)
    {
        foreach (Parameter p in _parameters)
            if (p.Name == name) return p;
        return null;
    }

    /// <summary>Largest parameter magnitude a usable network can hold: beyond it a value's square overflows float32, so no
    /// loss or optimizer step involving it can be finite.</summary>
    public const float MaxUsableMagnitude = 1.8e19f;

    /// <summary>
    /// The first parameter value that is NaN, infinite or beyond <see cref="MaxUsableMagnitude"/>, as
    /// "name[index] = value", or null when every value is usable.
    /// </summary>
    public string? FindUnusableValue()
    {
        foreach (Parameter p in _parameters)
        {
            Span<float> values = p.Value;
            for (int i = 0; i < values.Length; i++)
                if (!(Math.Abs(values[i]) < MaxUsableMagnitude))
                    return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Name}[{i}] = {values[i]}");
        }
        return null;
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients() => Gradients.Clear();

    /// <summary>Copies all values from a store with the same layout (e.g. into a target network).</summary>
    public void CopyFrom(ParameterStore source)
    {
        CheckSameLayout(source);
        source.Values.CopyTo(Values);
    }

    /// <summary>Throws unless <paramref name="other"/> has the same parameters in the same layout.</summary>
    public void CheckSameLayout(ParameterStore other)
    {
        if (other.Count != Count || other._parameters.Count != _parameters.Count)
            throw new ArgumentException("The two parameter stores have different layouts.");
        for (int i = 0; i < _parameters.Count; i++)
            if (_parameters[i].Shape != other._parameters[i].Shape || _parameters[i].Offset != other._parameters[i].Offset)
                throw new ArgumentException($"Parameter {i} differs: {_parameters[i]} vs {other._parameters[i]}.");
    }
}

/// <summary>A named view into a <see cref="ParameterStore"/>.</summary>
public sealed class Parameter
{
    internal Parameter(ParameterStore store, string name, Shape shape, int offset, bool storedTransposed)
    {
        Store = store;
        Name = name;
        Shape = shape;
        Offset = offset;
        StoredTransposed = storedTransposed;
    }

    /// <summary>The store holding this parameter.</summary>
    public ParameterStore Store { get; }

    /// <summary>Its unique name in the store.</summary>
    public string Name { get; }

    /// <summary>Its shape in memory.</summary>
    public Shape Shape { get; }

    /// <summary>Offset of its first element in the store's flat buffers.</summary>
    public int Offset { get; }

    /// <summary>Whether weight files hold this matrix transposed ([out, in]) relative to memory ([in, out]).</summary>
    public bool StoredTransposed { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>Its values.</summary>
    public Span<float> Value => Store.ValueArray.AsSpan(Offset, Length);

    /// <summary>Its gradient.</summary>
    public Span<float> Gradient => Store.GradientArray.AsSpan(Offset, Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}{Shape}";
}
