using System.Numerics.Tensors;

namespace PolicyLab.Numerics;

// Elementwise operations. Each one is a public method and a small struct holding its forward kernel
// and its derivative side by side; Unary and Binary do the rest (checks, output, recording, broadcasting,
// the backward pass). Adding an elementwise operation is adding those two.
public sealed partial class Tape
{
    // ------------------------------------------------------------------ binary, broadcasting

    /// <summary>a + b with NumPy broadcasting.</summary>
    public Tensor Add(Tensor a, Tensor b) => Binary<AddOp>(a, b);

    private struct AddOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Add(x, z, y);
        public static float Apply(float x, float z) => x + z;
        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga) => TensorPrimitives.Add(ga, g, ga);
        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb) => TensorPrimitives.Add(gb, g, gb);
        public static (float, float) Derivatives(float g, float x, float z) => (g, g);
    }

    /// <summary>a − b with NumPy broadcasting.</summary>
    public Tensor Sub(Tensor a, Tensor b) => Binary<SubOp>(a, b);

    private struct SubOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Subtract(x, z, y);
        public static float Apply(float x, float z) => x - z;
        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga) => TensorPrimitives.Add(ga, g, ga);
        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb) => TensorPrimitives.Subtract(gb, g, gb);
        public static (float, float) Derivatives(float g, float x, float z) => (g, -g);
    }

    /// <summary>a · b (elementwise) with NumPy broadcasting.</summary>
    public Tensor Mul(Tensor a, Tensor b) => Binary<MulOp>(a, b);

    private struct MulOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Multiply(x, z, y);
        public static float Apply(float x, float z) => x * z;
        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga) => TensorPrimitives.MultiplyAdd(g, z, ga, ga);
        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb) => TensorPrimitives.MultiplyAdd(g, x, gb, gb);
        public static (float, float) Derivatives(float g, float x, float z) => (g * z, g * x);
    }

    /// <summary>a / b (elementwise) with NumPy broadcasting.</summary>
    public Tensor Div(Tensor a, Tensor b) => Binary<DivOp>(a, b);

    private struct DivOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y) => TensorPrimitives.Divide(x, z, y);
        public static float Apply(float x, float z) => x / z;

        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga)
        {
            for (int i = 0; i < g.Length; i++) ga[i] += g[i] / z[i];
        }

        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb)
        {
            for (int i = 0; i < g.Length; i++) gb[i] -= g[i] * x[i] / (z[i] * z[i]);
        }

        public static (float, float) Derivatives(float g, float x, float z) => (g / z, -g * x / (z * z));
    }

    /// <summary>Elementwise minimum with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public Tensor Minimum(Tensor a, Tensor b) => Binary<MinimumOp>(a, b);

    private struct MinimumOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y)
        {
            for (int i = 0; i < y.Length; i++) y[i] = x[i] <= z[i] ? x[i] : z[i];
        }

        public static float Apply(float x, float z) => x <= z ? x : z;

        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga)
        {
            for (int i = 0; i < g.Length; i++) if (x[i] <= z[i]) ga[i] += g[i];
        }

        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb)
        {
            for (int i = 0; i < g.Length; i++) if (!(x[i] <= z[i])) gb[i] += g[i];
        }

        public static (float, float) Derivatives(float g, float x, float z) => x <= z ? (g, 0f) : (0f, g);
    }

    /// <summary>Elementwise maximum with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public Tensor Maximum(Tensor a, Tensor b) => Binary<MaximumOp>(a, b);

    private struct MaximumOp : IBinaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y)
        {
            for (int i = 0; i < y.Length; i++) y[i] = x[i] >= z[i] ? x[i] : z[i];
        }

        public static float Apply(float x, float z) => x >= z ? x : z;

        public static void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga)
        {
            for (int i = 0; i < g.Length; i++) if (x[i] >= z[i]) ga[i] += g[i];
        }

        public static void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb)
        {
            for (int i = 0; i < g.Length; i++) if (!(x[i] >= z[i])) gb[i] += g[i];
        }

        public static (float, float) Derivatives(float g, float x, float z) => x >= z ? (g, 0f) : (0f, g);
    }

    /// <summary>
    /// An elementwise function of two tensors, y = f(x, z), with NumPy broadcasting. Equal shapes use the span
    /// kernels; broadcast shapes the per-element ones. The backward kernels add g·∂f/∂x into gx and g·∂f/∂z into gz.
    /// </summary>
    private interface IBinaryOp
    {
        /// <summary>y = f(x, z) for equal shapes.</summary>
        static abstract void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y);

        /// <summary>f(x, z) for one element (broadcast shapes).</summary>
        static abstract float Apply(float x, float z);

        /// <summary>ga += g · ∂f/∂x for equal shapes.</summary>
        static abstract void BackwardA(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> ga);

        /// <summary>gb += g · ∂f/∂z for equal shapes.</summary>
        static abstract void BackwardB(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> gb);

        /// <summary>(g · ∂f/∂x, g · ∂f/∂z) for one element (broadcast shapes).</summary>
        static abstract (float, float) Derivatives(float g, float x, float z);
    }

    private Tensor Binary<TOp>(Tensor a, Tensor b) where TOp : struct, IBinaryOp
    {
        TensorNode na = Use(a), nb = Use(b);
        Shape shape = BroadcastShape(na.Shape, nb.Shape);
        TensorNode o = NewNode(shape, na.RequiresGrad || nb.RequiresGrad);
        Span<float> y = o.Data;
        if (na.Shape == nb.Shape)
            TOp.Forward(na.Data, nb.Data, y);
        else
        {
            var map = new BroadcastMap(na.Shape, nb.Shape, shape);
            float[] ab = na.Buffer, bb = nb.Buffer;
            int ao = na.Offset, bo = nb.Offset;
            int n = 0;
            for (int i0 = 0; i0 < map.D0; i0++)
            for (int i1 = 0; i1 < map.D1; i1++)
            for (int i2 = 0; i2 < map.D2; i2++)
            {
                int ia = ao + i0 * map.A0 + i1 * map.A1 + i2 * map.A2;
                int ib = bo + i0 * map.B0 + i1 * map.B1 + i2 * map.B2;
                for (int i3 = 0; i3 < map.D3; i3++, n++)
                    y[n] = TOp.Apply(ab[ia + i3 * map.A3], bb[ib + i3 * map.B3]);
            }
        }
        return Record(BinaryBackward<TOp>, o, na, nb);
    }

    private static void BinaryBackward<TOp>(Tape tape, ref OpRecord op) where TOp : struct, IBinaryOp
    {
        TensorNode a = op.A!, b = op.B!, o = op.Out;
        ReadOnlySpan<float> g = GradOf(o);
        if (a.Shape == b.Shape)
        {
            ReadOnlySpan<float> x = a.Data, z = b.Data;
            if (a.RequiresGrad) TOp.BackwardA(g, x, z, tape.EnsureGrad(a));
            if (b.RequiresGrad) TOp.BackwardB(g, x, z, tape.EnsureGrad(b));
            return;
        }

        var map = new BroadcastMap(a.Shape, b.Shape, o.Shape);
        Span<float> gaAll = a.RequiresGrad ? tape.EnsureGrad(a) : default;
        Span<float> gbAll = b.RequiresGrad ? tape.EnsureGrad(b) : default;
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
                (float da, float db) = TOp.Derivatives(g[n], xa[ia], xb[ib]);
                if (a.RequiresGrad) gaAll[ia] += da;
                if (b.RequiresGrad) gbAll[ib] += db;
            }
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

    // ------------------------------------------------------------------ ternary

    /// <summary>Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is non-zero,
    /// else <paramref name="b"/>. All three have the same shape; the condition gets no gradient.</summary>
    public Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        TensorNode nc = Use(condition), na = Use(a), nb = Use(b);
        if (nc.Shape != na.Shape || na.Shape != nb.Shape)
            throw new ArgumentException($"Where needs equal shapes; got condition {nc.Shape}, a {na.Shape}, b {nb.Shape}.");
        TensorNode o = NewNode(na.Shape, na.RequiresGrad || nb.RequiresGrad);
        Span<float> y = o.Data;
        ReadOnlySpan<float> c = nc.Data, x = na.Data, z = nb.Data;
        for (int i = 0; i < y.Length; i++) y[i] = c[i] != 0 ? x[i] : z[i];
        return Record(WhereBackward, o, na, nb, nc);
    }

    private static void WhereBackward(Tape tape, ref OpRecord op)
    {
        ReadOnlySpan<float> g = GradOf(op.Out), c = op.C!.Data;
        if (op.A!.RequiresGrad)
        {
            Span<float> ga = tape.EnsureGrad(op.A);
            for (int i = 0; i < g.Length; i++) if (c[i] != 0) ga[i] += g[i];
        }
        if (op.B!.RequiresGrad)
        {
            Span<float> gb = tape.EnsureGrad(op.B);
            for (int i = 0; i < g.Length; i++) if (c[i] == 0) gb[i] += g[i];
        }
    }

    // ------------------------------------------------------------------ unary

    /// <summary>scale · x + shift, elementwise.</summary>
    public Tensor Affine(Tensor x, float scale, float shift) => Unary<AffineOp>(x, scale, shift);

    private struct AffineOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float scale, float shift)
        {
            TensorPrimitives.Multiply(x, scale, y);
            if (shift != 0f) TensorPrimitives.Add(y, shift, y);
        }

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float scale, float shift) =>
            TensorPrimitives.MultiplyAdd(g, scale, gx, gx);
    }

    /// <summary>−x.</summary>
    public Tensor Neg(Tensor x) => Unary<NegOp>(x);

    private struct NegOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Negate(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q) =>
            TensorPrimitives.Subtract(gx, g, gx);
    }

    /// <summary>eˣ.</summary>
    public Tensor Exp(Tensor x) => Unary<ExpOp>(x);

    private struct ExpOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Exp(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q) =>
            TensorPrimitives.MultiplyAdd(g, y, gx, gx);
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log(Tensor x) => Unary<LogOp>(x);

    private struct LogOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Log(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += g[i] / x[i];
        }
    }

    /// <summary>xᵖ for a constant exponent.</summary>
    public Tensor Pow(Tensor x, float exponent) => Unary<PowOp>(x, exponent);

    private struct PowOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float exponent, float q) => TensorPrimitives.Pow(x, exponent, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float exponent, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += g[i] * exponent * MathF.Pow(x[i], exponent - 1f);
        }
    }

    /// <summary>x².</summary>
    public Tensor Square(Tensor x) => Unary<SquareOp>(x);

    private struct SquareOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Multiply(x, x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += 2f * x[i] * g[i];
        }
    }

    /// <summary>√x.</summary>
    public Tensor Sqrt(Tensor x) => Unary<SqrtOp>(x);

    private struct SqrtOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Sqrt(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += 0.5f * g[i] / y[i];
        }
    }

    /// <summary>|x| (gradient 0 at 0).</summary>
    public Tensor Abs(Tensor x) => Unary<AbsOp>(x);

    private struct AbsOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Abs(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f;
        }
    }

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh(Tensor x) => Unary<TanhOp>(x);

    private struct TanhOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Tanh(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += g[i] * (1f - y[i] * y[i]);
        }
    }

    /// <summary>max(x, 0).</summary>
    public Tensor Relu(Tensor x) => Unary<ReluOp>(x);

    private struct ReluOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Max(x, 0f, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) if (x[i] > 0) gx[i] += g[i];
        }
    }

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid(Tensor x) => Unary<SigmoidOp>(x);

    private struct SigmoidOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q) => TensorPrimitives.Sigmoid(x, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += g[i] * y[i] * (1f - y[i]);
        }
    }

    /// <summary>log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|) (in float64, so tiny values keep their relative accuracy).</summary>
    public Tensor Softplus(Tensor x) => Unary<SoftplusOp>(x);

    private struct SoftplusOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q)
        {
            for (int i = 0; i < x.Length; i++) y[i] = SoftplusOf(x[i]);
        }

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q)
        {
            for (int i = 0; i < g.Length; i++) gx[i] += g[i] / (1f + MathF.Exp(-x[i]));
        }
    }

    /// <summary>Stable scalar softplus.</summary>
    internal static float SoftplusOf(float v) => (float)(Math.Max(v, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs((double)v))));

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>]; the gradient passes where
    /// min ≤ x ≤ max and is zero outside.</summary>
    public Tensor Clamp(Tensor x, float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp range is empty: min {min} > max {max}.");
        return Unary<ClampOp>(x, min, max);
    }

    private struct ClampOp : IUnaryOp
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, float min, float max) => TensorPrimitives.Clamp(x, min, max, y);

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float min, float max)
        {
            for (int i = 0; i < g.Length; i++) if (x[i] >= min && x[i] <= max) gx[i] += g[i];
        }
    }

    /// <summary>The same values with no gradient flowing back (stop-gradient). Shares storage.</summary>
    public Tensor Detach(Tensor x)
    {
        TensorNode v = Use(x);
        return Handle(NewView(v, v.Shape, requiresGrad: false));
    }

    /// <summary>
    /// An elementwise function of one tensor with up to two constant arguments (p, q), recorded with them.
    /// The backward kernel adds g · f′ into gx, given the input x and the output y = f(x).
    /// </summary>
    private interface IUnaryOp
    {
        /// <summary>y = f(x; p, q).</summary>
        static abstract void Forward(ReadOnlySpan<float> x, Span<float> y, float p, float q);

        /// <summary>gx += g · ∂f/∂x, given x and y = f(x).</summary>
        static abstract void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gx, float p, float q);
    }

    private Tensor Unary<TOp>(Tensor x, float p = 0f, float q = 0f) where TOp : struct, IUnaryOp
    {
        TensorNode v = Use(x);
        TensorNode o = NewNode(v.Shape, v.RequiresGrad);
        TOp.Forward(v.Data, o.Data, p, q);
        return Record(UnaryBackward<TOp>, o, v, s0: p, s1: q);
    }

    private static void UnaryBackward<TOp>(Tape tape, ref OpRecord op) where TOp : struct, IUnaryOp
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        TOp.Backward(GradOf(op.Out), x.Data, op.Out.Data, tape.EnsureGrad(x), op.S0, op.S1);
    }
}
