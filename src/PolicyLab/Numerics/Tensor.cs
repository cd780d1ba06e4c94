namespace PolicyLab.Numerics;

/// <summary>
/// A row-major float32 tensor recorded on a <see cref="Tape"/> for reverse-mode differentiation.
/// Tensors are created by a tape (constants, parameters, results of operations) and live until the
/// tape is <see cref="Tape.Reset">reset</see>; their storage comes from the tape's arena, so a
/// training step that repeats the same computation allocates nothing.
/// </summary>
public sealed partial class Tensor
{
    internal float[] Buffer = [];
    internal int Offset;
    internal float[]? GradBuffer;
    internal int GradOffset;
    internal Tape Owner = null!;
    internal int Producer = -1;

    internal Tensor() { }

    /// <summary>The tensor's shape.</summary>
    public Shape Shape { get; internal set; }

    /// <summary>Whether gradients flow into this tensor during <see cref="Tape.Backward(Tensor)"/>.</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>The values (row-major). Writable, but writing to a tensor that an operation has
    /// already used changes neither that operation's result nor its gradient consistently: treat
    /// recorded tensors as read-only.</summary>
    public Span<float> Data => new(Buffer, Offset, Shape.Size);

    /// <summary>The gradient of the last <see cref="Tape.Backward(Tensor)"/> with respect to this tensor,
    /// or empty when none flowed into it.</summary>
    public ReadOnlySpan<float> Grad => GradBuffer is null ? default : new(GradBuffer, GradOffset, Shape.Size);

    /// <summary>The tape this tensor belongs to.</summary>
    public Tape Tape => Owner;

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1)
            throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {Shape}.");
        return Buffer[Offset];
    }

    /// <summary>Element <paramref name="i"/> of the flat (row-major) data.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[int i] => Data[i];

    /// <summary>Element (<paramref name="row"/>, <paramref name="col"/>) of a matrix.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[int row, int col] => Data[row * Shape.Last + col];

    /// <summary>Copies the values into a new array.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{Shape}";

    internal void Reinitialize(Tape owner, float[] buffer, int offset, Shape shape, bool requiresGrad)
    {
        Owner = owner;
        Buffer = buffer;
        Offset = offset;
        Shape = shape;
        RequiresGrad = requiresGrad;
        GradBuffer = null;
        GradOffset = 0;
        Producer = -1;
    }
}
