namespace PolicyLab.Numerics.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum: b ← μb + g (b = g on the first step),
/// θ ← θ − lr·b; Nesterov uses g + μb instead of b. Weight decay adds λθ to g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[] _momentumBuffer;

    /// <summary>Creates SGD for <paramref name="store"/> (or the <paramref name="range"/> of it).</summary>
    public Sgd(ParameterStore store, float learningRate, float momentum = 0f, bool nesterov = false, float weightDecay = 0f, Range? range = null)
        : base(store, learningRate, range)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must lie in [0, 1); got {momentum}.");
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs a momentum > 0.", nameof(nesterov));
        (Momentum, Nesterov, WeightDecay) = (momentum, nesterov, weightDecay);
        _momentumBuffer = new float[Length];
    }

    /// <summary>Momentum coefficient μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> StateBuffers() => [("momentum_buffer", _momentumBuffer)];

    /// <inheritdoc/>
    public override void Step()
    {
        Span<float> p = Values;
        ReadOnlySpan<float> g = Gradients;
        float lr = LearningRate, mu = Momentum, wd = WeightDecay;
        bool first = StepCount == 0;
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i] + wd * p[i];
            if (mu != 0)
            {
                float b = first ? d : mu * _momentumBuffer[i] + d;
                _momentumBuffer[i] = b;
                d = Nesterov ? d + mu * b : b;
            }
            p[i] -= lr * d;
        }
        StepCount++;
    }
}
