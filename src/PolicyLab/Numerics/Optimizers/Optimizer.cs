namespace PolicyLab.Numerics.Optimizers;

/// <summary>
/// A first-order optimizer over one <see cref="ParameterStore"/>, or over a contiguous range of it
/// (e.g. only the critic of an actor-critic store). Every update is a single pass over the flat value
/// and gradient buffers.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer for <paramref name="store"/>.</summary>
    /// <param name="store">The parameters.</param>
    /// <param name="learningRate">Initial learning rate.</param>
    /// <param name="range">The part of the store to update (all of it by default).</param>
    protected Optimizer(ParameterStore store, float learningRate, Range? range)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        LearningRate = learningRate;
        (Start, Length) = (range ?? Range.All).GetOffsetAndLength(store.Count);
    }

    /// <summary>First updated index in the store's flat buffers.</summary>
    public int Start { get; }

    /// <summary>Number of updated values.</summary>
    public int Length { get; }

    /// <summary>The updated values.</summary>
    protected Span<float> Values => Store.Values.Slice(Start, Length);

    /// <summary>Their gradients.</summary>
    protected Span<float> Gradients => Store.Gradients.Slice(Start, Length);

    /// <summary>The parameters this optimizer updates.</summary>
    public ParameterStore Store { get; }

    /// <summary>The current learning rate (schedules set it before each step).</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"The learning rate must be a finite number ≥ 0; got {value}.");
            _learningRate = value;
        }
    }

    private float _learningRate;

    /// <summary>Number of steps taken.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Zeroes the gradients of the whole store.</summary>
    public void ZeroGradients() => Store.ZeroGradients();

    /// <summary>Applies one update from the store's current gradients.</summary>
    public abstract void Step();

    /// <summary>The optimizer's internal buffers by name (moments etc.), for checkpoints. The step
    /// count is saved separately through <see cref="StepCount"/>.</summary>
    public abstract IReadOnlyList<(string Name, float[] Values)> StateBuffers();

    /// <summary>Restores buffers saved by <see cref="StateBuffers"/> and the step count.</summary>
    public void LoadState(IReadOnlyDictionary<string, float[]> buffers, long stepCount)
    {
        foreach ((string name, float[] values) in StateBuffers())
        {
            if (!buffers.TryGetValue(name, out float[]? saved))
                throw new PolicyLabException($"The optimizer state has no buffer '{name}'; the checkpoint was saved by a different optimizer.");
            if (saved.Length != values.Length)
                throw new PolicyLabException($"The optimizer buffer '{name}' has {saved.Length} values but the network has {values.Length} parameters; the checkpoint was saved for a different architecture.");
            saved.CopyTo(values, 0);
        }
        StepCount = stepCount;
    }
}
