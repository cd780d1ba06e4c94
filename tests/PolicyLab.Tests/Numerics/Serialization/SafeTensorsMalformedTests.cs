using System.Buffers.Binary;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Numerics.Serialization;

public sealed class SafeTensorsMalformedTests
{
    private const string Source = "x/model.safetensors";
    private const string Prefix = "weights file 'x/model.safetensors' is damaged: ";
    private const string Suffix = "; re-save the checkpoint or pick an earlier one.";

    private static void AssertDamaged(byte[] bytes, string problem)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(bytes, Source));
        Assert.Equal(Prefix + problem + Suffix, e.Message);
        Assert.Equal(Source, e.SourceName);
        Assert.IsAssignableFrom<PolicyLabException>(e);
    }

    private static void AssertDamagedContains(byte[] bytes, string fragment)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(bytes, Source));
        Assert.StartsWith(Prefix, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(Suffix, e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    private static string T(string name, string dtype, string shape, string offsets)
        => $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void File_shorter_than_8_bytes(int length)
        => AssertDamaged(new byte[length],
            $"it is only {length} bytes long, too short to hold the 8-byte header length that starts every safetensors file");

    [Fact]
    public void Header_length_beyond_the_file()
        => AssertDamaged(SafeTensorsTestFiles.Build("{}", [], headerLength: 50),
            "its header claims to be 50 bytes long but only 2 bytes follow the header length (the file is cut short)");

    [Fact]
    public void Header_length_above_the_cap()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        AssertDamaged(bytes,
            "its header claims to be 18446744073709551615 bytes long, more than the 100000000 bytes a safetensors header may have " +
            "(the file is probably not a safetensors file)");
    }

    [Fact]
    public void Header_not_utf8()
        => AssertDamaged(SafeTensorsTestFiles.Build([(byte)'{', 0xC3, 0x28, (byte)'}'], [], 4), "its header is not valid UTF-8 text");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"a\":")]
    [InlineData("{} x")]
    [InlineData("{'a':1}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",},}")]
    [InlineData("{/*c*/}")]
    public void Header_not_json(string header)
        => AssertDamagedContains(SafeTensorsTestFiles.Build(header, []), "its header is not valid JSON");

    [Theory]
    [InlineData("[]", "its header is a JSON list instead of a JSON object")]
    [InlineData("42", "its header is a JSON number instead of a JSON object")]
    [InlineData("\"s\"", "its header is a JSON string instead of a JSON object")]
    [InlineData("null", "its header is a JSON null instead of a JSON object")]
    [InlineData("{\"a\":[1]}", "the header entry of tensor 'a' is a JSON list instead of an object")]
    [InlineData("{\"__metadata__\":[]}", "its '__metadata__' entry is a JSON list instead of an object of strings")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", "metadata entry 'k' is a JSON number instead of a string")]
    [InlineData("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", "metadata entry 'k' appears twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", "its header has two '__metadata__' entries")]
    [InlineData("{\"a\":{\"dtype\":\"\\ud800\"}}", "its header contains a string that is not valid Unicode text")]
    public void Header_structure_errors(string header, string problem)
        => AssertDamaged(SafeTensorsTestFiles.Build(header, []), problem);

    [Theory]
    // Duplicates and fields.
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
        "the tensor name 'a' appears twice in its header")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'dtype' field")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'shape' field")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'a' has no 'data_offsets' field")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4,
        "tensor 'a' has the unexpected field 'extra' (only dtype, shape and data_offsets are allowed)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has two 'dtype' fields")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has two 'shape' fields")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has two 'data_offsets' fields")]
    // Dtype.
    [InlineData("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has the unknown dtype 'F33'")]
    [InlineData("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has the unknown dtype 'f32'")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
        "the dtype of tensor 'a' is a JSON number instead of a string like \"F32\"")]
    // Shape.
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
        "a dimension in the shape of tensor 'a' is the negative number -1")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4,
        "a dimension in the shape of tensor 'a' is 1.5, which is not a whole number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}", 4,
        "a dimension in the shape of tensor 'a' is 1e0, which is not a whole number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4,
        "a dimension in the shape of tensor 'a' is a JSON string instead of a whole number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4,
        "the shape of tensor 'a' is a JSON number instead of a list of whole numbers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,4]}}", 4,
        "the shape of tensor 'a' has the dimension 3000000000, which is larger than 2147483647")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]}}", 4,
        "a dimension in the shape of tensor 'a' is 99999999999999999999999, which is too large")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a' has the shape [2147483647, 2147483647, 2147483647], whose size in bytes does not fit in 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,4],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a' has the shape [2147483647, 2147483647, 4], whose size in bytes does not fit in 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a' has shape [2, 3] of F32, which needs 24 bytes, but claims bytes 0..8 (8 bytes)")]
    // Offsets.
    [InlineData("{\"pi.0.weight\":{\"dtype\":\"F32\",\"shape\":[256],\"data_offsets\":[0,1024]}}", 512,
        "tensor 'pi.0.weight' claims bytes 0..1024 but the file has only 512 bytes of data")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "tensor 'a' claims bytes 8..4, which end before they begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, "the begin offset of tensor 'a' is the negative number -4")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", 4, "the end offset of tensor 'a' is 4.0, which is not a whole number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "the data_offsets of tensor 'a' have one number instead of two [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[]}}", 4, "the data_offsets of tensor 'a' are empty instead of [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4, "the data_offsets of tensor 'a' have more than two numbers instead of [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"b\":0}}}", 4, "the data_offsets of tensor 'a' are a JSON object instead of a list [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551615]}}", 4,
        "tensor 'a' claims bytes 0..18446744073709551615 but the file has only 4 bytes of data")]
    // Layout.
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
        "tensor 'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
        "tensor 'b' (bytes 0..4) overlaps tensor 'a' (bytes 0..4)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8,
        "tensor 'z' (bytes 4..4) overlaps tensor 'a' (bytes 0..8)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
        "bytes 4..8 of its data belong to no tensor (a safetensors file has no gaps between tensors)")]
    [InlineData("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
        "bytes 0..4 of its data belong to no tensor (a safetensors file has no gaps between tensors)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 7, "it has 3 unexpected bytes after the last tensor's data")]
    [InlineData("{}", 5, "it lists no tensors but has 5 bytes of data")]
    public void Tensor_entry_errors(string header, int dataLength, string problem)
        => AssertDamaged(SafeTensorsTestFiles.Build(header, new byte[dataLength]), problem);

    [Fact]
    public void Too_many_dimensions()
    {
        string shape = "[" + string.Join(",", Enumerable.Repeat("1", 65)) + "]";
        AssertDamaged(SafeTensorsTestFiles.Build("{" + T("a", "F32", shape, "[0,4]") + "}", new byte[4]),
            "the shape of tensor 'a' has more than 64 dimensions");
    }

    [Fact]
    public void Long_and_control_character_names_are_shortened_in_messages()
    {
        string name = "bad\u0001" + new string('n', 200);
        string header = "{" + T(name.Replace("\u0001", "\\u0001", StringComparison.Ordinal), "F99", "[1]", "[0,4]") + "}";
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(SafeTensorsTestFiles.Build(header, new byte[4]), Source));
        Assert.Contains("tensor 'bad\\u0001nnn", e.Message, StringComparison.Ordinal);
        Assert.Contains("… (204 characters)'", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 300);
    }

    [Fact]
    public void Zero_size_tensors_at_boundaries_are_fine()
    {
        string header = "{" + T("z0", "F32", "[0]", "[0,0]") + "," + T("a", "F32", "[1]", "[0,4]") + "," + T("z4", "I64", "[3,0]", "[4,4]") + "}";
        SafeTensorsFile file = SafeTensors.Read(SafeTensorsTestFiles.Build(header, new byte[4]), Source);
        Assert.Equal(3, file.Tensors.Count);
    }

    [Fact]
    public void Truncated_writer_output_is_rejected_with_the_file_name()
    {
        string dir = SafeTensorsTestFiles.TempDir();
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            SafeTensors.Write(path, [new NamedTensor("pi.0.weight", [4], [1f, 2f, 3f, 4f])]);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^8]);
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));
            Assert.Equal(
                $"weights file '{path}' is damaged: tensor 'pi.0.weight' claims bytes 0..16 but the file has only 8 bytes of data" + Suffix,
                e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Header_text_helper_is_consistent()
        => Assert.Equal("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "{" + T("a", "F32", "[1]", "[0,4]") + "}");

    [Fact]
    public void Valid_file_with_trailing_header_whitespace_parses()
    {
        byte[] bytes = SafeTensorsTestFiles.Build("{" + T("a", "F32", "[1]", "[0,4]") + "}  \n ", BitConverter.GetBytes(2f));
        Assert.Equal([2f], SafeTensors.Read(bytes, Source)["a"].ToFloat32());
    }
}
