using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>MultiDiscrete([K₁ … Kₙ]) actions: n independent categoricals over consecutive blocks of the actor's
/// ΣKᵢ logits; an action is stored as its n indices, which are also the environment's action.</summary>
public sealed class MultiCategoricalActions : ActionDistribution
{
    private readonly int[] _sizes;
    private readonly int[] _indices;

    /// <summary>The family for <paramref name="space"/>.</summary>
    public MultiCategoricalActions(MultiDiscrete space)
    {
        ArgumentNullException.ThrowIfNull(space);
        _sizes = (int[])space.Sizes.Clone();
        _indices = new int[_sizes.Length];
        HeadSize = _sizes.Sum();
    }

    /// <inheritdoc/>
    public override int HeadSize { get; }

    /// <inheritdoc/>
    public override int ActionSize => _sizes.Length;

    /// <inheritdoc/>
    public override int MaskSize => HeadSize;

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd) => new(new MultiCategorical(head, _sizes));

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd, Tensor? mask) => new(new MultiCategorical(head, _sizes, mask));

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Rng rng, Span<float> action)
    {
        float logp = MultiCategorical.Sample(head, _sizes, mask, rng, _indices);
        for (int i = 0; i < _indices.Length; i++) action[i] = _indices[i];
        return logp;
    }

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Span<float> action)
    {
        MultiCategorical.Mode(head, _sizes, mask, _indices);
        for (int i = 0; i < _indices.Length; i++) action[i] = _indices[i];
        return MultiCategorical.LogProb(head, _sizes, mask, _indices);
    }

    /// <inheritdoc/>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action)
    {
        float logp = MultiCategorical.Sample(head, _sizes, rng, _indices);
        for (int i = 0; i < _indices.Length; i++) action[i] = _indices[i];
        return logp;
    }

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        MultiCategorical.Mode(head, _sizes, default, _indices);
        for (int i = 0; i < _indices.Length; i++) action[i] = _indices[i];
        return MultiCategorical.LogProb(head, _sizes, default, _indices);
    }

    /// <inheritdoc/>
    public override void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction) =>
        action[.._sizes.Length].CopyTo(environmentAction);

    /// <inheritdoc/>
    public override void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape) =>
        Numerics.Curvature.FisherVectorProduct.MultiCategorical(actor, _sizes, store, observations, batch, vector, result, tape);
}
