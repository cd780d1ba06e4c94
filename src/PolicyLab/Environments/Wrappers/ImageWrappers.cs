using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Wrappers;

/// <summary>An observation wrapper for channels-last image spaces whose observations have another size than the inner
/// environment's: the inner observation goes into a buffer and <see cref="Transform"/> writes the outer one.</summary>
public abstract class ImageObservationWrapper : EnvironmentWrapper, IStatefulEnvironment
{
    private readonly float[] _inner;

    /// <summary>Wraps <paramref name="inner"/>, whose observation space must be a (height, width, channels) box.</summary>
    protected ImageObservationWrapper(IEnvironment inner, string name) : base(inner)
    {
        if (inner.ObservationSpace is not Box { Shape.Length: 3 } box)
            throw new PolicyLabException($"{name} needs image observations of shape (height, width, channels); the environment observes {inner.ObservationSpace}.");
        InnerImage = box;
        _inner = new float[box.FlatSize];
    }

    /// <summary>The inner environment's image space.</summary>
    protected Box InnerImage { get; }

    /// <summary>Inner image height.</summary>
    protected int Height => InnerImage.Shape[0];

    /// <summary>Inner image width.</summary>
    protected int Width => InnerImage.Shape[1];

    /// <summary>Inner image channels.</summary>
    protected int Channels => InnerImage.Shape[2];

    /// <summary>Bounds of the same element type as the inner space, uniform over <paramref name="shape"/>.</summary>
    protected Box SameKind(int[] shape)
    {
        int size = shape.Aggregate(1, (a, b) => a * b);
        float low = InnerImage.Low.Min(), high = InnerImage.High.Max();
        return new Box(Enumerable.Repeat(low, size).ToArray(), Enumerable.Repeat(high, size).ToArray(), shape, InnerImage.ElementType);
    }

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        CheckLength(observation.Length);
        Inner.Reset(_inner, seed, options);
        OnReset(_inner);
        Transform(_inner, observation);
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        CheckLength(observation.Length);
        StepResult result = Inner.Step(action, _inner);
        Transform(_inner, observation);
        return result;
    }

    private void CheckLength(int length)
    {
        if (length != ObservationSpace.FlatSize)
            throw new PolicyLabException($"{GetType().Name}: the observation buffer has {length} elements but the observation space {ObservationSpace} needs {ObservationSpace.FlatSize}. Pass a buffer of exactly {ObservationSpace.FlatSize} floats.");
    }

    /// <inheritdoc />
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <inheritdoc />
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException($"The environment inside {GetType().Name} cannot save its state.");
        inner.SaveState(state, $"{prefix}.inner");
        SaveOwnState(state, prefix);
    }

    /// <inheritdoc />
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException($"The environment inside {GetType().Name} cannot load a saved state.");
        inner.LoadState(state, $"{prefix}.inner");
        LoadOwnState(state, prefix);
    }

    /// <summary>Saves what the wrapper itself remembers between steps (nothing by default).</summary>
    protected virtual void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) { }

    /// <summary>Restores what <see cref="SaveOwnState"/> saved.</summary>
    protected virtual void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix) { }

    /// <summary>Called with the first observation of an episode before it is transformed.</summary>
    protected virtual void OnReset(ReadOnlySpan<float> first) { }

    /// <summary>Writes the outer observation from the inner one.</summary>
    protected abstract void Transform(ReadOnlySpan<float> inner, Span<float> outer);
}

/// <summary>
/// Stacks the last <see cref="Frames"/> observations along the channel axis (channels last, as SB3's VecFrameStack does
/// for channels-last images): (h, w, c) → (h, w, k·c), oldest frame first, so channel f·c + j is channel j of frame f.
/// At reset the stack is filled with the first observation (Gymnasium's FrameStackObservation padding "reset").
/// </summary>
public sealed class FrameStack : ImageObservationWrapper
{
    private readonly float[] _stack;
    private readonly Box _space;

    /// <summary>Wraps <paramref name="inner"/> with a stack of <paramref name="frames"/> observations.</summary>
    public FrameStack(IEnvironment inner, int frames) : base(inner, "FrameStack")
    {
        if (frames < 1) throw new PolicyLabException($"FrameStack needs at least one frame; got {frames}.");
        Frames = frames;
        _space = SameKind([Height, Width, Channels * frames]);
        _stack = new float[_space.FlatSize];
    }

    /// <summary>Frames stacked.</summary>
    public int Frames { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void OnReset(ReadOnlySpan<float> first)
    {
        int pixels = Height * Width, c = Channels, k = Frames;
        for (int p = 0; p < pixels; p++)
            for (int f = 0; f < k; f++)
                first.Slice(p * c, c).CopyTo(_stack.AsSpan((p * k + f) * c, c));
    }

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) => state.Set($"{prefix}.stack", (ReadOnlySpan<float>)_stack);

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix) => state.Read($"{prefix}.stack", _stack);

    /// <inheritdoc />
    protected override void Transform(ReadOnlySpan<float> inner, Span<float> outer)
    {
        // Per pixel: drop the oldest frame's channels, shift the rest, append the new frame.
        int pixels = Height * Width, c = Channels, k = Frames;
        for (int p = 0; p < pixels; p++)
        {
            Span<float> cell = _stack.AsSpan(p * k * c, k * c);
            cell[c..].CopyTo(cell);
            inner.Slice(p * c, c).CopyTo(cell[((k - 1) * c)..]);
        }
        _stack.CopyTo(outer);
    }
}

/// <summary>
/// RGB to one luminance channel: (h, w, 3) → (h, w, 1) with Y = 0.2125 R + 0.7154 G + 0.0721 B, truncated to a whole
/// number for uint8 images (Gymnasium's GrayscaleObservation weights, keeping the channel axis for CNNs).
/// </summary>
public sealed class GrayscaleObservation : ImageObservationWrapper
{
    private readonly Box _space;

    /// <summary>Wraps <paramref name="inner"/>, whose images must have three channels.</summary>
    public GrayscaleObservation(IEnvironment inner) : base(inner, "GrayscaleObservation")
    {
        if (Channels != 3)
            throw new PolicyLabException($"GrayscaleObservation needs RGB images (3 channels); the environment's images have {Channels}.");
        _space = SameKind([Height, Width, 1]);
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Transform(ReadOnlySpan<float> inner, Span<float> outer)
    {
        bool whole = InnerImage.ElementType == BoxElementType.UInt8;
        for (int p = 0; p < Height * Width; p++)
        {
            double y = 0.2125 * inner[3 * p] + 0.7154 * inner[3 * p + 1] + 0.0721 * inner[3 * p + 2];
            outer[p] = whole ? (float)Math.Floor(y) : (float)y;
        }
    }
}

/// <summary>
/// Resizes images to (height, width) by area averaging: each output pixel is the mean of the inner pixels it covers,
/// weighted by the overlap (OpenCV's INTER_AREA when shrinking), rounded to the nearest whole number for uint8 images.
/// </summary>
public sealed class ResizeObservation : ImageObservationWrapper
{
    private readonly Box _space;
    private readonly (int First, int Last, double[] Weights)[] _rows, _columns;

    /// <summary>Wraps <paramref name="inner"/> with images resized to <paramref name="height"/> × <paramref name="width"/>.</summary>
    public ResizeObservation(IEnvironment inner, int height, int width) : base(inner, "ResizeObservation")
    {
        if (height < 1 || width < 1) throw new PolicyLabException($"ResizeObservation needs a positive size; got {height}×{width}.");
        (OutputHeight, OutputWidth) = (height, width);
        _space = SameKind([height, width, Channels]);
        _rows = Footprints(Height, height);
        _columns = Footprints(Width, width);
    }

    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }

    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <summary>For each output index, the inner indices it covers and their overlap fractions (summing to 1).</summary>
    private static (int, int, double[])[] Footprints(int inner, int outer)
    {
        var result = new (int, int, double[])[outer];
        double scale = (double)inner / outer;
        for (int o = 0; o < outer; o++)
        {
            double start = o * scale, end = (o + 1) * scale;
            int first = (int)Math.Floor(start), last = Math.Min(inner - 1, (int)Math.Ceiling(end) - 1);
            var weights = new double[last - first + 1];
            for (int i = first; i <= last; i++)
                weights[i - first] = (Math.Min(end, i + 1) - Math.Max(start, i)) / scale;
            result[o] = (first, last, weights);
        }
        return result;
    }

    /// <inheritdoc />
    protected override void Transform(ReadOnlySpan<float> inner, Span<float> outer)
    {
        bool whole = InnerImage.ElementType == BoxElementType.UInt8;
        int c = Channels;
        for (int oy = 0; oy < OutputHeight; oy++)
        {
            (int y0, int y1, double[] wy) = _rows[oy];
            for (int ox = 0; ox < OutputWidth; ox++)
            {
                (int x0, int x1, double[] wx) = _columns[ox];
                for (int ch = 0; ch < c; ch++)
                {
                    double sum = 0;
                    for (int y = y0; y <= y1; y++)
                        for (int x = x0; x <= x1; x++)
                            sum += wy[y - y0] * wx[x - x0] * inner[(y * Width + x) * c + ch];
                    outer[(oy * OutputWidth + ox) * c + ch] = whole ? (float)Math.Round(sum, MidpointRounding.ToEven) : (float)sum;
                }
            }
        }
    }
}
