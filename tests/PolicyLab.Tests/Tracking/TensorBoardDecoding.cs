using System.Buffers.Binary;
using System.Text;

namespace PolicyLab.Tests.Tracking;

/// <summary>An independent reader of TensorBoard event files for the tests: bitwise CRC-32C and hand-parsed protobuf.</summary>
internal static class TensorBoardDecoding
{
    public sealed record Scalar(string Tag, long Step, float Value);

    public sealed record Decoded(List<byte[]> Records, List<Scalar> Scalars, List<(string Tag, string Text)> Texts, string? FileVersion);

    /// <summary>CRC-32C computed bit by bit (reflected polynomial 0x82F63B78), independent of the writer's.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint c = Crc32C(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }

    public static Decoded Decode(byte[] file)
    {
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < file.Length)
        {
            Assert.True(pos + 12 <= file.Length, "truncated record header");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(pos));
            Assert.Equal(Masked(file.AsSpan(pos, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8)));
            pos += 12;
            byte[] data = file.AsSpan(pos, (int)length).ToArray();
            pos += (int)length;
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos)));
            pos += 4;
            records.Add(data);
        }
        var scalars = new List<Scalar>();
        var texts = new List<(string, string)>();
        string? version = null;
        foreach (byte[] record in records)
        {
            long step = 0;
            byte[]? summary = null;
            foreach ((int field, int wire, ulong varint, byte[]? bytes) in Fields(record))
            {
                if (field == 2 && wire == 0) step = (long)varint;
                if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(bytes!);
                if (field == 5 && wire == 2) summary = bytes;
                if (field == 1) Assert.Equal(1, wire); // wall_time: double
            }
            if (summary is null) continue;
            foreach ((int field, _, _, byte[]? value) in Fields(summary))
            {
                if (field != 1) continue;
                string tag = "";
                float? simple = null;
                string? text = null;
                foreach ((int f, int w, ulong v, byte[]? b) in Fields(value!))
                {
                    if (f == 1) tag = Encoding.UTF8.GetString(b!);
                    if (f == 2 && w == 5) simple = BitConverter.Int32BitsToSingle((int)v);
                    if (f == 8) text = Fields(b!).Where(t => t.Field == 8).Select(t => Encoding.UTF8.GetString(t.Bytes!)).Single();
                }
                if (simple is float s) scalars.Add(new Scalar(tag, step, s));
                if (text is not null) texts.Add((tag, text));
            }
        }
        return new Decoded(records, scalars, texts, version);
    }

    /// <summary>Protobuf fields: (number, wire type, varint or fixed value, bytes of a length-delimited field).</summary>
    public static List<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, int, ulong, byte[]?)>();
        int pos = 0;
        while (pos < message.Length)
        {
            ulong key = Varint(message, ref pos);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add((field, wire, Varint(message, ref pos), null)); break;
                case 1: fields.Add((field, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(pos)), null)); pos += 8; break;
                case 5: fields.Add((field, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(pos)), null)); pos += 4; break;
                case 2:
                    int length = (int)Varint(message, ref pos);
                    fields.Add((field, wire, 0, message.AsSpan(pos, length).ToArray()));
                    pos += length;
                    break;
                default: throw new InvalidDataException($"unexpected wire type {wire}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] data, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
