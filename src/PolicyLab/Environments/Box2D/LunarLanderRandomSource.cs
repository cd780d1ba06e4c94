using PolicyLab.Numerics;

namespace PolicyLab.Environments.Box2D;

/// <summary>
/// Where LunarLander takes its random draws from, in Gymnasium's order: at reset 12 terrain heights
/// <c>Uniform(0, H/2)</c>, the initial force <c>Uniform(−1000, 1000)</c> for x then y, and with wind the two indices
/// <c>Integer(−9999, 9999)</c>; at every step two dispersions <c>Uniform(−1, 1)</c>. Replace it to replay the draws of a
/// recorded Gymnasium episode (see <see cref="ScriptedRandomSource"/>).
/// </summary>
public interface ILunarLanderRandomSource
{
    /// <summary>A uniform draw in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    double Uniform(double low, double high);

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    long Integer(long low, long high);
}

/// <summary>Draws from a PolicyLab <see cref="Rng"/> (the environment's seeded stream by default).</summary>
/// <param name="rng">The stream to draw from.</param>
public sealed class RngRandomSource(Rng rng) : ILunarLanderRandomSource
{
    /// <inheritdoc />
    public double Uniform(double low, double high) => rng.Uniform(low, high);

    /// <inheritdoc />
    public long Integer(long low, long high) => low + rng.NextInt((int)(high - low));
}

/// <summary>
/// Replays a fixed list of draw values (the values themselves, e.g. a terrain height in metres, not unit uniforms), in
/// the order the environment asks for them. Running out, or a value outside the interval asked for, is an error that
/// names the draw.
/// </summary>
public sealed class ScriptedRandomSource : ILunarLanderRandomSource
{
    private readonly double[] _values;

    /// <summary>Creates the source from the recorded values.</summary>
    public ScriptedRandomSource(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = [.. values];
    }

    /// <summary>How many values have been used.</summary>
    public int Position { get; private set; }

    /// <summary>How many values are left.</summary>
    public int Remaining => _values.Length - Position;

    /// <inheritdoc />
    public double Uniform(double low, double high)
    {
        double v = Next(low, high);
        if (!(v >= low && v <= high))
            throw new PolicyLabException($"LunarLander: scripted draw {Position - 1} is {v}, outside the interval [{low}, {high}) the environment asked for. Check that the recorded draws are in Gymnasium's order (terrain, initial force, wind indices, then two dispersions per step).");
        return v;
    }

    /// <inheritdoc />
    public long Integer(long low, long high)
    {
        double v = Next(low, high);
        if (v != Math.Floor(v) || v < low || v >= high)
            throw new PolicyLabException($"LunarLander: scripted draw {Position - 1} is {v}, not an integer in [{low}, {high}) as the wind index needs.");
        return (long)v;
    }

    private double Next(double low, double high)
    {
        if (Position >= _values.Length)
            throw new PolicyLabException($"LunarLander: the scripted random source ran out after {_values.Length} draws (the environment asked for a draw in [{low}, {high})). Record more draws, or set RandomSource to null to continue with the seeded stream.");
        return _values[Position++];
    }
}
