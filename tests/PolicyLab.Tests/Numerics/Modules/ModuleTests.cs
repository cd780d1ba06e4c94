using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Tests.Numerics.Modules;

public class ModuleTests
{
    [Theory]
    [InlineData(64, 64, 1.4142135f)]
    [InlineData(4, 64, 1f)]
    [InlineData(64, 2, 0.01f)]
    public void Orthogonal_initialization_is_orthogonal_with_gain(int rows, int cols, float gain)
    {
        var w = new float[rows * cols];
        Initialization.Orthogonal(w, rows, cols, gain, new Rng(1UL));
        // The smaller side is orthonormal (times gain): WᵀW = g²I when rows ≥ cols, WWᵀ = g²I otherwise.
        bool columns = rows >= cols;
        int size = columns ? cols : rows, len = columns ? rows : cols;
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
            {
                double dot = 0;
                for (int t = 0; t < len; t++)
                    dot += columns ? (double)w[t * cols + i] * w[t * cols + j] : (double)w[i * cols + t] * w[j * cols + t];
                Assert.Equal(i == j ? gain * gain : 0, dot, 1e-5);
            }
    }

    [Fact]
    public void Tape_free_forward_equals_the_recorded_forward()
    {
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 4, [64, 64], 3);
        net.InitializeOrthogonal(new Rng(2UL), 0.5f);
        var x = new float[5 * 4];
        new Rng(3UL).FillUniform(x, -1, 1);
        var y = new float[5 * 3];
        net.Forward(x, 5, y);
        var tape = new Tape();
        Tensor t = net.Forward(tape, tape.Constant(x, new Shape(5, 4)));
        Assert.Equal(t.ToArray(), y);
        Assert.Equal(["pi.0.weight", "pi.0.bias", "pi.1.weight", "pi.1.bias", "pi.2.weight", "pi.2.bias"],
            store.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Jacobian_vector_product_matches_finite_differences()
    {
        var store = new ParameterStore();
        var net = new Mlp(store, "f", 3, [8], 2, Activation.Tanh);
        net.InitializeUniform(new Rng(4UL));
        var x = new float[4 * 3];
        new Rng(5UL).FillUniform(x, -1, 1);
        var v = new float[store.Count];
        new Rng(6UL).FillUniform(v, -1, 1);
        float[] y = new float[8], jv = new float[8];
        net.JacobianVectorProduct(x, 4, v, y, jv);

        const float h = 1e-2f;
        float[] theta = store.Values.ToArray(), plus = new float[8], minus = new float[8];
        for (int i = 0; i < theta.Length; i++) store.Values[i] = theta[i] + h * v[i];
        net.Forward(x, 4, plus);
        for (int i = 0; i < theta.Length; i++) store.Values[i] = theta[i] - h * v[i];
        net.Forward(x, 4, minus);
        for (int i = 0; i < 8; i++)
            Assert.Equal((plus[i] - minus[i]) / (2 * h), jv[i], 2e-3); // float32 central difference, h = 1e-2
    }

    [Fact]
    public void Training_the_same_seed_twice_gives_identical_bits()
    {
        Assert.Equal(TrainTinyRegression(9UL), TrainTinyRegression(9UL));
        Assert.NotEqual(TrainTinyRegression(9UL), TrainTinyRegression(10UL));
    }

    [Fact]
    public void A_small_network_learns_a_regression()
    {
        float[] before = Loss(TrainTinyRegression(11UL, steps: 0), 11UL);
        float[] after = Loss(TrainTinyRegression(11UL, steps: 300), 11UL);
        Assert.True(after[0] < 0.1f * before[0], $"loss {before[0]} → {after[0]}");
    }

    private static float[] Loss(float[] parameters, ulong seed)
    {
        (ParameterStore store, Mlp net, float[] x, float[] target) = Problem(seed);
        parameters.CopyTo(store.Values);
        var y = new float[target.Length];
        net.Forward(x, target.Length, y);
        return [(float)y.Zip(target, (a, b) => (a - b) * (a - b)).Average()];
    }

    private static (ParameterStore, Mlp, float[], float[]) Problem(ulong seed)
    {
        var store = new ParameterStore();
        var net = new Mlp(store, "f", 2, [32, 32], 1);
        net.InitializeOrthogonal(new Rng(seed), 1f);
        var rng = new Rng(100UL);
        var x = new float[64 * 2];
        rng.FillUniform(x, -1, 1);
        float[] target = Enumerable.Range(0, 64).Select(i => MathF.Sin(2 * x[2 * i]) * x[2 * i + 1]).ToArray();
        return (store, net, x, target);
    }

    private static float[] TrainTinyRegression(ulong seed, int steps = 50)
    {
        (ParameterStore store, Mlp net, float[] x, float[] target) = Problem(seed);
        var adam = new Adam(store, 1e-2f);
        var tape = new Tape();
        for (int s = 0; s < steps; s++)
        {
            tape.Reset();
            adam.ZeroGradients();
            Tensor y = net.Forward(tape, tape.Constant(x, new Shape(64, 2)));
            Tensor loss = (y.Reshape(new Shape(64)) - tape.Constant(target)).Square().Mean();
            tape.Backward(loss);
            GradientClipping.ClipGlobalNorm(store.Gradients, 1f);
            adam.Step();
        }
        return store.Values.ToArray();
    }
}
