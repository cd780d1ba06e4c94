using System.Numerics.Tensors;

namespace PolicyLab.Numerics;

public sealed partial class Tape
{
    // ------------------------------------------------------------------ binary, broadcasting

    /// <summary>a + b with NumPy broadcasting.</summary>
    public Tensor Add(Tensor a, Tensor b) => Binary(OpKind.Add, a, b);

    /// <summary>a − b with NumPy broadcasting.</summary>
    public Tensor Sub(Tensor a, Tensor b) => Binary(OpKind.Sub, a, b);

    /// <summary>a · b (elementwise) with NumPy broadcasting.</summary>
    public Tensor Mul(Tensor a, Tensor b) => Binary(OpKind.Mul, a, b);

    /// <summary>a / b (elementwise) with NumPy broadcasting.</summary>
    public Tensor Div(Tensor a, Tensor b) => Binary(OpKind.Div, a, b);

    /// <summary>Elementwise minimum with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public Tensor Minimum(Tensor a, Tensor b) => Binary(OpKind.Minimum, a, b);

    /// <summary>Elementwise maximum with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public Tensor Maximum(Tensor a, Tensor b) => Binary(OpKind.Maximum, a, b);

    /// <summary>Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is non-zero,
    /// else <paramref name="b"/>. All three have the same shape; the condition gets no gradient.</summary>
    public Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        CheckOwner(condition); CheckOwner(a); CheckOwner(b);
        if (condition.Shape != a.Shape || a.Shape != b.Shape)
            throw new ArgumentException($"Where needs equal shapes; got condition {condition.Shape}, a {a.Shape}, b {b.Shape}.");
        Tensor o = NewTensor(a.Shape, a.RequiresGrad || b.RequiresGrad);
        Span<float> y = o.Data;
        ReadOnlySpan<float> c = condition.Data, x = a.Data, z = b.Data;
        for (int i = 0; i < y.Length; i++) y[i] = c[i] != 0 ? x[i] : z[i];
        return Record(OpKind.Where, o, a, b, condition);
    }

    private Tensor Binary(OpKind kind, Tensor a, Tensor b)
    {
        CheckOwner(a);
        CheckOwner(b);
        Shape shape = BroadcastShape(a.Shape, b.Shape);
        Tensor o = NewTensor(shape, a.RequiresGrad || b.RequiresGrad);
        Span<float> y = o.Data;
        if (a.Shape == b.Shape)
        {
            ReadOnlySpan<float> x = a.Data, z = b.Data;
            switch (kind)
            {
                case OpKind.Add: TensorPrimitives.Add(x, z, y); break;
                case OpKind.Sub: TensorPrimitives.Subtract(x, z, y); break;
                case OpKind.Mul: TensorPrimitives.Multiply(x, z, y); break;
                case OpKind.Div: TensorPrimitives.Divide(x, z, y); break;
                case OpKind.Minimum: for (int i = 0; i < y.Length; i++) y[i] = x[i] <= z[i] ? x[i] : z[i]; break;
                default: for (int i = 0; i < y.Length; i++) y[i] = x[i] >= z[i] ? x[i] : z[i]; break;
            }
        }
        else
        {
            var map = new BroadcastMap(a.Shape, b.Shape, shape);
            float[] ab = a.Buffer, bb = b.Buffer;
            int ao = a.Offset, bo = b.Offset;
            int n = 0;
            for (int i0 = 0; i0 < map.D0; i0++)
            for (int i1 = 0; i1 < map.D1; i1++)
            for (int i2 = 0; i2 < map.D2; i2++)
            {
                int ia = ao + i0 * map.A0 + i1 * map.A1 + i2 * map.A2;
                int ib = bo + i0 * map.B0 + i1 * map.B1 + i2 * map.B2;
                for (int i3 = 0; i3 < map.D3; i3++, n++)
                    y[n] = Apply(kind, ab[ia + i3 * map.A3], bb[ib + i3 * map.B3]);
            }
        }
        return Record(kind, o, a, b);
    }

    private static float Apply(OpKind kind, float x, float z) => kind switch
    {
        OpKind.Add => x + z,
        OpKind.Sub => x - z,
        OpKind.Mul => x * z,
        OpKind.Div => x / z,
        OpKind.Minimum => x <= z ? x : z,
        _ => x >= z ? x : z,
    };

    private void BackwardBinary(ref OpRecord op)
    {
        Tensor a = op.A!, b = op.B!, o = op.Out;
        ReadOnlySpan<float> g = GradOf(o);
        if (a.Shape == b.Shape)
        {
            ReadOnlySpan<float> x = a.Data, z = b.Data;
            if (a.RequiresGrad)
            {
                Span<float> ga = EnsureGrad(a);
                switch (op.Kind)
                {
                    case OpKind.Add: case OpKind.Sub: TensorPrimitives.Add(ga, g, ga); break;
                    case OpKind.Mul: TensorPrimitives.MultiplyAdd(g, z, ga, ga); break;
                    case OpKind.Div: for (int i = 0; i < g.Length; i++) ga[i] += g[i] / z[i]; break;
                    case OpKind.Minimum: for (int i = 0; i < g.Length; i++) if (x[i] <= z[i]) ga[i] += g[i]; break;
                    default: for (int i = 0; i < g.Length; i++) if (x[i] >= z[i]) ga[i] += g[i]; break;
                }
            }
            if (b.RequiresGrad)
            {
                Span<float> gb = EnsureGrad(b);
                switch (op.Kind)
                {
                    case OpKind.Add: TensorPrimitives.Add(gb, g, gb); break;
                    case OpKind.Sub: TensorPrimitives.Subtract(gb, g, gb); break;
                    case OpKind.Mul: TensorPrimitives.MultiplyAdd(g, x, gb, gb); break;
                    case OpKind.Div: for (int i = 0; i < g.Length; i++) gb[i] -= g[i] * x[i] / (z[i] * z[i]); break;
                    case OpKind.Minimum: for (int i = 0; i < g.Length; i++) if (!(x[i] <= z[i])) gb[i] += g[i]; break;
                    default: for (int i = 0; i < g.Length; i++) if (!(x[i] >= z[i])) gb[i] += g[i]; break;
                }
            }
            return;
        }

        var map = new BroadcastMap(a.Shape, b.Shape, o.Shape);
        Span<float> gaAll = a.RequiresGrad ? EnsureGrad(a) : default;
        Span<float> gbAll = b.RequiresGrad ? EnsureGrad(b) : default;
        ReadOnlySpan<float> xa = a.Data, xb = b.Data;
        int n = 0;
        for (int i0 = 0; i0 < map.D0; i0++)
        for (int i1 = 0; i1 < map.D1; i1++)
        for (int i2 = 0; i2 < map.D2; i2++)
        {
            int ia0 = i0 * map.A0 + i1 * map.A1 + i2 * map.A2;
            int ib0 = i0 * map.B0 + i1 * map.B1 + i2 * map.B2;
            for (int i3 = 0; i3 < map.D3; i3++, n++)
            {
                int ia = ia0 + i3 * map.A3, ib = ib0 + i3 * map.B3;
                float x = xa[ia], z = xb[ib], gi = g[n];
                (float da, float db) = op.Kind switch
                {
                    OpKind.Add => (gi, gi),
                    OpKind.Sub => (gi, -gi),
                    OpKind.Mul => (gi * z, gi * x),
                    OpKind.Div => (gi / z, -gi * x / (z * z)),
                    OpKind.Minimum => x <= z ? (gi, 0f) : (0f, gi),
                    _ => x >= z ? (gi, 0f) : (0f, gi),
                };
                if (a.RequiresGrad) gaAll[ia] += da;
                if (b.RequiresGrad) gbAll[ib] += db;
            }
        }
    }

    private void BackwardWhere(ref OpRecord op)
    {
        ReadOnlySpan<float> g = GradOf(op.Out), c = op.C!.Data;
        if (op.A!.RequiresGrad)
        {
            Span<float> ga = EnsureGrad(op.A);
            for (int i = 0; i < g.Length; i++) if (c[i] != 0) ga[i] += g[i];
        }
        if (op.B!.RequiresGrad)
        {
            Span<float> gb = EnsureGrad(op.B);
            for (int i = 0; i < g.Length; i++) if (c[i] == 0) gb[i] += g[i];
        }
    }

    /// <summary>The NumPy broadcast of two shapes.</summary>
    public static Shape BroadcastShape(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> dims = stackalloc int[Shape.MaxRank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            dims[i] = da == 1 ? db : da;
        }
        return Shape.Of(dims[..rank]);
    }

    /// <summary>Output dimensions padded to rank 4 and the element strides (0 when broadcast) of both inputs.</summary>
    private readonly struct BroadcastMap
    {
        public readonly int D0, D1, D2, D3, A0, A1, A2, A3, B0, B1, B2, B3;

        public BroadcastMap(Shape a, Shape b, Shape o)
        {
            Span<int> d = stackalloc int[4], sa = stackalloc int[4], sb = stackalloc int[4];
            Pad(o, d);
            StridesFor(a, d, sa);
            StridesFor(b, d, sb);
            (D0, D1, D2, D3) = (d[0], d[1], d[2], d[3]);
            (A0, A1, A2, A3) = (sa[0], sa[1], sa[2], sa[3]);
            (B0, B1, B2, B3) = (sb[0], sb[1], sb[2], sb[3]);
        }

        private static void Pad(Shape s, Span<int> dims)
        {
            int pad = 4 - s.Rank;
            for (int i = 0; i < 4; i++) dims[i] = i < pad ? 1 : s[i - pad];
        }

        private static void StridesFor(Shape s, ReadOnlySpan<int> outDims, Span<int> strides)
        {
            Span<int> dims = stackalloc int[4];
            Pad(s, dims);
            int stride = 1;
            for (int i = 3; i >= 0; i--)
            {
                strides[i] = dims[i] == 1 && outDims[i] != 1 ? 0 : stride;
                stride *= dims[i];
            }
        }
    }

    // ------------------------------------------------------------------ unary

    /// <summary>scale · x + shift, elementwise.</summary>
    public Tensor Affine(Tensor x, float scale, float shift)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Multiply(x.Data, scale, o.Data);
        if (shift != 0f) TensorPrimitives.Add(o.Data, shift, o.Data);
        return Record(OpKind.Affine, o, x, s0: scale, s1: shift);
    }

    /// <summary>−x.</summary>
    public Tensor Neg(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Negate(x.Data, o.Data);
        return Record(OpKind.Neg, o, x);
    }

    /// <summary>eˣ.</summary>
    public Tensor Exp(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Exp(x.Data, o.Data);
        return Record(OpKind.Exp, o, x);
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Log(x.Data, o.Data);
        return Record(OpKind.Log, o, x);
    }

    /// <summary>xᵖ for a constant exponent.</summary>
    public Tensor Pow(Tensor x, float exponent)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Pow(x.Data, exponent, o.Data);
        return Record(OpKind.Pow, o, x, s0: exponent);
    }

    /// <summary>x².</summary>
    public Tensor Square(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Multiply(x.Data, x.Data, o.Data);
        return Record(OpKind.Square, o, x);
    }

    /// <summary>√x.</summary>
    public Tensor Sqrt(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Sqrt(x.Data, o.Data);
        return Record(OpKind.Sqrt, o, x);
    }

    /// <summary>|x| (gradient 0 at 0).</summary>
    public Tensor Abs(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Abs(x.Data, o.Data);
        return Record(OpKind.Abs, o, x);
    }

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Tanh(x.Data, o.Data);
        return Record(OpKind.Tanh, o, x);
    }

    /// <summary>max(x, 0).</summary>
    public Tensor Relu(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Max(x.Data, 0f, o.Data);
        return Record(OpKind.Relu, o, x);
    }

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Sigmoid(x.Data, o.Data);
        return Record(OpKind.Sigmoid, o, x);
    }

    /// <summary>log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|) (in float64, so tiny values keep their relative accuracy).</summary>
    public Tensor Softplus(Tensor x)
    {
        Tensor o = UnaryOutput(x);
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int i = 0; i < v.Length; i++) y[i] = SoftplusOf(v[i]);
        return Record(OpKind.Softplus, o, x);
    }

    /// <summary>Stable scalar softplus.</summary>
    internal static float SoftplusOf(float v) => (float)(Math.Max(v, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs((double)v))));

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>]; the gradient passes where
    /// min ≤ x ≤ max and is zero outside.</summary>
    public Tensor Clamp(Tensor x, float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp range is empty: min {min} > max {max}.");
        Tensor o = UnaryOutput(x);
        TensorPrimitives.Clamp(x.Data, min, max, o.Data);
        return Record(OpKind.Clamp, o, x, s0: min, s1: max);
    }

    /// <summary>The same values with no gradient flowing back (stop-gradient). Shares storage.</summary>
    public Tensor Detach(Tensor x)
    {
        CheckOwner(x);
        return NewView(x, x.Shape, requiresGrad: false);
    }

    private Tensor UnaryOutput(Tensor x)
    {
        CheckOwner(x);
        return NewTensor(x.Shape, x.RequiresGrad);
    }

    private void BackwardUnary(ref OpRecord op)
    {
        Tensor x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out), y = op.Out.Data, v = x.Data;
        Span<float> gx = EnsureGrad(x);
        switch (op.Kind)
        {
            case OpKind.Affine: TensorPrimitives.MultiplyAdd(g, op.S0, gx, gx); break;
            case OpKind.Neg: TensorPrimitives.Subtract(gx, g, gx); break;
            case OpKind.Exp: TensorPrimitives.MultiplyAdd(g, y, gx, gx); break;
            case OpKind.Log: for (int i = 0; i < g.Length; i++) gx[i] += g[i] / v[i]; break;
            case OpKind.Pow:
                float p = op.S0;
                for (int i = 0; i < g.Length; i++) gx[i] += g[i] * p * MathF.Pow(v[i], p - 1f);
                break;
            case OpKind.Square: for (int i = 0; i < g.Length; i++) gx[i] += 2f * v[i] * g[i]; break;
            case OpKind.Sqrt: for (int i = 0; i < g.Length; i++) gx[i] += 0.5f * g[i] / y[i]; break;
            case OpKind.Abs: for (int i = 0; i < g.Length; i++) gx[i] += v[i] > 0 ? g[i] : v[i] < 0 ? -g[i] : 0f; break;
            case OpKind.Tanh: for (int i = 0; i < g.Length; i++) gx[i] += g[i] * (1f - y[i] * y[i]); break;
            case OpKind.Relu: for (int i = 0; i < g.Length; i++) if (v[i] > 0) gx[i] += g[i]; break;
            case OpKind.Sigmoid: for (int i = 0; i < g.Length; i++) gx[i] += g[i] * y[i] * (1f - y[i]); break;
            case OpKind.Softplus: for (int i = 0; i < g.Length; i++) gx[i] += g[i] / (1f + MathF.Exp(-v[i])); break;
            case OpKind.Clamp:
                for (int i = 0; i < g.Length; i++) if (v[i] >= op.S0 && v[i] <= op.S1) gx[i] += g[i];
                break;
            default: throw new InvalidOperationException($"Not a unary op: {op.Kind}.");
        }
    }
}
