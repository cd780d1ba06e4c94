using System.Globalization;

namespace PolicyLab.Configuration;

/// <summary>
/// Whole numbers as people write step counts and seeds: <c>100000</c>, <c>1e5</c>, <c>100k</c>, <c>2.5M</c>,
/// <c>1_000_000</c>, <c>100000.0</c>. Parsed exactly (no rounding through a double), within a range whose upper end
/// is at most 2⁵³ so that every value also survives JSON and YAML readers that hold numbers as doubles.
/// </summary>
public static class WholeNumber
{
    /// <summary>2⁵³: the largest integer every double-based reader represents exactly.</summary>
    public const long MaxExact = 1L << 53;

    /// <summary>Parses <paramref name="text"/> as a whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="FormatException">Not a whole number, or outside the range (the message says which).</exception>
    public static long Parse(string text, long min = long.MinValue, long max = MaxExact)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().Replace("_", "", StringComparison.Ordinal);
        decimal scale = 1;
        if (t.Length > 1)
        {
            switch (t[^1])
            {
                case 'k' or 'K': scale = 1e3m; t = t[..^1]; break;
                case 'M': scale = 1e6m; t = t[..^1]; break;
                case 'G' or 'B': scale = 1e9m; t = t[..^1]; break;
            }
        }
        if (t.Length > 0 && t.Length <= 40 && !decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double huge) && Math.Abs(huge) >= 1e28)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is too {(huge > 0 ? "large" : "small")} (at {(huge > 0 ? "most" : "least")} {(huge > 0 ? max : min)})"));
        if (t.Length == 0 || t.Length > 40 || !decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value))
            throw new FormatException($"'{text}' is not a whole number (write e.g. 100000, 1e5, 100k or 1_000_000)");
        decimal scaled;
        try
        {
            scaled = value * scale;
        }
        catch (OverflowException)
        {
            throw new FormatException($"'{text}' is far too large (at most {max})");
        }
        if (scaled != decimal.Truncate(scaled))
            throw new FormatException($"'{text}' is not a whole number");
        if (scaled > max)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is too large (at most {max}{(max == MaxExact ? " = 2^53" : "")})"));
        if (scaled < min)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is too small (at least {min})"));
        return (long)scaled;
    }

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string text, out long value, out string? error, long min = long.MinValue, long max = MaxExact)
    {
        try
        {
            value = Parse(text, min, max);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            value = 0;
            error = e.Message;
            return false;
        }
    }
}
