using System.Reflection;

namespace PolicyLab;

/// <summary>The PolicyLab version recorded in run folders, checkpoints and policy files.</summary>
public static class PolicyLabVersion
{
    /// <summary>The library's informational version (e.g. <c>0.1.0+abc123</c>), or "unknown".</summary>
    public static string Current { get; } = typeof(PolicyLabVersion).Assembly
        .GetCustomAttributes(typeof(AssemblyInformationalVersionAttribute), false)
        .OfType<AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
}
