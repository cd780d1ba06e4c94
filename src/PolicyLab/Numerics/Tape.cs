using System.Runtime.InteropServices;

namespace PolicyLab.Numerics;

/// <summary>
/// Records tensor operations for reverse-mode automatic differentiation. A tape is reused across
/// training steps: build the loss, call <see cref="Backward(Tensor)"/>, read the parameters' gradients,
/// then <see cref="Reset"/>. Storage comes from an arena that is rewound on reset, so a step that
/// repeats the same computation allocates nothing once warmed up.
/// </summary>
/// <remarks>A tape belongs to one thread at a time. Tensors of different tapes cannot be mixed.</remarks>
public sealed partial class Tape
{
    private readonly FloatArena _arena = new();
    private readonly List<Tensor> _tensors = [];
    private int _tensorCount;
    private OpRecord[] _ops = new OpRecord[64];
    private int _opCount;

    /// <summary>Number of operations recorded since the last reset.</summary>
    public int OperationCount => _opCount;

    /// <summary>Forgets every recorded operation and tensor; their storage is reused by the next step.</summary>
    public void Reset()
    {
        Array.Clear(_ops, 0, _opCount);
        _opCount = 0;
        _tensorCount = 0;
        _arena.Reset();
    }

    /// <summary>A constant tensor holding a copy of <paramref name="values"/>.</summary>
    public Tensor Constant(ReadOnlySpan<float> values, Shape shape)
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"{values.Length} values cannot fill a tensor of shape {shape} ({shape.Size} elements).");
        Tensor t = NewTensor(shape, requiresGrad: false);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A constant vector holding a copy of <paramref name="values"/>.</summary>
    public Tensor Constant(ReadOnlySpan<float> values) => Constant(values, new Shape(values.Length));

    /// <summary>A constant scalar.</summary>
    public Tensor Scalar(float value)
    {
        Tensor t = NewTensor(Shape.Scalar, requiresGrad: false);
        t.Buffer[t.Offset] = value;
        return t;
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public Tensor Full(Shape shape, float value)
    {
        Tensor t = NewTensor(shape, requiresGrad: false);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A leaf with a copy of <paramref name="values"/> whose gradient is computed
    /// (for gradient checks and for differentiating with respect to inputs).</summary>
    public Tensor Variable(ReadOnlySpan<float> values, Shape shape)
    {
        Tensor t = Constant(values, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>The tensor view of a parameter: no copy; <see cref="Backward(Tensor)"/> adds into the
    /// parameter's gradient in its store.</summary>
    public Tensor Param(Parameter parameter)
    {
        Tensor t = NextTensorObject();
        t.Reinitialize(this, parameter.Store.ValueArray, parameter.Offset, parameter.Shape, requiresGrad: true);
        t.GradBuffer = parameter.Store.GradientArray;
        t.GradOffset = parameter.Offset;
        return t;
    }

    /// <summary>
    /// Back-propagates from a one-element <paramref name="loss"/> (seeded with 1), adding into the
    /// gradients of every parameter that contributed. Gradients of parameters accumulate across calls:
    /// zero them (<see cref="ParameterStore.ZeroGradients"/>) before each step.
    /// </summary>
    public void Backward(Tensor loss)
    {
        CheckOwner(loss);
        if (loss.Length != 1)
            throw new ArgumentException($"Backward needs a one-element loss; got shape {loss.Shape}. Reduce it with Sum() or Mean() first.");
        Backward(loss, seed: 1f);
    }

    /// <summary>Back-propagates with an explicit gradient for <paramref name="output"/> (a vector-Jacobian product).</summary>
    public void Backward(Tensor output, ReadOnlySpan<float> outputGradient)
    {
        CheckOwner(output);
        if (outputGradient.Length != output.Length)
            throw new ArgumentException($"The output gradient has {outputGradient.Length} elements; the output has {output.Length}.");
        if (!output.RequiresGrad) return;
        ClearIntermediateGradients();
        outputGradient.CopyTo(EnsureGrad(output));
        RunBackward(output.Producer);
    }

    private void Backward(Tensor output, float seed)
    {
        if (!output.RequiresGrad) return;
        ClearIntermediateGradients();
        EnsureGrad(output)[0] += seed;
        RunBackward(output.Producer);
    }

    /// <summary>Forgets the gradients of every recorded result, so a second backward pass on the same
    /// tape propagates only its own loss (leaves and parameters keep accumulating).</summary>
    private void ClearIntermediateGradients()
    {
        for (int i = 0; i < _opCount; i++)
        {
            _ops[i].Out.GradBuffer = null;
            _ops[i].Out.GradOffset = 0;
        }
    }

    private void RunBackward(int lastOp)
    {
        for (int i = lastOp; i >= 0; i--)
        {
            ref OpRecord op = ref _ops[i];
            if (op.Out.GradBuffer is null) continue; // nothing flowed into this result
            BackwardOp(ref op);
        }
    }

    // ------------------------------------------------------------------ internals used by the ops

    internal Tensor NewTensor(Shape shape, bool requiresGrad)
    {
        (float[] buffer, int offset) = _arena.Rent(shape.Size);
        Tensor t = NextTensorObject();
        t.Reinitialize(this, buffer, offset, shape, requiresGrad);
        return t;
    }

    /// <summary>A view sharing <paramref name="source"/>'s storage with another shape.</summary>
    internal Tensor NewView(Tensor source, Shape shape, bool requiresGrad)
    {
        Tensor t = NextTensorObject();
        t.Reinitialize(this, source.Buffer, source.Offset, shape, requiresGrad);
        return t;
    }

    /// <summary>Scratch storage valid until the next reset (not zeroed).</summary>
    internal Span<float> Scratch(int length)
    {
        (float[] buffer, int offset) = _arena.Rent(length);
        return buffer.AsSpan(offset, length);
    }

    private Tensor NextTensorObject()
    {
        if (_tensorCount == _tensors.Count) _tensors.Add(new Tensor());
        return _tensors[_tensorCount++];
    }

    /// <summary>The gradient buffer of <paramref name="t"/>, allocated zeroed on first use.</summary>
    internal Span<float> EnsureGrad(Tensor t)
    {
        if (t.GradBuffer is null)
        {
            (float[] buffer, int offset) = _arena.Rent(t.Length);
            Array.Clear(buffer, offset, t.Length);
            t.GradBuffer = buffer;
            t.GradOffset = offset;
        }
        return new Span<float>(t.GradBuffer, t.GradOffset, t.Length);
    }

    internal static Span<float> GradOf(Tensor t) => new(t.GradBuffer!, t.GradOffset, t.Length);

    internal Tensor Record(OpKind kind, Tensor output, Tensor? a, Tensor? b = null, Tensor? c = null,
        float s0 = 0, float s1 = 0, int i0 = 0, int i1 = 0)
    {
        if (!output.RequiresGrad) return output; // nothing to differentiate: no record needed
        if (_opCount == _ops.Length) Array.Resize(ref _ops, _ops.Length * 2);
        _ops[_opCount] = new OpRecord { Kind = kind, Out = output, A = a, B = b, C = c, S0 = s0, S1 = s1, I0 = i0, I1 = i1 };
        output.Producer = _opCount++;
        return output;
    }

    internal void CheckOwner(Tensor t)
    {
        if (!ReferenceEquals(t.Owner, this))
            throw new ArgumentException("This tensor belongs to another tape (or to a tape that was reset). Create it on the tape that records the computation.");
    }

    internal static Tape Common(Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Owner, b.Owner))
            throw new ArgumentException($"Tensors {a.Shape} and {b.Shape} belong to different tapes.");
        return a.Owner;
    }

    internal struct OpRecord
    {
        public OpKind Kind;
        public Tensor Out;
        public Tensor? A, B, C;
        public float S0, S1;
        public int I0, I1;
    }

    /// <summary>
    /// A bump allocator over pinned, 64-byte-aligned chunks. Rewinding reuses the same chunks in the
    /// same order, so a repeated computation gets the same storage and allocates nothing.
    /// </summary>
    private sealed class FloatArena
    {
        private const int ChunkFloats = 1 << 16;
        private readonly List<(float[] Array, int Base, int Capacity)> _chunks = [];
        private int _chunk;
        private int _position;

        public (float[] Buffer, int Offset) Rent(int length)
        {
            int rounded = (length + 15) & ~15;
            while (true)
            {
                if (_chunk == _chunks.Count)
                    _chunks.Add(NewChunk(Math.Max(ChunkFloats, rounded)));
                var (array, @base, capacity) = _chunks[_chunk];
                if (_position + rounded <= capacity)
                {
                    int offset = @base + _position;
                    _position += rounded;
                    return (array, offset);
                }
                if (_position == 0)
                {
                    // A fresh chunk too small for this request: replace it with a larger one.
                    _chunks[_chunk] = NewChunk(rounded);
                    continue;
                }
                _chunk++;
                _position = 0;
            }
        }

        public void Reset()
        {
            _chunk = 0;
            _position = 0;
        }

        private static unsafe (float[], int, int) NewChunk(int capacity)
        {
            float[] array = GC.AllocateArray<float>(capacity + 16, pinned: true);
            nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            int misalignment = (int)(address & 63) / sizeof(float);
            int @base = misalignment == 0 ? 0 : 16 - misalignment;
            return (array, @base, capacity);
        }
    }
}

/// <summary>The operations a tape can record.</summary>
internal enum OpKind
{
    Add, Sub, Mul, Div, Minimum, Maximum, Where,
    Affine, Neg, Exp, Log, Pow, Square, Sqrt, Abs, Tanh, Relu, Sigmoid, Softplus, Clamp,
    SumAll, MeanAll, SumAxis, LogSoftmax, Softmax, Gather,
    Concat, Slice, Reshape, MatMul, Linear, DiscountedSum,
}
