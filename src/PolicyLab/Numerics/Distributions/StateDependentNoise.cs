namespace PolicyLab.Numerics.Distributions;

/// <summary>
/// Generalized state-dependent exploration (gSDE; Raffin, Kober &amp; Stulp, CoRL 2021): the action is
/// a = μ(s) + z(s)·W, with z(s) [F] features of the state (the policy's last hidden layer) and an exploration
/// matrix W [F, D] drawn element-wise W_ij ~ N(0, σ_ij²) and kept for several steps. Given W's distribution each
/// action dimension is Gaussian, a_j ~ N(μ_j, σ̂_j²) with σ̂_j² = Σ_i z_i² σ_ij² + 1e-6, which gives the
/// log-likelihood, entropy and KL in closed form (those of a diagonal Gaussian with a state-dependent σ̂).
/// </summary>
/// <remarks>
/// <para>σ = exp(log σ), or with <c>use_expln</c> σ = exp(log σ) where log σ ≤ 0 and log(1 + log σ + 1e-6) + 1 where
/// log σ &gt; 0 (positive, and growing only logarithmically). log σ is [F, D] (<c>full_std</c>) or [F, 1], one σ per
/// feature shared by every action dimension.</para>
/// <para>The instance members record on the tape (for losses); the static members act on raw spans with no tape and no
/// allocation (for acting).</para>
/// </remarks>
public readonly struct StateDependentNoise
{
    /// <summary>The constant added to σ̂² before the square root.</summary>
    public const float VarianceEpsilon = 1e-6f;

    /// <summary>The constant inside the log of the <c>use_expln</c> branch.</summary>
    public const float ExplnEpsilon = 1e-6f;

    /// <summary>Creates the distributions from the mean μ [B, D], the features z [B, F] and log σ [F, D] or [F, 1].</summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public StateDependentNoise(Tensor mean, Tensor features, Tensor logStd, bool useExpln)
    {
        DistributionMath.CheckMatrix(mean, nameof(mean), nameof(StateDependentNoise));
        DistributionMath.CheckMatrix(features, nameof(features), nameof(StateDependentNoise));
        if (features.Shape[0] != mean.Shape[0])
            throw new ArgumentException($"The features {features.Shape} and the mean {mean.Shape} must have the same number of rows.", nameof(features));
        int f = features.Shape[1], d = mean.Shape[1];
        if (logStd.Shape != new Shape(f, d) && logStd.Shape != new Shape(f, 1))
            throw new ArgumentException($"The log-std must have shape [{f}, {d}] (full_std) or [{f}, 1]; got {logStd.Shape}.", nameof(logStd));
        Tape.Common(mean, features);
        Tape.Common(mean, logStd);
        (Mean, Features, LogStd, UseExpln) = (mean, features, logStd, useExpln);
    }

    /// <summary>The mean μ, [B, D].</summary>
    public Tensor Mean { get; }

    /// <summary>The features z, [B, F] (detach them before building the distribution to keep the noise's gradient out of them).</summary>
    public Tensor Features { get; }

    /// <summary>log σ of the exploration matrix's entries, [F, D] or [F, 1].</summary>
    public Tensor LogStd { get; }

    /// <summary>Whether σ uses the expln map instead of exp.</summary>
    public bool UseExpln { get; }

    /// <summary>Action dimension D.</summary>
    public int Dimension => Mean.Shape[1];

    /// <summary>σ of the exploration matrix's entries as [F, D] (a [F, 1] log σ broadcast over the actions), recorded on each access.</summary>
    public Tensor Std
    {
        get
        {
            Tape tape = Mean.Tape;
            Tensor std;
            if (!UseExpln) std = LogStd.Exp();
            else
            {
                // expln: exp(x) for x ≤ 0, log1p(x + ε) + 1 for x > 0 (the x > 0 branch evaluated on max(x, 0)).
                Tensor positive = tape.Constant(new float[LogStd.Length], LogStd.Shape);
                ReadOnlySpan<float> x = LogStd.Data;
                Span<float> mask = positive.Data;
                for (int i = 0; i < mask.Length; i++) mask[i] = x[i] > 0 ? 1f : 0f;
                Tensor above = (LogStd * positive + (1f + ExplnEpsilon)).Log() + 1f;
                std = tape.Where(positive, above, LogStd.Exp());
            }
            return LogStd.Shape[1] == Dimension ? std : std * tape.Full(new Shape(1, Dimension), 1f);
        }
    }

    /// <summary>σ̂² = z²·σ² + 1e-6, the variance of each action dimension, [B, D].</summary>
    public Tensor Variance => Features.Square().MatMul(Std.Square()) + VarianceEpsilon;

    /// <summary>The per-action Gaussian N(μ, σ̂²) with log σ̂ = ½ log σ̂²: log-probabilities, entropy and KL come from it.</summary>
    public DiagonalGaussian Gaussian => new(Mean, 0.5f * Variance.Log());

    /// <summary>log p(a) = Σ_j [−½(a_j − μ_j)²/σ̂_j² − log σ̂_j − ½ log 2π] for actions [B, D], shape [B].</summary>
    public Tensor LogProb(Tensor actions) => Gaussian.LogProb(actions);

    /// <summary>Entropy Σ_j [log σ̂_j + ½ + ½ log 2π], shape [B].</summary>
    public Tensor Entropy() => Gaussian.Entropy();

    /// <summary>
    /// The reparameterized sample a = μ + z·(σ ⊙ E) for a standard normal matrix <paramref name="noise"/> E [F, D] (one
    /// exploration matrix for the whole batch), differentiable in μ, z and log σ.
    /// </summary>
    public Tensor Rsample(Tensor noise)
    {
        if (noise.Shape != new Shape(Features.Shape[1], Dimension))
            throw new ArgumentException($"The exploration noise must have shape [{Features.Shape[1]}, {Dimension}]; got {noise.Shape}.", nameof(noise));
        return Mean + Features.MatMul(Std * noise);
    }

    // ------------------------------------------------------------------ acting (tape-free, allocation-free)

    /// <summary>σ of the exploration matrix's entries from <paramref name="logStd"/> (either layout), into <paramref name="std"/> (same length).</summary>
    public static void StdOf(ReadOnlySpan<float> logStd, bool useExpln, Span<float> std)
    {
        DistributionMath.CheckLength(std.Length, logStd.Length, nameof(std));
        for (int i = 0; i < logStd.Length; i++)
        {
            float x = logStd[i];
            std[i] = !useExpln || x <= 0 ? MathF.Exp(x) : (float)(Math.Log(1.0 + (x + (double)ExplnEpsilon)) + 1.0);
        }
    }

    /// <summary>
    /// Draws an exploration matrix W [F, D], W_ij = σ_ij·ε_ij with ε_ij ~ N(0, 1) from <paramref name="rng"/>, into
    /// <paramref name="matrix"/>; <paramref name="std"/> is [F, D] or [F, 1] (see <see cref="StdOf"/>).
    /// </summary>
    public static void SampleMatrix(ReadOnlySpan<float> std, int features, int dimension, Rng rng, Span<float> matrix)
    {
        ArgumentNullException.ThrowIfNull(rng);
        DistributionMath.CheckLength(matrix.Length, features * dimension, nameof(matrix));
        bool full = StdLayout(std.Length, features, dimension);
        rng.FillNormal(matrix);
        for (int i = 0; i < features; i++)
            for (int j = 0; j < dimension; j++)
                matrix[i * dimension + j] *= full ? std[i * dimension + j] : std[i];
    }

    /// <summary>
    /// One action a = μ + z·W into <paramref name="action"/> (length D) for features <paramref name="features"/> (F) and the
    /// exploration matrix <paramref name="matrix"/> [F, D]; returns log p(a) under N(μ, σ̂²). <paramref name="action"/>
    /// must not overlap the inputs.
    /// </summary>
    public static float Sample(ReadOnlySpan<float> mean, ReadOnlySpan<float> features, ReadOnlySpan<float> std, ReadOnlySpan<float> matrix,
        Span<float> action)
    {
        int f = features.Length, d = mean.Length;
        DistributionMath.CheckLength(matrix.Length, f * d, nameof(matrix));
        DistributionMath.CheckLength(action.Length, d, nameof(action));
        mean.CopyTo(action);
        for (int i = 0; i < f; i++)
        {
            float zi = features[i];
            ReadOnlySpan<float> row = matrix.Slice(i * d, d);
            for (int j = 0; j < d; j++) action[j] += zi * row[j];
        }
        return LogProb(mean, features, std, action);
    }

    /// <summary>log p(<paramref name="action"/>) of one D-dimensional action under N(μ, σ̂²), σ̂_j² = Σ_i z_i² σ_ij² + 1e-6.</summary>
    public static float LogProb(ReadOnlySpan<float> mean, ReadOnlySpan<float> features, ReadOnlySpan<float> std, ReadOnlySpan<float> action)
    {
        int f = features.Length, d = mean.Length;
        DistributionMath.CheckLength(action.Length, d, nameof(action));
        bool full = StdLayout(std.Length, f, d);
        double logProb = -d * DistributionMath.HalfLog2Pi;
        for (int j = 0; j < d; j++)
        {
            double variance = 0;
            for (int i = 0; i < f; i++)
            {
                double s = full ? std[i * d + j] : std[i];
                variance += (double)features[i] * features[i] * s * s;
            }
            // σ̂² in float32 as the tape computes it, so acting and training agree on the log-probability.
            variance = (float)variance + VarianceEpsilon;
            double gap = action[j] - (double)mean[j];
            logProb += -0.5 * gap * gap / variance - 0.5 * Math.Log(variance);
        }
        return (float)logProb;
    }

    private static bool StdLayout(int length, int features, int dimension)
    {
        if (length == features * dimension) return true;
        if (length == features) return false;
        throw new ArgumentException($"σ has {length} values; expected {features * dimension} (full_std) or {features}.", nameof(length));
    }
}
