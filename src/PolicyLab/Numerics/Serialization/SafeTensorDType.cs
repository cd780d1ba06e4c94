namespace PolicyLab.Numerics.Serialization;

/// <summary>The element types of the safetensors format. All multi-byte values are little-endian.</summary>
public enum SafeTensorDType
{
    /// <summary>Boolean, one byte per element (<c>BOOL</c>).</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer (<c>U8</c>).</summary>
    U8,
    /// <summary>Signed 8-bit integer (<c>I8</c>).</summary>
    I8,
    /// <summary>Signed 16-bit integer (<c>I16</c>).</summary>
    I16,
    /// <summary>Unsigned 16-bit integer (<c>U16</c>).</summary>
    U16,
    /// <summary>IEEE 754 half precision (<c>F16</c>).</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of an IEEE single (<c>BF16</c>).</summary>
    BF16,
    /// <summary>Signed 32-bit integer (<c>I32</c>).</summary>
    I32,
    /// <summary>Unsigned 32-bit integer (<c>U32</c>).</summary>
    U32,
    /// <summary>IEEE 754 single precision (<c>F32</c>).</summary>
    F32,
    /// <summary>IEEE 754 double precision (<c>F64</c>).</summary>
    F64,
    /// <summary>Signed 64-bit integer (<c>I64</c>).</summary>
    I64,
    /// <summary>Unsigned 64-bit integer (<c>U64</c>).</summary>
    U64,
    /// <summary>8-bit float with 4 exponent and 3 mantissa bits (<c>F8_E4M3</c>); readable only as raw bytes.</summary>
    F8E4M3,
    /// <summary>8-bit float with 5 exponent and 2 mantissa bits (<c>F8_E5M2</c>); readable only as raw bytes.</summary>
    F8E5M2,
}

/// <summary>Names and sizes of <see cref="SafeTensorDType"/> values as the format spells them.</summary>
public static class SafeTensorDTypes
{
    /// <summary>The size in bytes of one element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8
            or SafeTensorDType.F8E4M3 or SafeTensorDType.F8E5M2 => 1,
        SafeTensorDType.I16 or SafeTensorDType.U16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.F64 or SafeTensorDType.I64 or SafeTensorDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The name of <paramref name="dtype"/> in a safetensors header, e.g. <c>"F32"</c> or <c>"F8_E4M3"</c>.</summary>
    public static string FormatName(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => "BOOL",
        SafeTensorDType.F8E4M3 => "F8_E4M3",
        SafeTensorDType.F8E5M2 => "F8_E5M2",
        SafeTensorDType.U8 => "U8",
        SafeTensorDType.I8 => "I8",
        SafeTensorDType.I16 => "I16",
        SafeTensorDType.U16 => "U16",
        SafeTensorDType.F16 => "F16",
        SafeTensorDType.BF16 => "BF16",
        SafeTensorDType.I32 => "I32",
        SafeTensorDType.U32 => "U32",
        SafeTensorDType.F32 => "F32",
        SafeTensorDType.F64 => "F64",
        SafeTensorDType.I64 => "I64",
        SafeTensorDType.U64 => "U64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header dtype name (case-sensitive, as the format requires).</summary>
    /// <returns>Whether <paramref name="name"/> is a known dtype.</returns>
    public static bool TryParse(string name, out SafeTensorDType dtype)
    {
        switch (name)
        {
            case "BOOL": dtype = SafeTensorDType.Bool; return true;
            case "U8": dtype = SafeTensorDType.U8; return true;
            case "I8": dtype = SafeTensorDType.I8; return true;
            case "I16": dtype = SafeTensorDType.I16; return true;
            case "U16": dtype = SafeTensorDType.U16; return true;
            case "F16": dtype = SafeTensorDType.F16; return true;
            case "BF16": dtype = SafeTensorDType.BF16; return true;
            case "I32": dtype = SafeTensorDType.I32; return true;
            case "U32": dtype = SafeTensorDType.U32; return true;
            case "F32": dtype = SafeTensorDType.F32; return true;
            case "F64": dtype = SafeTensorDType.F64; return true;
            case "I64": dtype = SafeTensorDType.I64; return true;
            case "U64": dtype = SafeTensorDType.U64; return true;
            case "F8_E4M3": dtype = SafeTensorDType.F8E4M3; return true;
            case "F8_E5M2": dtype = SafeTensorDType.F8E5M2; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Whether values of <paramref name="dtype"/> convert to <see cref="float"/> (F16, BF16, F32, F64).</summary>
    public static bool IsFloatingPoint(this SafeTensorDType dtype)
        => dtype is SafeTensorDType.F16 or SafeTensorDType.BF16 or SafeTensorDType.F32 or SafeTensorDType.F64;

    /// <summary>Whether values of <paramref name="dtype"/> convert to <see cref="long"/> (BOOL and the integer types).</summary>
    public static bool IsInteger(this SafeTensorDType dtype)
        => dtype is SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8 or SafeTensorDType.I16
            or SafeTensorDType.U16 or SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.I64 or SafeTensorDType.U64;
}
