using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics;

// Operators and fluent methods, so that losses read like their equations. Each one records on the
// tensor's own tape (which checks that the tensors are current).
public readonly partial struct Tensor
{
    /// <summary>The tape that records operations on this tensor; the operation itself checks the generation.</summary>
    internal Tape Recorder => (_node ?? throw NotCurrent()).Owner;

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Tape.Common(a, b).Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Tape.Common(a, b).Sub(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Tape.Common(a, b).Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Tape.Common(a, b).Div(a, b);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Recorder.Neg(a);

    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(Tensor a, float s) => a.Recorder.Affine(a, 1f, s);

    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(float s, Tensor a) => a.Recorder.Affine(a, 1f, s);

    /// <summary>Subtracts a constant.</summary>
    public static Tensor operator -(Tensor a, float s) => a.Recorder.Affine(a, 1f, -s);

    /// <summary>A constant minus the tensor.</summary>
    public static Tensor operator -(float s, Tensor a) => a.Recorder.Affine(a, -1f, s);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(Tensor a, float s) => a.Recorder.Affine(a, s, 0f);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(float s, Tensor a) => a.Recorder.Affine(a, s, 0f);

    /// <summary>Divides by a constant.</summary>
    public static Tensor operator /(Tensor a, float s) => a.Recorder.Affine(a, 1f / s, 0f);

    /// <summary>A constant divided by the tensor.</summary>
    public static Tensor operator /(float s, Tensor a) => a.Recorder.Affine(a.Recorder.Pow(a, -1f), s, 0f);

    /// <summary>eˣ.</summary>
    public Tensor Exp() => Recorder.Exp(this);

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Recorder.Log(this);

    /// <summary>xᵖ.</summary>
    public Tensor Pow(float exponent) => Recorder.Pow(this, exponent);

    /// <summary>x².</summary>
    public Tensor Square() => Recorder.Square(this);

    /// <summary>√x.</summary>
    public Tensor Sqrt() => Recorder.Sqrt(this);

    /// <summary>|x|.</summary>
    public Tensor Abs() => Recorder.Abs(this);

    /// <summary>tanh x.</summary>
    public Tensor Tanh() => Recorder.Tanh(this);

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Recorder.Relu(this);

    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Recorder.Sigmoid(this);

    /// <summary>log(1 + eˣ).</summary>
    public Tensor Softplus() => Recorder.Softplus(this);

    /// <summary>Clamps to [min, max].</summary>
    public Tensor Clamp(float min, float max) => Recorder.Clamp(this, min, max);

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => Recorder.Sum(this);

    /// <summary>Sum over an axis.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => Recorder.Sum(this, axis, keepDims);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Recorder.Mean(this);

    /// <summary>Mean over an axis.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Recorder.Mean(this, axis, keepDims);

    /// <summary>Reverse discounted cumulative sum along the last axis (y_t = x_t + γ·y_{t+1}).</summary>
    public Tensor DiscountedCumulativeSum(float gamma) => Recorder.DiscountedCumulativeSum(this, gamma);

    /// <summary>log softmax over the last axis.</summary>
    public Tensor LogSoftmax() => Recorder.LogSoftmax(this);

    /// <summary>softmax over the last axis.</summary>
    public Tensor Softmax() => Recorder.Softmax(this);

    /// <summary>One entry per row picked by <paramref name="index"/>.</summary>
    public Tensor Gather(Tensor index) => Recorder.Gather(this, index);

    /// <summary>The same elements with another shape.</summary>
    public Tensor Reshape(Shape shape) => Recorder.Reshape(this, shape);

    /// <summary>A slice along an axis.</summary>
    public Tensor Slice(int axis, int start, int length) => Recorder.Slice(this, axis, start, length);

    /// <summary>Stop-gradient.</summary>
    public Tensor Detach() => Recorder.Detach(this);

    /// <summary>Matrix product.</summary>
    public Tensor MatMul(Tensor other) => Recorder.MatMul(this, other);

    /// <summary>Fused linear layer.</summary>
    public Tensor Linear(Tensor weight, Tensor? bias, Activation activation = Activation.Identity) =>
        Recorder.Linear(this, weight, bias, activation);

    /// <summary>Elementwise minimum.</summary>
    public static Tensor Min(Tensor a, Tensor b) => Tape.Common(a, b).Minimum(a, b);

    /// <summary>Elementwise maximum.</summary>
    public static Tensor Max(Tensor a, Tensor b) => Tape.Common(a, b).Maximum(a, b);
}
