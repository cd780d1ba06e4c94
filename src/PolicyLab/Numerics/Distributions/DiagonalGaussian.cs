namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// A batch of diagonal Gaussians N(μ, diag σ²) over D-dimensional actions, parameterized by the mean
/// μ [B, D] and the log standard deviation log σ, either state-independent [D] (broadcast over the batch)
/// or state-dependent [B, D].
/// </summary>
/// <remarks>
/// The instance members record on the parameters' tape for losses; log-probabilities, entropies and KL
/// divergences are summed over the D dimensions, giving [B]. The static members sample, evaluate and take
/// the mode on raw spans with no tape and no allocation, for acting.
/// </remarks>
public readonly struct DiagonalGaussian
{
    /// <summary>Creates the distributions from <paramref name="mean"/> [B, D] and <paramref name="logStd"/> [D] or [B, D].</summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public DiagonalGaussian(Tensor mean, Tensor logStd)
    {
        DistributionMath.CheckMatrix(mean, nameof(mean), nameof(DiagonalGaussian));
        if (logStd.Shape != mean.Shape && logStd.Shape != new Shape(mean.Shape[1]))
            throw new ArgumentException($"The log-std must have shape [{mean.Shape[1]}] or {mean.Shape} to match the mean {mean.Shape}; got {logStd.Shape}.", nameof(logStd));
        Tape.Common(mean, logStd);
        Mean = mean;
        LogStd = logStd;
    }

    /// <summary>The mean μ, [B, D].</summary>
    public Tensor Mean { get; }

    /// <summary>log σ, [D] or [B, D].</summary>
    public Tensor LogStd { get; }

    /// <summary>σ = exp(log σ) (recorded on each access).</summary>
    public Tensor Std => LogStd.Exp();

    /// <summary>Batch size B.</summary>
    public int BatchSize => Mean.Shape[0];

    /// <summary>Action dimension D.</summary>
    public int Dimension => Mean.Shape[1];

    /// <summary>log p(a) = Σ_d [−½((a − μ)/σ)² − log σ − ½ log 2π] for actions [B, D], shape [B].</summary>
    public Tensor LogProb(Tensor actions)
    {
        DistributionMath.CheckSameShape(actions, Mean, "Gaussian actions and mean");
        Tensor z = (actions - Mean) * (-LogStd).Exp();
        return (-0.5f * z.Square() - LogStd).Sum(-1) - (float)(Dimension * DistributionMath.HalfLog2Pi);
    }

    /// <summary>Entropy Σ_d [log σ + ½ + ½ log 2π], shape [B].</summary>
    public Tensor Entropy()
    {
        float constant = (float)(Dimension * (0.5 + DistributionMath.HalfLog2Pi));
        if (LogStd.Shape.Rank == 2) return LogStd.Sum(-1) + constant;
        // State-independent log-std: the same entropy for every row, broadcast to [B].
        return Mean.Tape.Full(new Shape(BatchSize), constant) + LogStd.Sum();
    }

    /// <summary>KL(this ‖ <paramref name="other"/>) = Σ_d [log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½], shape [B].</summary>
    public Tensor Kl(DiagonalGaussian other)
    {
        DistributionMath.CheckSameShape(Mean, other.Mean, "Gaussian KL");
        Tensor logRatio = LogStd - other.LogStd;                   // log σp − log σq
        Tensor scaledGap = (Mean - other.Mean) * (-other.LogStd).Exp(); // (μp − μq)/σq
        return (0.5f * ((2f * logRatio).Exp() + scaledGap.Square()) - logRatio - 0.5f).Sum(-1);
    }

    /// <summary>The reparameterized sample μ + σ·ε for standard normal <paramref name="noise"/> ε [B, D]
    /// (drawn by the caller, e.g. with <see cref="Rng.FillNormal"/>); differentiable in μ and σ.</summary>
    public Tensor Rsample(Tensor noise)
    {
        DistributionMath.CheckSameShape(noise, Mean, "Gaussian noise and mean");
        return Mean + LogStd.Exp() * noise;
    }

    /// <summary>A reparameterized sample with noise drawn from <paramref name="rng"/> (see <see cref="Rsample"/>).</summary>
    public Tensor Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Tensor noise = Mean.Tape.Full(Mean.Shape, 0f);
        rng.FillNormal(noise.Data);
        return Rsample(noise);
    }

    /// <summary>The mode (deterministic action): the mean.</summary>
    public Tensor Mode() => Mean;

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>
    /// Samples one action a = μ + σ·ε (ε drawn from <paramref name="rng"/>) into <paramref name="action"/>
    /// and returns log p(a). All spans have length D; <paramref name="action"/> must not overlap the inputs.
    /// </summary>
    public static float Sample(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Rng rng, Span<float> action)
    {
        ArgumentNullException.ThrowIfNull(rng);
        DistributionMath.CheckLength(logStd.Length, mean.Length, nameof(logStd));
        DistributionMath.CheckLength(action.Length, mean.Length, nameof(action));
        rng.FillNormal(action);
        double logProb = -mean.Length * DistributionMath.HalfLog2Pi;
        for (int i = 0; i < action.Length; i++)
        {
            float eps = action[i];
            action[i] = mean[i] + MathF.Exp(logStd[i]) * eps;
            logProb += -0.5 * eps * eps - logStd[i];
        }
        return (float)logProb;
    }

    /// <summary>
    /// Samples a batch: <paramref name="mean"/> and <paramref name="actions"/> hold B rows of D values,
    /// <paramref name="logStd"/> has D (shared) or B·D values, B = <paramref name="logProbs"/>.Length.
    /// </summary>
    public static void Sample(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Rng rng, Span<float> actions, Span<float> logProbs)
    {
        int d = BatchLayout(mean, logStd, actions, logProbs.Length);
        for (int r = 0; r < logProbs.Length; r++)
            logProbs[r] = Sample(mean.Slice(r * d, d), RowOf(logStd, r, d), rng, actions.Slice(r * d, d));
    }

    /// <summary>log p(<paramref name="action"/>) of one D-dimensional action.</summary>
    public static float LogProb(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, ReadOnlySpan<float> action)
    {
        DistributionMath.CheckLength(logStd.Length, mean.Length, nameof(logStd));
        DistributionMath.CheckLength(action.Length, mean.Length, nameof(action));
        double logProb = -mean.Length * DistributionMath.HalfLog2Pi;
        for (int i = 0; i < action.Length; i++)
        {
            double z = (action[i] - (double)mean[i]) * Math.Exp(-logStd[i]);
            logProb += -0.5 * z * z - logStd[i];
        }
        return (float)logProb;
    }

    /// <summary>The mode of one action or a batch: copies <paramref name="mean"/> into <paramref name="action"/>.</summary>
    public static void Mode(ReadOnlySpan<float> mean, Span<float> action)
    {
        DistributionMath.CheckLength(action.Length, mean.Length, nameof(action));
        mean.CopyTo(action);
    }

    /// <summary>Checks a flat batch layout and returns D.</summary>
    internal static int BatchLayout(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Span<float> actions, int rows)
    {
        int d = DistributionMath.RowsOf(mean.Length, rows, nameof(mean));
        DistributionMath.CheckLength(actions.Length, mean.Length, nameof(actions));
        if (logStd.Length != d && logStd.Length != mean.Length)
            throw new ArgumentException($"The log-std has {logStd.Length} values; expected {d} (shared) or {mean.Length} (per row).", nameof(logStd));
        return d;
    }

    /// <summary>Row <paramref name="r"/> of a shared [D] or per-row [B·D] log-std.</summary>
    internal static ReadOnlySpan<float> RowOf(ReadOnlySpan<float> logStd, int r, int d) =>
        logStd.Length == d ? logStd : logStd.Slice(r * d, d);
}
