using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics.Modules;

/// <summary>
/// y = activation(x·W + b), with W stored [inputs, outputs] in memory (saved as [outputs, inputs] in
/// weight files, the layout other frameworks use).
/// </summary>
public sealed class LinearLayer
{
    /// <summary>Adds the layer's parameters (<c>{name}.weight</c>, <c>{name}.bias</c>) to <paramref name="store"/>.</summary>
    public LinearLayer(ParameterStore store, string name, int inputs, int outputs, Activation activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Weight = store.Add($"{name}.weight", new Shape(inputs, outputs), storedTransposed: true);
        Bias = store.Add($"{name}.bias", new Shape(outputs));
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>The activation applied after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>The [inputs, outputs] weight matrix.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias vector.</summary>
    public Parameter Bias { get; }

    /// <summary>Records the layer on a tape.</summary>
    public Tensor Forward(Tape tape, Tensor x) => tape.Linear(x, tape.Param(Weight), tape.Param(Bias), Activation);

    /// <summary>Tape-free forward pass of <paramref name="batch"/> rows.</summary>
    public void Forward(ReadOnlySpan<float> x, int batch, Span<float> y)
    {
        Gemm.Multiply(batch, Outputs, Inputs, x, Inputs, 1, Weight.Value, Outputs, y, Outputs, bias: Bias.Value);
        Activations.Apply(Activation, y[..(batch * Outputs)]);
    }

    /// <summary>Orthogonal weights with <paramref name="gain"/> and zero bias (the initialization PPO implementations use).</summary>
    public void InitializeOrthogonal(float gain, Rng rng)
    {
        Initialization.Orthogonal(Weight.Value, Inputs, Outputs, gain, rng);
        Bias.Value.Clear();
    }

    /// <summary>Weights and bias uniform in ±1/√inputs (the common framework default).</summary>
    public void InitializeUniform(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(Inputs);
        Initialization.Uniform(Weight.Value, bound, rng);
        Initialization.Uniform(Bias.Value, bound, rng);
    }

    /// <summary>All weights and biases zero (e.g. output heads that start from a uniform policy).</summary>
    public void InitializeZero()
    {
        Weight.Value.Clear();
        Bias.Value.Clear();
    }

    /// <summary>Makes outputs [<paramref name="start"/>, start + count) constant: zero weights into them and
    /// bias <paramref name="bias"/> (e.g. a state-dependent log σ that starts at log_std_init everywhere).</summary>
    public void InitializeOutputs(int start, int count, float bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Outputs);
        Span<float> w = Weight.Value;
        for (int i = 0; i < Inputs; i++) w.Slice(i * Outputs + start, count).Clear();
        Bias.Value.Slice(start, count).Fill(bias);
    }
}
