using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics.Modules;

/// <summary>
/// A multi-layer perceptron: hidden layers with one activation, then a linear output layer
/// (optionally activated). Every layer is one fused tape operation; a tape-free forward pass serves
/// acting.
/// </summary>
public sealed class Mlp
{
    private readonly LinearLayer[] _layers;
    private float[] _scratchA = [], _scratchB = [];

    /// <summary>Adds the network's parameters to <paramref name="store"/> as <c>{name}.{i}.weight/bias</c>.</summary>
    /// <param name="store">Where the parameters live.</param>
    /// <param name="name">Prefix of the parameter names, e.g. <c>pi</c> or <c>vf</c>.</param>
    /// <param name="inputs">Input width.</param>
    /// <param name="hidden">Hidden layer widths (may be empty: then the network is one linear layer).</param>
    /// <param name="outputs">Output width.</param>
    /// <param name="activation">Activation of the hidden layers.</param>
    /// <param name="outputActivation">Activation of the output layer (identity by default).</param>
    public Mlp(ParameterStore store, string name, int inputs, IReadOnlyList<int> hidden, int outputs,
        Activation activation = Activation.Tanh, Activation outputActivation = Activation.Identity)
    {
        _layers = new LinearLayer[hidden.Count + 1];
        int width = inputs;
        for (int i = 0; i < hidden.Count; i++)
        {
            _layers[i] = new LinearLayer(store, $"{name}.{i}", width, hidden[i], activation);
            width = hidden[i];
        }
        _layers[^1] = new LinearLayer(store, $"{name}.{hidden.Count}", width, outputs, outputActivation);
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<LinearLayer> Layers => _layers;

    /// <summary>The output layer.</summary>
    public LinearLayer Head => _layers[^1];

    /// <summary>Records the network on a tape: x [batch, inputs] → [batch, outputs].</summary>
    public Tensor Forward(Tape tape, Tensor x)
    {
        foreach (LinearLayer layer in _layers)
            x = layer.Forward(tape, x);
        return x;
    }

    /// <summary>
    /// Tape-free forward pass of <paramref name="batch"/> rows into <paramref name="output"/>
    /// (batch × outputs). Reuses internal buffers: allocates only when the batch grows.
    /// Not thread-safe: one caller at a time.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        if (input.Length < batch * Inputs || output.Length < batch * Outputs)
            throw new ArgumentException($"Forward of {batch} rows needs {batch * Inputs} inputs and room for {batch * Outputs} outputs.");
        int widest = 0;
        foreach (LinearLayer layer in _layers) widest = Math.Max(widest, layer.Outputs);
        if (_scratchA.Length < batch * widest)
        {
            _scratchA = new float[batch * widest];
            _scratchB = new float[batch * widest];
        }
        ReadOnlySpan<float> x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            LinearLayer layer = _layers[i];
            Span<float> y = i == _layers.Length - 1 ? output : (i % 2 == 0 ? _scratchA : _scratchB);
            layer.Forward(x, batch, y);
            x = y;
        }
    }

    /// <summary>Width of the last hidden layer (the input width when there is none): the features the output layer reads.</summary>
    public int FeatureSize => _layers[^1].Inputs;

    /// <summary>Records the network on a tape and also returns the last hidden layer's activations (the input when
    /// there is no hidden layer), [batch, <see cref="FeatureSize"/>].</summary>
    public (Tensor Output, Tensor Features) ForwardWithFeatures(Tape tape, Tensor x)
    {
        for (int i = 0; i < _layers.Length - 1; i++)
            x = _layers[i].Forward(tape, x);
        return (_layers[^1].Forward(tape, x), x);
    }

    /// <summary>Tape-free forward pass (see <see cref="Forward(ReadOnlySpan{float}, int, Span{float})"/>) that also copies the
    /// last hidden layer's activations into <paramref name="features"/> (batch × <see cref="FeatureSize"/>).</summary>
    public void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, Span<float> features)
    {
        if (features.Length < batch * FeatureSize)
            throw new ArgumentException($"Forward of {batch} rows needs room for {batch * FeatureSize} features.", nameof(features));
        Forward(input, batch, output);
        ReadOnlySpan<float> last = _layers.Length == 1 ? input : (_layers.Length % 2 == 0 ? _scratchA : _scratchB);
        last[..(batch * FeatureSize)].CopyTo(features);
    }

    /// <summary>
    /// Forward-mode derivative: the outputs y = f(x; θ) and their directional derivative J·v with
    /// respect to the parameters along <paramref name="direction"/> (laid out like the store's flat
    /// buffer). Per layer: ż = x·Ẇ + ẋ·W + ḃ, ẏ = f′(z) ⊙ ż, with ẋ = 0 for the input.
    /// </summary>
    public void JacobianVectorProduct(ReadOnlySpan<float> input, int batch, ReadOnlySpan<float> direction,
        Span<float> output, Span<float> tangent)
    {
        if (output.Length < batch * Outputs || tangent.Length < batch * Outputs)
            throw new ArgumentException($"JVP of {batch} rows needs room for {batch * Outputs} outputs and tangents.");
        float[] x = input[..(batch * Inputs)].ToArray();
        float[] dx = new float[x.Length];
        foreach (LinearLayer layer in _layers)
        {
            int k = layer.Inputs, n = layer.Outputs;
            ReadOnlySpan<float> dW = direction.Slice(layer.Weight.Offset, layer.Weight.Length);
            ReadOnlySpan<float> db = direction.Slice(layer.Bias.Offset, layer.Bias.Length);
            var y = new float[batch * n];
            var dy = new float[batch * n];
            layer.Forward(x, batch, y);
            Gemm.Multiply(batch, n, k, x, k, 1, dW, n, dy, n, bias: db);
            Gemm.Multiply(batch, n, k, dx, k, 1, layer.Weight.Value, n, dy, n, accumulate: true);
            Activations.Backward(layer.Activation, dy, y, dy);
            (x, dx) = (y, dy);
        }
        x.CopyTo(output);
        dx.CopyTo(tangent);
    }

    /// <summary>Orthogonal initialization: hidden layers with <paramref name="hiddenGain"/>
    /// (√2 by default), the output layer with <paramref name="outputGain"/>, biases zero.</summary>
    public void InitializeOrthogonal(Rng rng, float outputGain, float hiddenGain = 1.4142135f)
    {
        for (int i = 0; i < _layers.Length; i++)
            _layers[i].InitializeOrthogonal(i == _layers.Length - 1 ? outputGain : hiddenGain, rng);
    }

    /// <summary>Uniform ±1/√fan-in initialization of every layer.</summary>
    public void InitializeUniform(Rng rng)
    {
        foreach (LinearLayer layer in _layers) layer.InitializeUniform(rng);
    }
}
