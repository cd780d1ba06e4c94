namespace PolicyLab.Numerics.Modules;

/// <summary>A run of columns of a flat observation and what reads it: an extractor, or nobody (the columns pass as they are).</summary>
/// <param name="Name">The entry (or entries) the columns hold, for messages.</param>
/// <param name="Offset">First column.</param>
/// <param name="Length">Columns.</param>
/// <param name="Extractor">Reads the columns (its <see cref="IFeatureExtractor.Inputs"/> equals <paramref name="Length"/>), or null.</param>
public readonly record struct ObservationPart(string Name, int Offset, int Length, IFeatureExtractor? Extractor)
{
    /// <summary>Floats this part contributes to the features.</summary>
    public int Features => Extractor?.Features ?? Length;
}

/// <summary>
/// SB3's CombinedExtractor for Dict and Tuple observations: the flat observation is cut into parts (one per image entry,
/// one per run of vector entries), each image part goes through its own extractor (a CNN), vector parts pass as they
/// are, and the results are concatenated in the parts' order: features = [f₀(x[parts₀]), f₁(x[parts₁]), …].
/// </summary>
public sealed class CombinedExtractor : IFeatureExtractor
{
    private readonly ObservationPart[] _parts;
    private float[] _partInputs = [], _partFeatures = [];

    /// <summary>Joins <paramref name="parts"/>, which must tile the observation's columns in order.</summary>
    /// <exception cref="ArgumentException">The parts leave a gap, overlap, or an extractor's width is not its part's.</exception>
    public CombinedExtractor(IReadOnlyList<ObservationPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("A combined extractor needs at least one part.", nameof(parts));
        int column = 0;
        foreach (ObservationPart part in parts)
        {
            if (part.Offset != column || part.Length <= 0)
                throw new ArgumentException($"The part '{part.Name}' covers columns [{part.Offset}, {part.Offset + part.Length}); the parts must tile the observation in order (the next column is {column}).", nameof(parts));
            if (part.Extractor is { } e && e.Inputs != part.Length)
                throw new ArgumentException($"The extractor of '{part.Name}' reads {e.Inputs} floats but the part has {part.Length}.", nameof(parts));
            column += part.Length;
        }
        _parts = [.. parts];
        Inputs = column;
        Features = _parts.Sum(p => p.Features);
    }

    /// <summary>The parts, in column order.</summary>
    public IReadOnlyList<ObservationPart> Parts => _parts;

    /// <inheritdoc/>
    public int Inputs { get; }

    /// <inheritdoc/>
    public int Features { get; }

    /// <inheritdoc/>
    public Tensor Forward(Tape tape, Tensor observations)
    {
        ArgumentNullException.ThrowIfNull(tape);
        Tensor features = Read(tape, observations, _parts[0]);
        for (int i = 1; i < _parts.Length; i++)
            features = tape.Concat(features, Read(tape, observations, _parts[i]), axis: 1);
        return features;
    }

    private Tensor Read(Tape tape, Tensor observations, ObservationPart part)
    {
        Tensor columns = _parts.Length == 1 ? observations : tape.Slice(observations, 1, part.Offset, part.Length);
        return part.Extractor is { } e ? e.Forward(tape, columns) : columns;
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> observations, int batch, Span<float> features)
    {
        int featureColumn = 0;
        foreach (ObservationPart part in _parts)
        {
            int width = part.Features;
            if (part.Extractor is { } e)
            {
                // Gather the part's columns into rows of their own, run the extractor, scatter its rows into place.
                if (_partInputs.Length < batch * part.Length) _partInputs = new float[batch * part.Length];
                if (_partFeatures.Length < batch * width) _partFeatures = new float[batch * width];
                for (int r = 0; r < batch; r++)
                    observations.Slice(r * Inputs + part.Offset, part.Length).CopyTo(_partInputs.AsSpan(r * part.Length, part.Length));
                e.Forward(_partInputs.AsSpan(0, batch * part.Length), batch, _partFeatures.AsSpan(0, batch * width));
                for (int r = 0; r < batch; r++)
                    _partFeatures.AsSpan(r * width, width).CopyTo(features.Slice(r * Features + featureColumn, width));
            }
            else
            {
                for (int r = 0; r < batch; r++)
                    observations.Slice(r * Inputs + part.Offset, part.Length).CopyTo(features.Slice(r * Features + featureColumn, width));
            }
            featureColumn += width;
        }
    }

    /// <inheritdoc/>
    public void InitializeOrthogonal(Rng rng, float gain)
    {
        foreach (ObservationPart part in _parts) part.Extractor?.InitializeOrthogonal(rng, gain);
    }

    /// <inheritdoc/>
    public void InitializeUniform(Rng rng)
    {
        foreach (ObservationPart part in _parts) part.Extractor?.InitializeUniform(rng);
    }
}
