using PolicyLab.Numerics;
using PolicyLab.Numerics.Curvature;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Tests.Numerics;

public class FisherVectorProductTests
{
    private const int Batch = 3;

    [Fact]
    public void Categorical_matches_the_explicit_fisher_matrix()
    {
        // F = (1/B) Σ_s Σ_a π(a|s) ∇log π(a|s) ∇log π(a|s)ᵀ, built from exact per-action gradients in float64.
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 2, [4], 3);
        net.InitializeUniform(new Rng(1UL));
        float[] obs = Observations(Batch * 2);
        int n = store.Count;
        var fisher = new double[n, n];
        var tape = new Tape();
        for (int s = 0; s < Batch; s++)
        {
            for (int a = 0; a < 3; a++)
            {
                tape.Reset();
                store.ZeroGradients();
                Tensor logp = net.Forward(tape, tape.Constant(obs.AsSpan(s * 2, 2), new Shape(1, 2))).LogSoftmax();
                float p = MathF.Exp(logp[a]);
                var seed = new float[3];
                seed[a] = 1f;
                tape.Backward(logp, seed);
                float[] g = store.Gradients.ToArray();
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        fisher[i, j] += p * (double)g[i] * g[j] / Batch;
            }
        }
        AssertProductMatches(fisher, store, v =>
        {
            var result = new float[n];
            FisherVectorProduct.Categorical(net, store, obs, Batch, v, result, new Tape());
            return result;
        });
    }

    [Fact]
    public void Gaussian_matches_the_explicit_fisher_matrix()
    {
        // F = (1/B) Σ_s J_sᵀ diag(1/σ²) J_s for the mean block and 2·I for the log-std block, with J_s
        // built row by row from exact backward passes.
        var store = new ParameterStore();
        var net = new Mlp(store, "mu", 2, [4], 2);
        Parameter logStd = store.Add("log_std", new Shape(2));
        net.InitializeUniform(new Rng(2UL));
        logStd.Value[0] = -0.3f;
        logStd.Value[1] = 0.4f;
        float[] obs = Observations(Batch * 2);
        int n = store.Count;
        var fisher = new double[n, n];
        var tape = new Tape();
        for (int s = 0; s < Batch; s++)
        {
            var rows = new float[2][];
            for (int o = 0; o < 2; o++)
            {
                tape.Reset();
                store.ZeroGradients();
                Tensor mean = net.Forward(tape, tape.Constant(obs.AsSpan(s * 2, 2), new Shape(1, 2)));
                var seed = new float[2];
                seed[o] = 1f;
                tape.Backward(mean, seed);
                rows[o] = store.Gradients.ToArray();
            }
            for (int o = 0; o < 2; o++)
            {
                double precision = Math.Exp(-2.0 * logStd.Value[o]);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        fisher[i, j] += precision * rows[o][i] * rows[o][j] / Batch;
            }
        }
        for (int o = 0; o < 2; o++) fisher[logStd.Offset + o, logStd.Offset + o] += 2;
        AssertProductMatches(fisher, store, v =>
        {
            var result = new float[n];
            FisherVectorProduct.DiagonalGaussian(net, logStd, store, obs, Batch, v, result, new Tape());
            return result;
        });
    }

    private static void AssertProductMatches(double[,] fisher, ParameterStore store, Func<float[], float[]> product)
    {
        int n = store.Count;
        var v = new float[n];
        new Rng(9UL).FillUniform(v, -1, 1);
        // Padding slots between parameters (alignment) are not parameters: keep them zero.
        var used = new bool[n];
        foreach (Parameter p in store.Parameters) for (int i = 0; i < p.Length; i++) used[p.Offset + i] = true;
        for (int i = 0; i < n; i++) if (!used[i]) v[i] = 0;
        float[] got = product(v);
        for (int i = 0; i < n; i++)
        {
            double expected = 0;
            for (int j = 0; j < n; j++) expected += fisher[i, j] * v[j];
            Assert.True(Math.Abs(expected - got[i]) <= 1e-4 * (1 + Math.Abs(expected)), $"row {i}: {got[i]} vs {expected}");
        }
    }

    private static float[] Observations(int n)
    {
        var x = new float[n];
        new Rng(3UL).FillUniform(x, -1, 1);
        return x;
    }
}
