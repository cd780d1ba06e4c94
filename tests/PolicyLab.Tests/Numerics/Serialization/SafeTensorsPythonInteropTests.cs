using System.ComponentModel;
using System.Diagnostics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Numerics.Serialization;

/// <summary>Checks the writer's output with an independent parser (plain Python 3: struct + json).
/// Passes without checking anything when python3 is not installed.</summary>
public sealed class SafeTensorsPythonInteropTests
{
    private const string Script = """
        import json, struct, sys
        raw = open(sys.argv[1], 'rb').read()
        (n,) = struct.unpack('<Q', raw[:8])
        assert n % 8 == 0, 'header not padded'
        header = json.loads(raw[8:8 + n].decode('utf-8'))
        data = raw[8 + n:]
        meta = header.pop('__metadata__', {})
        sizes = {'F32': 4, 'F64': 8, 'I64': 8, 'I32': 4, 'U64': 8}
        fmt = {'F32': 'f', 'F64': 'd', 'I64': 'q', 'I32': 'i', 'U64': 'Q'}
        cursor = 0
        out = []
        for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
            b, e = info['data_offsets']
            assert b == cursor, 'hole or overlap'
            count = 1
            for d in info['shape']:
                count *= d
            assert e - b == count * sizes[info['dtype']], 'size mismatch'
            values = struct.unpack('<%d%s' % (count, fmt[info['dtype']]), data[b:e])
            out.append('%s %s %s %s' % (name, info['dtype'], info['shape'], list(values)))
            cursor = e
        assert cursor == len(data), 'trailing bytes'
        out.append('meta %s' % sorted(meta.items()))
        print('\n'.join(out))
        """;

    private static (int ExitCode, string Output, string Error)? RunPython(params string[] args)
    {
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        try
        {
            using Process process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                return null;
            }
            return (process.ExitCode, output.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n'), error);
        }
        catch (Win32Exception)
        {
            return null; // python3 is not installed
        }
    }

    [Fact]
    public void Python_reads_what_the_writer_wrote()
    {
        if (RunPython("-c", "print(6*7)") is not (0, "42", _))
            return; // no usable python3 on this machine: nothing to compare against

        string dir = SafeTensorsTestFiles.TempDir();
        try
        {
            string path = Path.Combine(dir, "interop.safetensors");
            SafeTensors.Write(path,
            [
                new NamedTensor("pi.0.weight", [2, 2], [0.5f, -1f, 2f, 0.25f]),
                NamedTensor.F64("stats", [1], [1.5]),
                NamedTensor.I64("step", [], [-3]),
                NamedTensor.I32("ids", [3], [1, 2, 3]),
                NamedTensor.U64("rng", [1], [ulong.MaxValue]),
            ],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é" });

            var result = RunPython("-c", Script, path);
            Assert.NotNull(result);
            Assert.True(result.Value.ExitCode == 0, result.Value.Error);
            Assert.Equal(
                """
                pi.0.weight F32 [2, 2] [0.5, -1.0, 2.0, 0.25]
                stats F64 [1] [1.5]
                step I64 [] [-3]
                ids I32 [3] [1, 2, 3]
                rng U64 [1] [18446744073709551615]
                meta [('format', 'pt'), ('note', 'é')]
                """.Replace("\r\n", "\n", StringComparison.Ordinal),
                result.Value.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
