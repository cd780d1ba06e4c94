using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// Saves and loads a <see cref="ParameterStore"/> as a safetensors file: one F32 tensor per
/// parameter, linear-layer weights transposed to the [out, in] layout other frameworks use, so a
/// PyTorch <c>nn.Linear</c> can load them directly.
/// </summary>
public static class ParameterFile
{
    /// <summary>The tensors of <paramref name="store"/>, named as its parameters (optionally prefixed).</summary>
    public static IEnumerable<NamedTensor> ToTensors(ParameterStore store, string prefix = "")
    {
        foreach (Parameter p in store.Parameters)
        {
            if (p.StoredTransposed)
            {
                int rows = p.Shape[0], cols = p.Shape[1];
                var transposed = new float[p.Length];
                Gemm.Transpose(rows, cols, p.Value, transposed);
                yield return NamedTensor.F32(prefix + p.Name, [cols, rows], transposed);
            }
            else
            {
                yield return NamedTensor.F32(prefix + p.Name, p.Shape.ToArray(), p.Value);
            }
        }
    }

    /// <summary>Writes <paramref name="store"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, ParameterStore store, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Write(path, ToTensors(store), metadata);

    /// <summary>Loads every parameter of <paramref name="store"/> from <paramref name="file"/>, checking
    /// names and shapes; nothing in the store changes unless all of them fit.</summary>
    /// <exception cref="PolicyLabException">A tensor is missing or has another shape.</exception>
    public static void LoadInto(SafeTensorsFile file, ParameterStore store, string prefix = "")
    {
        var staged = new float[store.Count];
        foreach (Parameter p in store.Parameters)
        {
            Span<float> destination = staged.AsSpan(p.Offset, p.Length);
            if (p.StoredTransposed)
            {
                int rows = p.Shape[0], cols = p.Shape[1];
                var onDisk = new float[p.Length];
                SafeTensors.LoadInto(file, prefix + p.Name, onDisk, [cols, rows]);
                Gemm.Transpose(cols, rows, onDisk, destination);
            }
            else
            {
                SafeTensors.LoadInto(file, prefix + p.Name, destination, p.Shape.ToArray());
            }
        }
        staged.CopyTo(store.Values);
    }

    /// <summary>Reads <paramref name="path"/> and loads it into <paramref name="store"/>.</summary>
    public static void Load(string path, ParameterStore store) => LoadInto(SafeTensors.Read(path), store);
}
