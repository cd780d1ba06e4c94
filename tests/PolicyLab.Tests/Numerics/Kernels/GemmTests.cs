using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Tests.Numerics.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        int[][] shapes = [[1, 1, 1], [64, 64, 64], [64, 2, 64], [64, 1, 64], [2, 64, 64], [5, 37, 7], [3, 17, 5],
            [7, 80, 3], [9, 130, 11], [1, 64, 4], [64, 64, 4], [256, 64, 2], [3, 5, 0], [17, 8, 9], [33, 24, 70],
            // Widths that are not multiples of the vector: the last columns are one vector overlapping the ones before
            // (n ≥ 16 with AVX-512, n ≥ 8 with AVX2); thin outputs (n < vector) as four-row dot products.
            [13, 300, 37], [6, 44, 5], [9, 17, 3], [5, 23, 19], [7, 393, 2], [10, 400, 21], [1, 300, 9], [3, 12, 6],
            [21, 10, 40], [9, 4, 300], [8, 1, 33], [12, 15, 1], [5, 31, 0]];
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

    /// <summary>Every element of a product of 16 or more columns is summed in one order whichever kernel computes it
    /// (full panels, single vectors, the overlapping last vector), so a column has the same bits in a narrower product:
    /// what lets the parallel path cut C into column blocks.</summary>
    [Theory]
    [InlineData(300, false, false)]
    [InlineData(300, true, true)]
    [InlineData(44, true, false)]
    [InlineData(23, false, true)]
    [InlineData(393, true, true)]
    public void A_column_has_the_same_bits_in_a_narrower_product(int n, bool transposedA, bool accumulateWithBias)
    {
        const int m = 11, k = 29, wide = 400;
        var rng = new Rng((ulong)n);
        float[] a = Random(rng, m * k), bWide = Random(rng, k * wide), cWide = Random(rng, m * wide), biasWide = Random(rng, wide);
        float[] b = new float[k * n], c = new float[m * n], bias = biasWide[..n];
        for (int p = 0; p < k; p++) bWide.AsSpan(p * wide, n).CopyTo(b.AsSpan(p * n));
        for (int i = 0; i < m; i++) cWide.AsSpan(i * wide, n).CopyTo(c.AsSpan(i * n));
        int aRow = transposedA ? 1 : k, aCol = transposedA ? m : 1;
        Gemm.Multiply(m, wide, k, a, aRow, aCol, bWide, wide, cWide, wide, accumulateWithBias, accumulateWithBias ? biasWide : default);
        Gemm.Multiply(m, n, k, a, aRow, aCol, b, n, c, n, accumulateWithBias, accumulateWithBias ? bias : default);
        for (int i = 0; i < m; i++)
            Assert.Equal(cWide.AsSpan(i * wide, n).ToArray(), c.AsSpan(i * n, n).ToArray());
    }

    /// <summary>Thin outputs (fewer columns than one vector: 8 with AVX2, 16 with AVX-512) are dot products: rows taken
    /// four at a time have the same bits as <see cref="Gemm.Dot"/>.</summary>
    [Theory]
    [InlineData(9, 1, 300)]
    [InlineData(7, 7, 400)]
    [InlineData(6, 4, 13)]
    [InlineData(5, 3, 7)]
    public void Thin_outputs_have_the_bits_of_dot_products(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m + n + k));
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c = new float[m * n], column = new float[k];
        Gemm.Multiply(m, n, k, a, k, 1, b, n, c, n);
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++) column[p] = b[p * n + j];
            for (int i = 0; i < m; i++)
                Assert.Equal(Gemm.Dot(a.AsSpan(i * k, k), column), c[i * n + j]);
        }
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
