using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>MultiBinary(n) actions: n independent Bernoulli variables, p(1) = σ(logit), over the actor's n
/// logits; an action is stored as n zeros and ones, which are also the environment's action.</summary>
public sealed class BernoulliActions : ActionDistribution
{
    private readonly int[] _outcomes;

    /// <summary>The family for <paramref name="space"/>.</summary>
    public BernoulliActions(MultiBinary space)
    {
        ArgumentNullException.ThrowIfNull(space);
        _outcomes = new int[space.FlatSize];
    }

    /// <inheritdoc/>
    public override int HeadSize => _outcomes.Length;

    /// <inheritdoc/>
    public override int ActionSize => _outcomes.Length;

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd) => new(new Bernoulli(head));

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action)
    {
        float logp = Bernoulli.Sample(head, rng, _outcomes);
        for (int i = 0; i < _outcomes.Length; i++) action[i] = _outcomes[i];
        return logp;
    }

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        Bernoulli.Mode(head, _outcomes);
        for (int i = 0; i < _outcomes.Length; i++) action[i] = _outcomes[i];
        return Bernoulli.LogProb(head, _outcomes);
    }

    /// <inheritdoc/>
    public override void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction) =>
        action[.._outcomes.Length].CopyTo(environmentAction);

    /// <inheritdoc/>
    public override void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape) =>
        Numerics.Curvature.FisherVectorProduct.Bernoulli(actor, store, observations, batch, vector, result, tape);
}
