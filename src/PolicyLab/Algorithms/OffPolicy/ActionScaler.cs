using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// The one place where actions move between the networks' [−1, 1]ᴰ and a bounded Box:
/// a_env = low + (a + 1)/2 · (high − low), and back.
/// </summary>
public sealed class ActionScaler : IActionCodec
{
    private readonly float[] _low, _half;

    /// <summary>Creates the scaler for <paramref name="space"/>, which must be a Box with finite bounds.</summary>
    /// <exception cref="PolicyLabException">The action space is not a bounded Box.</exception>
    public ActionScaler(Space space, string algorithm)
    {
        if (space is not Box box)
            throw new PolicyLabException($"{algorithm} needs a continuous (Box) action space; this environment has {space}.");
        if (!box.IsBounded)
            throw new PolicyLabException($"{algorithm} squashes actions into the action space's bounds, so they must be finite; this environment has {space}.");
        _low = (float[])box.Low.Clone();
        _half = new float[_low.Length];
        for (int i = 0; i < _half.Length; i++) _half[i] = 0.5f * (box.High[i] - box.Low[i]);
        Size = _low.Length;
    }

    /// <summary>Action dimension D.</summary>
    public int Size { get; }

    /// <summary>Maps <paramref name="batch"/> rows of [−1, 1] actions to the environment's bounds (clipping to [−1, 1] first).</summary>
    public void ToEnvironment(ReadOnlySpan<float> stored, int batch, Span<float> environment)
    {
        for (int r = 0; r < batch; r++)
            for (int d = 0; d < Size; d++)
            {
                float a = Math.Clamp(stored[r * Size + d], -1f, 1f);
                environment[r * Size + d] = _low[d] + (a + 1f) * _half[d];
            }
    }

    /// <summary>Uniform actions in [−1, 1]ᴰ.</summary>
    public void SampleUniform(Rng rng, Span<float> stored) => rng.FillUniform(stored, -1f, 1f);

    /// <summary>Maps environment actions back to [−1, 1].</summary>
    public void FromEnvironment(ReadOnlySpan<float> environment, int batch, Span<float> stored)
    {
        for (int r = 0; r < batch; r++)
            for (int d = 0; d < Size; d++)
                stored[r * Size + d] = (environment[r * Size + d] - _low[d]) / _half[d] - 1f;
    }
}
