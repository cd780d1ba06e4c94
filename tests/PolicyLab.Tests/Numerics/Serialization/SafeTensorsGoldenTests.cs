using System.Text;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Numerics.Serialization;

public sealed class SafeTensorsGoldenTests
{
    // The header is written out by hand: metadata first, then tensors in the given order, no spaces.
    private const string Header =
        """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[],"data_offsets":[8,12]}}""";

    private static byte[] ExpectedBytes()
    {
        Assert.Equal(138, Header.Length);
        var expected = new List<byte>();
        expected.AddRange([0x90, 0, 0, 0, 0, 0, 0, 0]); // 144 = 138 header bytes + 6 spaces of padding
        expected.AddRange(Encoding.ASCII.GetBytes(Header + "      "));
        expected.AddRange([0x00, 0x00, 0x80, 0x3F]); // 1.0f
        expected.AddRange([0x00, 0x00, 0x00, 0xC0]); // -2.0f
        expected.AddRange([0x07, 0x00, 0x00, 0x00]); // 7
        return [.. expected];
    }

    [Fact]
    public void Writer_produces_the_exact_golden_bytes()
    {
        byte[] actual = SafeTensors.Serialize(
            [new NamedTensor("a", [2], [1f, -2f]), NamedTensor.I32("b", [], [7])],
            new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(ExpectedBytes(), actual);
    }

    [Fact]
    public void Reader_understands_the_golden_bytes()
    {
        SafeTensorsFile file = SafeTensors.Read(ExpectedBytes(), "golden");
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal([1f, -2f], file["a"].ToFloat32());
        Assert.Equal([2], file["a"].Shape);
        Assert.Equal(SafeTensorDType.I32, file["b"].DType);
        Assert.Empty(file["b"].Shape);
        Assert.Equal([7L], file["b"].ToInt64());
        Assert.Equal(8, file["b"].DataOffset);
    }

    [Fact]
    public void Reader_accepts_unpadded_headers_and_any_key_order()
    {
        string header = """{"b":{"data_offsets":[8,12],"shape":[],"dtype":"I32"},"__metadata__":{},"a":{"shape":[2],"data_offsets":[0,8],"dtype":"F32"}}""";
        byte[] data = [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 7, 0, 0, 0];
        SafeTensorsFile file = SafeTensors.Read(SafeTensorsTestFiles.Build(header, data), "reordered");
        Assert.Equal(["b", "a"], file.Tensors.Select(t => t.Name));
        Assert.Equal([1f, -2f], file["a"].ToFloat32());
        Assert.Empty(file.Metadata);
    }
}
