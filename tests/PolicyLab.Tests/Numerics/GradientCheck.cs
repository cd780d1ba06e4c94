using PolicyLab.Numerics;

namespace PolicyLab.Tests.Numerics;

/// <summary>
/// Compares reverse-mode gradients with central finite differences.
/// The tensors are float32, so the check is made on L = Σ wᵢ·yᵢ (fixed random weights w) with the
/// sum taken in float64. With step h = 1e-2 the float32 rounding error of each difference quotient
/// is about n·6e-8 / h ≈ 1e-4 for the sizes used here, and the truncation error h²·f‴/6 about 2e-5
/// for the smooth functions tested; 3e-3 absolute plus 3e-3 relative leaves an order of magnitude of
/// margin while still catching any wrong derivative (those are off by O(1)).
/// </summary>
internal static class GradientCheck
{
    public const double Step = 1e-2;
    public const double Tolerance = 3e-3;

    public delegate Tensor Function(Tape tape, Tensor[] inputs);

    public static void Check(Function f, params (float[] Values, Shape Shape)[] inputs)
    {
        var tape = new Tape();
        Tensor[] leaves = inputs.Select(i => tape.Variable(i.Values, i.Shape)).ToArray();
        Tensor y = f(tape, leaves);
        var rng = new Rng(1234UL);
        float[] w = new float[y.Length];
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.Uniform(-1, 1);
        tape.Backward(y, w);
        float[][] analytic = leaves.Select(l => l.Grad.IsEmpty ? new float[l.Length] : l.Grad.ToArray()).ToArray();

        for (int which = 0; which < inputs.Length; which++)
        {
            float[] x = inputs[which].Values;
            for (int j = 0; j < x.Length; j++)
            {
                float saved = x[j];
                x[j] = (float)(saved + Step);
                double plus = Evaluate(f, inputs, w);
                x[j] = (float)(saved - Step);
                double minus = Evaluate(f, inputs, w);
                x[j] = saved;
                double numeric = (plus - minus) / (2 * Step);
                double got = analytic[which][j];
                Assert.True(Math.Abs(numeric - got) <= Tolerance * (1 + Math.Abs(numeric)),
                    $"input {which} element {j}: analytic {got}, finite difference {numeric}");
            }
        }
    }

    private static double Evaluate(Function f, (float[] Values, Shape Shape)[] inputs, float[] w)
    {
        var tape = new Tape();
        Tensor[] leaves = inputs.Select(i => tape.Constant(i.Values, i.Shape)).ToArray();
        ReadOnlySpan<float> y = f(tape, leaves).Data;
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += (double)w[i] * y[i];
        return sum;
    }

    /// <summary>Random values in [lo, hi] kept at least <paramref name="gap"/> away from each of <paramref name="kinks"/>.</summary>
    public static float[] Values(int n, ulong seed, double lo = -2, double hi = 2, double gap = 0.05, params double[] kinks)
    {
        var rng = new Rng(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double x;
            do x = rng.Uniform(lo, hi);
            while (kinks.Any(k => Math.Abs(x - k) < gap));
            v[i] = (float)x;
        }
        return v;
    }
}
