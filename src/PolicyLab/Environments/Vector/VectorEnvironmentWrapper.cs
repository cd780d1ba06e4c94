using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// A vector environment around another that passes every member through unless it overrides it: the base of the
/// vector wrappers (episode statistics, normalization, the training loop's episode recorder). Disposing the wrapper
/// disposes the wrapped environment.
/// </summary>
public abstract class VectorEnvironmentWrapper : IVectorEnvironment
{
    /// <summary>Wraps <paramref name="inner"/> (takes ownership).</summary>
    protected VectorEnvironmentWrapper(IVectorEnvironment inner) =>
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The wrapped vector environment.</summary>
    public IVectorEnvironment Inner { get; }

    /// <inheritdoc />
    public int Count => Inner.Count;
    /// <inheritdoc />
    public virtual Space SingleObservationSpace => Inner.SingleObservationSpace;
    /// <inheritdoc />
    public virtual Space SingleActionSpace => Inner.SingleActionSpace;
    /// <inheritdoc />
    public int ObservationSize => Inner.ObservationSize;
    /// <inheritdoc />
    public virtual int ActionSize => Inner.ActionSize;
    /// <inheritdoc />
    public EnvironmentSpec? Spec => Inner.Spec;
    /// <inheritdoc />
    public virtual float[] Observations => Inner.Observations;
    /// <inheritdoc />
    public virtual double[] Rewards => Inner.Rewards;
    /// <inheritdoc />
    public bool[] Terminated => Inner.Terminated;
    /// <inheritdoc />
    public bool[] Truncated => Inner.Truncated;
    /// <inheritdoc />
    public virtual float[] FinalObservations => Inner.FinalObservations;

    /// <inheritdoc />
    public virtual bool[]? ActionMasks => Inner.ActionMasks;
    /// <inheritdoc />
    public virtual bool[]? FinalActionMasks => Inner.FinalActionMasks;

    /// <inheritdoc />
    public virtual void Reset(ulong? seed = null) => Inner.Reset(seed);

    /// <inheritdoc />
    public virtual void Step(ReadOnlySpan<float> actions) => Inner.Step(actions);

    /// <summary>Disposes the wrapped vector environment.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the wrapped vector environment when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            Inner.Dispose();
    }
}
