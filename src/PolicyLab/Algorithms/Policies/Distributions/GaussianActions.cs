using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>
/// Box actions of D dimensions: a diagonal Gaussian N(μ(s), σ²) with the mean from the actor and log σ either
/// one learned parameter per dimension shared by every state (the default, as SB3's PPO) or state-dependent,
/// the actor's second D outputs. An action is stored as sampled (unbounded) and clipped to the Box bounds only
/// when given to the environment.
/// </summary>
public sealed class GaussianActions : ActionDistribution
{
    private readonly Box _space;
    private readonly int _dimension;
    private readonly bool _stateDependent;

    /// <summary>The family for <paramref name="space"/>.</summary>
    public GaussianActions(Box space, bool stateDependentStd)
    {
        ArgumentNullException.ThrowIfNull(space);
        (_space, _dimension, _stateDependent) = (space, space.FlatSize, stateDependentStd);
    }

    /// <inheritdoc/>
    public override int HeadSize => _stateDependent ? 2 * _dimension : _dimension;

    /// <inheritdoc/>
    public override int ActionSize => _dimension;

    /// <inheritdoc/>
    public override int LogStdSize => _stateDependent ? 0 : _dimension;

    /// <inheritdoc/>
    public override bool IsContinuous => true;

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd)
    {
        if (!_stateDependent)
            return new(new DiagonalGaussian(head, logStd ?? throw new ArgumentNullException(nameof(logStd))));
        return new(new DiagonalGaussian(head.Slice(1, 0, _dimension), head.Slice(1, _dimension, _dimension)));
    }

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action) =>
        DiagonalGaussian.Sample(head[.._dimension], _stateDependent ? head[_dimension..] : logStd, rng, action[.._dimension]);

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        head[.._dimension].CopyTo(action);
        return DiagonalGaussian.LogProb(head[.._dimension], _stateDependent ? head[_dimension..] : logStd, action[.._dimension]);
    }

    /// <inheritdoc/>
    public override void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction)
    {
        action[.._dimension].CopyTo(environmentAction);
        _space.Clip(environmentAction[.._dimension]);
    }

    /// <inheritdoc/>
    public override void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        if (_stateDependent)
            Numerics.Curvature.FisherVectorProduct.StateDependentGaussian(actor, store, observations, batch, vector, result, tape);
        else
            Numerics.Curvature.FisherVectorProduct.DiagonalGaussian(actor, logStd ?? throw new ArgumentNullException(nameof(logStd)),
                store, observations, batch, vector, result, tape);
    }
}
