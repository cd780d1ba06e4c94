using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics;

public class GradientCheckTests
{
    private static readonly Shape M23 = new(2, 3);
    private static float[] V(int n, ulong seed) => Values(n, seed);
    private static float[] Positive(int n, ulong seed) => Values(n, seed, 0.5, 2.5);

    /// <summary>b values kept at least 0.1 away from a's, so min/max have no tie within a finite-difference step.</summary>
    private static float[] AwayFrom(float[] a, ulong seed)
    {
        var rng = new Rng(seed);
        return a.Select(x => x + (float)((rng.NextDouble() < 0.5 ? -1 : 1) * rng.Uniform(0.1, 1.0))).ToArray();
    }

    [Fact] public void Add_broadcasts() => Check((t, x) => t.Add(x[0], x[1]), (V(6, 1), M23), (V(3, 2), new Shape(3)));
    [Fact] public void Add_column_broadcast() => Check((t, x) => t.Add(x[0], x[1]), (V(6, 1), M23), (V(2, 2), new Shape(2, 1)));
    [Fact] public void Sub_broadcasts() => Check((t, x) => x[0] - x[1], (V(6, 3), M23), (V(1, 4), Shape.Scalar));
    [Fact] public void Sub_same_shape() => Check((t, x) => x[0] - x[1], (V(6, 3), M23), (V(6, 4), M23));
    [Fact] public void Mul_same_shape() => Check((t, x) => x[0] * x[1], (V(6, 5), M23), (V(6, 6), M23));
    [Fact] public void Mul_broadcasts() => Check((t, x) => x[0] * x[1], (V(3, 5), new Shape(3)), (V(6, 6), M23));
    [Fact] public void Div_same_shape() => Check((t, x) => x[0] / x[1], (V(6, 7), M23), (Positive(6, 8), M23));
    [Fact] public void Div_broadcasts() => Check((t, x) => x[0] / x[1], (V(6, 7), M23), (Positive(3, 8), new Shape(3)));

    [Fact]
    public void Minimum_and_maximum()
    {
        float[] a = V(6, 9), b = AwayFrom(a, 10);
        Check((t, x) => Tensor.Min(x[0], x[1]), (a, M23), (b, M23));
        Check((t, x) => Tensor.Max(x[0], x[1]), (a, M23), (b, M23));
        Check((t, x) => Tensor.Min(x[0], x[1]), (Values(6, 11, kinks: 0.123), M23), ([0.123f], Shape.Scalar));
    }

    [Fact]
    public void Where_routes_gradients()
    {
        float[] cond = [1, 0, 1, 1, 0, 0];
        Check((t, x) => t.Where(t.Constant(cond, M23), x[0], x[1]), (V(6, 13), M23), (V(6, 14), M23));
    }

    [Fact] public void Affine_and_scalar_operators() => Check((t, x) => 3f - 2f * x[0] / 4f + 1.5f, (V(6, 15), M23));
    [Fact] public void Neg() => Check((t, x) => -x[0], (V(6, 16), M23));
    [Fact] public void Exp() => Check((t, x) => x[0].Exp(), (V(6, 17), M23));
    [Fact] public void Log() => Check((t, x) => x[0].Log(), (Positive(6, 18), M23));
    [Fact] public void Pow() => Check((t, x) => x[0].Pow(1.7f), (Positive(6, 19), M23));
    [Fact] public void Reciprocal() => Check((t, x) => 2f / x[0], (Positive(6, 19), M23));
    [Fact] public void Square() => Check((t, x) => x[0].Square(), (V(6, 20), M23));
    [Fact] public void Sqrt() => Check((t, x) => x[0].Sqrt(), (Positive(6, 21), M23));
    [Fact] public void Abs() => Check((t, x) => x[0].Abs(), (Values(6, 22, kinks: 0), M23));
    [Fact] public void Tanh() => Check((t, x) => x[0].Tanh(), (V(6, 23), M23));
    [Fact] public void Relu() => Check((t, x) => x[0].Relu(), (Values(6, 24, kinks: 0), M23));
    [Fact] public void Sigmoid() => Check((t, x) => x[0].Sigmoid(), (V(6, 25), M23));
    [Fact] public void Softplus() => Check((t, x) => x[0].Softplus(), (Values(6, 26, -8, 8), M23));
    [Fact] public void Clamp() => Check((t, x) => x[0].Clamp(-0.5f, 0.7f), (Values(12, 27, kinks: [-0.5, 0.7]), new Shape(3, 4)));

    [Fact] public void Sum_all() => Check((t, x) => x[0].Sum(), (V(6, 28), M23));
    [Fact] public void Mean_all() => Check((t, x) => x[0].Mean(), (V(6, 29), M23));
    [Fact] public void Sum_axis0() => Check((t, x) => x[0].Sum(0), (V(6, 30), M23));
    [Fact] public void Sum_axis1_keepdims() => Check((t, x) => x[0].Sum(1, keepDims: true), (V(6, 31), M23));
    [Fact] public void Mean_axis_of_rank3() => Check((t, x) => x[0].Mean(1), (V(24, 32), new Shape(2, 3, 4)));
    [Fact] public void Discounted_cumulative_sum() => Check((t, x) => x[0].DiscountedCumulativeSum(0.9f), (V(12, 52), new Shape(3, 4)));

    [Fact]
    public void Discounted_cumulative_sum_values()
    {
        var tape = new Tape();
        Assert.Equal([2.75f, 3.5f, 3f], tape.Constant([1f, 2f, 3f]).DiscountedCumulativeSum(0.5f).ToArray());
        // 2-D: along the last axis of each row.
        Assert.Equal([2.75f, 3.5f, 3f, 1.5f, 1f, 0f], tape.Constant([1f, 2f, 3f, 1f, 1f, 0f], new Shape(2, 3)).DiscountedCumulativeSum(0.5f).ToArray());
    }

    [Fact] public void Log_softmax() => Check((t, x) => x[0].LogSoftmax(), (V(12, 33), new Shape(3, 4)));
    [Fact] public void Softmax() => Check((t, x) => x[0].Softmax(), (V(12, 34), new Shape(3, 4)));

    [Fact]
    public void Gather()
    {
        float[] idx = [2, 0, 3];
        Check((t, x) => x[0].Gather(t.Constant(idx)), (V(12, 35), new Shape(3, 4)));
    }

    [Fact] public void Concat_last_axis() => Check((t, x) => t.Concat(x[0], x[1], -1), (V(6, 36), M23), (V(4, 37), new Shape(2, 2)));
    [Fact] public void Concat_first_axis() => Check((t, x) => t.Concat(x[0], x[1], 0), (V(6, 36), M23), (V(3, 37), new Shape(1, 3)));
    [Fact] public void Slice() => Check((t, x) => x[0].Slice(1, 1, 2), (V(12, 38), new Shape(3, 4)));
    [Fact] public void Reshape() => Check((t, x) => x[0].Reshape(new Shape(3, 2)) * x[1], (V(6, 39), M23), (V(2, 40), new Shape(2)));

    [Fact]
    public void Detach_stops_the_gradient()
    {
        var tape = new Tape();
        Tensor x = tape.Variable([1f, 2f, 3f], new Shape(3));
        Tensor y = (x * x.Detach()).Sum();
        tape.Backward(y);
        Assert.Equal([1f, 2f, 3f], x.Grad.ToArray()); // d/dx (x·c) = c, not 2x
    }

    [Fact] public void MatMul() => Check((t, x) => x[0].MatMul(x[1]), (V(6, 41), M23), (V(12, 42), new Shape(3, 4)));
    [Fact] public void MatMul_wide() => Check((t, x) => x[0].MatMul(x[1]), (V(5 * 7, 43), new Shape(5, 7)), (V(7 * 37, 44), new Shape(7, 37)));

    [Theory]
    [InlineData(Activation.Identity, 3)]
    [InlineData(Activation.Tanh, 3)]
    [InlineData(Activation.Sigmoid, 3)]
    [InlineData(Activation.Tanh, 20)]
    [InlineData(Activation.Tanh, 70)]
    public void Linear_fused(Activation activation, int outputs)
    {
        Check((t, x) => t.Linear(x[0], x[1], x[2], activation),
            (V(5 * 6, 45), new Shape(5, 6)), (V(6 * outputs, 46), new Shape(6, outputs)), (V(outputs, 47), new Shape(outputs)));
    }

    [Fact]
    public void Linear_relu()
    {
        // Pick inputs so that no pre-activation lies within a finite-difference step of the kink.
        float[] x = V(4 * 3, 48), w = V(3 * 5, 49), b = V(5, 50);
        var tape = new Tape();
        Tensor pre = tape.Linear(tape.Constant(x, new Shape(4, 3)), tape.Constant(w, new Shape(3, 5)), tape.Constant(b));
        Assert.All(pre.ToArray(), v => Assert.True(Math.Abs(v) > 0.1, "test inputs too close to the kink; change seeds"));
        Check((t, v) => t.Linear(v[0], v[1], v[2], Activation.Relu), (x, new Shape(4, 3)), (w, new Shape(3, 5)), (b, new Shape(5)));
    }

    [Fact]
    public void Composite_ppo_style_loss()
    {
        float[] adv = [0.5f, -1.2f, 0.3f, 2f], oldLogp = [-0.7f, -0.6f, -0.9f, -0.8f], act = [0, 1, 1, 0];
        Check((t, x) =>
        {
            Tensor logp = x[0].LogSoftmax().Gather(t.Constant(act));
            Tensor ratio = (logp - t.Constant(oldLogp)).Exp();
            Tensor a = t.Constant(adv);
            return -Tensor.Min(ratio * a, ratio.Clamp(0.8f, 1.2f) * a).Mean();
        }, (Values(8, 51, -0.3, 0.3), new Shape(4, 2)));
    }
}

public class TapeReuseTests
{
    [Fact]
    public void A_second_backward_on_the_same_tape_propagates_only_its_own_loss()
    {
        var store = new ParameterStore();
        Parameter w = store.Add("w", new Shape(2)), u = store.Add("u", new Shape(1));
        w.Value[0] = 1; w.Value[1] = 2;
        var tape = new Tape();
        tape.Backward((tape.Param(w) * tape.Param(w)).Sum());
        Assert.Equal([2f, 4f], w.Gradient.ToArray());
        store.ZeroGradients();
        tape.Backward((tape.Param(u) * 3f).Sum());
        Assert.Equal([0f, 0f], w.Gradient.ToArray());
        Assert.Equal([3f], u.Gradient.ToArray());
    }

    [Fact]
    public void Softplus_keeps_relative_accuracy_for_very_negative_inputs()
    {
        var tape = new Tape();
        float y = tape.Constant([-20f]).Softplus()[0];
        Assert.Equal(Math.Exp(-20), y, 1e-12);
    }
}
