namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// A batch of categorical distributions over K actions, parameterized by unnormalized logits
/// (p = softmax(logits)), with an optional action mask.
/// </summary>
/// <remarks>
/// <para><b>Two faces.</b> The instance members are differentiable: they record on the logits' tape and
/// are meant for losses (<c>new Categorical(logits).LogProb(actions)</c>, <c>.Entropy()</c>,
/// <c>.Kl(old)</c>). The static members work on raw spans with no tape and no allocation, for acting.</para>
/// <para><b>Masks.</b> A mask has the logits' shape; a non-zero entry allows the action, zero forbids it.
/// On the tape, forbidden logits are <em>replaced</em> (not shifted) by <see cref="MaskedLogit"/>, a large
/// finite negative number rather than −∞: its probability e^(−10⁹ − log Z) is exactly 0 in float32, so
/// masked actions carry no probability, contribute exactly 0 to the entropy and the KL (0 · finite = 0,
/// where 0 · −∞ would be NaN), and receive a zero gradient; yet the log-probability of a forbidden action
/// stays finite (about −10⁹) instead of poisoning a loss with −∞/NaN. Every row must allow at least one
/// action. The acting face skips forbidden actions outright: they are never sampled or chosen as the mode,
/// and their log-probability is −∞. Pass a mask rather than −∞ logits: on the tape, −∞ logits make the
/// entropy and the KL NaN (0 · −∞).</para>
/// <para>Actions on the tape are float tensors holding whole numbers (as <see cref="Tape.Gather"/> expects);
/// the acting face uses <see cref="int"/>.</para>
/// </remarks>
public readonly struct Categorical
{
    /// <summary>The logit that replaces forbidden actions on the tape (see the remarks).</summary>
    public const float MaskedLogit = -1e9f;

    /// <summary>Creates the distributions from logits of shape [B, K] and an optional mask of the same shape
    /// (non-zero = allowed). Records the (masked) log-softmax on the logits' tape.</summary>
    /// <exception cref="ArgumentException">The shapes are wrong, or a mask row allows no action.</exception>
    public Categorical(Tensor logits, Tensor? mask = null)
    {
        DistributionMath.CheckMatrix(logits, nameof(logits), nameof(Categorical));
        Tensor effective = logits;
        if (mask is { } m)
        {
            DistributionMath.CheckSameShape(logits, m, "Categorical logits and mask");
            CheckMaskRows(m.Data, logits.Shape.Last);
            Tape tape = logits.Tape;
            effective = tape.Where(m, logits, tape.Full(logits.Shape, MaskedLogit));
        }
        Logits = effective;
        Mask = mask;
        LogProbs = effective.LogSoftmax();
    }

    /// <summary>The logits after masking, [B, K].</summary>
    public Tensor Logits { get; }

    /// <summary>The mask given at construction, if any.</summary>
    public Tensor? Mask { get; }

    /// <summary>log p, [B, K] (normalized; about −10⁹ for masked actions).</summary>
    public Tensor LogProbs { get; }

    /// <summary>The probabilities p, [B, K] (recorded on each access).</summary>
    public Tensor Probs => LogProbs.Exp();

    /// <summary>Batch size B.</summary>
    public int BatchSize => LogProbs.Shape[0];

    /// <summary>Number of actions K.</summary>
    public int ActionCount => LogProbs.Shape[1];

    /// <summary>log p(a) for actions [B] (whole numbers in [0, K)), shape [B].</summary>
    public Tensor LogProb(Tensor actions)
    {
        return LogProbs.Gather(actions);
    }

    /// <summary>Entropy −Σₖ pₖ log pₖ per row, shape [B]; masked actions contribute 0.</summary>
    public Tensor Entropy()
    {
        Tensor logp = LogProbs;
        return -(logp.Exp() * logp).Sum(-1);
    }

    /// <summary>KL(this ‖ <paramref name="other"/>) = Σₖ pₖ (log pₖ − log qₖ) per row, shape [B].</summary>
    /// <remarks>An action allowed here but masked in <paramref name="other"/> makes the true KL infinite;
    /// here it shows up as a huge finite value (about pₖ·10⁹). Use the same mask for both.</remarks>
    public Tensor Kl(Categorical other)
    {
        DistributionMath.CheckSameShape(LogProbs, other.LogProbs, "Categorical KL");
        Tensor logp = LogProbs;
        return (logp.Exp() * (logp - other.LogProbs)).Sum(-1);
    }

    /// <summary>The most probable action of each row (lowest index on ties), as a constant [B] tensor.</summary>
    public Tensor Mode()
    {
        Tensor result = LogProbs.Tape.Full(new Shape(BatchSize), 0f);
        ReadOnlySpan<float> logits = Logits.Data;
        Span<float> y = result.Data;
        int k = ActionCount;
        for (int r = 0; r < y.Length; r++) y[r] = Mode(logits.Slice(r * k, k));
        return result;
    }

    /// <summary>One sampled action per row, as a constant [B] tensor (not differentiable).</summary>
    public Tensor Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Tensor result = LogProbs.Tape.Full(new Shape(BatchSize), 0f);
        ReadOnlySpan<float> logits = Logits.Data;
        Span<float> y = result.Data;
        int k = ActionCount;
        for (int r = 0; r < y.Length; r++) y[r] = SampleCore(logits.Slice(r * k, k), default, rng, out _);
        return result;
    }

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>Samples an action from one row of logits (inverse CDF, one uniform draw).</summary>
    public static int Sample(ReadOnlySpan<float> logits, Rng rng) => SampleCore(logits, default, rng, out _);

    /// <summary>Samples an action from one row of logits and returns its log-probability.</summary>
    public static int Sample(ReadOnlySpan<float> logits, Rng rng, out float logProb) => SampleCore(logits, default, rng, out logProb);

    /// <summary>Samples an allowed action (<paramref name="mask"/>[k] true) and returns its log-probability
    /// under the distribution renormalized over the allowed actions. An empty mask allows every action.</summary>
    /// <exception cref="ArgumentException">The mask's length differs from the logits', or it allows nothing.</exception>
    public static int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, Rng rng, out float logProb) =>
        SampleCore(logits, mask, rng, out logProb);

    /// <summary>
    /// Samples a batch: <paramref name="logits"/> holds B rows of K = logits.Length / B logits (row-major),
    /// <paramref name="mask"/> is empty or has the logits' length, B = <paramref name="actions"/>.Length.
    /// <paramref name="logProbs"/> receives the B log-probabilities; pass an empty span to skip them.
    /// </summary>
    public static void Sample(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, Rng rng, Span<int> actions, Span<float> logProbs)
    {
        int b = actions.Length;
        int k = RowWidth(logits.Length, b);
        if (!mask.IsEmpty) DistributionMath.CheckLength(mask.Length, logits.Length, nameof(mask));
        if (!logProbs.IsEmpty) DistributionMath.CheckLength(logProbs.Length, b, nameof(logProbs));
        for (int r = 0; r < b; r++)
        {
            ReadOnlySpan<bool> rowMask = mask.IsEmpty ? default : mask.Slice(r * k, k);
            actions[r] = SampleCore(logits.Slice(r * k, k), rowMask, rng, out float lp);
            if (!logProbs.IsEmpty) logProbs[r] = lp;
        }
    }

    /// <summary>The most probable action of one row (lowest index on ties).</summary>
    public static int Mode(ReadOnlySpan<float> logits) => ArgMaxAllowed(logits, default, out _);

    /// <summary>The most probable allowed action of one row (lowest index on ties). An empty mask allows every action.</summary>
    public static int Mode(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask) => ArgMaxAllowed(logits, mask, out _);

    /// <summary>The mode of each of B = <paramref name="actions"/>.Length rows; the mask is empty or has the logits' length.</summary>
    public static void Mode(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, Span<int> actions)
    {
        int b = actions.Length;
        int k = RowWidth(logits.Length, b);
        if (!mask.IsEmpty) DistributionMath.CheckLength(mask.Length, logits.Length, nameof(mask));
        for (int r = 0; r < b; r++)
            actions[r] = ArgMaxAllowed(logits.Slice(r * k, k), mask.IsEmpty ? default : mask.Slice(r * k, k), out _);
    }

    /// <summary>log p(<paramref name="action"/>) for one row of logits.</summary>
    public static float LogProb(ReadOnlySpan<float> logits, int action) => LogProb(logits, default, action);

    /// <summary>log p(<paramref name="action"/>) under the distribution renormalized over the allowed actions;
    /// −∞ for a forbidden action. An empty mask allows every action.</summary>
    public static float LogProb(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, int action)
    {
        if ((uint)action >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(action), $"Action {action} is outside [0, {logits.Length}).");
        float max = logits[ArgMaxAllowed(logits, mask, out _)];
        if (!mask.IsEmpty && !mask[action]) return float.NegativeInfinity;
        return (float)(logits[action] - max - Math.Log(SumExp(logits, mask, max)));
    }

    // ------------------------------------------------------------------ internals

    internal static int SampleCore(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, Rng rng, out float logProb)
    {
        ArgumentNullException.ThrowIfNull(rng);
        float max = logits[ArgMaxAllowed(logits, mask, out _)];
        double sum = SumExp(logits, mask, max);
        double u = rng.NextDouble() * sum;
        double cumulative = 0;
        int chosen = -1;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!mask.IsEmpty && !mask[i]) continue;
            double w = Math.Exp(logits[i] - max);
            if (w == 0) continue; // underflowed: probability 0 in double, never chosen
            chosen = i;
            cumulative += w;
            if (cumulative > u) break;
        }
        // chosen is never −1: the maximal allowed logit has weight 1. If rounding left u ≥ the final
        // cumulative sum, the last action with positive weight is taken.
        logProb = (float)(logits[chosen] - max - Math.Log(sum));
        return chosen;
    }

    private static double SumExp(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, float max)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
            if (mask.IsEmpty || mask[i]) sum += Math.Exp(logits[i] - max);
        return sum;
    }

    private static int ArgMaxAllowed(ReadOnlySpan<float> logits, ReadOnlySpan<bool> mask, out float max)
    {
        if (logits.IsEmpty) throw new ArgumentException("A categorical distribution needs at least one logit.", nameof(logits));
        if (!mask.IsEmpty) DistributionMath.CheckLength(mask.Length, logits.Length, nameof(mask));
        int best = -1;
        max = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!mask.IsEmpty && !mask[i]) continue;
            if (best < 0 || logits[i] > max)
            {
                best = i;
                max = logits[i];
            }
        }
        if (best < 0) throw new ArgumentException("The action mask allows no action.", nameof(mask));
        if (float.IsNaN(max) || float.IsInfinity(max))
            throw new ArgumentException($"Categorical logits must be finite; got {max} at index {best}.", nameof(logits));
        return best;
    }

    private static int RowWidth(int logitCount, int rows)
    {
        if (rows == 0 || logitCount % rows != 0 || logitCount == 0)
            throw new ArgumentException($"{logitCount} logits do not split into {rows} equal non-empty rows.");
        return logitCount / rows;
    }

    private static void CheckMaskRows(ReadOnlySpan<float> mask, int k)
    {
        for (int r = 0; r < mask.Length / k; r++)
        {
            bool any = false;
            foreach (float m in mask.Slice(r * k, k)) any |= m != 0f;
            if (any) continue;
            throw new ArgumentException($"Row {r} of the action mask allows no action; every row needs at least one.", nameof(mask));
        }
    }
}
