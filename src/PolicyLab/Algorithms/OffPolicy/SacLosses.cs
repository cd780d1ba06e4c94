using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// SAC's three losses as plain tensor expressions (Haarnoja et al. 2018b, "Soft Actor-Critic Algorithms and
/// Applications", arXiv:1812.05905), with SB3's conventions: twin critics with the smaller one in the target and the
/// actor loss, ½ in J(Q), n-step targets (γᵏ(1 − d) per transition), and the temperature learned as log α.
/// <see cref="Sac"/> computes J(Q) with <see cref="Critic"/> critic by critic (the critics share no parameters), and the
/// gradients of J(π) and J(α) on faster paths that a test checks against these expressions. Shapes: Qᵢ and y are
/// [B, 1] as the critics give them, log-probabilities, rewards and discounts [B].
/// </summary>
public static class SacLosses
{
    /// <summary>
    /// The soft Bellman target y = r + γᵏ(1 − d)·(minᵢ Q′ᵢ(s′, ã′) − α·log π(ã′|s′)), ã′ ~ π(·|s′) (eq. 5's target,
    /// with the soft value V(s′) of eq. 3), [B, 1]. <paramref name="discounts"/> holds γᵏ(1 − d); y is a constant of J(Q).
    /// </summary>
    /// <param name="rewards">r (the k-step discounted reward sum), [B].</param>
    /// <param name="discounts">γᵏ(1 − d), [B].</param>
    /// <param name="nextLogProbs">log π(ã′|s′), [B].</param>
    /// <param name="alpha">α.</param>
    /// <param name="targetQ">Q′ᵢ(s′, ã′) of each target critic, [B, 1].</param>
    public static Tensor Target(Tensor rewards, Tensor discounts, Tensor nextLogProbs, float alpha, params ReadOnlySpan<Tensor> targetQ)
    {
        Tensor softValue = Minimum(targetQ).Reshape(rewards.Shape) - alpha * nextLogProbs;  // V(s′) = min Q′ − α log π
        return (rewards + discounts * softValue).Detach().Reshape(new Shape(rewards.Length, 1));
    }

    /// <summary>J(Q) = Σᵢ ½·E[(Qᵢ(s, a) − y)²], the soft Bellman residual of eq. 5, one term per critic.</summary>
    /// <param name="y">The target, [B, 1] (a constant).</param>
    /// <param name="q">Qᵢ(s, a) of each critic, [B, 1].</param>
    public static Tensor Critic(Tensor y, params ReadOnlySpan<Tensor> q)
    {
        Tensor loss = 0.5f * (q[0] - y).Square().Mean();
        for (int i = 1; i < q.Length; i++) loss += 0.5f * (q[i] - y).Square().Mean();
        return loss;
    }

    /// <summary>J(π) = E[α·log π(ã|s) − minᵢ Qᵢ(s, ã)] with ã = tanh(μ(s) + σ(s)·ε) reparameterized (eq. 7, written
    /// with the reparameterization of eqs. 8–9), the critics held fixed.</summary>
    /// <param name="logProbs">log π(ã|s), [B].</param>
    /// <param name="alpha">α (a constant here).</param>
    /// <param name="q">Qᵢ(s, ã) of each critic, [B, 1].</param>
    public static Tensor Actor(Tensor logProbs, float alpha, params ReadOnlySpan<Tensor> q) =>
        (alpha * logProbs - Minimum(q).Reshape(logProbs.Shape)).Mean();

    /// <summary>J(α) = E[−log α·(log π(ã|s) + H̄)], eq. 18 with α learned through log α (as SB3), log π held fixed.</summary>
    /// <param name="logAlpha">log α, [1].</param>
    /// <param name="logProbs">log π(ã|s), [B].</param>
    /// <param name="targetEntropy">H̄.</param>
    public static Tensor Temperature(Tensor logAlpha, Tensor logProbs, float targetEntropy) =>
        (-logAlpha * (logProbs.Detach() + targetEntropy)).Mean();

    private static Tensor Minimum(ReadOnlySpan<Tensor> q)
    {
        Tensor low = q[0];
        for (int i = 1; i < q.Length; i++) low = Tensor.Min(low, q[i]);
        return low;
    }
}
