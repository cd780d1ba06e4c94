using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Tests.Numerics.Optimizers;

public class OptimizerTests
{
    private static ParameterStore Store(int n, out Parameter p)
    {
        var store = new ParameterStore();
        p = store.Add("w", new Shape(n));
        return store;
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.1f, false)]
    [InlineData(0.1f, true)]
    public void Adam_matches_the_published_update(float weightDecay, bool decoupled)
    {
        const int n = 37; // exercises the vector and scalar tails
        var store = Store(n, out Parameter p);
        var rng = new Rng(3UL);
        rng.FillUniform(p.Value, -1, 1);
        double[] theta = p.Value.ToArray().Select(x => (double)x).ToArray();
        double[] m = new double[n], v = new double[n];
        var adam = new Adam(store, 0.01f, 0.5f, 0.99f, 1e-8f, weightDecay, decoupled);
        for (int t = 1; t <= 5; t++)
        {
            rng.FillUniform(store.Gradients, -1, 1);
            float[] g = store.Gradients.ToArray();
            adam.Step();
            for (int i = 0; i < n; i++)
            {
                double th = decoupled ? theta[i] * (1 - 0.01 * weightDecay) : theta[i];
                double gi = g[i] + (decoupled ? 0 : weightDecay * theta[i]);
                m[i] = 0.5 * m[i] + 0.5 * gi;
                v[i] = 0.99 * v[i] + 0.01 * gi * gi;
                double mHat = m[i] / (1 - Math.Pow(0.5, t)), vHat = v[i] / (1 - Math.Pow(0.99, t));
                theta[i] = th - 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        for (int i = 0; i < n; i++) Assert.Equal(theta[i], p.Value[i], 1e-5);
    }

    [Fact]
    public void Sgd_with_momentum_matches_its_definition()
    {
        var store = Store(3, out Parameter p);
        p.Value.Fill(1f);
        var sgd = new Sgd(store, 0.1f, momentum: 0.9f);
        store.Gradients.Fill(1f);
        sgd.Step(); // b = 1, θ = 0.9
        sgd.Step(); // b = 1.9, θ = 0.71
        Assert.All(p.Value.ToArray(), x => Assert.Equal(0.71f, x, 1e-6f));
    }

    [Fact]
    public void RmsProp_matches_its_definition()
    {
        var store = Store(1, out Parameter p);
        var opt = new RmsProp(store, 0.01f, 0.99f, 1e-5f);
        store.Gradients[0] = 2f;
        opt.Step();
        double v = 0.01 * 4;
        Assert.Equal(-0.01 * 2 / (Math.Sqrt(v) + 1e-5), p.Value[0], 1e-6);
    }

    [Fact]
    public void Global_norm_clipping()
    {
        float[] g = [3f, 4f];
        float norm = GradientClipping.ClipGlobalNorm(g, 1f);
        Assert.Equal(5f, norm);
        Assert.Equal(0.6f, g[0], 1e-5f);
        Assert.Equal(0.8f, g[1], 1e-5f);
        float[] small = [0.3f, 0.4f];
        GradientClipping.ClipGlobalNorm(small, 1f);
        Assert.Equal([0.3f, 0.4f], small);
        Assert.True(float.IsNaN(GradientClipping.ClipGlobalNorm([float.NaN, 1f], 1f)));
    }

    [Fact]
    public void Schedules()
    {
        Assert.Equal(1e-3f, Schedule.Constant(1e-3f).ValueAt(0.7));
        Schedule linear = Schedule.Linear(1f, 0f);
        Assert.Equal(1f, linear.ValueAt(0));
        Assert.Equal(0.25f, linear.ValueAt(0.75));
        Assert.Equal(0f, linear.ValueAt(1.5));
    }

    [Fact]
    public void State_round_trips_and_bad_values_are_refused()
    {
        var store = Store(4, out _);
        var a = new Adam(store, 1e-3f);
        store.Gradients.Fill(0.5f);
        a.Step();
        var saved = a.StateBuffers().ToDictionary(b => b.Name, b => b.Values.ToArray());
        var b = new Adam(store, 1e-3f);
        b.LoadState(saved, a.StepCount);
        Assert.Equal(a.StepCount, b.StepCount);
        Assert.Equal(saved["exp_avg"], b.StateBuffers()[0].Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.LearningRate = -1f);
        Assert.Throws<PolicyLab.PolicyLabException>(() => b.LoadState(new Dictionary<string, float[]>(), 0));
    }
}
