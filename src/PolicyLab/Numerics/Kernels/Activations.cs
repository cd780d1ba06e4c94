using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PolicyLab.Numerics.Kernels;

/// <summary>Activation functions fused into linear layers.</summary>
public enum Activation
{
    /// <summary>No activation (a linear output head).</summary>
    Identity,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
}

/// <summary>Vectorized activation forward passes and their derivatives, expressed through the outputs.</summary>
public static class Activations
{
    /// <summary>Applies <paramref name="activation"/> to <paramref name="values"/> in place.</summary>
    public static void Apply(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            case Activation.Relu: TensorPrimitives.Max(values, 0f, values); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
        }
    }

    /// <summary>dz = g · f′ where f′ is written in terms of the activation's output y
    /// (tanh: 1 − y², relu: [y &gt; 0], sigmoid: y(1 − y)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Activation activation, ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> dz)
    {
        if (g.Length != y.Length || dz.Length < g.Length)
            throw new ArgumentException("Activation backward buffers differ in length.");
        int n = g.Length, i = 0;
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rz = ref MemoryMarshal.GetReference(dz);
        switch (activation)
        {
            case Activation.Identity:
                g.CopyTo(dz);
                return;
            case Activation.Tanh:
                if (Vector512.IsHardwareAccelerated)
                    for (; i + 16 <= n; i += 16)
                    {
                        Vector512<float> yv = Vector512.LoadUnsafe(ref ry, (nuint)i);
                        Vector512<float> gv = Vector512.LoadUnsafe(ref rg, (nuint)i);
                        Vector512.FusedMultiplyAdd(-gv * yv, yv, gv).StoreUnsafe(ref rz, (nuint)i);
                    }
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<float> yv = Vector256.LoadUnsafe(ref ry, (nuint)i);
                    Vector256<float> gv = Vector256.LoadUnsafe(ref rg, (nuint)i);
                    Vector256.FusedMultiplyAdd(-gv * yv, yv, gv).StoreUnsafe(ref rz, (nuint)i);
                }
                for (; i < n; i++) dz[i] = MathF.FusedMultiplyAdd(-g[i] * y[i], y[i], g[i]);
                return;
            case Activation.Relu:
                if (Vector512.IsHardwareAccelerated)
                    for (; i + 16 <= n; i += 16)
                    {
                        Vector512<float> mask = Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, (nuint)i), Vector512<float>.Zero);
                        (Vector512.LoadUnsafe(ref rg, (nuint)i) & mask).StoreUnsafe(ref rz, (nuint)i);
                    }
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<float> mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref ry, (nuint)i), Vector256<float>.Zero);
                    (Vector256.LoadUnsafe(ref rg, (nuint)i) & mask).StoreUnsafe(ref rz, (nuint)i);
                }
                for (; i < n; i++) dz[i] = y[i] > 0 ? g[i] : 0f;
                return;
            case Activation.Sigmoid:
                for (; i < n; i++) dz[i] = g[i] * y[i] * (1f - y[i]);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>Adds the column sums of the rows×cols matrix <paramref name="m"/> into <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        if (m.Length < rows * cols || sums.Length < cols)
            throw new ArgumentException("Column-sum buffers are too small.");
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rs = ref MemoryMarshal.GetReference(sums);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= cols; j += 16)
            {
                Vector512<float> acc = Vector512.LoadUnsafe(ref rs, (nuint)j);
                for (int r = 0; r < rows; r++) acc += Vector512.LoadUnsafe(ref rm, (nuint)(r * cols + j));
                acc.StoreUnsafe(ref rs, (nuint)j);
            }
        for (; j + 8 <= cols; j += 8)
        {
            Vector256<float> acc = Vector256.LoadUnsafe(ref rs, (nuint)j);
            for (int r = 0; r < rows; r++) acc += Vector256.LoadUnsafe(ref rm, (nuint)(r * cols + j));
            acc.StoreUnsafe(ref rs, (nuint)j);
        }
        for (; j < cols; j++)
        {
            float acc = sums[j];
            for (int r = 0; r < rows; r++) acc += m[r * cols + j];
            sums[j] = acc;
        }
    }
}
