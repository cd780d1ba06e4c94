using Xunit.Abstractions;
using System.Diagnostics;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Tracking;

/// <summary>TensorBoard event files: framing, CRCs and protobuf fields decoded independently of the writer.</summary>
public sealed class TensorBoardTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-tb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSample()
    {
        using var writer = new TensorBoardWriter(_dir, () => 1_700_000_000.25);
        writer.AddScalar("charts/episodic_return", 21.5, 128);
        writer.AddScalar("train/value_loss", -0.125, 1L << 40);
        writer.AddText("hyperparameters", "|param|value|\n|-|-|\n|gamma|0.99|\n", 0);
        return writer.FilePath;
    }

    [Fact]
    public void Crc32c_matches_the_check_value_and_the_writer()
    {
        byte[] check = "123456789"u8.ToArray();
        Assert.Equal(0xE3069283u, TensorBoardDecoding.Crc32C(check));
        Assert.Equal(0xE3069283u, TensorBoardWriter.Crc32C(check));
        var random = new Random(5);
        for (int n = 0; n < 40; n++)
        {
            byte[] data = new byte[random.Next(0, 70)];
            random.NextBytes(data);
            Assert.Equal(TensorBoardDecoding.Crc32C(data), TensorBoardWriter.Crc32C(data));
        }
    }

    [Fact]
    public void Records_decode_with_an_independent_reader()
    {
        string path = WriteSample();
        Assert.Matches(@"events\.out\.tfevents\.1700000000\.", Path.GetFileName(path));
        TensorBoardDecoding.Decoded d = TensorBoardDecoding.Decode(File.ReadAllBytes(path));
        Assert.Equal(4, d.Records.Count);
        Assert.Equal("brain.Event:2", d.FileVersion);
        Assert.Equal(new TensorBoardDecoding.Scalar("charts/episodic_return", 128, 21.5f), d.Scalars[0]);
        Assert.Equal(new TensorBoardDecoding.Scalar("train/value_loss", 1L << 40, -0.125f), d.Scalars[1]);
        Assert.Equal("hyperparameters", d.Texts.Single().Tag);
        Assert.Contains("|gamma|0.99|", d.Texts.Single().Text, StringComparison.Ordinal);
        // wall_time is the double 1700000000.25 in every record.
        foreach (byte[] record in d.Records)
        {
            var wall = TensorBoardDecoding.Fields(record).Single(f => f.Field == 1);
            Assert.Equal(1_700_000_000.25, BitConverter.Int64BitsToDouble((long)wall.Value));
        }
    }

    [Fact]
    public void A_damaged_record_fails_its_crc()
    {
        string path = WriteSample();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^7] ^= 0x40;
        Assert.ThrowsAny<Exception>(() => TensorBoardDecoding.Decode(bytes));
    }

    /// <summary>Decodes the file with protoc-generated Python classes (python3-protobuf); skipped with a message when absent.</summary>
    [Fact]
    public void Records_decode_with_python_protobuf_when_installed()
    {
        if (!Tools.Has("protoc") || !Tools.PythonHas("google.protobuf"))
        {
            Tools.Skip(log, "SKIPPED Records_decode_with_python_protobuf_when_installed: protoc or python3-protobuf is not installed (apt-get install protobuf-compiler python3-protobuf).");
            return;
        }
        string path = WriteSample();
        File.WriteAllText(Path.Combine(_dir, "event.proto"), """
            syntax = "proto3";
            package check;
            message TensorShape { message Dim { int64 size = 1; } repeated Dim dim = 2; }
            message Tensor { int32 dtype = 1; TensorShape tensor_shape = 2; repeated bytes string_val = 8; }
            message PluginData { string plugin_name = 1; bytes content = 2; }
            message Metadata { PluginData plugin_data = 1; }
            message Value { string tag = 1; float simple_value = 2; Tensor tensor = 8; Metadata metadata = 9; }
            message Summary { repeated Value value = 1; }
            message Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
            """);
        (int code, string output) = Tools.Run("protoc", $"--python_out=. event.proto", _dir);
        Assert.True(code == 0, output);
        File.WriteAllText(Path.Combine(_dir, "decode.py"), """
            import struct, sys
            import event_pb2
            data = open(sys.argv[1], 'rb').read()
            pos = 0
            while pos < len(data):
                (length,) = struct.unpack_from('<Q', data, pos)
                pos += 12
                ev = event_pb2.Event()
                ev.ParseFromString(data[pos:pos + length])
                pos += length + 4
                if ev.file_version:
                    print('version', ev.file_version)
                for v in ev.summary.value:
                    if v.HasField('tensor'):
                        print('text', v.tag, v.metadata.plugin_data.plugin_name, v.tensor.dtype, v.tensor.string_val[0].decode().splitlines()[2])
                    else:
                        print('scalar', v.tag, ev.step, repr(v.simple_value), ev.wall_time)
            """);
        (code, output) = Tools.Run("python3", $"decode.py \"{path}\"", _dir);
        Assert.True(code == 0, output);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("version brain.Event:2", lines[0]);
        Assert.Equal("scalar charts/episodic_return 128 21.5 1700000000.25", lines[1]);
        Assert.Equal("scalar train/value_loss 1099511627776 -0.125 1700000000.25", lines[2]);
        Assert.Equal("text hyperparameters text 7 |gamma|0.99|", lines[3]);
    }
}

/// <summary>Finds and runs external tools for the tests that use them when present.</summary>
internal static class Tools
{
    public static bool Has(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    /// <summary>Reports a test that could not check anything here (xunit 2 has no dynamic skip): to the test output and stderr.</summary>
    public static void Skip(Xunit.Abstractions.ITestOutputHelper output, string message)
    {
        output.WriteLine(message);
        Console.Error.WriteLine(message);
    }

    public static bool PythonHas(string module) => Has("python3") && Run("python3", $"-c \"import {module}\"", ".").Code == 0;

    public static (int Code, string Output) Run(string file, string arguments, string workingDirectory, int timeoutMs = 120_000)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
