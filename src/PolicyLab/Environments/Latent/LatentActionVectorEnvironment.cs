using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Environments.Latent;

/// <summary>
/// Exposes a vector environment with a bounded Box action space of size A as one with actions in Box[−1, 1]^L:
/// every copy's latent action is clipped to [−1, 1] and mapped by the one shared, frozen <see cref="ActionProjector"/>
/// to the real action. Observations, rewards and episode ends pass through unchanged, as do state saving, rendering
/// and per-copy seeding.
/// </summary>
public sealed class LatentActionVectorEnvironment : VectorEnvironmentWrapper, IStatefulEnvironment, IRenderableVectorEnvironment, ISeededCopies
{
    private readonly float[] _actions;
    private readonly double[] _scratch;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership) with <paramref name="projector"/>.</summary>
    /// <exception cref="PolicyLabException">The projector was made for another action space.</exception>
    public LatentActionVectorEnvironment(IVectorEnvironment inner, ActionProjector projector) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(projector);
        LatentAction.RequireMatch(projector, inner.SingleActionSpace, inner.Spec?.Id);
        Projector = projector;
        _actions = new float[inner.Count * inner.ActionSize];
        _scratch = new double[projector.ScratchSize];
    }

    /// <summary>The shared projector.</summary>
    public ActionProjector Projector { get; }

    /// <summary>Box[−1, 1]^L.</summary>
    public override Space SingleActionSpace => Projector.LatentSpace;

    /// <summary>L.</summary>
    public override int ActionSize => Projector.LatentSize;

    /// <summary>The real actions of the latest step (N × A).</summary>
    public ReadOnlySpan<float> ProjectedActions => _actions;

    /// <inheritdoc />
    public override void Step(ReadOnlySpan<float> actions)
    {
        int l = Projector.LatentSize, a = Inner.ActionSize;
        if (actions.Length != Count * l)
            throw new ArgumentException($"Expected {Count} latent actions of {l} values ({Count * l} floats); got {actions.Length}.", nameof(actions));
        for (int i = 0; i < Count; i++)
            Projector.Project(actions.Slice(i * l, l), _actions.AsSpan(i * a, a), _scratch);
        Inner.Step(_actions);
    }

    /// <summary>Whether the wrapped vector environment can draw its copies.</summary>
    public bool CanRender => Inner is IRenderableVectorEnvironment;

    /// <inheritdoc />
    public Rendering.RgbFrame Render(int copy) => Inner is IRenderableVectorEnvironment r
        ? r.Render(copy)
        : throw new NotSupportedException("The wrapped vector environment cannot render.");

    /// <inheritdoc />
    public void ResetCopies(ReadOnlySpan<ulong> seeds)
    {
        if (Inner is not ISeededCopies seeded)
            throw new NotSupportedException("The wrapped vector environment cannot reset single copies.");
        seeded.ResetCopies(seeds);
    }

    /// <inheritdoc />
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <inheritdoc />
    public void SaveState(StateDictionary state, string prefix) => ((IStatefulEnvironment)Inner).SaveState(state, prefix);

    /// <inheritdoc />
    public void LoadState(StateDictionary state, string prefix) => ((IStatefulEnvironment)Inner).LoadState(state, prefix);
}
