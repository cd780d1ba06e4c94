using System.Runtime.InteropServices;

namespace PolicyLab.Numerics;

/// <summary>
/// Records tensor operations for reverse-mode automatic differentiation. A tape is reused across
/// training steps: build the loss, call <see cref="Backward(Tensor)"/>, read the parameters' gradients,
/// then <see cref="Reset"/>. Storage comes from an arena that is rewound on reset, so a step that
/// repeats the same computation allocates nothing once warmed up.
/// </summary>
/// <remarks>A tape belongs to one thread at a time. Tensors of different tapes cannot be mixed, and a tensor
/// from before a <see cref="Reset"/> cannot be used at all (it throws): keep values that outlive a step in arrays.
/// Each operation's forward method and its backward function sit side by side (Tape.Elementwise.cs,
/// Tape.Reductions.cs, Tape.Structure.cs); the record of an operation holds its backward function.</remarks>
public sealed partial class Tape
{
    private readonly FloatArena _arena = new();
    private readonly List<TensorNode> _nodes = [];
    private int _nodeCount;
    private OpRecord[] _ops = new OpRecord[64];
    private int _opCount;

    /// <summary>Number of operations recorded since the last reset.</summary>
    public int OperationCount => _opCount;

    /// <summary>Counts resets. A <see cref="Tensor"/> records the generation it was created in and is usable
    /// only while it is still the tape's generation.</summary>
    internal int Generation { get; private set; }

    /// <summary>Forgets every recorded operation and tensor; their storage is reused by the next step.
    /// Tensors created before the reset can no longer be used (they throw).</summary>
    public void Reset()
    {
        Array.Clear(_ops, 0, _opCount);
        _opCount = 0;
        _nodeCount = 0;
        _arena.Reset();
        Generation++;
    }

    /// <summary>A constant tensor holding a copy of <paramref name="values"/>.</summary>
    public Tensor Constant(ReadOnlySpan<float> values, Shape shape)
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"{values.Length} values cannot fill a tensor of shape {shape} ({shape.Size} elements).");
        TensorNode t = NewNode(shape, requiresGrad: false);
        values.CopyTo(t.Data);
        return Handle(t);
    }

    /// <summary>A constant vector holding a copy of <paramref name="values"/>.</summary>
    public Tensor Constant(ReadOnlySpan<float> values) => Constant(values, new Shape(values.Length));

    /// <summary>A constant scalar.</summary>
    public Tensor Scalar(float value)
    {
        TensorNode t = NewNode(Shape.Scalar, requiresGrad: false);
        t.Buffer[t.Offset] = value;
        return Handle(t);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public Tensor Full(Shape shape, float value)
    {
        TensorNode t = NewNode(shape, requiresGrad: false);
        t.Data.Fill(value);
        return Handle(t);
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
        TensorNode t = NextNode();
        t.Reinitialize(parameter.Store.ValueArray, parameter.Offset, parameter.Shape, requiresGrad: true);
        t.GradBuffer = parameter.Store.GradientArray;
        t.GradOffset = parameter.Offset;
        return Handle(t);
    }

    /// <summary>
    /// Back-propagates from a one-element <paramref name="loss"/> (seeded with 1), adding into the
    /// gradients of every parameter that contributed. Gradients of parameters accumulate across calls:
    /// zero them (<see cref="ParameterStore.ZeroGradients"/>) before each step.
    /// </summary>
    public void Backward(Tensor loss)
    {
        TensorNode output = Use(loss);
        if (output.Length != 1)
            throw new ArgumentException($"Backward needs a one-element loss; got shape {output.Shape}. Reduce it with Sum() or Mean() first.");
        if (!output.RequiresGrad) return;
        ClearIntermediateGradients();
        EnsureGrad(output)[0] += 1f;
        RunBackward(output.Producer);
    }

    /// <summary>Back-propagates with an explicit gradient for <paramref name="output"/> (a vector-Jacobian product).</summary>
    public void Backward(Tensor output, ReadOnlySpan<float> outputGradient)
    {
        TensorNode o = Use(output);
        if (outputGradient.Length != o.Length)
            throw new ArgumentException($"The output gradient has {outputGradient.Length} elements; the output has {o.Length}.");
        if (!o.RequiresGrad) return;
        ClearIntermediateGradients();
        outputGradient.CopyTo(EnsureGrad(o));
        RunBackward(o.Producer);
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
            op.Backward(this, ref op);
        }
    }

    // ------------------------------------------------------------------ internals used by the ops

    /// <summary>The record behind <paramref name="t"/>, after checking that it belongs to this tape and to
    /// its current generation (not from before the last <see cref="Reset"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal TensorNode Use(Tensor t)
    {
        TensorNode? node = t.UncheckedNode;
        if (node is null || !ReferenceEquals(node.Owner, this) || t.Generation != Generation) throw NotUsable(t);
        return node;
    }

    private Exception NotUsable(Tensor t) => t.UncheckedNode is { } node && !ReferenceEquals(node.Owner, this)
        ? new ArgumentException("This tensor belongs to another tape. Create it on the tape that records the computation.")
        : t.NotCurrent();

    /// <summary>The user's handle to <paramref name="node"/>, stamped with the current generation.</summary>
    internal Tensor Handle(TensorNode node) => new(node, Generation);

    internal TensorNode NewNode(Shape shape, bool requiresGrad)
    {
        (float[] buffer, int offset) = _arena.Rent(shape.Size);
        TensorNode t = NextNode();
        t.Reinitialize(buffer, offset, shape, requiresGrad);
        return t;
    }

    /// <summary>A view sharing <paramref name="source"/>'s storage with another shape.</summary>
    internal TensorNode NewView(TensorNode source, Shape shape, bool requiresGrad)
    {
        TensorNode t = NextNode();
        t.Reinitialize(source.Buffer, source.Offset, shape, requiresGrad);
        return t;
    }

    /// <summary>Scratch storage valid until the next reset (not zeroed).</summary>
    internal Span<float> Scratch(int length)
    {
        (float[] buffer, int offset) = _arena.Rent(length);
        return buffer.AsSpan(offset, length);
    }

    private TensorNode NextNode()
    {
        if (_nodeCount == _nodes.Count) _nodes.Add(new TensorNode(this));
        return _nodes[_nodeCount++];
    }

    /// <summary>The gradient buffer of <paramref name="t"/>, allocated zeroed on first use.</summary>
    internal Span<float> EnsureGrad(TensorNode t)
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

    internal static Span<float> GradOf(TensorNode t) => new(t.GradBuffer!, t.GradOffset, t.Length);

    /// <summary>Records the operation that produced <paramref name="output"/> (when a gradient can flow through
    /// it) with the function that back-propagates through it, and returns the user's handle to the output.</summary>
    internal Tensor Record(BackwardFunction backward, TensorNode output, TensorNode? a, TensorNode? b = null, TensorNode? c = null,
        float s0 = 0, float s1 = 0, int i0 = 0, int i1 = 0)
    {
        if (output.RequiresGrad) // else nothing to differentiate: no record needed
        {
            if (_opCount == _ops.Length) Array.Resize(ref _ops, _ops.Length * 2);
            _ops[_opCount] = new OpRecord { Backward = backward, Out = output, A = a, B = b, C = c, S0 = s0, S1 = s1, I0 = i0, I1 = i1 };
            output.Producer = _opCount++;
        }
        return Handle(output);
    }

    internal static Tape Common(Tensor a, Tensor b)
    {
        Tape tape = a.Recorder;
        if (!ReferenceEquals(tape, b.Recorder))
            throw new ArgumentException("The two tensors belong to different tapes. Create them on the tape that records the computation.");
        return tape;
    }

    /// <summary>Back-propagates through one recorded operation: adds its inputs' share of the gradient of
    /// <see cref="OpRecord.Out"/> into their gradients. Each operation's one sits beside its forward method.</summary>
    internal delegate void BackwardFunction(Tape tape, ref OpRecord op);

    /// <summary>One recorded operation: its output, up to three inputs and its constant arguments.</summary>
    internal struct OpRecord
    {
        public BackwardFunction Backward;
        public TensorNode Out;
        public TensorNode? A, B, C;
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
