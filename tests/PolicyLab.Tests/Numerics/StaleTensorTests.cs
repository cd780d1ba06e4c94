using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Tests.Numerics;

/// <summary>A tensor kept across <see cref="Tape.Reset"/> must refuse every use instead of reading the tensor that
/// the next step created in its place.</summary>
public class StaleTensorTests
{
    private static void ThrowsStale(Action use)
    {
        var e = Assert.Throws<InvalidOperationException>(use);
        Assert.Contains("before Tape.Reset()", e.Message);
        Assert.Contains("array, not the Tensor", e.Message);
    }

    [Fact]
    public void A_kept_tensor_does_not_become_the_next_tensor_created()
    {
        var tape = new Tape();
        Tensor a = tape.Constant([1f, 2f]);
        tape.Reset();
        Tensor b = tape.Constant([10f, 20f]); // takes over a's record and storage
        Assert.Equal([10f, 20f], b.ToArray());
        ThrowsStale(() => _ = a.Data.Length);
        ThrowsStale(() => _ = a + b);
        ThrowsStale(() => _ = b + a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Every_read_of_a_stale_tensor_throws()
    {
        var tape = new Tape();
        Tensor m = tape.Variable([1f, 2f, 3f, 4f], new Shape(2, 2));
        Tensor s = m.Sum();
        tape.Backward(s);
        tape.Reset();
        ThrowsStale(() => _ = m.Data.Length);
        ThrowsStale(() => _ = m.Grad.Length);
        ThrowsStale(() => _ = m.Shape);
        ThrowsStale(() => _ = m.Length);
        ThrowsStale(() => _ = m.RequiresGrad);
        ThrowsStale(() => _ = m.Tape);
        ThrowsStale(() => _ = m[0]);
        ThrowsStale(() => _ = m[1, 1]);
        ThrowsStale(() => m.ToArray());
        ThrowsStale(() => s.Item());
        Assert.Equal("Tensor(from before Tape.Reset())", m.ToString());
    }

    [Fact]
    public void Every_kind_of_operation_refuses_a_stale_input()
    {
        var tape = new Tape();
        Tensor x = tape.Variable([0.5f, -1f, 2f, 3f], new Shape(2, 2));
        tape.Reset();
        Tensor fresh = tape.Constant([1f, 1f, 1f, 1f], new Shape(2, 2));
        Tensor index = tape.Constant([0f, 1f]);
        ThrowsStale(() => tape.Add(x, fresh));
        ThrowsStale(() => tape.Mul(fresh, x));
        ThrowsStale(() => Tensor.Min(x, fresh));
        ThrowsStale(() => tape.Where(fresh, x, fresh));
        ThrowsStale(() => _ = -x);
        ThrowsStale(() => _ = 2f * x);
        ThrowsStale(() => x.Exp());
        ThrowsStale(() => x.Clamp(0f, 1f));
        ThrowsStale(() => x.Detach());
        ThrowsStale(() => x.Sum());
        ThrowsStale(() => x.Mean(0));
        ThrowsStale(() => x.LogSoftmax());
        ThrowsStale(() => x.Gather(index));
        ThrowsStale(() => fresh.Gather(x.Reshape(new Shape(4))));
        ThrowsStale(() => x.DiscountedCumulativeSum(0.9f));
        ThrowsStale(() => x.Slice(0, 0, 1));
        ThrowsStale(() => tape.Concat(fresh, x));
        ThrowsStale(() => x.MatMul(fresh));
        ThrowsStale(() => fresh.Linear(x, null));
        ThrowsStale(() => fresh.Linear(fresh, x.Reshape(new Shape(4)).Slice(0, 0, 2), Activation.Tanh));
        Assert.Equal(0, tape.OperationCount);
    }

    [Fact]
    public void Backward_from_or_through_a_stale_tensor_throws()
    {
        var tape = new Tape();
        Tensor x = tape.Variable([1f, 2f], new Shape(2));
        Tensor loss = (x * x).Sum();
        Tensor y = x * 3f;
        tape.Reset();
        ThrowsStale(() => tape.Backward(loss));
        ThrowsStale(() => tape.Backward(y, [1f, 1f]));
        ThrowsStale(() => tape.Backward((y * 2f).Sum()));
    }

    [Fact]
    public void Fresh_tensors_of_the_new_generation_compute_and_differentiate()
    {
        var store = new ParameterStore();
        Parameter w = store.Add("w", new Shape(2));
        var tape = new Tape();
        for (int step = 0; step < 3; step++)
        {
            tape.Reset();
            w.Value[0] = step; w.Value[1] = 1;
            store.ZeroGradients();
            Tensor x = tape.Constant([2f, 3f]);
            Tensor loss = (tape.Param(w) * x).Square().Sum(); // Σ (wᵢxᵢ)²
            tape.Backward(loss);
            Assert.Equal(4f * step * step + 9f, loss.Item());
            Assert.Equal([2f * step * 4f, 2f * 9f], w.Gradient.ToArray());
            Assert.Equal([2f, 3f], x.ToArray());
        }
    }

    [Fact]
    public void A_default_tensor_and_a_tensor_of_another_tape_are_refused()
    {
        var tape = new Tape();
        Tensor x = tape.Constant([1f]);
        var e = Assert.Throws<InvalidOperationException>(() => default(Tensor).Data.Length);
        Assert.Contains("default", e.Message);
        Assert.Throws<InvalidOperationException>(() => x + default(Tensor));
        Assert.Equal("Tensor(default)", default(Tensor).ToString());
        var other = new Tape();
        Assert.Throws<ArgumentException>(() => other.Exp(x));
        Assert.Throws<ArgumentException>(() => x + other.Constant([1f]));
    }

    [Fact]
    public void Handles_compare_by_identity()
    {
        var tape = new Tape();
        Tensor x = tape.Constant([1f]);
        Tensor same = x;
        Assert.True(x == same);
        Assert.False(x == tape.Constant([1f]));
        Assert.Equal(x.GetHashCode(), same.GetHashCode());
    }

    [Fact]
    public void A_repeated_step_with_every_kind_of_operation_allocates_nothing()
    {
        var store = new ParameterStore();
        Parameter w = store.Add("w", new Shape(3, 2));
        Parameter b = store.Add("b", new Shape(2));
        var tape = new Tape();
        float[] input = [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f];
        float[] index = [1f, 0f];
        float sink = 0;
        long bytes = SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                tape.Reset();
                Tensor x = tape.Constant(input, new Shape(2, 3));
                Tensor h = x.Linear(tape.Param(w), tape.Param(b), Activation.Tanh);
                Tensor z = Tensor.Max(h * h + 1f, h.Exp()) / (h.Abs() + 2f) - h.Sigmoid().Log().Softplus();
                Tensor r = tape.Concat(z.Slice(-1, 0, 1), z.Softmax().Gather(tape.Constant(index)).Reshape(new Shape(2, 1)));
                Tensor loss = r.Sum(0).Mean() + z.MatMul(tape.Full(new Shape(2, 2), 0.5f)).LogSoftmax().Sum()
                    + z.DiscountedCumulativeSum(0.9f).Clamp(-5f, 5f).Pow(2f).Sqrt().Mean();
                tape.Backward(loss);
                sink += loss.Item();
            }
        });
        Assert.True(float.IsFinite(sink));
        Assert.Equal(0, bytes);
    }
}
