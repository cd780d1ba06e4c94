using System.Text;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Numerics.Serialization;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly string _dir = SafeTensorsTestFiles.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SafeTensorsFile WriteAndRead(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string path = Path.Combine(_dir, "m.safetensors");
        SafeTensors.Write(path, tensors, metadata);
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_dir).Select(p => Path.GetFileName(p)).ToArray());
        return SafeTensors.Read(path);
    }

    [Fact]
    public void Every_written_dtype_round_trips()
    {
        float[] f32 = [1.5f, -0f, float.NaN, float.PositiveInfinity, float.Epsilon, -3e38f];
        double[] f64 = [Math.PI, -0.0, double.NegativeInfinity, double.MaxValue];
        long[] i64 = [long.MinValue, -1, 0, long.MaxValue];
        int[] i32 = [int.MinValue, 7, int.MaxValue];
        ulong[] u64 = [ulong.MaxValue, 0x9E3779B97F4A7C15UL, 1, 0];

        SafeTensorsFile file = WriteAndRead(
        [
            new NamedTensor("pi.0.weight", [2, 3], f32),
            NamedTensor.F64("stats", [4], f64),
            NamedTensor.I64("step", [2, 2], i64),
            NamedTensor.I32("counts", [3], i32),
            NamedTensor.U64("rng", [4], u64),
        ]);

        Assert.Equal(["pi.0.weight", "stats", "step", "counts", "rng"], file.Tensors.Select(t => t.Name));
        SafeTensor w = file["pi.0.weight"];
        Assert.Equal(SafeTensorDType.F32, w.DType);
        Assert.Equal([2, 3], w.Shape);
        Assert.Equal(f32.Select(BitConverter.SingleToInt32Bits), w.ToFloat32().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(f64.Select(BitConverter.DoubleToInt64Bits), file["stats"].ToFloat64().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(i64, file["step"].ToInt64());
        Assert.Equal([2, 2], file["step"].Shape);
        Assert.Equal(i32.Select(x => (long)x), file["counts"].ToInt64());
        Assert.Equal(SafeTensorDType.U64, file["rng"].DType);
        Assert.Equal(u64, file["rng"].ToUInt64());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Rng_state_survives_as_u64()
    {
        var rng = new PolicyLab.Numerics.Rng(123UL);
        rng.NextUInt64();
        SafeTensorsFile file = WriteAndRead([NamedTensor.U64("rng", [4], rng.GetState())]);
        var restored = PolicyLab.Numerics.Rng.FromState(file["rng"].ToUInt64());
        Assert.Equal(rng.NextUInt64(), restored.NextUInt64());
    }

    [Fact]
    public void Metadata_round_trips()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["quote\"and\\slash"] = "line\nbreak",
            ["ünïcode ✓"] = "値",
            ["empty"] = "",
        };
        SafeTensorsFile file = WriteAndRead([new NamedTensor("x", [1], [2f])], metadata);
        Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Scalars_zero_size_tensors_and_empty_files_round_trip()
    {
        SafeTensorsFile file = WriteAndRead(
        [
            new NamedTensor("empty", [0, 3], ReadOnlySpan<float>.Empty),
            new NamedTensor("scalar", [], [4.25f]),
            NamedTensor.I64("none", [2, 0], []),
        ]);
        Assert.Equal(0, file["empty"].ElementCount);
        Assert.Equal([0, 3], file["empty"].Shape);
        Assert.Empty(file["empty"].ToFloat32());
        Assert.Empty(file["scalar"].Shape);
        Assert.Equal([4.25f], file["scalar"].ToFloat32());
        Assert.Empty(file["none"].ToInt64());

        SafeTensorsFile nothing = WriteAndRead([], new Dictionary<string, string> { ["k"] = "v" });
        Assert.Empty(nothing.Tensors);
        Assert.Equal("v", nothing.Metadata["k"]);
    }

    [Fact]
    public void Header_is_space_padded_to_a_multiple_of_8_and_data_is_contiguous()
    {
        byte[] bytes = SafeTensors.Serialize([new NamedTensor("abc", [3], [1f, 2f, 3f]), NamedTensor.I32("d", [1], [5])]);
        ulong n = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.EndsWith("}", header.TrimEnd(' '), StringComparison.Ordinal);
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8);
        Assert.Equal(8 + (int)n + 12 + 4, bytes.Length);
        SafeTensorsFile file = SafeTensors.Read(bytes, "mem");
        Assert.Equal(0, file["abc"].DataOffset);
        Assert.Equal(12, file["d"].DataOffset);
    }

    [Fact]
    public void Writer_rejects_duplicate_names_and_bad_tensors()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new NamedTensor("a", [1], [1f]), new NamedTensor("a", [1], [2f])]));
        Assert.Throws<ArgumentException>(() => new NamedTensor("a", [3], [1f, 2f]));
        Assert.Throws<ArgumentException>(() => new NamedTensor("a", [-1], [1f]));
        Assert.Throws<ArgumentException>(() => new NamedTensor("", [1], [1f]));
        Assert.Throws<ArgumentException>(() => new NamedTensor("__metadata__", [1], [1f]));
    }

    [Fact]
    public void Half_precision_and_bfloat16_convert_to_float()
    {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000. BF16: 1.0 = 0x3F80, 0.5 = 0x3F00.
        byte[] data = [0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F, 0x00, 0x3F];
        string header = """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}""";
        SafeTensorsFile file = SafeTensors.Read(SafeTensorsTestFiles.Build(header, data), "half");
        Assert.Equal([1f, -2f], file["h"].ToFloat32());
        Assert.Equal([1f, 0.5f], file["b"].ToFloat32());
        Assert.Equal([1.0, 0.5], file["b"].ToFloat64());
    }

    [Fact]
    public void Small_integer_dtypes_read_as_long()
    {
        byte[] data = [1, 0, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        string header = string.Concat(
            """{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]},"u8":{"dtype":"U8","shape":[],"data_offsets":[2,3]},""",
            """ "i8":{"dtype":"I8","shape":[1],"data_offsets":[3,4]},"i16":{"dtype":"I16","shape":[1],"data_offsets":[4,6]},""",
            """ "u16":{"dtype":"U16","shape":[1],"data_offsets":[6,8]},"u32":{"dtype":"U32","shape":[1],"data_offsets":[8,12]}}""");
        SafeTensorsFile file = SafeTensors.Read(SafeTensorsTestFiles.Build(header, data), "ints");
        Assert.Equal([1L, 0L], file["b"].ToInt64());
        Assert.Equal([255L], file["u8"].ToInt64());
        Assert.Equal([-1L], file["i8"].ToInt64());
        Assert.Equal([-2L], file["i16"].ToInt64());
        Assert.Equal([65535L], file["u16"].ToInt64());
        Assert.Equal([4294967295L], file["u32"].ToInt64());
    }

    [Fact]
    public void F8_tensors_are_available_as_raw_bytes()
    {
        string header = """{"q":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]},"r":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[2,3]}}""";
        SafeTensorsFile file = SafeTensors.Read(SafeTensorsTestFiles.Build(header, [1, 2, 3]), "f8");
        Assert.Equal(SafeTensorDType.F8E4M3, file["q"].DType);
        Assert.Equal(new byte[] { 1, 2 }, file["q"].Data.ToArray());
        Assert.Equal(SafeTensorDType.F8E5M2, file["r"].DType);
        Assert.Throws<PolicyLabException>(() => file["q"].ToFloat32());
    }

    [Fact]
    public void Converting_to_the_wrong_kind_is_a_clear_error()
    {
        SafeTensorsFile file = SafeTensors.Read(SafeTensors.Serialize([NamedTensor.I64("step", [1], [3]), new NamedTensor("w", [1], [1f])]), "ck");
        var e = Assert.Throws<PolicyLabException>(() => file["step"].ToFloat32());
        Assert.Contains("tensor 'step' in weights file 'ck' holds I64 values where floating-point numbers were expected", e.Message, StringComparison.Ordinal);
        Assert.Throws<PolicyLabException>(() => file["w"].ToInt64());
    }

    [Fact]
    public void LoadInto_checks_presence_and_shape()
    {
        float[] w = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        SafeTensorsFile file = SafeTensors.Read(SafeTensors.Serialize([new NamedTensor("pi.0.weight", [2, 4], w)]), "x");

        var destination = new float[8];
        SafeTensors.LoadInto(file, "pi.0.weight", destination, [2, 4]);
        Assert.Equal(w, destination);

        var shape = Assert.Throws<PolicyLabException>(() => SafeTensors.LoadInto(file, "pi.0.weight", new float[8], [4, 2]));
        Assert.Equal(
            "tensor 'pi.0.weight' has shape [2, 4] in file 'x' but the network expects [4, 2]; the checkpoint was saved for a different architecture.",
            shape.Message);

        var missing = Assert.Throws<PolicyLabException>(() => file.LoadInto("vf.0.weight", new float[8], [2, 4]));
        Assert.Equal(
            "weights file 'x' has no tensor named 'vf.0.weight' (it holds 'pi.0.weight'); the checkpoint was saved for a different architecture or by a different program.",
            missing.Message);

        Assert.Throws<ArgumentException>(() => SafeTensors.LoadInto(file, "pi.0.weight", new float[7], [2, 4]));
        Assert.Throws<PolicyLabException>(() => file["nope"]);
    }

    [Fact]
    public void Missing_file_is_a_user_error()
    {
        string path = Path.Combine(_dir, "absent.safetensors");
        var e = Assert.Throws<PolicyLabException>(() => SafeTensors.Read(path));
        Assert.Contains($"weights file '{path}' does not exist", e.Message, StringComparison.Ordinal);
    }
}
