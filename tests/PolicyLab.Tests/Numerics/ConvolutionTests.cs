using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics;

/// <summary>Conv2d, max pooling and flatten: forward against a float64 direct convolution, gradients against
/// finite differences (<see cref="GradientCheck"/>; convolution is linear in x and in W, so the difference
/// quotients carry only float32 rounding).</summary>
public class ConvolutionTests
{
    /// <summary>Direct convolution in float64, NHWC, no padding.</summary>
    private static double[] Reference(float[] x, int batch, int h, int w, int c, float[] weight, int k, int outC, float[] bias, int stride)
    {
        int oh = (h - k) / stride + 1, ow = (w - k) / stride + 1;
        var y = new double[batch * oh * ow * outC];
        for (int b = 0; b < batch; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int o = 0; o < outC; o++)
                    {
                        double s = bias[o];
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                                for (int ch = 0; ch < c; ch++)
                                    s += (double)x[((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch]
                                         * weight[((ky * k + kx) * c + ch) * outC + o];
                        y[((b * oh + oy) * ow + ox) * outC + o] = s;
                    }
        return y;
    }

    [Theory]
    [InlineData(2, 7, 9, 3, 3, 5, 1)]
    [InlineData(2, 12, 12, 4, 4, 32, 2)]   // stride 2, the width of a Nature layer's output
    [InlineData(3, 12, 12, 2, 3, 17, 1)]   // 300 output pixels: more than one im2col block
    [InlineData(1, 20, 20, 4, 8, 64, 4)]   // Nature's first layer geometry on a small image
    public void Forward_matches_a_float64_direct_convolution(int batch, int h, int w, int c, int k, int outC, int stride)
    {
        float[] x = Values(batch * h * w * c, 1), weight = Values(k * k * c * outC, 2), bias = Values(outC, 3);
        var tape = new Tape();
        Tensor y = tape.Conv2d(tape.Constant(x, new Shape(batch, h, w, c)), tape.Constant(weight, new Shape(k, k, c, outC)),
            tape.Constant(bias), stride);
        double[] expected = Reference(x, batch, h, w, c, weight, k, outC, bias, stride);
        Assert.Equal(new Shape(batch, (h - k) / stride + 1, (w - k) / stride + 1, outC), y.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - y.Data[i]) <= 1e-5 * (1 + Math.Abs(expected[i])) * k * k * c, $"element {i}: {y.Data[i]} vs {expected[i]}");
    }

    [Fact]
    public void Conv2d_gradients_match_finite_differences() =>
        Check((t, v) => t.Conv2d(v[0], v[1], v[2], stride: 2),
            (Values(2 * 7 * 6 * 3, 4), new Shape(2, 7, 6, 3)), (Values(3 * 3 * 3 * 4, 5), new Shape(3, 3, 3, 4)), (Values(4, 6), new Shape(4)));

    [Fact]
    public void Conv2d_gradients_across_im2col_blocks() =>
        Check((t, v) => t.Conv2d(v[0], v[1], v[2]),
            (Values(3 * 11 * 11, 7), new Shape(3, 11, 11, 1)), (Values(2 * 2 * 2, 8), new Shape(2, 2, 1, 2)), (Values(2, 9), new Shape(2)));

    [Fact]
    public void Conv2d_with_relu_gradients() =>
        // Inputs and weights positive and bias away from zero keep every pre-activation off the kink.
        Check((t, v) => t.Conv2d(v[0], v[1], v[2], stride: 1, Activation.Relu),
            (Values(1 * 5 * 5 * 2, 10, 0.5, 1.5), new Shape(1, 5, 5, 2)), (Values(2 * 2 * 2 * 3, 11, -1, 1), new Shape(2, 2, 2, 3)),
            ([3f, -40f, 0.5f], new Shape(3)));

    [Fact]
    public void MaxPool_forward_and_gradients()
    {
        // Distinct values at least 0.1 apart: no tie moves within a finite-difference step.
        var rng = new Rng(12);
        float[] x = Enumerable.Range(0, 2 * 6 * 5 * 3).Select(i => i * 0.1f - 4f).OrderBy(_ => rng.NextDouble()).ToArray();
        var tape = new Tape();
        Tensor y = tape.MaxPool2d(tape.Constant(x, new Shape(2, 6, 5, 3)), size: 2, stride: 2);
        Assert.Equal(new Shape(2, 3, 2, 3), y.Shape);
        // Output (b=1, oy=2, ox=1, ch=2) is the max of rows 4–5, columns 2–3.
        float expected = float.MinValue;
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                expected = Math.Max(expected, x[((1 * 6 + 4 + dy) * 5 + 2 + dx) * 3 + 2]);
        Assert.Equal(expected, y.Data[((1 * 3 + 2) * 2 + 1) * 3 + 2]);
        Check((t, v) => t.MaxPool2d(v[0], 2, 2), (x, new Shape(2, 6, 5, 3)));
        Check((t, v) => t.MaxPool2d(v[0], 3, 1), (x, new Shape(2, 6, 5, 3)));
    }

    [Fact]
    public void Flatten_keeps_the_batch_and_passes_gradients()
    {
        var tape = new Tape();
        Tensor x = tape.Variable(Values(24, 13), new Shape(2, 3, 2, 2));
        Tensor f = tape.Flatten(x);
        Assert.Equal(new Shape(2, 12), f.Shape);
        Check((t, v) => t.Flatten(t.Conv2d(v[0], v[1], null)).Square(), (Values(2 * 4 * 4, 14), new Shape(2, 4, 4, 1)), (Values(4, 15), new Shape(2, 2, 1, 1)));
    }

    [Fact]
    public void Bad_shapes_are_rejected_with_the_shapes_named()
    {
        var tape = new Tape();
        Tensor x = tape.Constant(new float[2 * 5 * 5 * 3], new Shape(2, 5, 5, 3));
        var wrongChannels = Assert.Throws<ArgumentException>(() => tape.Conv2d(x, tape.Constant(new float[3 * 3 * 4 * 2], new Shape(3, 3, 4, 2)), null));
        Assert.Contains("[2, 5, 5, 3]", wrongChannels.Message.Replace("(", "[").Replace(")", "]"), StringComparison.Ordinal);
        var tooLarge = Assert.Throws<ArgumentException>(() => tape.Conv2d(x, tape.Constant(new float[6 * 6 * 3], new Shape(6, 6, 3, 1)), null));
        Assert.Contains("does not fit", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tape_free_layer_forward_equals_the_tape_forward()
    {
        var store = new ParameterStore();
        var layer = new PolicyLab.Numerics.Modules.Conv2dLayer(store, "c", 3, 8, 3, 2, Activation.Relu);
        layer.InitializeUniform(new Rng(3));
        float[] x = Values(2 * 9 * 9 * 3, 16);
        var tape = new Tape();
        float[] onTape = layer.Forward(tape, tape.Constant(x, new Shape(2, 9, 9, 3))).Data.ToArray();
        float[] free = new float[onTape.Length];
        layer.Forward(x, 2, 9, 9, free);
        Assert.Equal(onTape, free);
    }
}
