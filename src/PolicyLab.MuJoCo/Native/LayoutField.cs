namespace PolicyLab.MuJoCo.Native;

/// <summary>One pointer field of mjModel or mjData as the headers' X-macros list it.</summary>
/// <param name="Name">The C field name.</param>
/// <param name="Offset">Byte offset of the pointer inside the struct.</param>
/// <param name="ElementSize">sizeof of one element.</param>
/// <param name="Length">Number of elements for a given model (rows × columns of the X-macro).</param>
internal sealed record LayoutField(string Name, int Offset, int ElementSize, Func<ModelView, long> Length);

/// <summary>Reads the int counts of a compiled mjModel (used to evaluate <see cref="LayoutField.Length"/>).</summary>
internal readonly unsafe struct ModelView(IntPtr model)
{
    /// <summary>The int at a byte offset of mjModel.</summary>
    public int Int(int offset) => *(int*)((byte*)model + offset);
}
