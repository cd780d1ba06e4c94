using PolicyLab.Numerics;
using PolicyLab.Numerics.Curvature;

namespace PolicyLab.Tests.Numerics.Curvature;

public class ConjugateGradientTests
{
    // A = MᵀM + 0.5·I for a random M: symmetric positive definite, moderately conditioned.
    private static double[,] RandomSpd(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                m[i, j] = rng.Normal();
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[k, i] * m[k, j];
                a[i, j] = s / n + (i == j ? 0.5 : 0);
            }
        return a;
    }

    private static LinearOperator Product(double[,] a) => (v, result) =>
    {
        int n = v.Length;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[i, j] * v[j];
            result[i] = (float)s;
        }
    };

    private static double[] Residual(double[,] a, float damping, float[] x, float[] b)
    {
        int n = b.Length;
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = damping * x[i];
            for (int j = 0; j < n; j++) s += a[i, j] * x[j];
            r[i] = b[i] - s;
        }
        return r;
    }

    private static float[] RandomVector(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var b = new float[n];
        for (int i = 0; i < n; i++) b[i] = (float)rng.Normal();
        return b;
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Solves_a_random_spd_system_with_damping(float damping)
    {
        const int n = 12;
        double[,] a = RandomSpd(n, 7UL);
        float[] b = RandomVector(n, 8UL);
        var x = new float[n];
        ConjugateGradientResult result = new ConjugateGradient().Solve(Product(a), b, x, iterations: 3 * n, damping, residualTolerance: 1e-12);
        double[] r = Residual(a, damping, x, b);
        double norm = Math.Sqrt(r.Sum(v => v * v));
        double bNorm = Math.Sqrt(b.Sum(v => (double)v * v));
        Assert.True(norm < 1e-4 * bNorm, $"residual {norm} (b {bNorm})");
        Assert.True(result.Iterations <= 3 * n);
    }

    [Fact]
    public void Exact_in_n_steps_on_a_small_system_and_stops_on_a_zero_right_hand_side()
    {
        // In exact arithmetic CG solves an n×n SPD system in n iterations.
        double[,] a = { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } };
        float[] b = [1, 2, 3];
        var x = new float[3];
        var cg = new ConjugateGradient();
        cg.Solve(Product(a), b, x, iterations: 3);
        double[] r = Residual(a, 0f, x, b);
        Assert.All(r, v => Assert.True(Math.Abs(v) < 1e-5, $"residual component {v}"));

        x.AsSpan().Fill(5f);
        ConjugateGradientResult zero = cg.Solve(Product(a), new float[3], x, iterations: 10);
        Assert.Equal(0, zero.Iterations);
        Assert.All(x, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Damping_shrinks_the_solution_like_the_explicit_damped_solve()
    {
        // A = diag(1, 0.01): with damping 0.1, x = b / (diag + 0.1) exactly (CG converges in 2 steps).
        double[,] a = { { 1, 0 }, { 0, 0.01 } };
        float[] b = [1, 1];
        var x = new float[2];
        new ConjugateGradient().Solve(Product(a), b, x, iterations: 2, damping: 0.1f);
        Assert.Equal(1 / 1.1, x[0], 4);
        Assert.Equal(1 / 0.11, x[1], 3);
    }
}
