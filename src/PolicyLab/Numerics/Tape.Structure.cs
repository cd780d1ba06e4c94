using System.Numerics.Tensors;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics;

public sealed partial class Tape
{
    /// <summary>Matrix product of a [m, k] and b [k, n].</summary>
    public Tensor MatMul(Tensor a, Tensor b)
    {
        CheckOwner(a);
        CheckOwner(b);
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2 || a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"MatMul needs [m, k]·[k, n]; got {a.Shape}·{b.Shape}.");
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        Tensor o = NewTensor(new Shape(m, n), a.RequiresGrad || b.RequiresGrad);
        Gemm.Multiply(m, n, k, a.Data, k, 1, b.Data, n, o.Data, n);
        return Record(OpKind.MatMul, o, a, b);
    }

    /// <summary>
    /// A fused linear layer: activation(x·W + b) with x [m, in] (or [in]), W [in, out], b [out].
    /// One recorded operation, whose backward computes the activation derivative, xᵀ·dz, the bias
    /// gradient and dz·Wᵀ in a few kernel calls.
    /// </summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias, Activation activation = Activation.Identity)
    {
        CheckOwner(x);
        CheckOwner(weight);
        if (bias is not null) CheckOwner(bias);
        int k = weight.Shape[0], n = weight.Shape[1];
        if (weight.Shape.Rank != 2 || x.Shape.Last != k || (bias is not null && bias.Length != n))
            throw new ArgumentException($"Linear layer shapes do not fit: x {x.Shape}, weight {weight.Shape}, bias {bias?.Shape.ToString() ?? "none"}.");
        int m = x.Length / k;
        Shape shape = x.Shape.Rank <= 1 ? new Shape(n) : x.Shape.With(-1, n);
        bool requiresGrad = x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false);
        Tensor o = NewTensor(shape, requiresGrad);
        Gemm.Multiply(m, n, k, x.Data, k, 1, weight.Data, n, o.Data, n,
            bias: bias is null ? default : bias.Data);
        Activations.Apply(activation, o.Data);
        return Record(OpKind.Linear, o, x, weight, bias, i0: (int)activation);
    }

    /// <summary>Joins two tensors along <paramref name="axis"/>; other dimensions must match.</summary>
    public Tensor Concat(Tensor a, Tensor b, int axis = -1)
    {
        CheckOwner(a);
        CheckOwner(b);
        int ax = a.Shape.NormalizeAxis(axis);
        if (a.Shape.Rank != b.Shape.Rank || a.Shape.With(ax, 0) != b.Shape.With(ax, 0))
            throw new ArgumentException($"Concat along axis {axis} needs matching shapes elsewhere; got {a.Shape} and {b.Shape}.");
        (int outer, int la, int inner) = Split(a.Shape, ax);
        int lb = b.Shape[ax];
        Tensor o = NewTensor(a.Shape.With(ax, la + lb), a.RequiresGrad || b.RequiresGrad);
        ReadOnlySpan<float> va = a.Data, vb = b.Data;
        Span<float> y = o.Data;
        for (int p = 0; p < outer; p++)
        {
            va.Slice(p * la * inner, la * inner).CopyTo(y.Slice(p * (la + lb) * inner, la * inner));
            vb.Slice(p * lb * inner, lb * inner).CopyTo(y.Slice((p * (la + lb) + la) * inner, lb * inner));
        }
        return Record(OpKind.Concat, o, a, b, i0: ax);
    }

    /// <summary>The part [start, start + length) of <paramref name="x"/> along <paramref name="axis"/>.</summary>
    public Tensor Slice(Tensor x, int axis, int start, int length)
    {
        CheckOwner(x);
        int ax = x.Shape.NormalizeAxis(axis);
        int size = x.Shape[ax];
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {axis} of size {size}.");
        (int outer, _, int inner) = Split(x.Shape, ax);
        Tensor o = NewTensor(x.Shape.With(ax, length), x.RequiresGrad);
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int p = 0; p < outer; p++)
            v.Slice((p * size + start) * inner, length * inner).CopyTo(y.Slice(p * length * inner, length * inner));
        return Record(OpKind.Slice, o, x, i0: ax, i1: start);
    }

    /// <summary>The same elements with another shape of equal size (shares storage).</summary>
    public Tensor Reshape(Tensor x, Shape shape)
    {
        CheckOwner(x);
        if (shape.Size != x.Length)
            throw new ArgumentException($"Cannot reshape {x.Shape} ({x.Length} elements) to {shape} ({shape.Size} elements).");
        Tensor o = NewView(x, shape, x.RequiresGrad);
        return Record(OpKind.Reshape, o, x);
    }

    private void BackwardStructure(ref OpRecord op)
    {
        ReadOnlySpan<float> g = GradOf(op.Out);
        switch (op.Kind)
        {
            case OpKind.Reshape:
                if (op.A!.RequiresGrad) { Span<float> gx = EnsureGrad(op.A); TensorPrimitives.Add(gx, g, gx); }
                break;
            case OpKind.Slice:
            {
                Tensor x = op.A!;
                if (!x.RequiresGrad) break;
                Span<float> gx = EnsureGrad(x);
                (int outer, int size, int inner) = Split(x.Shape, op.I0);
                int length = op.Out.Shape[op.I0];
                for (int p = 0; p < outer; p++)
                {
                    Span<float> dst = gx.Slice((p * size + op.I1) * inner, length * inner);
                    TensorPrimitives.Add(dst, g.Slice(p * length * inner, length * inner), dst);
                }
                break;
            }
            case OpKind.Concat:
            {
                Tensor a = op.A!, b = op.B!;
                (int outer, int la, int inner) = Split(a.Shape, op.I0);
                int lb = b.Shape[op.I0];
                for (int p = 0; p < outer; p++)
                {
                    if (a.RequiresGrad)
                    {
                        Span<float> dst = EnsureGrad(a).Slice(p * la * inner, la * inner);
                        TensorPrimitives.Add(dst, g.Slice(p * (la + lb) * inner, la * inner), dst);
                    }
                    if (b.RequiresGrad)
                    {
                        Span<float> dst = EnsureGrad(b).Slice(p * lb * inner, lb * inner);
                        TensorPrimitives.Add(dst, g.Slice((p * (la + lb) + la) * inner, lb * inner), dst);
                    }
                }
                break;
            }
            default: throw new InvalidOperationException($"Not a structural op: {op.Kind}.");
        }
    }

    private void BackwardMatMul(ref OpRecord op)
    {
        Tensor a = op.A!, b = op.B!;
        ReadOnlySpan<float> g = GradOf(op.Out);
        bool isLinear = op.Kind == OpKind.Linear;
        int k = b.Shape[0], n = b.Shape[1], m = a.Length / k;
        if (isLinear)
        {
            // dz = g ⊙ f′(y); then dW = xᵀ·dz, db = Σ_rows dz, dx = dz·Wᵀ
            var activation = (Activation)op.I0;
            if (activation != Activation.Identity)
            {
                Span<float> dz = Scratch(g.Length);
                Activations.Backward(activation, g, op.Out.Data, dz);
                g = dz;
            }
            if (op.C is { RequiresGrad: true } bias)
                Activations.AddColumnSums(g, m, n, EnsureGrad(bias));
        }
        if (b.RequiresGrad)
            Gemm.Multiply(k, n, m, a.Data, 1, k, g, n, EnsureGrad(b), n, accumulate: true);
        if (a.RequiresGrad)
        {
            Span<float> bt = Scratch(k * n);
            Gemm.Transpose(k, n, b.Data, bt);
            Gemm.Multiply(m, k, n, g, n, 1, bt, k, EnsureGrad(a), k, accumulate: true);
        }
    }

    private void BackwardOp(ref OpRecord op)
    {
        switch (op.Kind)
        {
            case OpKind.Add: case OpKind.Sub: case OpKind.Mul: case OpKind.Div:
            case OpKind.Minimum: case OpKind.Maximum:
                BackwardBinary(ref op); break;
            case OpKind.Where:
                BackwardWhere(ref op); break;
            case OpKind.SumAll: case OpKind.MeanAll: case OpKind.SumAxis:
            case OpKind.LogSoftmax: case OpKind.Softmax: case OpKind.Gather: case OpKind.DiscountedSum:
                BackwardReduction(ref op); break;
            case OpKind.Concat: case OpKind.Slice: case OpKind.Reshape:
                BackwardStructure(ref op); break;
            case OpKind.MatMul: case OpKind.Linear:
                BackwardMatMul(ref op); break;
            default:
                BackwardUnary(ref op); break;
        }
    }
}
