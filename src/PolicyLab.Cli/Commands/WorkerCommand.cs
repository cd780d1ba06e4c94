using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using PolicyLab.Cluster;
using PolicyLab.Environments;

namespace PolicyLab.Cli.Commands;

/// <summary>The --cluster, --cluster-id and --cluster-wait options of the commands that can run as a cluster's driver.</summary>
internal sealed class ClusterCommandOptions
{
    private readonly Option<string?> _cluster = new("--cluster") { Description = "run the parallel work on a PolicyLab cluster: localhost[:PORT] (workers on this machine) or redis://HOST:PORT; start workers with `policylab worker --cluster …`" };
    private readonly Option<string?> _clusterId = new("--cluster-id") { Description = "the cluster's id (default policylab); members of other ids are not admitted" };
    private readonly Option<double?> _wait = new("--cluster-wait") { Description = "seconds to wait for a worker when the cluster has none (default 60)" };
    private readonly Option<string?> _tls = new("--tls-cert") { Description = "the cluster's certificate (PFX, password in POLICYLAB_TLS_PASSWORD, or PEM with its key): mutual TLS with the workers, which must hold the same file" };

    public static ClusterCommandOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_cluster);
        command.Options.Add(_clusterId);
        command.Options.Add(_wait);
        command.Options.Add(_tls);
    }

    /// <summary>The algorithms whose parallel work a cluster runs so far.</summary>
    public static readonly string[] Distributed = ["es", "cem", "hill_climbing", "ppo", "a2c", "vpg", "trpo", "npg"];

    /// <summary>Rejects --cluster for an algorithm whose work it would not distribute.</summary>
    public void CheckAlgorithm(ParseResult parse, string algorithm)
    {
        if (parse.GetValue(_cluster) is not null && !Distributed.Contains(algorithm))
            throw new PolicyLabException($"--cluster distributes the work of {string.Join(", ", Distributed)} so far; {algorithm} trains in-process only. Drop --cluster.");
    }

    /// <summary>The driver for --cluster, or null without it.</summary>
    public ClusterDriver? Connect(ParseResult parse)
    {
        if (parse.GetValue(_cluster) is not string text)
        {
            if (parse.GetValue(_clusterId) is not null || parse.GetValue(_wait) is not null || parse.GetValue(_tls) is not null)
                throw new PolicyLabException("--cluster-id, --cluster-wait and --tls-cert need --cluster SPEC (e.g. --cluster localhost).");
            return null;
        }
        ClusterSpec spec = ClusterSpec.Parse(text);
        double wait = parse.GetValue(_wait) ?? 60;
        if (!(wait > 0) || wait > 86_400)
            throw new PolicyLabException($"--cluster-wait must lie in (0, 86400] seconds; got {wait.ToString(CultureInfo.InvariantCulture)}.");
        ClusterCertificate? tls = parse.GetValue(_tls) is string path ? ClusterCertificate.Load(path) : null;
        return ClusterDriver.Connect(spec, parse.GetValue(_clusterId) ?? ClusterNaming.DefaultClusterId, TimeSpan.FromSeconds(wait), tls);
    }
}

/// <summary>`policylab worker`: a worker silo of a PolicyLab cluster, until Ctrl-C or SIGTERM.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster") { Description = "the cluster to join: localhost[:PORT] or redis://HOST:PORT", Required = true };
        var clusterId = new Option<string?>("--cluster-id") { Description = "the cluster's id (default policylab)" };
        var threads = new Option<int?>("--threads") { Description = "units this worker runs at once (default: one per core)" };
        var name = new Option<string?>("--name") { Description = "the name the driver's messages use for this worker (default host:pid)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "the cluster's certificate (PFX, password in POLICYLAB_TLS_PASSWORD, or PEM with its key): mutual TLS, members without this same certificate are refused" };
        var envAssembly = new Option<string?>("--env-assembly") { Description = "a .dll that registers your own environments (IEnvironmentRegistration), for drivers that train them (`train --env-assembly` the same file)" };
        var joinTimeout = new Option<double?>("--join-timeout") { Description = "seconds to keep trying to join the cluster before giving up (default 30)" };
        var command = new Command("worker", "Run a worker of a PolicyLab cluster: it evaluates candidates and collects rollouts for `train --cluster`.")
        {
            cluster, clusterId, threads, name, tlsCert, envAssembly, joinTimeout,
        };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            ClusterSpec spec = ClusterSpec.Parse(parse.GetValue(cluster));
            int slots = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (slots is < 1 or > 1024)
                throw new PolicyLabException($"--threads must lie in [1, 1024]; got {slots}.");
            string id = parse.GetValue(clusterId) ?? ClusterNaming.DefaultClusterId;
            string workerName = parse.GetValue(name) ?? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
            string version = Environment.GetEnvironmentVariable("POLICYLAB_WORKER_VERSION_OVERRIDE") is { Length: > 0 } v ? v : PolicyLabVersion.Current;
            double join = parse.GetValue(joinTimeout) ?? ClusterTimeouts.Join.TotalSeconds;
            if (!(join > 0) || join > 86_400)
                throw new PolicyLabException($"--join-timeout must lie in (0, 86400] seconds; got {join.ToString(CultureInfo.InvariantCulture)}.");
            if (parse.GetValue(envAssembly) is string assembly) EnvironmentAssemblies.Load(assembly);
            using ClusterCertificate? tls = parse.GetValue(tlsCert) is string path ? ClusterCertificate.Load(path) : null;
            using IHost host = WorkerHost.Build(spec, id, new WorkerOptions(slots, workerName, version, TimeSpan.FromSeconds(join)), out bool primary, tls);
            try
            {
                host.StartAsync().GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // whatever Orleans throws when joining fails, the user needs the same advice
            catch (Exception e) when (e is not PolicyLabException)
#pragma warning restore CA1031
            {
                throw new PolicyLabException($"This worker could not join the PolicyLab cluster '{id}' at {spec} ({e.GetType().Name}: {ClusterLogging.FirstLine(e)}). " +
                    "Check the address, that --cluster-id matches the cluster's (members of another id are not admitted) " +
                    "and that --tls-cert is the cluster's certificate, or absent when the cluster has none (members without it are refused).");
            }
            Console.WriteLine($"worker ready: {workerName}, {slots} slot(s), cluster '{id}' at {spec}{(tls is null ? "" : ", TLS")}{(primary ? " (holds the membership table)" : "")}");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onInterrupt = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onInterrupt;
            using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                stop.Token.WaitHandle.WaitOne();
            }
            finally
            {
                Console.CancelKeyPress -= onInterrupt;
            }
            host.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            Console.WriteLine("worker stopped.");
            return 0;
        }));
        return command;
    }
}
