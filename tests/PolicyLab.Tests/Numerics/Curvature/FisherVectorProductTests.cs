using PolicyLab.Numerics;
using PolicyLab.Numerics.Curvature;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Tests.Numerics.Curvature;

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

    [Fact]
    public void Multi_categorical_matches_the_explicit_fisher_matrix()
    {
        // Blocks of 3 and 2 logits: F = (1/B) Σ_s Σ_(a₁,a₂) π(a|s) ∇log π(a|s) ∇log π(a|s)ᵀ over all 6 joint actions,
        // with log π from the tape's multi-categorical distribution.
        int[] sizes = [3, 2];
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 2, [4], 5);
        net.InitializeUniform(new Rng(4UL));
        float[] obs = Observations(Batch * 2);
        List<float[]> joint = [];
        for (int a = 0; a < 3; a++) for (int b = 0; b < 2; b++) joint.Add([a, b]);
        double[,] fisher = EnumeratedFisher(store, obs, joint, (tape, x, action) =>
            new MultiCategorical(net.Forward(tape, x), sizes).LogProb(tape.Constant(action, new Shape(1, 2))));
        AssertProductMatches(fisher, store, v =>
        {
            var result = new float[store.Count];
            FisherVectorProduct.MultiCategorical(net, sizes, store, obs, Batch, v, result, new Tape());
            return result;
        });
    }

    [Fact]
    public void Bernoulli_matches_the_explicit_fisher_matrix()
    {
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 2, [4], 3);
        net.InitializeUniform(new Rng(5UL));
        float[] obs = Observations(Batch * 2);
        List<float[]> joint = [];
        for (int code = 0; code < 8; code++) joint.Add([code & 1, (code >> 1) & 1, (code >> 2) & 1]);
        double[,] fisher = EnumeratedFisher(store, obs, joint, (tape, x, outcome) =>
            new Bernoulli(net.Forward(tape, x)).LogProb(tape.Constant(outcome, new Shape(1, 3))));
        AssertProductMatches(fisher, store, v =>
        {
            var result = new float[store.Count];
            FisherVectorProduct.Bernoulli(net, store, obs, Batch, v, result, new Tape());
            return result;
        });
    }

    [Fact]
    public void State_dependent_gaussian_matches_the_explicit_fisher_matrix()
    {
        // Outputs (μ₁, μ₂, log σ₁, log σ₂): F = (1/B) Σ_s J_sᵀ diag(1/σ₁², 1/σ₂², 2, 2) J_s, σ read from the network.
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 2, [4], 4);
        net.InitializeUniform(new Rng(6UL));
        float[] obs = Observations(Batch * 2);
        int n = store.Count;
        var fisher = new double[n, n];
        var tape = new Tape();
        var head = new float[4];
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(obs.AsSpan(s * 2, 2), 1, head);
            for (int o = 0; o < 4; o++)
            {
                tape.Reset();
                store.ZeroGradients();
                Tensor output = net.Forward(tape, tape.Constant(obs.AsSpan(s * 2, 2), new Shape(1, 2)));
                var seed = new float[4];
                seed[o] = 1f;
                tape.Backward(output, seed);
                float[] row = store.Gradients.ToArray();
                double weight = o < 2 ? Math.Exp(-2.0 * head[o + 2]) : 2.0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        fisher[i, j] += weight * row[i] * row[j] / Batch;
            }
        }
        AssertProductMatches(fisher, store, v =>
        {
            var result = new float[n];
            FisherVectorProduct.StateDependentGaussian(net, store, obs, Batch, v, result, new Tape());
            return result;
        });
    }

    // F = (1/B) Σ_s Σ_a p(a|s) g gᵀ, g = ∇θ log p(a|s), over every action in `actions` (all of the space's members).
    private static double[,] EnumeratedFisher(ParameterStore store, float[] obs, List<float[]> actions, Func<Tape, Tensor, float[], Tensor> logProb)
    {
        int n = store.Count;
        var fisher = new double[n, n];
        var tape = new Tape();
        for (int s = 0; s < Batch; s++)
        {
            double total = 0;
            foreach (float[] action in actions)
            {
                tape.Reset();
                store.ZeroGradients();
                Tensor logp = logProb(tape, tape.Constant(obs.AsSpan(s * 2, 2), new Shape(1, 2)), action);
                double p = Math.Exp(logp.Data[0]);
                total += p;
                tape.Backward(logp.Sum());
                float[] g = store.Gradients.ToArray();
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        fisher[i, j] += p * g[i] * g[j] / Batch;
            }
            Assert.Equal(1.0, total, 5); // every member of the space was enumerated
        }
        return fisher;
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
