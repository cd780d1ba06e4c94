using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Base class for wrappers: forwards every member to <see cref="Inner"/>; subclasses override what they change.
/// Disposing a wrapper disposes the wrapped environment.
/// </summary>
public abstract class EnvironmentWrapper : IEnvironment
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected EnvironmentWrapper(IEnvironment inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The wrapped environment.</summary>
    public IEnvironment Inner { get; }

    /// <inheritdoc />
    public virtual Space ObservationSpace => Inner.ObservationSpace;

    /// <inheritdoc />
    public virtual Space ActionSpace => Inner.ActionSpace;

    /// <inheritdoc />
    public virtual EnvironmentSpec? Spec => Inner.Spec;

    /// <inheritdoc />
    public EnvironmentInfo Info => Inner.Info;

    /// <summary>The id for error messages: the registered id, or the innermost class name.</summary>
    protected string Id => Spec?.Id ?? this.Unwrapped().GetType().Name;

    /// <inheritdoc />
    public virtual void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null) =>
        Inner.Reset(observation, seed, options);

    /// <inheritdoc />
    public virtual StepResult Step(ReadOnlySpan<float> action, Span<float> observation) => Inner.Step(action, observation);

    /// <inheritdoc />
    public virtual RgbFrame Render() => Inner.Render();

    /// <summary>Disposes the wrapped environment.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the wrapped environment; subclasses release their own resources too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            Inner.Dispose();
    }
}
