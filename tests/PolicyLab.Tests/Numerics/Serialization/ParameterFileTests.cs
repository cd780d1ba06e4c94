using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Numerics.Serialization;

public sealed class ParameterFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-params-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Round_trips_and_uses_the_out_in_layout_on_disk()
    {
        var store = new ParameterStore();
        var net = new Mlp(store, "pi", 3, [5], 2);
        net.InitializeUniform(new Rng(1UL));
        string path = Path.Combine(_dir, "model.safetensors");
        ParameterFile.Save(path, store);

        SafeTensorsFile file = SafeTensors.Read(path);
        SafeTensor w = file["pi.0.weight"];
        Assert.Equal([5, 3], w.Shape);
        float[] onDisk = w.ToFloat32();
        Parameter p = store.Parameters[0];
        Assert.Equal(p.Value[1 * 5 + 4], onDisk[4 * 3 + 1]); // memory [in=1, out=4] is disk [out=4, in=1]

        var copy = new ParameterStore();
        _ = new Mlp(copy, "pi", 3, [5], 2);
        ParameterFile.Load(path, copy);
        Assert.Equal(store.Values.ToArray(), copy.Values.ToArray());
    }

    [Fact]
    public void A_different_architecture_is_refused_and_nothing_changes()
    {
        var store = new ParameterStore();
        new Mlp(store, "pi", 3, [5], 2).InitializeUniform(new Rng(1UL));
        string path = Path.Combine(_dir, "model.safetensors");
        ParameterFile.Save(path, store);
        var other = new ParameterStore();
        new Mlp(other, "pi", 3, [6], 2).InitializeUniform(new Rng(2UL));
        float[] before = other.Values.ToArray();
        var error = Assert.ThrowsAny<PolicyLab.PolicyLabException>(() => ParameterFile.Load(path, other));
        Assert.Contains("pi.0.weight", error.Message);
        Assert.Equal(before, other.Values.ToArray());
    }
}
