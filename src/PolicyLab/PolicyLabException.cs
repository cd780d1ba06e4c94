namespace PolicyLab;

/// <summary>
/// An error caused by the user's input (an unknown id, a bad value, a damaged file). Its message is
/// one plain paragraph that names the problem and the fix; the CLI prints it without a stack trace
/// and exits with code 2.
/// </summary>
public class PolicyLabException : Exception
{
    /// <summary>Creates the exception with its user-facing message.</summary>
    public PolicyLabException(string message) : base(message) { }

    /// <summary>Creates the exception with its user-facing message and the underlying cause.</summary>
    public PolicyLabException(string message, Exception inner) : base(message, inner) { }
}
