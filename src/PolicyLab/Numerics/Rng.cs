using System.Runtime.CompilerServices;

namespace PolicyLab.Numerics;

/// <summary>
/// A seeded pseudo-random stream (xoshiro256**, seeded through SplitMix64). PolicyLab never uses a
/// global random source: every component that needs randomness receives an <see cref="Rng"/>, so the
/// same seed gives the same numbers on every run, machine and thread count.
/// </summary>
/// <remarks>Not thread-safe: give each thread its own stream (see <see cref="Split"/>).</remarks>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a stream from a 64-bit seed.</summary>
    public Rng(ulong seed) => Reseed(seed);

    /// <summary>Creates a stream from a (possibly negative) integer seed.</summary>
    public Rng(long seed) : this(unchecked((ulong)seed)) { }

    private Rng() { }

    /// <summary>Resets the stream to the state that <c>new Rng(seed)</c> would have.</summary>
    public void Reseed(ulong seed)
    {
        ulong sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>Derives an independent child stream and advances this one. Deterministic: the n-th
    /// child of a stream with a given seed is always the same.</summary>
    public Rng Split() => new(NextUInt64() ^ 0x9E3779B97F4A7C15UL);

    /// <summary>Derives a stream for a (seed, index) pair without needing a parent instance,
    /// e.g. the seed of episode <paramref name="index"/> of candidate <paramref name="seed"/>.</summary>
    public static ulong DeriveSeed(ulong seed, ulong index)
    {
        ulong sm = seed ^ (index * 0xD1B54A32D192ED03UL);
        SplitMix64(ref sm);
        return SplitMix64(ref sm);
    }

    /// <summary>The four state words, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Writes the four state words into <paramref name="destination"/> (as <see cref="GetState"/>, without allocating).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not hold four words.</exception>
    public void CopyState(Span<ulong> destination)
    {
        if (destination.Length != 4)
            throw new ArgumentException($"An Rng state has 4 words; got room for {destination.Length}.", nameof(destination));
        (destination[0], destination[1], destination[2], destination[3]) = (_s0, _s1, _s2, _s3);
    }

    /// <summary>Restores a state obtained from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state does not have four words or is all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4)
            throw new ArgumentException($"An Rng state has 4 words; got {state.Length}.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("An all-zero Rng state is invalid (xoshiro would emit zeros forever).", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>Creates a stream positioned at a saved state.</summary>
    public static Rng FromState(ReadOnlySpan<ulong> state)
    {
        var rng = new Rng();
        rng.SetState(state);
        return rng;
    }

    /// <summary>Next 64 uniformly random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="n"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n;
        while (true)
        {
            UInt128 m = (UInt128)NextUInt64() * bound;
            ulong low = (ulong)m;
            if (low >= bound || low >= (0UL - bound) % bound)
                return (int)(ulong)(m >> 64);
        }
    }

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public int NextInt(int low, int high)
    {
        if (high <= low)
            throw new ArgumentException($"Empty integer range [{low}, {high}).", nameof(high));
        return low + NextInt(high - low);
    }

    /// <summary>A standard normal sample (Box–Muller; one uniform pair per sample, no cached state).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A normal sample with the given mean and standard deviation.</summary>
    public double Normal(double mean, double std) => mean + std * Normal();

    /// <summary>Fills <paramref name="destination"/> with standard normal samples (both Box–Muller outputs used).</summary>
    public void FillNormal(Span<float> destination)
    {
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            double u1 = 1.0 - NextDouble();
            double u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            destination[i] = (float)(r * cos);
            destination[i + 1] = (float)(r * sin);
        }
        if (i < destination.Length)
            destination[i] = (float)Normal();
    }

    /// <summary>Fills <paramref name="destination"/> with uniform samples in [low, high).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
