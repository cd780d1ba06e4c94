using System.Numerics.Tensors;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics;

// Matrix products and structural operations; each public method is followed by its backward function.
public sealed partial class Tape
{
    /// <summary>Matrix product of a [m, k] and b [k, n].</summary>
    public Tensor MatMul(Tensor a, Tensor b)
    {
        TensorNode na = Use(a), nb = Use(b);
        if (na.Shape.Rank != 2 || nb.Shape.Rank != 2 || na.Shape[1] != nb.Shape[0])
            throw new ArgumentException($"MatMul needs [m, k]·[k, n]; got {na.Shape}·{nb.Shape}.");
        int m = na.Shape[0], k = na.Shape[1], n = nb.Shape[1];
        TensorNode o = NewNode(new Shape(m, n), na.RequiresGrad || nb.RequiresGrad);
        Gemm.Multiply(m, n, k, na.Data, k, 1, nb.Data, n, o.Data, n);
        return Record(MatMulBackward, o, na, nb);
    }

    private static void MatMulBackward(Tape tape, ref OpRecord op) => tape.MatMulGradients(op.A!, op.B!, GradOf(op.Out));

    /// <summary>Adds aᵀ·g into b's gradient and g·bᵀ into a's, for the product a [m, k] · b [k, n] with output gradient g.</summary>
    private void MatMulGradients(TensorNode a, TensorNode b, ReadOnlySpan<float> g)
    {
        int k = b.Shape[0], n = b.Shape[1], m = a.Length / k;
        if (b.RequiresGrad)
            Gemm.Multiply(k, n, m, a.Data, 1, k, g, n, EnsureGrad(b), n, accumulate: true);
        if (a.RequiresGrad)
        {
            Span<float> bt = Scratch(k * n);
            Gemm.Transpose(k, n, b.Data, bt);
            Gemm.Multiply(m, k, n, g, n, 1, bt, k, EnsureGrad(a), k, accumulate: true);
        }
    }

    /// <summary>
    /// A fused linear layer: activation(x·W + b) with x [m, in] (or [in]), W [in, out], b [out].
    /// One recorded operation, whose backward computes the activation derivative, xᵀ·dz, the bias
    /// gradient and dz·Wᵀ in a few kernel calls.
    /// </summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias, Activation activation = Activation.Identity)
    {
        TensorNode nx = Use(x), nw = Use(weight);
        TensorNode? nb = bias is { } b ? Use(b) : null;
        int k = nw.Shape[0], n = nw.Shape[1];
        if (nw.Shape.Rank != 2 || nx.Shape.Last != k || (nb is not null && nb.Length != n))
            throw new ArgumentException($"Linear layer shapes do not fit: x {nx.Shape}, weight {nw.Shape}, bias {nb?.Shape.ToString() ?? "none"}.");
        int m = nx.Length / k;
        Shape shape = nx.Shape.Rank <= 1 ? new Shape(n) : nx.Shape.With(-1, n);
        bool requiresGrad = nx.RequiresGrad || nw.RequiresGrad || (nb?.RequiresGrad ?? false);
        TensorNode o = NewNode(shape, requiresGrad);
        Gemm.Multiply(m, n, k, nx.Data, k, 1, nw.Data, n, o.Data, n,
            bias: nb is null ? default : nb.Data);
        Activations.Apply(activation, o.Data);
        return Record(LinearBackward, o, nx, nw, nb, i0: (int)activation);
    }

    private static void LinearBackward(Tape tape, ref OpRecord op)
    {
        // dz = g ⊙ f′(y); then dW = xᵀ·dz, db = Σ_rows dz, dx = dz·Wᵀ
        TensorNode x = op.A!, weight = op.B!;
        ReadOnlySpan<float> g = GradOf(op.Out);
        int k = weight.Shape[0], n = weight.Shape[1], m = x.Length / k;
        var activation = (Activation)op.I0;
        if (activation != Activation.Identity)
        {
            Span<float> dz = tape.Scratch(g.Length);
            Activations.Backward(activation, g, op.Out.Data, dz);
            g = dz;
        }
        if (op.C is { RequiresGrad: true } bias)
            Activations.AddColumnSums(g, m, n, tape.EnsureGrad(bias));
        tape.MatMulGradients(x, weight, g);
    }

    /// <summary>Joins two tensors along <paramref name="axis"/>; other dimensions must match.</summary>
    public Tensor Concat(Tensor a, Tensor b, int axis = -1)
    {
        TensorNode na = Use(a), nb = Use(b);
        int ax = na.Shape.NormalizeAxis(axis);
        if (na.Shape.Rank != nb.Shape.Rank || na.Shape.With(ax, 0) != nb.Shape.With(ax, 0))
            throw new ArgumentException($"Concat along axis {axis} needs matching shapes elsewhere; got {na.Shape} and {nb.Shape}.");
        (int outer, int la, int inner) = Split(na.Shape, ax);
        int lb = nb.Shape[ax];
        TensorNode o = NewNode(na.Shape.With(ax, la + lb), na.RequiresGrad || nb.RequiresGrad);
        ReadOnlySpan<float> va = na.Data, vb = nb.Data;
        Span<float> y = o.Data;
        for (int p = 0; p < outer; p++)
        {
            va.Slice(p * la * inner, la * inner).CopyTo(y.Slice(p * (la + lb) * inner, la * inner));
            vb.Slice(p * lb * inner, lb * inner).CopyTo(y.Slice((p * (la + lb) + la) * inner, lb * inner));
        }
        return Record(ConcatBackward, o, na, nb, i0: ax);
    }

    private static void ConcatBackward(Tape tape, ref OpRecord op)
    {
        ReadOnlySpan<float> g = GradOf(op.Out);
        TensorNode a = op.A!, b = op.B!;
        (int outer, int la, int inner) = Split(a.Shape, op.I0);
        int lb = b.Shape[op.I0];
        for (int p = 0; p < outer; p++)
        {
            if (a.RequiresGrad)
            {
                Span<float> dst = tape.EnsureGrad(a).Slice(p * la * inner, la * inner);
                TensorPrimitives.Add(dst, g.Slice(p * (la + lb) * inner, la * inner), dst);
            }
            if (b.RequiresGrad)
            {
                Span<float> dst = tape.EnsureGrad(b).Slice(p * lb * inner, lb * inner);
                TensorPrimitives.Add(dst, g.Slice((p * (la + lb) + la) * inner, lb * inner), dst);
            }
        }
    }

    /// <summary>The part [start, start + length) of <paramref name="x"/> along <paramref name="axis"/>.</summary>
    public Tensor Slice(Tensor x, int axis, int start, int length)
    {
        TensorNode v = Use(x);
        int ax = v.Shape.NormalizeAxis(axis);
        int size = v.Shape[ax];
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {axis} of size {size}.");
        (int outer, _, int inner) = Split(v.Shape, ax);
        TensorNode o = NewNode(v.Shape.With(ax, length), v.RequiresGrad);
        ReadOnlySpan<float> src = v.Data;
        Span<float> y = o.Data;
        for (int p = 0; p < outer; p++)
            src.Slice((p * size + start) * inner, length * inner).CopyTo(y.Slice(p * length * inner, length * inner));
        return Record(SliceBackward, o, v, i0: ax, i1: start);
    }

    private static void SliceBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out);
        Span<float> gx = tape.EnsureGrad(x);
        (int outer, int size, int inner) = Split(x.Shape, op.I0);
        int length = op.Out.Shape[op.I0];
        for (int p = 0; p < outer; p++)
        {
            Span<float> dst = gx.Slice((p * size + op.I1) * inner, length * inner);
            TensorPrimitives.Add(dst, g.Slice(p * length * inner, length * inner), dst);
        }
    }

    /// <summary>The same elements with another shape of equal size (shares storage).</summary>
    public Tensor Reshape(Tensor x, Shape shape)
    {
        TensorNode v = Use(x);
        if (shape.Size != v.Length)
            throw new ArgumentException($"Cannot reshape {v.Shape} ({v.Length} elements) to {shape} ({shape.Size} elements).");
        TensorNode o = NewView(v, shape, v.RequiresGrad);
        return Record(ReshapeBackward, o, v);
    }

    private static void ReshapeBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        Span<float> gx = tape.EnsureGrad(x);
        TensorPrimitives.Add(gx, GradOf(op.Out), gx);
    }
}
