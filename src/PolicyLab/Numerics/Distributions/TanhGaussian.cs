namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// A tanh-squashed diagonal Gaussian (as in SAC): u ~ N(μ, diag σ²), a = tanh(u) ∈ (−1, 1)ᴰ, with
/// log p(a) = log N(u; μ, σ) − Σ_d log(1 − tanh² u_d). Rescaling to an environment's action bounds is
/// not done here.
/// </summary>
/// <remarks>
/// <para>The log-determinant term is computed as log(1 − tanh² u) = 2·(log 2 − u − softplus(−2u)), which is
/// exact and stays accurate where 1 − tanh² u underflows or cancels (|u| ≳ 4 in float32).</para>
/// <para><b>Entropy.</b> There is no closed form. <see cref="TanhGaussianSample.EntropyEstimate"/> (= −log p(a)
/// of a reparameterized sample) is a one-sample unbiased estimate, which is what SAC uses.</para>
/// <para><b>KL.</b> tanh is a bijection and KL divergence is invariant under a common bijection, so the KL
/// of two squashed Gaussians equals the KL of their underlying Gaussians (closed form).</para>
/// </remarks>
public readonly struct TanhGaussian
{
    /// <summary>Actions are clamped to ±(1 − <see cref="Epsilon"/>) before atanh in
    /// <see cref="LogProb(Tensor)"/>, so that actions at the bounds give a finite log-probability.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>Creates the distributions from the pre-squash <paramref name="mean"/> [B, D] and
    /// <paramref name="logStd"/> [D] or [B, D].</summary>
    public TanhGaussian(Tensor mean, Tensor logStd) => Base = new DiagonalGaussian(mean, logStd);

    /// <summary>The underlying (pre-squash) Gaussian.</summary>
    public DiagonalGaussian Base { get; }

    /// <summary>The pre-squash mean μ, [B, D].</summary>
    public Tensor Mean => Base.Mean;

    /// <summary>The pre-squash log σ, [D] or [B, D].</summary>
    public Tensor LogStd => Base.LogStd;

    /// <summary>
    /// A reparameterized sample a = tanh(μ + σ·ε) for standard normal <paramref name="noise"/> ε [B, D]
    /// (drawn by the caller from an <see cref="Rng"/>), with its log-probability; both differentiable in μ and σ.
    /// </summary>
    public TanhGaussianSample Rsample(Tensor noise)
    {
        Tensor u = Base.Rsample(noise);
        // log N(u; μ, σ) with (u − μ)/σ = ε exactly: its total derivative in μ, σ is that of −Σ log σ.
        Tensor logNormal = (-0.5f * noise.Square() - LogStd).Sum(-1) - (float)(Base.Dimension * DistributionMath.HalfLog2Pi);
        return new TanhGaussianSample(u.Tanh(), logNormal - LogOneMinusTanhSquared(u), u);
    }

    /// <summary>A reparameterized sample with noise drawn from <paramref name="rng"/> (see <see cref="Rsample"/>).</summary>
    public TanhGaussianSample Sample(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Tensor noise = Mean.Tape.Full(Mean.Shape, 0f);
        rng.FillNormal(noise.Data);
        return Rsample(noise);
    }

    /// <summary>log p(a) for squashed actions a [B, D] in (−1, 1), shape [B]: u = atanh(a) (after clamping a
    /// to ±(1 − <see cref="Epsilon"/>)), then log N(u; μ, σ) − Σ log(1 − tanh² u).</summary>
    /// <remarks>Prefer the log-probability returned by <see cref="Rsample"/> for the policy's own samples:
    /// inverting tanh loses precision as |a| → 1.</remarks>
    public Tensor LogProb(Tensor actions)
    {
        DistributionMath.CheckSameShape(actions, Mean, "Squashed Gaussian actions and mean");
        Tensor a = actions.Clamp(-1f + Epsilon, 1f - Epsilon);
        Tensor u = 0.5f * ((1f + a).Log() - (1f - a).Log());
        return Base.LogProb(u) - LogOneMinusTanhSquared(u);
    }

    /// <summary>KL(this ‖ <paramref name="other"/>), shape [B]: the KL of the underlying Gaussians (see remarks).</summary>
    public Tensor Kl(TanhGaussian other) => Base.Kl(other.Base);

    /// <summary>The deterministic action tanh(μ), [B, D] (differentiable).</summary>
    public Tensor Mode() => Mean.Tanh();

    /// <summary>Σ_d log(1 − tanh² u_d) in the stable form 2·(log 2 − u − softplus(−2u)), shape [B].</summary>
    public static Tensor LogOneMinusTanhSquared(Tensor u)
    {
        return (2f * ((float)DistributionMath.Ln2 - u - (-2f * u).Softplus())).Sum(-1);
    }

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>
    /// Samples one squashed action a = tanh(μ + σ·ε) into <paramref name="action"/> and returns log p(a)
    /// (with the tanh correction). All spans have length D; <paramref name="action"/> must not overlap the inputs.
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
            float u = mean[i] + MathF.Exp(logStd[i]) * eps;
            action[i] = MathF.Tanh(u);
            logProb += -0.5 * eps * eps - logStd[i] - DistributionMath.LogOneMinusTanhSquared(u);
        }
        return (float)logProb;
    }

    /// <summary>
    /// Samples a batch: <paramref name="mean"/> and <paramref name="actions"/> hold B rows of D values,
    /// <paramref name="logStd"/> has D (shared) or B·D values, B = <paramref name="logProbs"/>.Length.
    /// </summary>
    public static void Sample(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Rng rng, Span<float> actions, Span<float> logProbs)
    {
        int d = DiagonalGaussian.BatchLayout(mean, logStd, actions, logProbs.Length);
        for (int r = 0; r < logProbs.Length; r++)
            logProbs[r] = Sample(mean.Slice(r * d, d), DiagonalGaussian.RowOf(logStd, r, d), rng, actions.Slice(r * d, d));
    }

    /// <summary>log p(<paramref name="action"/>) of one squashed action (clamped to ±(1 − <see cref="Epsilon"/>) before atanh).</summary>
    public static float LogProb(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, ReadOnlySpan<float> action)
    {
        DistributionMath.CheckLength(logStd.Length, mean.Length, nameof(logStd));
        DistributionMath.CheckLength(action.Length, mean.Length, nameof(action));
        double logProb = -mean.Length * DistributionMath.HalfLog2Pi;
        for (int i = 0; i < action.Length; i++)
        {
            double a = Math.Clamp(action[i], -1.0 + Epsilon, 1.0 - Epsilon);
            double u = Math.Atanh(a);
            double z = (u - mean[i]) * Math.Exp(-logStd[i]);
            logProb += -0.5 * z * z - logStd[i] - DistributionMath.LogOneMinusTanhSquared(u);
        }
        return (float)logProb;
    }

    /// <summary>The deterministic action(s) tanh(μ) of one action or a batch.</summary>
    public static void Mode(ReadOnlySpan<float> mean, Span<float> action)
    {
        DistributionMath.CheckLength(action.Length, mean.Length, nameof(action));
        for (int i = 0; i < mean.Length; i++) action[i] = MathF.Tanh(mean[i]);
    }
}

/// <summary>A reparameterized sample of a <see cref="TanhGaussian"/>.</summary>
/// <param name="Action">The squashed action tanh(u), [B, D].</param>
/// <param name="LogProb">log p(action) including the tanh correction, [B].</param>
/// <param name="PreTanh">The pre-squash sample u = μ + σ·ε, [B, D].</param>
public readonly record struct TanhGaussianSample(Tensor Action, Tensor LogProb, Tensor PreTanh)
{
    /// <summary>The one-sample entropy estimate −log p(action), [B] (no closed form exists).</summary>
    public Tensor EntropyEstimate => -LogProb;
}
