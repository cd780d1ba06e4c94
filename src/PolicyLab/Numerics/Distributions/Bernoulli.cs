namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// A batch of D independent Bernoulli variables per row (e.g. a MultiBinary action space), parameterized
/// by logits l [B, D] with p(x = 1) = σ(l). A single binary action is the case D = 1.
/// </summary>
/// <remarks>
/// Everything is written with softplus so that no log of a probability underflows:
/// log p(1) = −softplus(−l), log p(0) = −softplus(l). Log-probabilities, entropies and KL divergences are
/// summed over D, giving [B]. The static members act on raw spans with no tape and no allocation.
/// Outcomes on the tape are float tensors of 0/1; the acting face uses <see cref="int"/>.
/// </remarks>
public readonly struct Bernoulli
{
    /// <summary>Creates the distributions from logits [B, D].</summary>
    public Bernoulli(Tensor logits)
    {
        DistributionMath.CheckMatrix(logits, nameof(logits), nameof(Bernoulli));
        Logits = logits;
    }

    /// <summary>The logits l, [B, D].</summary>
    public Tensor Logits { get; }

    /// <summary>p(x = 1) = σ(l), [B, D] (recorded on each access).</summary>
    public Tensor Probs => Logits.Sigmoid();

    /// <summary>Batch size B.</summary>
    public int BatchSize => Logits.Shape[0];

    /// <summary>Number of variables per row D.</summary>
    public int Dimension => Logits.Shape[1];

    /// <summary>log p(x) = Σ_d [x·l − softplus(l)] for outcomes x ∈ {0, 1} [B, D], shape [B].</summary>
    public Tensor LogProb(Tensor outcomes)
    {
        DistributionMath.CheckSameShape(outcomes, Logits, "Bernoulli outcomes and logits");
        return (outcomes * Logits - Logits.Softplus()).Sum(-1);
    }

    /// <summary>Entropy Σ_d [softplus(l) − l·σ(l)], shape [B], computed in the cancellation-free (even) form
    /// softplus(−|l|) + |l|·σ(−|l|).</summary>
    public Tensor Entropy()
    {
        Tensor magnitude = Logits.Abs();
        Tensor negative = -magnitude;
        return (negative.Softplus() + magnitude * negative.Sigmoid()).Sum(-1);
    }

    /// <summary>KL(this ‖ <paramref name="other"/>) = Σ_d [softplus(l_q) − softplus(l_p) + σ(l_p)·(l_p − l_q)], shape [B].</summary>
    public Tensor Kl(Bernoulli other)
    {
        DistributionMath.CheckSameShape(Logits, other.Logits, "Bernoulli KL");
        return (other.Logits.Softplus() - Logits.Softplus() + Logits.Sigmoid() * (Logits - other.Logits)).Sum(-1);
    }

    /// <summary>The most probable outcomes (1 where l &gt; 0, else 0) as a constant [B, D] tensor.</summary>
    public Tensor Mode()
    {
        Tensor result = Logits.Tape.Full(Logits.Shape, 0f);
        ReadOnlySpan<float> l = Logits.Data;
        Span<float> y = result.Data;
        for (int i = 0; i < y.Length; i++) y[i] = l[i] > 0f ? 1f : 0f;
        return result;
    }

    /// <summary>Sampled outcomes as a constant [B, D] tensor (not differentiable).</summary>
    public Tensor Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Tensor result = Logits.Tape.Full(Logits.Shape, 0f);
        ReadOnlySpan<float> l = Logits.Data;
        Span<float> y = result.Data;
        for (int i = 0; i < y.Length; i++) y[i] = Draw(l[i], rng, out _);
        return result;
    }

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>Samples <paramref name="outcomes"/>[i] ∈ {0, 1} with p(1) = σ(<paramref name="logits"/>[i]) for
    /// every element (one variable, a row or a flat batch) and returns the summed log-probability.</summary>
    public static float Sample(ReadOnlySpan<float> logits, Rng rng, Span<int> outcomes)
    {
        ArgumentNullException.ThrowIfNull(rng);
        DistributionMath.CheckLength(outcomes.Length, logits.Length, nameof(outcomes));
        double logProb = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            outcomes[i] = Draw(logits[i], rng, out double lp);
            logProb += lp;
        }
        return (float)logProb;
    }

    /// <summary>Samples a batch of B = <paramref name="logProbs"/>.Length rows of D = logits.Length / B variables,
    /// writing each row's summed log-probability.</summary>
    public static void Sample(ReadOnlySpan<float> logits, Rng rng, Span<int> outcomes, Span<float> logProbs)
    {
        int d = DistributionMath.RowsOf(logits.Length, logProbs.Length, nameof(logits));
        DistributionMath.CheckLength(outcomes.Length, logits.Length, nameof(outcomes));
        for (int r = 0; r < logProbs.Length; r++)
            logProbs[r] = Sample(logits.Slice(r * d, d), rng, outcomes.Slice(r * d, d));
    }

    /// <summary>Summed log p(<paramref name="outcomes"/>) (0/1 values) elementwise over the spans.</summary>
    public static float LogProb(ReadOnlySpan<float> logits, ReadOnlySpan<int> outcomes)
    {
        DistributionMath.CheckLength(outcomes.Length, logits.Length, nameof(outcomes));
        double logProb = 0;
        for (int i = 0; i < logits.Length; i++)
            logProb -= DistributionMath.Softplus(outcomes[i] != 0 ? -logits[i] : logits[i]);
        return (float)logProb;
    }

    /// <summary>The most probable outcomes: 1 where the logit is &gt; 0, else 0.</summary>
    public static void Mode(ReadOnlySpan<float> logits, Span<int> outcomes)
    {
        DistributionMath.CheckLength(outcomes.Length, logits.Length, nameof(outcomes));
        for (int i = 0; i < logits.Length; i++) outcomes[i] = logits[i] > 0f ? 1 : 0;
    }

    private static int Draw(float logit, Rng rng, out double logProb)
    {
        // p(1) = σ(l) = 1/(1 + e^−l); u < p(1) with u uniform in [0, 1).
        double u = rng.NextDouble();
        int x = u < 1.0 / (1.0 + Math.Exp(-(double)logit)) ? 1 : 0;
        logProb = -DistributionMath.Softplus(x == 1 ? -logit : logit);
        return x;
    }
}
