using System.Globalization;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.TaskComplexity;

/// <summary>
/// The prior p(θ) over policies that PIC and POIC are measured under (the latent-action system's estimator): an MLP
/// observation → 64 → 64 → action with tanh hidden units, every weight drawn i.i.d. from N(0, <see cref="WeightStd"/>²),
/// biases zero, acting deterministically — a = mid + half·tanh(output) for a Box action (high·tanh(output) for symmetric
/// bounds), the argmax output for a Discrete one.
/// </summary>
/// <param name="HiddenSizes">Hidden widths (default 64, 64).</param>
/// <param name="WeightStd">Standard deviation of every weight (default 0.1).</param>
public sealed record RandomPolicyPrior(int[] HiddenSizes, double WeightStd)
{
    /// <summary>The latent-action system's prior: 64-64 tanh, weights N(0, 0.1²), zero biases.</summary>
    public static RandomPolicyPrior Default { get; } = new([64, 64], 0.1);

    /// <summary>One line saying what the prior is.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"policy prior: MLP obs→{string.Join("→", HiddenSizes)}→actions, tanh hidden, weights i.i.d. N(0, {WeightStd}²), biases 0; deterministic action high·tanh(output) (Box) or argmax (Discrete)");

    /// <summary>Draws one policy for observations of <paramref name="observationSize"/> floats acting in <paramref name="actionSpace"/>.</summary>
    /// <exception cref="PolicyLabException">The action space is neither Discrete nor a bounded Box.</exception>
    public RandomMlpPolicy Sample(int observationSize, Space actionSpace, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int[] sizes = [observationSize, .. HiddenSizes, RandomMlpPolicy.OutputSize(actionSpace)];
        var weights = new double[sizes.Length - 1][];
        for (int layer = 0; layer < weights.Length; layer++)
        {
            weights[layer] = new double[sizes[layer + 1] * sizes[layer]];
            for (int k = 0; k < weights[layer].Length; k++) weights[layer][k] = WeightStd * rng.Normal();
        }
        return new RandomMlpPolicy(sizes, weights, actionSpace);
    }
}

/// <summary>A deterministic MLP policy with fixed weights and no biases, evaluated in double precision in a fixed order.</summary>
public sealed class RandomMlpPolicy
{
    private readonly int[] _sizes;
    private readonly double[][] _weights;
    private readonly double[]? _mid, _half;
    private readonly int _discreteStart;

    internal RandomMlpPolicy(int[] sizes, double[][] weights, Space actionSpace)
    {
        _sizes = sizes;
        _weights = weights;
        switch (actionSpace)
        {
            case Box box:
                _mid = new double[box.FlatSize];
                _half = new double[box.FlatSize];
                for (int k = 0; k < box.FlatSize; k++)
                {
                    _mid[k] = ((double)box.High[k] + box.Low[k]) / 2;
                    _half[k] = ((double)box.High[k] - box.Low[k]) / 2;
                }
                break;
            case Discrete discrete:
                _discreteStart = discrete.Start;
                break;
        }
        ScratchSize = 2 * sizes.Max();
    }

    /// <summary>Doubles of working space <see cref="Act"/> needs.</summary>
    public int ScratchSize { get; }

    /// <summary>Outputs of the last layer for <paramref name="actionSpace"/>.</summary>
    /// <exception cref="PolicyLabException">The action space is neither Discrete nor a bounded Box.</exception>
    public static int OutputSize(Space actionSpace) => actionSpace switch
    {
        Box { IsBounded: true } box => box.FlatSize,
        Box box => throw new PolicyLabException($"The random-policy prior squashes actions into the action bounds, so it needs a bounded Box; the action space is {box}."),
        Discrete d => d.Count,
        _ => throw new PolicyLabException($"PIC/POIC sample policies for Discrete or Box action spaces; the action space is {actionSpace}."),
    };

    /// <summary>Writes the action for <paramref name="observation"/> into <paramref name="action"/>.</summary>
    public void Act(ReadOnlySpan<float> observation, Span<float> action, Span<double> scratch)
    {
        Span<double> a = scratch[.._sizes.Max()], b = scratch.Slice(_sizes.Max(), _sizes.Max());
        for (int i = 0; i < _sizes[0]; i++) a[i] = observation[i];
        int last = _sizes.Length - 2;
        for (int layer = 0; layer <= last; layer++)
        {
            int cols = _sizes[layer], rows = _sizes[layer + 1];
            double[] w = _weights[layer];
            for (int o = 0; o < rows; o++)
            {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int offset = o * cols, i = 0;
                for (; i + 4 <= cols; i += 4)
                {
                    s0 += w[offset + i] * a[i];
                    s1 += w[offset + i + 1] * a[i + 1];
                    s2 += w[offset + i + 2] * a[i + 2];
                    s3 += w[offset + i + 3] * a[i + 3];
                }
                for (; i < cols; i++) s0 += w[offset + i] * a[i];
                double sum = (s0 + s1) + (s2 + s3);
                b[o] = layer < last ? Math.Tanh(sum) : sum;
            }
            Span<double> t = a; a = b; b = t;
        }
        int outputs = _sizes[^1];
        if (_mid is not null)
        {
            for (int k = 0; k < outputs; k++) action[k] = (float)(_mid[k] + _half![k] * Math.Tanh(a[k]));
            return;
        }
        int best = 0;
        for (int k = 1; k < outputs; k++) if (a[k] > a[best]) best = k;
        action[0] = _discreteStart + best;
    }
}
