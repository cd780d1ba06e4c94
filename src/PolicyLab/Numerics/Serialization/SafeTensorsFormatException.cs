namespace PolicyLab.Numerics.Serialization;

/// <summary>
/// A safetensors file is damaged or is not a safetensors file at all. The message names the file and
/// the problem in plain words and suggests a fix.
/// </summary>
public sealed class SafeTensorsFormatException : PolicyLabException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> with a complete user-facing message.</summary>
    public SafeTensorsFormatException(string sourceName, string message) : base(message) => SourceName = sourceName;

    /// <summary>Creates the exception with a complete user-facing message and the underlying cause.</summary>
    public SafeTensorsFormatException(string sourceName, string message, Exception inner) : base(message, inner)
        => SourceName = sourceName;

    /// <summary>The file (or other source) that failed to parse.</summary>
    public string SourceName { get; }

    internal static SafeTensorsFormatException Damaged(string sourceName, string problem, Exception? inner = null)
    {
        string message = $"weights file '{sourceName}' is damaged: {problem}; re-save the checkpoint or pick an earlier one.";
        return inner is null ? new(sourceName, message) : new(sourceName, message, inner);
    }
}
