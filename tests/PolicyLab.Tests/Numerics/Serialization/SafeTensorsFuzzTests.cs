using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Numerics.Serialization;

public sealed class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 20_000;

    private static readonly string[] DTypeNames =
        ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "F8_E4M3", "F8_E5M2", "F4", "C64", "f32", "", "F32 "];

    private static readonly string[] NumberReplacements =
        ["0", "1", "-1", "3", "4", "7", "8", "16", "1.5", "1e3", "4.0", "-0", "2147483647", "2147483648", "4294967296",
         "9223372036854775807", "18446744073709551615", "18446744073709551616", "99999999999999999999999999", "null", "\"4\"", "[]", "{}"];

    private static List<byte[]> Seeds()
    {
        var rng = new Rng(7UL);
        var big = new float[6 * 5];
        rng.FillNormal(big);
        return
        [
            SafeTensors.Serialize(
                [
                    new NamedTensor("pi.0.weight", [6, 5], big),
                    new NamedTensor("pi.0.bias", [6], [1f, 2f, 3f, 4f, 5f, 6f]),
                    NamedTensor.I64("step", [], [12345]),
                    NamedTensor.U64("rng", [4], rng.GetState()),
                    NamedTensor.F64("mean", [2], [0.5, -0.25]),
                ],
                new Dictionary<string, string> { ["format"] = "pt", ["algo"] = "ppo" }),
            SafeTensors.Serialize([new NamedTensor("s", [], [3f])]),
            SafeTensors.Serialize([new NamedTensor("e", [0, 4], ReadOnlySpan<float>.Empty), NamedTensor.I32("c", [3], [1, 2, 3])]),
            SafeTensorsTestFiles.Build(
                """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[4,8]},"q":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}""",
                [0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F, 0x00, 0x3F, 1, 2, 3]),
            SafeTensors.Serialize([]),
        ];
    }

    [Fact]
    public void Mutated_files_either_parse_consistently_or_throw_SafeTensorsFormatException()
    {
        List<byte[]> seeds = Seeds();
        foreach (byte[] seed in seeds)
            CheckParsed(seed, SafeTensors.Read(seed, "seed"));

        var rng = new Rng(20261122UL);
        var stopwatch = Stopwatch.StartNew();
        int parsed = 0, rejected = 0;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Cases; i++)
        {
            byte[] seed = seeds[rng.NextInt(seeds.Count)];
            int rounds = rng.NextInt(4) == 0 ? 2 : 1;
            byte[] bytes = seed;
            var applied = new List<string>();
            for (int r = 0; r < rounds; r++)
                bytes = Mutate(bytes, rng, applied);

            string source = $"fuzz-{i}";
            try
            {
                SafeTensorsFile file = SafeTensors.Read(bytes, source);
                CheckParsed(bytes, file);
                parsed++;
            }
            catch (SafeTensorsFormatException e)
            {
                Assert.StartsWith($"weights file '{source}' is damaged: ", e.Message, StringComparison.Ordinal);
                Assert.EndsWith("; re-save the checkpoint or pick an earlier one.", e.Message, StringComparison.Ordinal);
                rejected++;
                string problem = e.Message[$"weights file '{source}' is damaged: ".Length..];
                string kind = string.Join(' ', problem.Split(' ').Where(w => !w.Contains('\'', StringComparison.Ordinal) && !w.Any(char.IsAsciiDigit)).Take(6));
                reasons[kind] = reasons.GetValueOrDefault(kind) + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"Case {i} ({string.Join(", ", applied)}) threw {e.GetType().Name}: {e.Message}\n" +
                    $"Bytes: {Convert.ToHexString(bytes)}");
            }
        }
        output.WriteLine($"{parsed} parsed, {rejected} rejected in {stopwatch.ElapsedMilliseconds} ms");
        foreach ((string kind, int count) in reasons.OrderByDescending(p => p.Value))
            output.WriteLine($"{count,5}  {kind}");
        Assert.True(reasons.Count >= 20, $"only {reasons.Count} kinds of rejection were seen");
        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutations were rejected");
        Assert.True(parsed > 0, "no mutation survived; the mutations are too destructive to test the accept path");
        // No wall-time bound (a loaded machine would fail it); the time is logged above, and a hang shows as a hung test.
    }

    /// <summary>Everything a successful parse promises: in-bounds offsets, sizes that match shapes,
    /// full coverage of the data region, and working conversions.</summary>
    private static void CheckParsed(byte[] bytes, SafeTensorsFile file)
    {
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long dataLength = bytes.Length - 8 - headerLength;
        Assert.True(dataLength >= 0);
        long covered = 0;
        foreach (SafeTensor t in file.Tensors)
        {
            long count = 1;
            foreach (int dim in t.Shape)
            {
                Assert.True(dim >= 0);
                count *= dim;
            }
            Assert.Equal(count, t.ElementCount);
            Assert.Equal(count * t.DType.ElementSize(), t.Data.Length);
            Assert.True(t.DataOffset >= 0 && t.DataOffset + t.Data.Length <= dataLength);
            Assert.True(bytes.AsSpan(checked((int)(8 + headerLength + t.DataOffset)), t.Data.Length).SequenceEqual(t.Data.Span));
            covered += t.Data.Length;
            if (t.DType.IsFloatingPoint())
                Assert.Equal(count, t.ToFloat32().Length);
            else if (t.DType.IsInteger())
                Assert.Equal(count, t.ToInt64().Length);
        }
        Assert.Equal(dataLength, covered);
    }

    private static byte[] Mutate(byte[] bytes, Rng rng, List<string> applied)
    {
        switch (rng.NextInt(9))
        {
            case 0:
            {
                applied.Add("byte flips");
                byte[] copy = (byte[])bytes.Clone();
                if (copy.Length == 0)
                    return copy;
                int flips = 1 + rng.NextInt(4);
                for (int k = 0; k < flips; k++)
                    copy[rng.NextInt(copy.Length)] = (byte)rng.NextInt(256);
                return copy;
            }
            case 1:
                applied.Add("truncation");
                return bytes[..rng.NextInt(bytes.Length + 1)];
            case 2:
            {
                applied.Add("header length rewrite");
                byte[] copy = (byte[])bytes.Clone();
                if (copy.Length < 8)
                    return copy;
                ulong old = BinaryPrimitives.ReadUInt64LittleEndian(copy);
                ulong value = rng.NextInt(5) switch
                {
                    0 => rng.NextUInt64(),
                    1 => (ulong)rng.NextInt(copy.Length + 16),
                    2 => unchecked(old + (ulong)rng.NextInt(-8, 9)),
                    3 => (ulong)copy.Length,
                    _ => (ulong)SafeTensors.MaxHeaderBytes + (ulong)rng.NextInt(-1, 2),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(copy, value);
                return copy;
            }
            case 3:
                applied.Add("appended garbage");
                return [.. bytes, .. RandomBytes(rng, 1 + rng.NextInt(16))];
            default:
                return EditJson(bytes, rng, applied);
        }
    }

    private static byte[] RandomBytes(Rng rng, int count)
    {
        var garbage = new byte[count];
        for (int k = 0; k < count; k++)
            garbage[k] = (byte)rng.NextInt(256);
        return garbage;
    }

    /// <summary>Edits the header text, then usually re-frames it with a correct header length.</summary>
    private static byte[] EditJson(byte[] bytes, Rng rng, List<string> applied)
    {
        if (bytes.Length < 8)
            return bytes;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8))
            return bytes;
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        byte[] data = bytes[(8 + (int)n)..];

        switch (rng.NextInt(7))
        {
            case 6:
            {
                applied.Add("offset shift");
                // Move one tensor's [begin, end] by the same amount: sizes still match, layout breaks.
                var matches = System.Text.RegularExpressions.Regex.Matches(header, @"""data_offsets"":\[(\d+),(\d+)\]");
                if (matches.Count == 0)
                    break;
                var m = matches[rng.NextInt(matches.Count)];
                long b = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                long e = long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                long delta = Math.Max(-b, rng.NextInt(-12, 13));
                header = string.Concat(header.AsSpan(0, m.Index), $"\"data_offsets\":[{b + delta},{e + delta}]", header.AsSpan(m.Index + m.Length));
                break;
            }
            case 0:
            {
                applied.Add("number edit");
                var numbers = new List<(int Start, int Length)>();
                for (int k = 0; k < header.Length; k++)
                {
                    if (!char.IsAsciiDigit(header[k]))
                        continue;
                    int start = k;
                    while (k < header.Length && char.IsAsciiDigit(header[k]))
                        k++;
                    numbers.Add((start, k - start));
                }
                if (numbers.Count == 0)
                    break;
                (int s, int len) = numbers[rng.NextInt(numbers.Count)];
                string replacement = rng.NextInt(2) == 0
                    ? NumberReplacements[rng.NextInt(NumberReplacements.Length)]
                    : rng.NextInt(0, 64).ToString(System.Globalization.CultureInfo.InvariantCulture);
                header = string.Concat(header.AsSpan(0, s), replacement, header.AsSpan(s + len));
                break;
            }
            case 1:
            {
                applied.Add("dtype swap");
                int at = header.IndexOf("\"dtype\":\"", StringComparison.Ordinal);
                var positions = new List<int>();
                while (at >= 0)
                {
                    positions.Add(at);
                    at = header.IndexOf("\"dtype\":\"", at + 1, StringComparison.Ordinal);
                }
                if (positions.Count == 0)
                    break;
                int p = positions[rng.NextInt(positions.Count)] + "\"dtype\":\"".Length;
                int close = header.IndexOf('"', p);
                header = string.Concat(header.AsSpan(0, p), DTypeNames[rng.NextInt(DTypeNames.Length)], header.AsSpan(close));
                break;
            }
            case 2:
            {
                applied.Add("duplicate entry");
                // Copy the first tensor (or metadata) entry: "name":{...}
                int start = header.IndexOf('"');
                int close = header.IndexOf('}', start < 0 ? 0 : start);
                if (start < 0 || close < 0)
                    break;
                if (header[start..close].Contains("__metadata__", StringComparison.Ordinal))
                    close = header.IndexOf('}', close + 1);
                if (close < 0)
                    break;
                string entry = header[start..(close + 1)];
                header = header.Insert(start, entry + ",");
                break;
            }
            case 3:
            {
                applied.Add("field removal or rename");
                string[] fields = ["\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\""];
                string field = fields[rng.NextInt(fields.Length)];
                int at = header.IndexOf(field, StringComparison.Ordinal);
                if (at < 0)
                    break;
                header = rng.NextInt(2) == 0
                    ? string.Concat(header.AsSpan(0, at), "\"extra\"", header.AsSpan(at + field.Length))
                    : string.Concat(header.AsSpan(0, at), "\"x\":1,", header.AsSpan(at));
                break;
            }
            case 4:
            {
                applied.Add("structural character edit");
                char[] chars = ['{', '}', '[', ']', ',', ':', '"', ' ', '\\'];
                int k = rng.NextInt(header.Length + 1);
                header = rng.NextInt(2) == 0 || header.Length == 0
                    ? header.Insert(k, chars[rng.NextInt(chars.Length)].ToString())
                    : header.Remove(Math.Min(k, header.Length - 1), 1);
                break;
            }
            default:
            {
                applied.Add("data resize");
                int delta = rng.NextInt(-8, 9);
                data = delta >= 0 ? [.. data, .. RandomBytes(rng, delta)] : data[..Math.Max(0, data.Length + delta)];
                break;
            }
        }

        if (rng.NextInt(5) == 0)
            header = header.TrimEnd(' ');
        byte[] h = Encoding.UTF8.GetBytes(header);
        ulong length = rng.NextInt(10) == 0 ? n : (ulong)h.Length;
        return SafeTensorsTestFiles.Build(h, data, length);
    }
}
