namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// Independent categorical heads over consecutive slices of one logits tensor (e.g. a MultiDiscrete action
/// space): logits [B, K₁ + … + Kₙ] with head sizes (K₁, …, Kₙ), actions [B, n]. Log-probabilities, entropies
/// and KL divergences are summed over the heads, giving [B].
/// </summary>
/// <remarks>An optional mask of the logits' shape applies per head exactly as in <see cref="Categorical"/>
/// (each head needs at least one allowed action per row). The static members act on raw spans with no tape
/// and no allocation.</remarks>
public readonly struct MultiCategorical
{
    private readonly ReadOnlyMemory<int> _sizes;

    /// <summary>Creates the heads from logits [B, ΣKᵢ], head sizes (not copied: do not change them) and an optional mask.</summary>
    /// <exception cref="ArgumentException">A size is not positive or the sizes do not add up to the logits' width.</exception>
    public MultiCategorical(Tensor logits, ReadOnlyMemory<int> sizes, Tensor? mask = null)
    {
        DistributionMath.CheckMatrix(logits, nameof(logits), nameof(MultiCategorical));
        CheckSizes(sizes.Span, logits.Shape[1]);
        if (mask is { } m) DistributionMath.CheckSameShape(logits, m, "MultiCategorical logits and mask");
        Logits = logits;
        Mask = mask;
        _sizes = sizes;
    }

    /// <summary>The (unmasked) logits, [B, ΣKᵢ].</summary>
    public Tensor Logits { get; }

    /// <summary>The mask given at construction, if any.</summary>
    public Tensor? Mask { get; }

    /// <summary>The head sizes K₁, …, Kₙ.</summary>
    public ReadOnlySpan<int> Sizes => _sizes.Span;

    /// <summary>Number of heads n.</summary>
    public int HeadCount => _sizes.Length;

    /// <summary>Head <paramref name="index"/> as a <see cref="Categorical"/> over its slice of the logits (recorded on each call).</summary>
    public Categorical Head(int index)
    {
        ReadOnlySpan<int> sizes = _sizes.Span;
        if ((uint)index >= (uint)sizes.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"Head {index} is outside [0, {sizes.Length}).");
        int start = 0;
        for (int i = 0; i < index; i++) start += sizes[i];
        int k = sizes[index];
        return new Categorical(Logits.Slice(-1, start, k), Mask?.Slice(-1, start, k));
    }

    /// <summary>Σᵢ log pᵢ(aᵢ) for actions [B, n], shape [B].</summary>
    public Tensor LogProb(Tensor actions)
    {
        if (actions.Shape != new Shape(Logits.Shape[0], HeadCount))
            throw new ArgumentException($"MultiCategorical actions must have shape [{Logits.Shape[0]}, {HeadCount}]; got {actions.Shape}.", nameof(actions));
        Tensor total = Head(0).LogProb(actions.Slice(-1, 0, 1));
        for (int i = 1; i < HeadCount; i++) total += Head(i).LogProb(actions.Slice(-1, i, 1));
        return total;
    }

    /// <summary>Σᵢ entropy of head i, shape [B].</summary>
    public Tensor Entropy()
    {
        Tensor total = Head(0).Entropy();
        for (int i = 1; i < HeadCount; i++) total += Head(i).Entropy();
        return total;
    }

    /// <summary>Σᵢ KL(headᵢ ‖ other headᵢ), shape [B]. The head sizes must agree.</summary>
    public Tensor Kl(MultiCategorical other)
    {
        if (!Sizes.SequenceEqual(other.Sizes))
            throw new ArgumentException("MultiCategorical KL needs the same head sizes on both sides.", nameof(other));
        Tensor total = Head(0).Kl(other.Head(0));
        for (int i = 1; i < HeadCount; i++) total += Head(i).Kl(other.Head(i));
        return total;
    }

    /// <summary>The most probable action of every head, a constant [B, n] tensor.</summary>
    public Tensor Mode() => PerHead(null);

    /// <summary>Sampled actions, a constant [B, n] tensor (not differentiable).</summary>
    public Tensor Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return PerHead(rng);
    }

    private Tensor PerHead(Rng? rng)
    {
        int b = Logits.Shape[0], n = HeadCount, width = Logits.Shape[1];
        Tensor result = Logits.Tape.Full(new Shape(b, n), 0f);
        ReadOnlySpan<float> logits = Logits.Data;
        ReadOnlySpan<float> mask = Mask is { } m ? m.Data : default;
        ReadOnlySpan<int> sizes = Sizes;
        Span<float> y = result.Data;
        for (int r = 0; r < b; r++)
        {
            int start = r * width;
            for (int i = 0; i < n; i++)
            {
                int k = sizes[i];
                ReadOnlySpan<float> head = logits.Slice(start, k);
                int action = MaskedChoice(head, mask.IsEmpty ? default : mask.Slice(start, k), rng);
                y[r * n + i] = action;
                start += k;
            }
        }
        return result;
    }

    private static int MaskedChoice(ReadOnlySpan<float> logits, ReadOnlySpan<float> mask, Rng? rng)
    {
        int k = logits.Length;
        Span<bool> allowed = k <= 256 ? stackalloc bool[k] : new bool[k];
        if (mask.IsEmpty) allowed.Fill(true);
        else for (int j = 0; j < k; j++) allowed[j] = mask[j] != 0f;
        return rng is null ? Categorical.Mode(logits, allowed) : Categorical.Sample(logits, allowed, rng, out _);
    }

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>
    /// Samples one action per head from one row of logits (length ΣKᵢ) into <paramref name="actions"/> (length n)
    /// and returns the summed log-probability. <paramref name="mask"/> is empty or has the logits' length.
    /// </summary>
    public static float Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> sizes, ReadOnlySpan<bool> mask, Rng rng, Span<int> actions)
    {
        CheckRow(logits, sizes, mask, actions);
        double logProb = 0;
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int k = sizes[i];
            actions[i] = Categorical.Sample(logits.Slice(start, k), mask.IsEmpty ? default : mask.Slice(start, k), rng, out float lp);
            logProb += lp;
            start += k;
        }
        return (float)logProb;
    }

    /// <summary>Samples one action per head with no mask and returns the summed log-probability.</summary>
    public static float Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> sizes, Rng rng, Span<int> actions) =>
        Sample(logits, sizes, default, rng, actions);

    /// <summary>The most probable action of every head of one row. <paramref name="mask"/> may be empty.</summary>
    public static void Mode(ReadOnlySpan<float> logits, ReadOnlySpan<int> sizes, ReadOnlySpan<bool> mask, Span<int> actions)
    {
        CheckRow(logits, sizes, mask, actions);
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int k = sizes[i];
            actions[i] = Categorical.Mode(logits.Slice(start, k), mask.IsEmpty ? default : mask.Slice(start, k));
            start += k;
        }
    }

    /// <summary>Σᵢ log pᵢ(<paramref name="actions"/>[i]) for one row; −∞ if an action is masked. <paramref name="mask"/> may be empty.</summary>
    public static float LogProb(ReadOnlySpan<float> logits, ReadOnlySpan<int> sizes, ReadOnlySpan<bool> mask, ReadOnlySpan<int> actions)
    {
        CheckSizes(sizes, logits.Length);
        DistributionMath.CheckLength(actions.Length, sizes.Length, nameof(actions));
        if (!mask.IsEmpty) DistributionMath.CheckLength(mask.Length, logits.Length, nameof(mask));
        double logProb = 0;
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int k = sizes[i];
            logProb += Categorical.LogProb(logits.Slice(start, k), mask.IsEmpty ? default : mask.Slice(start, k), actions[i]);
            start += k;
        }
        return (float)logProb;
    }

    private static void CheckRow(ReadOnlySpan<float> logits, ReadOnlySpan<int> sizes, ReadOnlySpan<bool> mask, Span<int> actions)
    {
        CheckSizes(sizes, logits.Length);
        DistributionMath.CheckLength(actions.Length, sizes.Length, nameof(actions));
        if (!mask.IsEmpty) DistributionMath.CheckLength(mask.Length, logits.Length, nameof(mask));
    }

    private static void CheckSizes(ReadOnlySpan<int> sizes, int width)
    {
        if (sizes.IsEmpty) throw new ArgumentException("A multi-categorical distribution needs at least one head.", nameof(sizes));
        int total = 0;
        foreach (int k in sizes)
        {
            if (k <= 0) throw new ArgumentException($"Head sizes must be positive; got {k}.", nameof(sizes));
            total += k;
        }
        if (total != width)
            throw new ArgumentException($"The head sizes add up to {total}, but the logits have {width} columns.", nameof(sizes));
    }
}
