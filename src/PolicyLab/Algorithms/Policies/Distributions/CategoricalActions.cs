using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>Discrete(K) actions: a categorical distribution over the K logits the actor outputs; an action is
/// stored as its index and given to the environment as start + index.</summary>
public sealed class CategoricalActions(Discrete space) : ActionDistribution
{
    /// <inheritdoc/>
    public override int HeadSize => space.Count;

    /// <inheritdoc/>
    public override int ActionSize => 1;

    /// <inheritdoc/>
    public override int MaskSize => space.Count;

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd) => new(new Categorical(head));

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd, Tensor? mask) => new(new Categorical(head, mask));

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Rng rng, Span<float> action)
    {
        action[0] = Categorical.Sample(head, mask, rng, out float logp);
        return logp;
    }

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Span<float> action)
    {
        int a = Categorical.Mode(head, mask);
        action[0] = a;
        return Categorical.LogProb(head, mask, a);
    }

    /// <inheritdoc/>
    public override Tensor Actions(Tape tape, ReadOnlySpan<float> actions, int batch)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape.Constant(actions[..batch]);
    }

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action)
    {
        action[0] = Categorical.Sample(head, rng, out float logp);
        return logp;
    }

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        int a = Categorical.Mode(head);
        action[0] = a;
        return Categorical.LogProb(head, a);
    }

    /// <inheritdoc/>
    public override void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction) =>
        environmentAction[0] = action[0] + space.Start;

    /// <inheritdoc/>
    public override void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape) =>
        Numerics.Curvature.FisherVectorProduct.Categorical(actor, store, observations, batch, vector, result, tape);
}
