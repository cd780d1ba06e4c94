using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics.Modules;

/// <summary>One convolution of a <see cref="CnnArchitecture"/>: output channels, square kernel, stride (ReLU after it).</summary>
public readonly record struct ConvolutionSpec(int Channels, int Kernel, int Stride);

/// <summary>The layers of a <see cref="CnnEncoder"/>: convolutions (ReLU after each), then one ReLU linear layer.</summary>
/// <param name="Name">Short name used in messages and settings.</param>
/// <param name="Convolutions">The convolutions, input first.</param>
/// <param name="Features">Width of the final linear layer.</param>
public sealed record CnnArchitecture(string Name, ConvolutionSpec[] Convolutions, int Features)
{
    /// <summary>The Nature DQN torso (Mnih et al. 2015; SB3's NatureCNN): 32 8×8/4, 64 4×4/2, 64 3×3/1, linear 512.
    /// Needs images of at least 36×36.</summary>
    public static CnnArchitecture Nature { get; } = new("nature", [new(32, 8, 4), new(64, 4, 2), new(64, 3, 1)], 512);

    /// <summary>The MinAtar torso (Young &amp; Tian 2019): one 16-channel 3×3/1 convolution, linear 128. For small grids (10×10).</summary>
    public static CnnArchitecture Small { get; } = new("small", [new(16, 3, 1)], 128);

    /// <summary>The Nature torso for images of at least 36×36, else the small one.</summary>
    public static CnnArchitecture For(int height, int width) => height >= 36 && width >= 36 ? Nature : Small;

    /// <summary>Output height and width after the convolutions, or a non-positive size when the image is too small.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        foreach (ConvolutionSpec c in Convolutions)
        {
            if (height < c.Kernel || width < c.Kernel) return (0, 0);
            height = (height - c.Kernel) / c.Stride + 1;
            width = (width - c.Kernel) / c.Stride + 1;
        }
        return (height, width);
    }
}

/// <summary>
/// A convolutional feature extractor for channels-last images (flat observations of [height, width, channels]):
/// x/scale, the architecture's convolutions with ReLU, flatten, a ReLU linear layer. The scale is the image's
/// upper bound (255 for uint8 pixels, as SB3 normalizes images inside the policy; 1 for binary grids).
/// </summary>
public sealed class CnnEncoder : IFeatureExtractor
{
    private readonly Conv2dLayer[] _convolutions;
    private readonly LinearLayer _linear;
    private readonly (int Height, int Width)[] _sizes; // input size of each convolution, then the flattened map
    private float[] _bufferA = [], _bufferB = [];

    /// <summary>Adds the encoder's parameters to <paramref name="store"/> as <c>{name}.conv{i}.*</c> and <c>{name}.linear.*</c>.</summary>
    /// <exception cref="PolicyLabException">The image is too small for the architecture.</exception>
    public CnnEncoder(ParameterStore store, string name, int height, int width, int channels, float scale, CnnArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!(scale > 0) || !float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"The pixel scale must be positive and finite; got {scale}.");
        (Height, Width, Channels, Scale, Architecture) = (height, width, channels, scale, architecture);
        (int outH, int outW) = architecture.OutputSize(height, width);
        if (outH <= 0 || outW <= 0)
            throw new PolicyLabException($"A {height}×{width} image is too small for the {architecture.Name} CNN (its kernels and strides need at least 36×36 for nature); use cnn_arch=small or resize the images (ResizeObservation).");
        _convolutions = new Conv2dLayer[architecture.Convolutions.Length];
        _sizes = new (int, int)[_convolutions.Length + 1];
        int h = height, w = width, c = channels;
        for (int i = 0; i < _convolutions.Length; i++)
        {
            ConvolutionSpec spec = architecture.Convolutions[i];
            _sizes[i] = (h, w);
            _convolutions[i] = new Conv2dLayer(store, $"{name}.conv{i}", c, spec.Channels, spec.Kernel, spec.Stride, Activation.Relu);
            h = _convolutions[i].OutputSize(h);
            w = _convolutions[i].OutputSize(w);
            c = spec.Channels;
        }
        _sizes[^1] = (h, w);
        Flattened = h * w * c;
        _linear = new LinearLayer(store, $"{name}.linear", Flattened, architecture.Features, Activation.Relu);
    }

    /// <summary>Image rows.</summary>
    public int Height { get; }

    /// <summary>Image columns.</summary>
    public int Width { get; }

    /// <summary>Image channels (innermost).</summary>
    public int Channels { get; }

    /// <summary>Observations are divided by this before the first convolution.</summary>
    public float Scale { get; }

    /// <summary>The layers.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>Floats after the last convolution, flattened.</summary>
    public int Flattened { get; }

    /// <inheritdoc/>
    public int Inputs => Height * Width * Channels;

    /// <inheritdoc/>
    public int Features => Architecture.Features;

    /// <inheritdoc/>
    public Tensor Forward(Tape tape, Tensor observations)
    {
        ArgumentNullException.ThrowIfNull(tape);
        int batch = observations.Shape[0];
        Tensor x = tape.Affine(tape.Reshape(observations, new Shape(batch, Height, Width, Channels)), 1f / Scale, 0f);
        foreach (Conv2dLayer conv in _convolutions) x = conv.Forward(tape, x);
        return _linear.Forward(tape, tape.Flatten(x));
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> observations, int batch, Span<float> features)
    {
        int widest = Inputs;
        for (int i = 0; i < _convolutions.Length; i++)
            widest = Math.Max(widest, _sizes[i + 1].Height * _sizes[i + 1].Width * _convolutions[i].OutChannels);
        if (_bufferA.Length < batch * widest)
        {
            _bufferA = new float[batch * widest];
            _bufferB = new float[batch * widest];
        }
        Span<float> scaled = _bufferA.AsSpan(0, batch * Inputs);
        System.Numerics.Tensors.TensorPrimitives.Multiply(observations[..(batch * Inputs)], 1f / Scale, scaled);
        float[] input = _bufferA, output = _bufferB;
        for (int i = 0; i < _convolutions.Length; i++)
        {
            _convolutions[i].Forward(input, batch, _sizes[i].Height, _sizes[i].Width, output);
            (input, output) = (output, input);
        }
        _linear.Forward(input.AsSpan(0, batch * Flattened), batch, features);
    }

    /// <inheritdoc/>
    public void InitializeOrthogonal(Rng rng, float gain)
    {
        foreach (Conv2dLayer conv in _convolutions) conv.InitializeOrthogonal(gain, rng);
        _linear.InitializeOrthogonal(gain, rng);
    }

    /// <inheritdoc/>
    public void InitializeUniform(Rng rng)
    {
        foreach (Conv2dLayer conv in _convolutions) conv.InitializeUniform(rng);
        _linear.InitializeUniform(rng);
    }
}
