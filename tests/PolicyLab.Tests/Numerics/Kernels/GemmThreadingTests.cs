using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Tests.Numerics.Kernels;

[Collection(GemmThreadsCollection.Name)]
public class GemmThreadingTests
{
    [Theory]
    [InlineData(256, 256, 256, false, false, true)]
    [InlineData(256, 256, 256, true, true, false)]
    [InlineData(100, 300, 70, false, true, true)]
    [InlineData(8, 1024, 256, true, false, true)]   // few rows: split by column blocks
    [InlineData(37, 515, 129, false, false, false)]  // ragged tails in both directions
    public void Results_are_bit_identical_whatever_the_thread_count(int m, int n, int k, bool transposedA, bool accumulate, bool withBias)
    {
        var rng = new Rng((ulong)(m + n + k));
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n], bias = new float[n];
        rng.FillNormal(a);
        rng.FillNormal(b);
        rng.FillNormal(c0);
        rng.FillNormal(bias);
        int aRow = transposedA ? 1 : k, aCol = transposedA ? m : 1;
        float[] Run(int threads)
        {
            int saved = Gemm.Threads;
            Gemm.Threads = threads;
            try
            {
                float[] c = (float[])c0.Clone();
                Gemm.Multiply(m, n, k, a, aRow, aCol, b, n, c, n, accumulate, withBias ? bias : default);
                return c;
            }
            finally
            {
                Gemm.Threads = saved;
            }
        }
        float[] one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
    }

    [Fact]
    public void Transpose_matches_the_definition()
    {
        var rng = new Rng(9UL);
        foreach ((int r, int c) in new[] { (1, 1), (3, 17), (33, 64), (256, 4), (100, 37) })
        {
            float[] x = new float[r * c], t = new float[r * c];
            rng.FillNormal(x);
            Gemm.Transpose(r, c, x, t);
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++)
                    Assert.Equal(x[i * c + j], t[j * r + i]);
        }
    }

    [Fact]
    public void Thread_count_is_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Threads = 0);
    }
}

/// <summary>Tests that change <see cref="Gemm.Threads"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmThreadsCollection
{
    public const string Name = "Gemm thread count";
}
