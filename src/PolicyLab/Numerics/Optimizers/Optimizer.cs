namespace PolicyLab.Numerics.Optimizers;

/// <summary>
/// A first-order optimizer over one <see cref="ParameterStore"/>. Every update is a single pass over
/// the store's flat value and gradient buffers.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer for <paramref name="store"/>.</summary>
    protected Optimizer(ParameterStore store, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        LearningRate = learningRate;
    }

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

    /// <summary>Zeroes the gradients of the store.</summary>
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
