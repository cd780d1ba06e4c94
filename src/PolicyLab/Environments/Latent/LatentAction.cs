using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Environments.Latent;

/// <summary>
/// The single-environment form of <see cref="LatentActionVectorEnvironment"/>: actions in Box[−1, 1]^L, clipped and
/// mapped by a shared frozen <see cref="ActionProjector"/> to the inner Box action.
/// </summary>
public sealed class LatentAction : EnvironmentWrapper
{
    private readonly float[] _action;
    private readonly double[] _scratch;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership) with <paramref name="projector"/>.</summary>
    /// <exception cref="PolicyLabException">The projector was made for another action space.</exception>
    public LatentAction(IEnvironment inner, ActionProjector projector) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(projector);
        RequireMatch(projector, inner.ActionSpace, inner.Spec?.Id);
        Projector = projector;
        _action = new float[projector.ActionSize];
        _scratch = new double[projector.ScratchSize];
    }

    /// <summary>The shared projector.</summary>
    public ActionProjector Projector { get; }

    /// <summary>Box[−1, 1]^L.</summary>
    public override Space ActionSpace => Projector.LatentSpace;

    /// <summary>The real action of the latest step.</summary>
    public ReadOnlySpan<float> ProjectedAction => _action;

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        Projector.Project(action, _action, _scratch);
        return Inner.Step(_action, observation);
    }

    internal static void RequireMatch(ActionProjector projector, Space actionSpace, string? id)
    {
        string name = id ?? "the environment";
        if (actionSpace is not Box box)
            throw new PolicyLabException($"Latent actions need a continuous (Box) action space, but {name} has {actionSpace}; use latent_dim only with continuous-action environments.");
        if (!box.Low.AsSpan().SequenceEqual(projector.ActionSpace.Low) || !box.High.AsSpan().SequenceEqual(projector.ActionSpace.High))
            throw new PolicyLabException($"The projector maps into {projector.ActionSpace}, but {name} has the action space {box}; make the projector for this environment.");
    }
}
