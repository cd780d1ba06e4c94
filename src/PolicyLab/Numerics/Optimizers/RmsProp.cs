namespace PolicyLab.Numerics.Optimizers;

/// <summary>
/// RMSprop (Tieleman and Hinton 2012) as A2C uses it: v ← αv + (1−α)g², θ ← θ − lr·g / (√v + ε).
/// Optional momentum: b ← μb + g/(√v + ε), θ ← θ − lr·b.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly float[] _squareAverage, _momentumBuffer;

    /// <summary>Creates RMSprop for <paramref name="store"/> (defaults as published for A2C: α 0.99, ε 1e-5), or the <paramref name="range"/> of it.</summary>
    public RmsProp(ParameterStore store, float learningRate = 7e-4f, float alpha = 0.99f, float epsilon = 1e-5f, float momentum = 0f, Range? range = null)
        : base(store, learningRate, range)
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), $"RMSprop's alpha must lie in [0, 1); got {alpha}.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"RMSprop's epsilon must be > 0; got {epsilon}.");
        (Alpha, Epsilon, Momentum) = (alpha, epsilon, momentum);
        _squareAverage = new float[Length];
        _momentumBuffer = new float[Length];
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public float Alpha { get; }

    /// <summary>Denominator term.</summary>
    public float Epsilon { get; }

    /// <summary>Momentum coefficient.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> StateBuffers() =>
        [("square_avg", _squareAverage), ("momentum_buffer", _momentumBuffer)];

    /// <inheritdoc/>
    public override void Step()
    {
        Span<float> p = Values;
        ReadOnlySpan<float> g = Gradients;
        float lr = LearningRate, a = Alpha, eps = Epsilon, mu = Momentum;
        for (int i = 0; i < p.Length; i++)
        {
            float v = a * _squareAverage[i] + (1 - a) * g[i] * g[i];
            _squareAverage[i] = v;
            float step = g[i] / (MathF.Sqrt(v) + eps);
            if (mu != 0)
            {
                step += mu * _momentumBuffer[i];
                _momentumBuffer[i] = step;
            }
            p[i] -= lr * step;
        }
        StepCount++;
    }
}
