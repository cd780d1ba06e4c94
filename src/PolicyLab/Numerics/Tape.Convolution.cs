using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics;

// Convolution and pooling over channels-last images; each public method is followed by its backward function.
public sealed partial class Tape
{
    /// <summary>
    /// A fused 2-D convolution layer without padding: activation(conv(x, W) + b) with x [batch, height, width,
    /// inChannels] (channels last), W [kh, kw, inChannels, outChannels], b [outChannels] → [batch, outH, outW,
    /// outChannels], outH = ⌊(height − kh) / stride⌋ + 1. One recorded operation (im2col + GEMM, see
    /// <see cref="Convolution"/>); its backward recomputes the im2col blocks instead of keeping them.
    /// </summary>
    public Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, Activation activation = Activation.Identity)
    {
        TensorNode nx = Use(x), nw = Use(weight);
        TensorNode? nb = bias is { } b ? Use(b) : null;
        if (nx.Shape.Rank != 4 || nw.Shape.Rank != 4 || nw.Shape[2] != nx.Shape[3] || (nb is not null && nb.Length != nw.Shape[3]))
            throw new ArgumentException($"Conv2d needs x [batch, height, width, channels], weight [kh, kw, channels, out] and bias [out]; got x {nx.Shape}, weight {nw.Shape}, bias {nb?.Shape.ToString() ?? "none"}.");
        ConvolutionGeometry g = Geometry(nx.Shape, nw.Shape[0], nw.Shape[1], stride);
        g.Validate();
        int outChannels = nw.Shape[3];
        bool requiresGrad = nx.RequiresGrad || nw.RequiresGrad || (nb?.RequiresGrad ?? false);
        TensorNode o = NewNode(new Shape(g.Batch, g.OutputHeight, g.OutputWidth, outChannels), requiresGrad);
        Convolution.Forward(g, nx.Data, nw.Data, nb is null ? default : nb.Data, outChannels, activation, o.Data,
            Scratch(Convolution.ScratchSize(g, outChannels)));
        return Record(Conv2dBackward, o, nx, nw, nb, i0: (int)activation, i1: stride);
    }

    private static void Conv2dBackward(Tape tape, ref OpRecord op)
    {
        // dz = g ⊙ f′(y); db = Σ_pixels dz; dW = im2col(x)ᵀ·dz; dx = col2im(dz·Wᵀ)
        TensorNode x = op.A!, weight = op.B!;
        ReadOnlySpan<float> dz = GradOf(op.Out);
        var activation = (Activation)op.I0;
        if (activation != Activation.Identity)
        {
            Span<float> scratch = tape.Scratch(dz.Length);
            Activations.Backward(activation, dz, op.Out.Data, scratch);
            dz = scratch;
        }
        ConvolutionGeometry g = Geometry(x.Shape, weight.Shape[0], weight.Shape[1], op.I1);
        int outChannels = weight.Shape[3];
        if (op.C is { RequiresGrad: true } bias)
            Activations.AddColumnSums(dz, g.OutputPixels, outChannels, tape.EnsureGrad(bias));
        if (!weight.RequiresGrad && !x.RequiresGrad) return;
        Convolution.Backward(g, x.Data, weight.Data, outChannels, dz,
            weight.RequiresGrad ? tape.EnsureGrad(weight) : default, x.RequiresGrad ? tape.EnsureGrad(x) : default,
            tape.Scratch(Convolution.ScratchSize(g, outChannels)));
    }

    /// <summary>Max pooling over size × size windows moved by <paramref name="stride"/> (no padding), channel by
    /// channel: x [batch, height, width, channels] → [batch, outH, outW, channels]. The gradient goes to each
    /// window's maximum (the first one in row-major order on ties).</summary>
    public Tensor MaxPool2d(Tensor x, int size, int stride)
    {
        TensorNode nx = Use(x);
        if (nx.Shape.Rank != 4)
            throw new ArgumentException($"MaxPool2d needs x [batch, height, width, channels]; got {nx.Shape}.");
        ConvolutionGeometry g = Geometry(nx.Shape, size, size, stride);
        g.Validate();
        TensorNode o = NewNode(new Shape(g.Batch, g.OutputHeight, g.OutputWidth, g.Channels), nx.RequiresGrad);
        Convolution.MaxPoolForward(g, nx.Data, o.Data);
        return Record(MaxPoolBackward, o, nx, i0: size, i1: stride);
    }

    private static void MaxPoolBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        Convolution.MaxPoolBackward(Geometry(x.Shape, op.I0, op.I0, op.I1), x.Data, GradOf(op.Out), tape.EnsureGrad(x));
    }

    /// <summary>[batch, …] → [batch, rest]: every dimension after the first joined (shares storage).</summary>
    public Tensor Flatten(Tensor x)
    {
        Shape s = Use(x).Shape;
        if (s.Rank < 1) throw new ArgumentException("Flatten needs a batch dimension; got a scalar.");
        return Reshape(x, new Shape(s[0], s[0] == 0 ? 0 : s.Size / s[0]));
    }

    private static ConvolutionGeometry Geometry(Shape x, int kh, int kw, int stride) => new(x[0], x[1], x[2], x[3], kh, kw, stride);
}
