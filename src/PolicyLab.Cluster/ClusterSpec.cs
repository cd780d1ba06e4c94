using System.Globalization;

namespace PolicyLab.Cluster;

/// <summary>How the cluster's members find each other: Orleans' development clustering on this machine, or a Redis membership table.</summary>
public enum MembershipKind
{
    /// <summary><c>localhost[:port]</c>: development clustering on loopback; the first worker holds the membership table.</summary>
    Localhost,
    /// <summary><c>redis://host:port</c>: Orleans' Redis clustering provider.</summary>
    Redis,
}

/// <summary>
/// A parsed <c>--cluster</c> value: <c>localhost</c> or <c>localhost:PORT</c> (the first worker's silo port, its
/// gateway on PORT + 1; default 11111), or <c>redis://HOST:PORT</c>.
/// </summary>
/// <param name="Kind">The membership provider.</param>
/// <param name="Host">localhost, or the Redis host.</param>
/// <param name="Port">The primary silo port (localhost) or the Redis port.</param>
public sealed record ClusterSpec(MembershipKind Kind, string Host, int Port)
{
    /// <summary>The default primary silo port of <c>localhost</c>.</summary>
    public const int DefaultLocalPort = 11111;

    /// <summary>The gateway port of the first worker with localhost clustering.</summary>
    public int PrimaryGatewayPort => Port + 1;

    /// <summary>The StackExchange.Redis configuration string of a Redis spec ("host:port").</summary>
    public string RedisConfiguration => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="PolicyLabException">The text is not one of the accepted forms.</exception>
    public static ClusterSpec Parse(string? text)
    {
        string value = (text ?? "").Trim();
        const string Forms = "--cluster takes localhost, localhost:PORT (the first worker's silo port, 1024–65534) or redis://HOST:PORT";
        if (value.Length == 0)
            throw new PolicyLabException($"--cluster is empty; {Forms}.");
        if (value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            string rest = value["redis://".Length..].TrimEnd('/');
            int colon = rest.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int redisPort) || redisPort is < 1 or > 65535)
                throw new PolicyLabException($"--cluster '{value}' is malformed: a Redis address needs a host and a port, e.g. redis://127.0.0.1:6379; {Forms}.");
            return new ClusterSpec(MembershipKind.Redis, rest[..colon], redisPort);
        }
        string[] parts = value.Split(':');
        if (!parts[0].Equals("localhost", StringComparison.OrdinalIgnoreCase) || parts.Length > 2)
            throw new PolicyLabException($"--cluster '{value}' is not understood; {Forms}.");
        if (parts.Length == 1) return new ClusterSpec(MembershipKind.Localhost, "localhost", DefaultLocalPort);
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1024 or > 65534)
            throw new PolicyLabException($"--cluster '{value}' has a bad port '{parts[1]}'; {Forms}.");
        return new ClusterSpec(MembershipKind.Localhost, "localhost", port);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == MembershipKind.Redis
        ? string.Create(CultureInfo.InvariantCulture, $"redis://{Host}:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"localhost:{Port}");
}
