using System.Numerics.Tensors;

namespace PolicyLab.Numerics;

// Reductions and row-wise operations; each public method is followed by its backward function.
public sealed partial class Tape
{
    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum(Tensor x)
    {
        TensorNode v = Use(x);
        TensorNode o = NewNode(Shape.Scalar, v.RequiresGrad);
        o.Buffer[o.Offset] = SumOf(v.Data);
        return Record(SumBackward, o, v);
    }

    private static void SumBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        Span<float> gx = tape.EnsureGrad(x);
        TensorPrimitives.Add(gx, GradOf(op.Out)[0], gx);
    }

    /// <summary>Mean of all elements (a scalar).</summary>
    public Tensor Mean(Tensor x)
    {
        TensorNode v = Use(x);
        TensorNode o = NewNode(Shape.Scalar, v.RequiresGrad);
        o.Buffer[o.Offset] = SumOf(v.Data) / v.Length;
        return Record(MeanBackward, o, v);
    }

    private static void MeanBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        Span<float> gx = tape.EnsureGrad(x);
        TensorPrimitives.Add(gx, GradOf(op.Out)[0] / x.Length, gx);
    }

    /// <summary>Sum over one axis (negative counts from the end), removing it unless <paramref name="keepDims"/>.</summary>
    public Tensor Sum(Tensor x, int axis, bool keepDims = false) => ReduceAxis(x, axis, keepDims, mean: false);

    /// <summary>Mean over one axis (negative counts from the end), removing it unless <paramref name="keepDims"/>.</summary>
    public Tensor Mean(Tensor x, int axis, bool keepDims = false) => ReduceAxis(x, axis, keepDims, mean: true);

    /// <summary>Vectorized sum; its order depends only on the length and the machine, so it is deterministic.</summary>
    internal static float SumOf(ReadOnlySpan<float> values) => TensorPrimitives.Sum(values);

    private Tensor ReduceAxis(Tensor input, int axis, bool keepDims, bool mean)
    {
        TensorNode x = Use(input);
        int a = x.Shape.NormalizeAxis(axis);
        (int outer, int len, int inner) = Split(x.Shape, a);
        Shape shape = keepDims ? x.Shape.With(a, 1) : x.Shape.Without(a);
        TensorNode o = NewNode(shape, x.RequiresGrad);
        float scale = mean ? 1f / len : 1f;
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int p = 0; p < outer; p++)
        {
            if (inner == 1)
            {
                y[p] = SumOf(v.Slice(p * len, len)) * scale;
                continue;
            }
            Span<float> row = y.Slice(p * inner, inner);
            v.Slice(p * len * inner, inner).CopyTo(row);
            for (int k = 1; k < len; k++)
                TensorPrimitives.Add(row, v.Slice((p * len + k) * inner, inner), row);
            if (mean) TensorPrimitives.Multiply(row, scale, row);
        }
        return Record(ReduceAxisBackward, o, x, s0: scale, i0: a);
    }

    private static void ReduceAxisBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out);
        Span<float> gx = tape.EnsureGrad(x);
        (int outer, int len, int inner) = Split(x.Shape, op.I0);
        for (int p = 0; p < outer; p++)
        {
            ReadOnlySpan<float> gRow = g.Slice(p * inner, inner);
            for (int k = 0; k < len; k++)
                TensorPrimitives.MultiplyAdd(gRow, op.S0, gx.Slice((p * len + k) * inner, inner), gx.Slice((p * len + k) * inner, inner));
        }
    }

    /// <summary>(outer, axis length, inner) sizes of a shape around an axis.</summary>
    private static (int Outer, int Length, int Inner) Split(Shape s, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.Rank; i++) inner *= s[i];
        return (outer, s[axis], inner);
    }

    /// <summary>
    /// Reverse discounted cumulative sum along the last axis: y_t = x_t + γ·y_{t+1} (y past the end is 0),
    /// computed by a backward recursion, so long horizons never form γ^t (which underflows in float32).
    /// Its gradient is the forward recursion g_x,t = g_t + γ·g_x,t−1.
    /// </summary>
    public Tensor DiscountedCumulativeSum(Tensor input, float gamma)
    {
        TensorNode x = Use(input);
        TensorNode o = NewNode(x.Shape, x.RequiresGrad);
        int n = x.Shape.Last, rows = x.Length / n;
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int r = 0; r < rows; r++)
        {
            float acc = 0f;
            for (int t = n - 1; t >= 0; t--)
            {
                acc = v[r * n + t] + gamma * acc;
                y[r * n + t] = acc;
            }
        }
        return Record(DiscountedCumulativeSumBackward, o, x, s0: gamma);
    }

    private static void DiscountedCumulativeSumBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out);
        Span<float> gx = tape.EnsureGrad(x);
        int n = x.Shape.Last, rows = x.Length / n;
        for (int r = 0; r < rows; r++)
        {
            float acc = 0f;
            for (int t = 0; t < n; t++)
            {
                acc = g[r * n + t] + op.S0 * acc;
                gx[r * n + t] += acc;
            }
        }
    }

    /// <summary>log softmax over the last axis (numerically stable).</summary>
    public Tensor LogSoftmax(Tensor logits)
    {
        TensorNode x = Use(logits);
        TensorNode o = NewNode(x.Shape, x.RequiresGrad);
        int k = x.Shape.Last, rows = x.Length / k;
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int r = 0; r < rows; r++)
            LogSoftmaxRow(v.Slice(r * k, k), y.Slice(r * k, k));
        return Record(LogSoftmaxBackward, o, x);
    }

    private static void LogSoftmaxBackward(Tape tape, ref OpRecord op)
    {
        // d/dx_i Σ_j g_j (x_j − logZ) = g_i − softmax_i Σ_j g_j
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out), y = op.Out.Data;
        Span<float> gx = tape.EnsureGrad(x);
        int k = x.Shape.Last, rows = x.Length / k;
        for (int r = 0; r < rows; r++)
        {
            float gs = SumOf(g.Slice(r * k, k));
            for (int i = r * k; i < (r + 1) * k; i++) gx[i] += g[i] - MathF.Exp(y[i]) * gs;
        }
    }

    /// <summary>softmax over the last axis (numerically stable).</summary>
    public Tensor Softmax(Tensor logits)
    {
        TensorNode x = Use(logits);
        TensorNode o = NewNode(x.Shape, x.RequiresGrad);
        int k = x.Shape.Last, rows = x.Length / k;
        ReadOnlySpan<float> v = x.Data;
        Span<float> y = o.Data;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * k, k);
            LogSoftmaxRow(v.Slice(r * k, k), row);
            TensorPrimitives.Exp(row, row);
        }
        return Record(SoftmaxBackward, o, x);
    }

    private static void SoftmaxBackward(Tape tape, ref OpRecord op)
    {
        // d/dx_i Σ_j g_j p_j = p_i (g_i − Σ_j g_j p_j)
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out), y = op.Out.Data;
        Span<float> gx = tape.EnsureGrad(x);
        int k = x.Shape.Last, rows = x.Length / k;
        for (int r = 0; r < rows; r++)
        {
            float dot = TensorPrimitives.Dot(g.Slice(r * k, k), y.Slice(r * k, k));
            for (int i = r * k; i < (r + 1) * k; i++) gx[i] += y[i] * (g[i] - dot);
        }
    }

    /// <summary>Writes log softmax of one row: x − max − log Σ e^(x − max).</summary>
    internal static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < x.Length; i++) if (x[i] > max) max = x[i];
        if (float.IsNegativeInfinity(max)) max = 0f; // every entry masked out: propagate -inf/NaN as is
        float sum = 0f;
        for (int i = 0; i < x.Length; i++) sum += MathF.Exp(x[i] - max);
        float logZ = max + MathF.Log(sum);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] - logZ;
    }

    /// <summary>Picks one entry per row: out[r] = x[r, index[r]] for x of shape [rows, k] (or [k] with one index).
    /// Indices are given as float values of whole numbers (as actions are) and get no gradient.</summary>
    public Tensor Gather(Tensor x, Tensor index)
    {
        TensorNode nx = Use(x), ni = Use(index);
        int k = nx.Shape.Last, rows = nx.Length / k;
        if (ni.Length != rows)
            throw new ArgumentException($"Gather on {nx.Shape} needs {rows} indices; got {ni.Length}.");
        Shape shape = nx.Shape.Rank <= 1 ? Shape.Scalar : nx.Shape.Without(-1);
        TensorNode o = NewNode(shape, nx.RequiresGrad);
        ReadOnlySpan<float> v = nx.Data, idx = ni.Data;
        Span<float> y = o.Data;
        for (int r = 0; r < rows; r++)
            y[r] = v[r * k + CheckIndex(idx[r], k)];
        return Record(GatherBackward, o, nx, ni);
    }

    private static void GatherBackward(Tape tape, ref OpRecord op)
    {
        TensorNode x = op.A!;
        if (!x.RequiresGrad) return;
        ReadOnlySpan<float> g = GradOf(op.Out), idx = op.B!.Data;
        Span<float> gx = tape.EnsureGrad(x);
        int k = x.Shape.Last;
        for (int r = 0; r < idx.Length; r++) gx[r * k + (int)idx[r]] += g[r];
    }

    private static int CheckIndex(float value, int k)
    {
        int i = (int)value;
        if (i != value || i < 0 || i >= k)
            throw new ArgumentOutOfRangeException(nameof(value), $"Index {value} is not a whole number in [0, {k}).");
        return i;
    }
}
