using System.Runtime.CompilerServices;

namespace PolicyLab.Numerics;

/// <summary>
/// A row-major float32 tensor recorded on a <see cref="Tape"/> for reverse-mode differentiation.
/// Tensors are created by a tape (constants, parameters, results of operations) and live until the
/// tape is <see cref="Tape.Reset">reset</see>; their storage comes from the tape's arena, so a
/// training step that repeats the same computation allocates nothing.
/// </summary>
/// <remarks>
/// A <see cref="Tensor"/> is a small handle (the tape's record of the tensor and the tape generation it
/// was created in). After <see cref="Tape.Reset"/> the record is reused by the next step, so every use
/// of a handle from an earlier generation — its values, gradient, shape, <see cref="Item"/>, an operation
/// or <see cref="Tape.Backward(Tensor)"/> — throws <see cref="InvalidOperationException"/> instead of
/// silently reading a newer tensor. Keep values that must outlive a step in an array.
/// </remarks>
public readonly partial struct Tensor : IEquatable<Tensor>
{
    private readonly TensorNode? _node;
    private readonly int _generation;

    internal Tensor(TensorNode node, int generation)
    {
        _node = node;
        _generation = generation;
    }

    /// <summary>The tape's record of this tensor, after checking that the handle is still current.</summary>
    internal TensorNode Node
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            TensorNode? node = _node;
            if (node is null || node.Owner.Generation != _generation) throw NotCurrent();
            return node;
        }
    }

    /// <summary>The tape generation this handle was created in.</summary>
    internal int Generation => _generation;

    /// <summary>The record without the generation check (the tape that created it, or null for a default handle).</summary>
    internal TensorNode? UncheckedNode => _node;

    /// <summary>The tensor's shape.</summary>
    public Shape Shape => Node.Shape;

    /// <summary>Whether gradients flow into this tensor during <see cref="Tape.Backward(Tensor)"/>.</summary>
    public bool RequiresGrad
    {
        get => Node.RequiresGrad;
        internal set => Node.RequiresGrad = value;
    }

    /// <summary>Number of elements.</summary>
    public int Length => Node.Shape.Size;

    /// <summary>The values (row-major). Writable, but writing to a tensor that an operation has
    /// already used changes neither that operation's result nor its gradient consistently: treat
    /// recorded tensors as read-only.</summary>
    public Span<float> Data => Node.Data;

    /// <summary>The gradient of the last <see cref="Tape.Backward(Tensor)"/> with respect to this tensor,
    /// or empty when none flowed into it.</summary>
    public ReadOnlySpan<float> Grad => Node.Grad;

    /// <summary>The tape this tensor belongs to.</summary>
    public Tape Tape => Node.Owner;

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        TensorNode node = Node;
        if (node.Shape.Size != 1)
            throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {node.Shape}.");
        return node.Buffer[node.Offset];
    }

    /// <summary>Element <paramref name="i"/> of the flat (row-major) data.</summary>
    [IndexerName("Element")]
    public float this[int i] => Data[i];

    /// <summary>Element (<paramref name="row"/>, <paramref name="col"/>) of a matrix.</summary>
    [IndexerName("Element")]
    public float this[int row, int col]
    {
        get
        {
            TensorNode node = Node;
            return node.Data[row * node.Shape.Last + col];
        }
    }

    /// <summary>Copies the values into a new array.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>Whether both handles denote the same tensor (the same record of the same generation); values are not compared.</summary>
    public bool Equals(Tensor other) => ReferenceEquals(_node, other._node) && _generation == other._generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Tensor other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_node, _generation);

    /// <summary>Whether both handles denote the same tensor (identity, as <see cref="Equals(Tensor)"/>; not elementwise).</summary>
    public static bool operator ==(Tensor left, Tensor right) => left.Equals(right);

    /// <summary>Whether the handles denote different tensors (identity, as <see cref="Equals(Tensor)"/>; not elementwise).</summary>
    public static bool operator !=(Tensor left, Tensor right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() =>
        _node is null ? "Tensor(default)"
        : _node.Owner.Generation != _generation ? "Tensor(from before Tape.Reset())"
        : $"Tensor{_node.Shape}";

    /// <summary>Why this handle cannot be used: it is a default value, or it is from an earlier generation of its tape.</summary>
    internal InvalidOperationException NotCurrent() => _node is null
        ? new InvalidOperationException(
            "This Tensor is a default value, not a tensor of a tape. Create tensors with a Tape (Constant, Variable, Param or an operation).")
        : new InvalidOperationException(
            "Tensor from before Tape.Reset(): a tape's tensors live until its next reset, after which their storage belongs to " +
            "the tensors of the next step. Keep the values in an array, not the Tensor (copy them with Data.CopyTo or ToArray before the reset).");
}

/// <summary>
/// The tape's record of one tensor: its storage, gradient storage and place in the recording. Records are
/// pooled by their tape and reused after <see cref="Tape.Reset"/>; users only see them through a
/// <see cref="Tensor"/> handle, which checks the generation.
/// </summary>
internal sealed class TensorNode(Tape owner)
{
    public readonly Tape Owner = owner;
    public float[] Buffer = [];
    public int Offset;
    public float[]? GradBuffer;
    public int GradOffset;
    public int Producer = -1;
    public Shape Shape;
    public bool RequiresGrad;

    public int Length => Shape.Size;

    public Span<float> Data => new(Buffer, Offset, Shape.Size);

    public ReadOnlySpan<float> Grad => GradBuffer is null ? default : new(GradBuffer, GradOffset, Shape.Size);

    public void Reinitialize(float[] buffer, int offset, Shape shape, bool requiresGrad)
    {
        Buffer = buffer;
        Offset = offset;
        Shape = shape;
        RequiresGrad = requiresGrad;
        GradBuffer = null;
        GradOffset = 0;
        Producer = -1;
    }
}
