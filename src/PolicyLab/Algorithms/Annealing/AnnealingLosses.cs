using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.Annealing;

/// <summary>
/// The two policy-annealing losses. Both enforce the invariant of a Boltzmann distribution over
/// trajectories, p(τ) ∝ exp(G(τ)/T): V′ = Σ_t (r_t − T·log π(a_t|s_t)) is the same for every
/// trajectory from a given start state.
/// </summary>
public static class AnnealingLosses
{
    /// <summary>
    /// Grouped loss: S_j = Σ_t log π(a_t|s_t) over the padded episode, steps after the end counting
    /// as uniform random actions (log 1/A, no gradient); δ_j = S_j − Y_j with Y_j = G_j/T (or its
    /// clipped, centred version); loss = Σ_j (δ_j − mean_group(δ))² / B.
    /// </summary>
    /// <param name="logProbs">log π(a_t|s_t) of the padded cells, [B, L].</param>
    /// <param name="valid">1 for valid cells, [B, L].</param>
    /// <param name="targets">Y_j, [B].</param>
    /// <param name="groupSize">Episodes per group (B is a multiple of it).</param>
    /// <param name="actionCount">A, the number of discrete actions.</param>
    public static Tensor Grouped(Tensor logProbs, Tensor valid, Tensor targets, int groupSize, int actionCount)
    {
        Tape t = logProbs.Tape;
        int b = logProbs.Shape[0];
        float uniform = -MathF.Log(actionCount);
        Tensor filled = logProbs * valid + (1f - valid) * uniform;                    // log 1/A after the end
        Tensor residual = filled.Sum(1) - targets;                                      // δ_j = S_j − Y_j
        Tensor grouped = residual.Reshape(new Shape(b / groupSize, groupSize));
        Tensor centred = grouped - grouped.Mean(1, keepDims: true);                     // δ_j − ⟨δ⟩_group
        return centred.Square().Sum() / b;
    }

    /// <summary>
    /// Value-function ("direct") loss: with c_t = r_t/T − log π(a_t|s_t) on valid steps, the target is
    /// V̂_t = (1 − γ)·Σ_k γ^k c_{t+k}, where a terminated episode continues with uniform random actions
    /// forever (log A per step, Σ = log A / (1 − γ) from its first step after the end) and a truncated one
    /// is bootstrapped with V(s_final)/(1 − γ). The loss is the mean over valid cells of (V(s_t) − V̂_t)²,
    /// with no stop-gradient on the target: policy and value learn from the same residual.
    /// </summary>
    /// <param name="logProbs">log π(a_t|s_t), [B, L].</param>
    /// <param name="values">V(s_t), [B, L].</param>
    /// <param name="finalValues">V(s_final) of each episode, [B].</param>
    /// <param name="rewards">r_t (0 after the end), [B, L].</param>
    /// <param name="valid">1 for valid cells, [B, L].</param>
    /// <param name="terminalTail">log A / (1 − γ) at each terminated episode's first cell after its end, else 0, [B, L].</param>
    /// <param name="bootstrapMask">1 at each truncated episode's first cell after its end, else 0, [B, L].</param>
    /// <param name="temperature">T.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="validCount">Number of valid cells.</param>
    public static Tensor Direct(Tensor logProbs, Tensor values, Tensor finalValues, Tensor rewards, Tensor valid,
        Tensor terminalTail, Tensor bootstrapMask, float temperature, float gamma, int validCount)
    {
        Tensor target = DirectTarget(logProbs, finalValues, rewards, valid, terminalTail, bootstrapMask, temperature, gamma);
        return ((values - target).Square() * valid).Sum() / validCount;
    }

    /// <summary>The value target V̂_t = (1 − γ)·Σ_k γ^k c_{t+k} of <see cref="Direct"/>, [B, L].</summary>
    public static Tensor DirectTarget(Tensor logProbs, Tensor finalValues, Tensor rewards, Tensor valid,
        Tensor terminalTail, Tensor bootstrapMask, float temperature, float gamma)
    {
        int b = logProbs.Shape[0];
        Tensor c = (rewards / temperature - logProbs) * valid                          // r/T − log π on valid steps
                   + terminalTail                                                       // uniform random forever
                   + bootstrapMask * finalValues.Reshape(new Shape(b, 1)) / (1f - gamma); // V(s_final)/(1 − γ)
        return c.DiscountedCumulativeSum(gamma) * (1f - gamma);                         // V̂_t
    }

    /// <summary>The temperature of episode batch <paramref name="batch"/> of <paramref name="batches"/>:
    /// geometric from <paramref name="start"/> to <paramref name="end"/>, reaching <paramref name="end"/> exactly at the last batch.</summary>
    public static float Temperature(int batch, int batches, float start, float end) =>
        batches <= 1 ? start : (float)(start * Math.Pow(end / (double)start, batch / (double)(batches - 1)));
}
