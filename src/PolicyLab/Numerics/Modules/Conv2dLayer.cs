using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics.Modules;

/// <summary>
/// y = activation(conv(x, W) + b) over channels-last images without padding: x [batch, height, width, in],
/// W [kernel, kernel, in, out] (TensorFlow's HWIO order: the im2col weight matrix [kernel·kernel·in, out]),
/// b [out] → y [batch, outH, outW, out].
/// </summary>
public sealed class Conv2dLayer
{
    private float[] _scratch = [];

    /// <summary>Adds the layer's parameters (<c>{name}.weight</c>, <c>{name}.bias</c>) to <paramref name="store"/>.</summary>
    public Conv2dLayer(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        (InChannels, OutChannels, Kernel, Stride, Activation) = (inChannels, outChannels, kernel, stride, activation);
        Weight = store.Add($"{name}.weight", new Shape(kernel, kernel, inChannels, outChannels));
        Bias = store.Add($"{name}.bias", new Shape(outChannels));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; }

    /// <summary>Step of the kernel.</summary>
    public int Stride { get; }

    /// <summary>Activation after the convolution.</summary>
    public Activation Activation { get; }

    /// <summary>The [kernel, kernel, in, out] weights.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, one per output channel.</summary>
    public Parameter Bias { get; }

    /// <summary>Output size along one axis for an input of <paramref name="size"/> (no padding).</summary>
    public int OutputSize(int size) => (size - Kernel) / Stride + 1;

    /// <summary>Records the layer on a tape: x [batch, height, width, in] → [batch, outH, outW, out].</summary>
    public Tensor Forward(Tape tape, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape.Conv2d(x, tape.Param(Weight), tape.Param(Bias), Stride, Activation);
    }

    /// <summary>Tape-free forward pass of <paramref name="batch"/> images of <paramref name="height"/> × <paramref name="width"/>
    /// (scratch grows only with the batch; one caller at a time).</summary>
    public void Forward(ReadOnlySpan<float> x, int batch, int height, int width, Span<float> y)
    {
        var g = new ConvolutionGeometry(batch, height, width, InChannels, Kernel, Kernel, Stride);
        g.Validate();
        int size = Convolution.ScratchSize(g, OutChannels);
        if (_scratch.Length < size) _scratch = new float[size];
        Convolution.Forward(g, x, Weight.Value, Bias.Value, OutChannels, Activation, y, _scratch);
    }

    /// <summary>Orthogonal weights (the [kernel·kernel·in, out] matrix) with <paramref name="gain"/> and zero bias.</summary>
    public void InitializeOrthogonal(float gain, Rng rng)
    {
        Initialization.Orthogonal(Weight.Value, Kernel * Kernel * InChannels, OutChannels, gain, rng);
        Bias.Value.Clear();
    }

    /// <summary>Weights and bias uniform in ±1/√fan-in, fan-in = kernel·kernel·in (the common framework default).</summary>
    public void InitializeUniform(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(Kernel * Kernel * InChannels);
        Initialization.Uniform(Weight.Value, bound, rng);
        Initialization.Uniform(Bias.Value, bound, rng);
    }
}
