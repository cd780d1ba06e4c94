using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace PolicyLab.Cluster;

/// <summary>
/// <c>policylab worker</c>: a silo hosting PolicyLab's work grains. With <c>localhost:P</c> the first worker takes silo
/// port P and gateway P + 1 and holds the development membership table; later workers take free ports and join it.
/// </summary>
public static class WorkerHost
{
    /// <summary>Builds (does not start) a worker silo.</summary>
    /// <param name="spec">Where the cluster is.</param>
    /// <param name="clusterId">The cluster id: silos and clients of other ids are not admitted.</param>
    /// <param name="options">Slots, name and version of this worker.</param>
    /// <param name="primary">Set to whether this worker holds the localhost membership table.</param>
    /// <param name="tls">The cluster's certificate (<c>--tls-cert</c>): mutual TLS on every connection, peers without it refused; null for plain TCP.</param>
    public static IHost Build(ClusterSpec spec, string clusterId, WorkerOptions options, out bool primary, ClusterCertificate? tls = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ClusterNaming.Check(clusterId);
        // With localhost clustering, the worker that holds the port's lock file (released when its process ends, even by
        // SIGKILL) is the primary. Probing the port is not enough: Orleans binds with SO_REUSEPORT, so two silos started
        // together could both bind it.
        FileStream? primaryLock = spec.Kind == MembershipKind.Localhost ? TryLockPrimary(spec.Port) : null;
        bool isPrimary = primaryLock is not null;
        var builder = new HostBuilder()
            .ConfigureLogging(ClusterLogging.Configure)
            .ConfigureServices(services =>
            {
                services.AddSingleton(options);
                if (primaryLock is not null) services.AddSingleton(primaryLock);
            })
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, ClusterNaming.ServiceId));
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    ClusterTimeouts.Membership(o);
                    o.MaxJoinAttemptTime = options.JoinTimeout ?? ClusterTimeouts.Join;
                });
                silo.Configure<ConnectionOptions>(ClusterTimeouts.Connections);
                if (tls is not null) silo.UseTls(tls.Certificate, tls.Configure);
                if (spec.Kind == MembershipKind.Localhost)
                {
                    if (isPrimary)
                        silo.UseLocalhostClustering(spec.Port, spec.PrimaryGatewayPort, null, ClusterNaming.ServiceId, clusterId);
                    else
                        silo.UseLocalhostClustering(FreePort(), FreePort(), new IPEndPoint(IPAddress.Loopback, spec.Port), ClusterNaming.ServiceId, clusterId);
                }
                else
                {
                    // Redis keeps the membership table, so any worker may die. The silo advertises loopback when Redis is
                    // on this machine, else this machine's first IPv4 address, and takes free silo and gateway ports.
                    IPAddress advertised = AdvertisedAddress(spec.Host);
                    silo.UseRedisClustering(spec.RedisConfiguration);
                    silo.ConfigureEndpoints(advertised, FreePort(), FreePort(), listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
                }
            });
        try
        {
            IHost host = builder.Build();
            primary = isPrimary;
            return host;
        }
        catch
        {
            primaryLock?.Dispose();
            throw;
        }
    }

    /// <summary>The address this silo advertises to the others: loopback for a Redis on this machine, else the first
    /// non-loopback IPv4 address of this machine.</summary>
    public static IPAddress AdvertisedAddress(string redisHost)
    {
        if (redisHost is "localhost" || (IPAddress.TryParse(redisHost, out IPAddress? ip) && IPAddress.IsLoopback(ip)))
            return IPAddress.Loopback;
        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? throw new PolicyLabException($"This machine has no IPv4 address other than loopback to advertise to the cluster at redis://{redisHost}; connect it to the cluster's network.");
    }

    private static FileStream? TryLockPrimary(int port)
    {
        string path = Path.Combine(Path.GetTempPath(), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"policylab-cluster-{port}.lock"));
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>The names every member of a PolicyLab cluster shares.</summary>
public static class ClusterNaming
{
    /// <summary>Orleans' service id of every PolicyLab cluster.</summary>
    public const string ServiceId = "policylab";

    /// <summary>The default cluster id.</summary>
    public const string DefaultClusterId = "policylab";

    /// <summary>Checks a cluster id.</summary>
    /// <exception cref="PolicyLabException">It is empty or has characters other than letters, digits, '-', '_' and '.'.</exception>
    public static void Check(string clusterId)
    {
        if (string.IsNullOrWhiteSpace(clusterId) || !clusterId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new PolicyLabException($"--cluster-id '{clusterId}' is not a valid cluster id; use letters, digits, '-', '_' and '.'.");
    }
}

/// <summary>Failure-detection and message timeouts of PolicyLab clusters (tighter than Orleans' defaults: a dead worker's
/// units are re-issued after a few seconds, not a minute).</summary>
public static class ClusterTimeouts
{
    /// <summary>Probes time out after 5 s; three missed probes (about 15 s) declare a silo dead (Orleans' defaults).
    /// Tighter timeouts re-issue a dead worker's units sooner but declare live ones dead on a loaded 2-core machine: at
    /// load 20, 3 s probes killed a worker that was still compiling its code just after it joined (1 s did so at once).</summary>
    public static void Membership(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = TimeSpan.FromSeconds(5);
        options.NumMissedProbesLimit = 3;
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        options.MaxJoinAttemptTime = Join;
    }

    /// <summary>How long a silo keeps trying to join (<c>policylab worker --join-timeout</c> changes it): a silo that cannot
    /// reach the cluster's members, or is refused by them (another cluster id, no certificate), exits after it.</summary>
    public static readonly TimeSpan Join = TimeSpan.FromSeconds(30);

    /// <summary>A connection may take 30 s to open (Orleans' default is 5 s, which silos and drivers starved of CPU on a
    /// loaded machine missed again and again).</summary>
    public static void Connections(ConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.OpenConnectionTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>How long a driver waits for membership (any gateway's answer) before it counts every silo it knows as
    /// unreachable, i.e. gone: their units go elsewhere, and with none left the wait for workers (--cluster-wait) runs.
    /// This is how a driver notices that a Redis cluster's last silo died, which no member is left to vote dead.</summary>
    public static readonly TimeSpan MembershipRead = TimeSpan.FromSeconds(10);

    /// <summary>How often a driver re-reads the list of gateways from membership.</summary>
    public static readonly TimeSpan GatewayListRefresh = TimeSpan.FromSeconds(1);

    /// <summary>How long one unit may run before the driver gives up waiting for it (Orleans' response timeout).</summary>
    public static readonly TimeSpan Unit = TimeSpan.FromMinutes(10);
}

/// <summary>Orleans' own log: only critical events on standard error (PolicyLab reports failures itself), everything with POLICYLAB_CLUSTER_LOG=1.</summary>
public static class ClusterLogging
{
    /// <summary>The first line of an exception's message, without its final period (Orleans nests whole inner exceptions in it).</summary>
    public static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim().TrimEnd('.');

    /// <summary>Configures a host's logging.</summary>
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        bool verbose = Environment.GetEnvironmentVariable("POLICYLAB_CLUSTER_LOG") == "1";
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Critical);
    }
}
