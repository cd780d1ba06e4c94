using System.Numerics.Tensors;

namespace PolicyLab.Numerics.Kernels;

/// <summary>
/// The geometry of a 2-D convolution or pooling window over channels-last (NHWC) images, without padding:
/// input [batch, height, width, channels], window kernelHeight × kernelWidth moved by <see cref="Stride"/>,
/// output [batch, OutputHeight, OutputWidth, ·] with OutputHeight = ⌊(height − kernelHeight) / stride⌋ + 1.
/// </summary>
/// <param name="Batch">Images.</param>
/// <param name="Height">Input rows.</param>
/// <param name="Width">Input columns.</param>
/// <param name="Channels">Input channels (the innermost dimension).</param>
/// <param name="KernelHeight">Window rows.</param>
/// <param name="KernelWidth">Window columns.</param>
/// <param name="Stride">Step of the window in both directions.</param>
public readonly record struct ConvolutionGeometry(int Batch, int Height, int Width, int Channels, int KernelHeight, int KernelWidth, int Stride)
{
    /// <summary>Output rows.</summary>
    public int OutputHeight => (Height - KernelHeight) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutputWidth => (Width - KernelWidth) / Stride + 1;

    /// <summary>Output pixels over the batch: the rows of the im2col matrix.</summary>
    public int OutputPixels => Batch * OutputHeight * OutputWidth;

    /// <summary>Elements of one window (kernelHeight · kernelWidth · channels): the columns of the im2col matrix.</summary>
    public int PatchSize => KernelHeight * KernelWidth * Channels;

    /// <summary>Elements of the input.</summary>
    public int InputSize => Batch * Height * Width * Channels;

    /// <summary>Throws when the window does not fit the image or a size is not positive.</summary>
    public void Validate()
    {
        if (Batch < 0 || Height <= 0 || Width <= 0 || Channels <= 0 || KernelHeight <= 0 || KernelWidth <= 0 || Stride <= 0)
            throw new ArgumentException($"Convolution sizes must be positive: image {Height}×{Width}×{Channels}, kernel {KernelHeight}×{KernelWidth}, stride {Stride}.");
        if (KernelHeight > Height || KernelWidth > Width)
            throw new ArgumentException($"A {KernelHeight}×{KernelWidth} kernel does not fit a {Height}×{Width} image (no padding).");
    }
}

/// <summary>
/// Convolution and max-pooling kernels over channels-last images, as im2col followed by the <see cref="Gemm"/>:
/// each output pixel's window (kernelHeight rows of kernelWidth·channels contiguous floats) becomes one row of a
/// [pixels, patch] matrix, and the output [pixels, outChannels] = cols · W with W stored [kh, kw, inChannels,
/// outChannels] (TensorFlow's HWIO order), which is already NHWC. The work is cut into blocks of
/// <see cref="BlockPixels"/> output pixels so the im2col block stays in cache; every element is summed in a fixed
/// order, so results are deterministic.
/// </summary>
public static class Convolution
{
    /// <summary>Output pixels per im2col block.</summary>
    public const int BlockPixels = 256;

    /// <summary>Floats of scratch the forward and backward passes need (one im2col block plus Wᵀ).</summary>
    public static int ScratchSize(in ConvolutionGeometry g, int outChannels) => Math.Min(BlockPixels, g.OutputPixels) * g.PatchSize + g.PatchSize * outChannels;

    /// <summary>Copies the windows of output pixels [first, first + count) into <paramref name="cols"/> [count, patch].</summary>
    public static void Im2Col(in ConvolutionGeometry g, ReadOnlySpan<float> x, int first, int count, Span<float> cols)
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, c = g.Channels, rowFloats = g.KernelWidth * c, patch = g.PatchSize;
        for (int r = 0; r < count; r++)
        {
            int pixel = first + r;
            int b = pixel / (oh * ow), rem = pixel - b * oh * ow, oy = rem / ow, ox = rem - oy * ow;
            int source = ((b * g.Height + oy * g.Stride) * g.Width + ox * g.Stride) * c;
            Span<float> row = cols.Slice(r * patch, patch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
                x.Slice(source + ky * g.Width * c, rowFloats).CopyTo(row.Slice(ky * rowFloats, rowFloats));
        }
    }

    /// <summary>Adds the window gradients <paramref name="cols"/> [count, patch] of output pixels [first, first + count)
    /// back into the input gradient <paramref name="dx"/> (the adjoint of <see cref="Im2Col"/>).</summary>
    public static void Col2ImAdd(in ConvolutionGeometry g, ReadOnlySpan<float> cols, int first, int count, Span<float> dx)
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, c = g.Channels, rowFloats = g.KernelWidth * c, patch = g.PatchSize;
        for (int r = 0; r < count; r++)
        {
            int pixel = first + r;
            int b = pixel / (oh * ow), rem = pixel - b * oh * ow, oy = rem / ow, ox = rem - oy * ow;
            int target = ((b * g.Height + oy * g.Stride) * g.Width + ox * g.Stride) * c;
            ReadOnlySpan<float> row = cols.Slice(r * patch, patch);
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                Span<float> dst = dx.Slice(target + ky * g.Width * c, rowFloats);
                TensorPrimitives.Add(dst, row.Slice(ky * rowFloats, rowFloats), dst);
            }
        }
    }

    /// <summary>
    /// y [pixels, outChannels] = activation(im2col(x) · W + b) for x [batch, height, width, channels] and W
    /// [patch, outChannels]. <paramref name="scratch"/> holds at least <see cref="ScratchSize"/> floats.
    /// </summary>
    public static void Forward(in ConvolutionGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        int outChannels, Activation activation, Span<float> y, Span<float> scratch)
    {
        CheckSizes(g, x.Length, weight.Length, outChannels, y.Length);
        int patch = g.PatchSize, pixels = g.OutputPixels;
        for (int first = 0; first < pixels; first += BlockPixels)
        {
            int count = Math.Min(BlockPixels, pixels - first);
            Span<float> cols = scratch[..(count * patch)];
            Im2Col(g, x, first, count, cols);
            Gemm.Multiply(count, outChannels, patch, cols, patch, 1, weight, outChannels,
                y.Slice(first * outChannels, count * outChannels), outChannels, bias: bias);
        }
        Activations.Apply(activation, y[..(pixels * outChannels)]);
    }

    /// <summary>
    /// Back-propagates the pre-activation gradient <paramref name="dz"/> [pixels, outChannels]: adds im2col(x)ᵀ·dz into
    /// <paramref name="dWeight"/> (when not empty) and col2im(dz·Wᵀ) into <paramref name="dx"/> (when not empty).
    /// The bias gradient (dz's column sums) is the caller's.
    /// </summary>
    public static void Backward(in ConvolutionGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, int outChannels,
        ReadOnlySpan<float> dz, Span<float> dWeight, Span<float> dx, Span<float> scratch)
    {
        CheckSizes(g, x.Length, weight.Length, outChannels, dz.Length);
        int patch = g.PatchSize, pixels = g.OutputPixels, block = Math.Min(BlockPixels, pixels);
        Span<float> cols = scratch[..(block * patch)];
        Span<float> weightT = scratch.Slice(block * patch, patch * outChannels);
        if (!dx.IsEmpty) Gemm.Transpose(patch, outChannels, weight, weightT);
        for (int first = 0; first < pixels; first += BlockPixels)
        {
            int count = Math.Min(BlockPixels, pixels - first);
            ReadOnlySpan<float> dzBlock = dz.Slice(first * outChannels, count * outChannels);
            if (!dWeight.IsEmpty)
            {
                Span<float> block0 = cols[..(count * patch)];
                Im2Col(g, x, first, count, block0);
                // dW[patch, out] += colsᵀ · dz: A = colsᵀ read with row stride 1 and column stride patch.
                Gemm.Multiply(patch, outChannels, count, block0, 1, patch, dzBlock, outChannels, dWeight, outChannels, accumulate: true);
            }
            if (!dx.IsEmpty)
            {
                Span<float> dcols = cols[..(count * patch)];
                Gemm.Multiply(count, patch, outChannels, dzBlock, outChannels, 1, weightT, patch, dcols, patch);
                Col2ImAdd(g, dcols, first, count, dx);
            }
        }
    }

    /// <summary>Max over each window, channel by channel: y [batch, outH, outW, channels]. Ties go to the first
    /// element in row-major window order.</summary>
    public static void MaxPoolForward(in ConvolutionGeometry g, ReadOnlySpan<float> x, Span<float> y)
    {
        g.Validate();
        int c = g.Channels, oh = g.OutputHeight, ow = g.OutputWidth;
        for (int pixel = 0; pixel < g.OutputPixels; pixel++)
        {
            int b = pixel / (oh * ow), rem = pixel - b * oh * ow, oy = rem / ow, ox = rem - oy * ow;
            Span<float> dst = y.Slice(pixel * c, c);
            int origin = ((b * g.Height + oy * g.Stride) * g.Width + ox * g.Stride) * c;
            x.Slice(origin, c).CopyTo(dst);
            for (int ky = 0; ky < g.KernelHeight; ky++)
                for (int kx = 0; kx < g.KernelWidth; kx++)
                    if (ky != 0 || kx != 0)
                    {
                        ReadOnlySpan<float> src = x.Slice(origin + (ky * g.Width + kx) * c, c);
                        for (int ch = 0; ch < c; ch++)
                            if (src[ch] > dst[ch]) dst[ch] = src[ch];
                    }
        }
    }

    /// <summary>Routes each output gradient to the input element that was the window's maximum (the first one on ties).</summary>
    public static void MaxPoolBackward(in ConvolutionGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int c = g.Channels, oh = g.OutputHeight, ow = g.OutputWidth;
        for (int pixel = 0; pixel < g.OutputPixels; pixel++)
        {
            int b = pixel / (oh * ow), rem = pixel - b * oh * ow, oy = rem / ow, ox = rem - oy * ow;
            int origin = ((b * g.Height + oy * g.Stride) * g.Width + ox * g.Stride) * c;
            for (int ch = 0; ch < c; ch++)
            {
                int best = origin + ch;
                for (int ky = 0; ky < g.KernelHeight; ky++)
                    for (int kx = 0; kx < g.KernelWidth; kx++)
                    {
                        int at = origin + (ky * g.Width + kx) * c + ch;
                        if (x[at] > x[best]) best = at;
                    }
                dx[best] += dy[pixel * c + ch];
            }
        }
    }

    private static void CheckSizes(in ConvolutionGeometry g, int xLength, int weightLength, int outChannels, int yLength)
    {
        g.Validate();
        if (outChannels <= 0) throw new ArgumentException($"A convolution needs at least one output channel; got {outChannels}.");
        if (xLength < g.InputSize)
            throw new ArgumentException($"The input has {xLength} floats; {g.Batch}×{g.Height}×{g.Width}×{g.Channels} = {g.InputSize} needed.");
        if (weightLength != g.PatchSize * outChannels)
            throw new ArgumentException($"The weights have {weightLength} floats; {g.KernelHeight}×{g.KernelWidth}×{g.Channels}×{outChannels} = {g.PatchSize * outChannels} needed.");
        if (yLength < g.OutputPixels * outChannels)
            throw new ArgumentException($"The output has room for {yLength} floats; {g.OutputPixels * outChannels} needed.");
    }
}
