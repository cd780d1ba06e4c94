using PolicyLab.Algorithms.Policies;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// The advantage actor-critic loss A2C and A3C share, on one whole rollout (advantages already computed):
///   L = −mean(Â·log π(a|s)) + c_v·mean((V(s) − R)²) − c_e·mean(H(π(·|s)))
/// back-propagated into the policy's store, the global gradient norm clipped. Reuses its buffers, so one
/// instance serves one policy.
/// </summary>
public sealed class ActorCriticLoss(ActorCriticPolicy policy, int capacity)
{
    private readonly Tape _tape = new();
    private readonly float[] _advantages = new float[capacity];

    /// <summary>Losses of one step and the gradient norm before clipping.</summary>
    public readonly record struct Result(double PolicyLoss, double ValueLoss, double Entropy, double GradientNorm);

    /// <summary>Zeroes, computes and clips the gradients of the policy's store (no optimizer step).</summary>
    public Result ComputeGradients(RolloutBuffer buffer, bool normalizeAdvantages, float valueCoefficient, float entropyCoefficient, float maxGradNorm, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        int n = buffer.Count, obsSize = policy.ObservationSize;
        buffer.Advantages.AsSpan(0, n).CopyTo(_advantages);
        if (normalizeAdvantages) AdvantageNormalization.Normalize(_advantages.AsSpan(0, n));

        Tape t = _tape;
        t.Reset();
        policy.Store.ZeroGradients();
        Tensor obs = t.Constant(buffer.Observations.AsSpan(0, n * obsSize), new Shape(n, obsSize));
        (_, Tensor logp, Tensor entropy) = policy.Evaluate(t, obs, policy.Actions(t, buffer.Actions, n), policy.Masks(t, buffer.ActionMasks, n));
        Tensor policyLoss = -(logp * t.Constant(_advantages.AsSpan(0, n))).Mean();                  // −E[Â·log π]
        Tensor valueLoss = (policy.Value(t, obs) - t.Constant(buffer.Returns.AsSpan(0, n))).Square().Mean(); // E[(V − R)²]
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss + valueCoefficient * valueLoss - entropyCoefficient * entropyMean;
        NonFiniteValueException.ThrowIfNotFinite($"{algorithm} loss", loss.Item());
        t.Backward(loss);
        float norm = GradientClipping.ClipGlobalNorm(policy.Store.Gradients, maxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("gradient norm", norm);
        return new Result(policyLoss.Item(), valueLoss.Item(), entropyMean.Item(), norm);
    }
}
