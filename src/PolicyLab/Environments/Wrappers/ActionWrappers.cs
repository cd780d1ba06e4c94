using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Wrappers;

/// <summary>Clips continuous actions into the inner box before stepping (the policy may output any real numbers).</summary>
public sealed class ClipAction : EnvironmentWrapper
{
    private readonly Box _box;
    private readonly Box _unbounded;
    private readonly float[] _clipped;

    /// <summary>Wraps an environment with a <see cref="Box"/> action space.</summary>
    public ClipAction(IEnvironment inner) : base(inner)
    {
        _box = inner.ActionSpace as Box ?? throw new PolicyLabException($"ClipAction needs a Box action space but {inner.Spec?.Id ?? inner.GetType().Name} has {inner.ActionSpace}. Use it only with continuous actions.");
        _unbounded = new Box(float.NegativeInfinity, float.PositiveInfinity, _box.Shape);
        _clipped = new float[_box.FlatSize];
    }

    /// <summary>An unbounded box of the inner action's shape.</summary>
    public override Space ActionSpace => _unbounded;

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (action.Length != _clipped.Length)
            return Inner.Step(action, observation); // the inner environment reports the length error
        action.CopyTo(_clipped);
        _box.Clip(_clipped); // the one clipping rule, shared with the policies' Gaussian heads
        return Inner.Step(_clipped, observation);
    }
}

/// <summary>
/// Affinely maps actions from [<see cref="MinAction"/>, <see cref="MaxAction"/>] (default [−1, 1]) onto the inner
/// bounded box, so a policy can always act in a fixed range.
/// </summary>
public sealed class RescaleAction : EnvironmentWrapper
{
    private readonly Box _inner;
    private readonly Box _outer;
    private readonly float[] _mapped;

    /// <summary>Wraps an environment with a bounded <see cref="Box"/> action space.</summary>
    public RescaleAction(IEnvironment inner, float minAction = -1f, float maxAction = 1f) : base(inner)
    {
        _inner = inner.ActionSpace as Box ?? throw new PolicyLabException($"RescaleAction needs a Box action space but {inner.Spec?.Id ?? inner.GetType().Name} has {inner.ActionSpace}. Use it only with continuous actions.");
        if (!_inner.IsBounded)
            throw new PolicyLabException($"RescaleAction needs finite action bounds but the action space is {_inner}.");
        if (!(minAction < maxAction))
            throw new PolicyLabException($"RescaleAction needs minAction below maxAction; got [{minAction}, {maxAction}].");
        MinAction = minAction;
        MaxAction = maxAction;
        _outer = new Box(minAction, maxAction, _inner.Shape);
        _mapped = new float[_inner.FlatSize];
    }

    /// <summary>Lower end of the policy's action range.</summary>
    public float MinAction { get; }

    /// <summary>Upper end of the policy's action range.</summary>
    public float MaxAction { get; }

    /// <inheritdoc />
    public override Space ActionSpace => _outer;

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (action.Length != _mapped.Length)
            return Inner.Step(action, observation);
        for (int i = 0; i < action.Length; i++)
        {
            double fraction = ((double)action[i] - MinAction) / ((double)MaxAction - MinAction);
            _mapped[i] = (float)(_inner.Low[i] + fraction * ((double)_inner.High[i] - _inner.Low[i]));
        }
        return Inner.Step(_mapped, observation);
    }
}
