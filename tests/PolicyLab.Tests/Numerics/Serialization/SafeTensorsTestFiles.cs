using System.Buffers.Binary;
using System.Text;

namespace PolicyLab.Tests.Numerics.Serialization;

/// <summary>Builds safetensors bytes by hand, independently of the writer.</summary>
internal static class SafeTensorsTestFiles
{
    public static byte[] Build(string header, byte[] data, ulong? headerLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        return Build(h, data, headerLength ?? (ulong)h.Length);
    }

    public static byte[] Build(byte[] header, byte[] data, ulong headerLength)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static string TempDir() => Directory.CreateTempSubdirectory("policylab-st-").FullName;
}
