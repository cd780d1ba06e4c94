using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// One iteration's candidates as they are sent to whoever evaluates them: either explicit parameter vectors
/// (CEM, hill climbing) or, Salimans-style, a centre θ, a noise scale σ and one noise seed, from which candidate
/// 2i = θ + σεᵢ and 2i + 1 = θ − σεᵢ with εᵢ ~ N(0, I) drawn from the stream seeded DeriveSeed(noise seed, i).
/// The second form lets a remote worker rebuild any candidate from d + 2 numbers instead of receiving it.
/// </summary>
/// <remarks>Mutable and reused from iteration to iteration, so in-process evaluation allocates nothing.</remarks>
public sealed class Population
{
    /// <summary>Creates an empty population of <paramref name="dimension"/>-dimensional candidates.</summary>
    public Population(int dimension) => Dimension = dimension;

    /// <summary>Number of parameters of one candidate.</summary>
    public int Dimension { get; }

    /// <summary>Number of candidates (for a worker's slice, one past its last candidate).</summary>
    public int Count { get; private set; }

    /// <summary>The candidates laid out one after another (Count × Dimension floats), when they are explicit.</summary>
    public float[]? Explicit { get; private set; }

    /// <summary>The centre θ of antithetic candidates (null for explicit ones).</summary>
    public float[]? Center { get; private set; }

    /// <summary>The noise scale σ of antithetic candidates.</summary>
    public float Sigma { get; private set; }

    /// <summary>The seed from which every εᵢ of antithetic candidates is derived.</summary>
    public ulong NoiseSeed { get; private set; }

    /// <summary>The index of the first vector in <see cref="Explicit"/> (0 unless this is a worker's slice of a population).</summary>
    public int ExplicitFirst { get; private set; }

    /// <summary>Makes this population the first <paramref name="count"/> vectors of <paramref name="candidates"/>; with
    /// <paramref name="first"/> &gt; 0 they are candidates first..first + count − 1 of a larger population (a worker's slice).</summary>
    public void SetExplicit(float[] candidates, int count, int first = 0)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if ((long)count * Dimension > candidates.Length)
            throw new ArgumentException($"{count} candidates of dimension {Dimension} need {(long)count * Dimension} floats; got {candidates.Length}.", nameof(candidates));
        (Explicit, Center, ExplicitFirst, Count) = (candidates, null, first, first + count);
    }

    /// <summary>Makes this population the 2·<paramref name="pairs"/> antithetic candidates θ ± σεᵢ.</summary>
    public void SetAntithetic(float[] center, float sigma, ulong noiseSeed, int pairs)
    {
        ArgumentNullException.ThrowIfNull(center);
        if (center.Length != Dimension)
            throw new ArgumentException($"The centre has {center.Length} values; the population's dimension is {Dimension}.", nameof(center));
        (Explicit, Center, Sigma, NoiseSeed, Count) = (null, center, sigma, noiseSeed, 2 * pairs);
    }

    /// <summary>Writes εᵢ of antithetic pair <paramref name="pair"/> (reseeding <paramref name="scratch"/>).</summary>
    public static void Noise(ulong noiseSeed, int pair, Span<float> destination, Rng scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Reseed(Rng.DeriveSeed(noiseSeed, (ulong)pair));
        scratch.FillNormal(destination);
    }

    /// <summary>Writes candidate <paramref name="candidate"/> into <paramref name="destination"/>
    /// (<paramref name="scratch"/> is reseeded for antithetic candidates).</summary>
    public void Write(int candidate, Span<float> destination, Rng scratch)
    {
        int d = Dimension;
        if (Explicit is { } all)
        {
            all.AsSpan((candidate - ExplicitFirst) * d, d).CopyTo(destination);
            return;
        }
        float[] theta = Center ?? throw new InvalidOperationException("The population has not been set.");
        Noise(NoiseSeed, candidate / 2, destination[..d], scratch);
        float sign = candidate % 2 == 0 ? 1f : -1f;
        WriteAntithetic(theta, Sigma * sign, destination);
    }

    /// <summary>θ + s·ε in place over ε (s = ±σ): the one formula both the driver and every worker use.</summary>
    private static void WriteAntithetic(ReadOnlySpan<float> theta, float signedSigma, Span<float> noise)
    {
        for (int j = 0; j < theta.Length; j++) noise[j] = theta[j] + signedSigma * noise[j];
    }
}
