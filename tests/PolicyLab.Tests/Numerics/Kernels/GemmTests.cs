using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Tests.Numerics.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        int[][] shapes = [[1, 1, 1], [64, 64, 64], [64, 2, 64], [64, 1, 64], [2, 64, 64], [5, 37, 7], [3, 17, 5],
            [7, 80, 3], [9, 130, 11], [1, 64, 4], [64, 64, 4], [256, 64, 2], [3, 5, 0], [17, 8, 9], [33, 24, 70]];
        foreach (int[] s in shapes)
            foreach (bool transposed in new[] { false, true })
            {
                data.Add(s[0], s[1], s[2], transposed, false, false);
                data.Add(s[0], s[1], s[2], transposed, true, true);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_a_float64_reference(int m, int n, int k, bool transposedA, bool accumulate, bool withBias)
    {
        var rng = new Rng((ulong)(m * 1000 + n * 10 + k));
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c = Random(rng, m * n), bias = Random(rng, n);
        int aRow = transposedA ? 1 : k, aCol = transposedA ? m : 1;
        double[] expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = (accumulate ? c[i * n + j] : 0) + (withBias ? bias[j] : 0);
                for (int p = 0; p < k; p++) s += (double)a[i * aRow + p * aCol] * b[p * n + j];
                expected[i * n + j] = s;
            }
        Gemm.Multiply(m, n, k, a, aRow, aCol, b, n, c, n, accumulate, withBias ? bias : default);
        for (int i = 0; i < m * n; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (k + 1) * (1 + Math.Abs(expected[i])),
                $"element {i}: {c[i]} vs {expected[i]}");
    }

    [Fact]
    public void Rejects_buffers_that_are_too_small()
    {
        float[] a = new float[6], b = new float[6], c = new float[3];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 2, 3, a, 3, 1, b, 2, c, 2));
    }

    [Fact]
    public void Is_deterministic()
    {
        var rng = new Rng(5UL);
        float[] a = Random(rng, 64 * 64), b = Random(rng, 64 * 64), c1 = new float[64 * 64], c2 = new float[64 * 64];
        Gemm.Multiply(64, 64, 64, a, 64, 1, b, 64, c1, 64);
        Gemm.Multiply(64, 64, 64, a, 64, 1, b, 64, c2, 64);
        Assert.Equal(c1, c2);
    }

    private static float[] Random(Rng rng, int n)
    {
        var v = new float[n];
        rng.FillUniform(v, -1, 1);
        return v;
    }
}
