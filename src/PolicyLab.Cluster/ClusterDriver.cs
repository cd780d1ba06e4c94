using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using PolicyLab.Algorithms;
using PolicyLab.Algorithms.BlackBox;

namespace PolicyLab.Cluster;

/// <summary>
/// The driver's side of a PolicyLab cluster: an Orleans client that keeps the learner in this process and hands units
/// of work to the worker silos' slots. It follows membership (new silos get units from their first second on; the units
/// of a silo that leaves or stops answering are re-issued elsewhere) and checks each worker's PolicyLab version.
/// Results do not depend on which worker ran a unit, so a run gives the same numbers with any number of workers.
/// </summary>
public sealed partial class ClusterDriver : IScaleOut, IDisposable
{
    private readonly IHost _host;
    private readonly IClusterClient _client;
    private readonly ClusterSpec _spec;
    private readonly string _clusterId;
    private readonly TimeSpan _emptyTimeout;
    private readonly Dictionary<SiloAddress, Worker> _workers = [];
    private readonly Dictionary<SiloAddress, Task<WorkerInfo>> _describing = [];
    private readonly Stopwatch _sinceRefresh = new();
    private long? _membershipUnreadSince;
    private int _jobs;

    private ClusterDriver(IHost host, ClusterSpec spec, string clusterId, TimeSpan emptyTimeout)
    {
        (_host, _spec, _clusterId, _emptyTimeout) = (host, spec, clusterId, emptyTimeout);
        _client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Connects to the cluster and waits (up to <paramref name="emptyTimeout"/>) for at least one worker.</summary>
    /// <exception cref="PolicyLabException">The cluster cannot be reached, stays empty, or a worker runs another PolicyLab version.</exception>
    /// <param name="spec">Where the cluster is.</param>
    /// <param name="clusterId">The cluster's id.</param>
    /// <param name="emptyTimeout">How long to wait for the cluster to answer and to have a worker.</param>
    /// <param name="tls">The cluster's certificate (<c>--tls-cert</c>), or null for a cluster without TLS.</param>
    public static ClusterDriver Connect(ClusterSpec spec, string clusterId, TimeSpan emptyTimeout, ClusterCertificate? tls = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ClusterNaming.Check(clusterId);
        // Keep trying to connect until the wait is over: with Redis the driver may start before any worker.
        var clock = Stopwatch.StartNew();
        IHost host;
        while (true)
        {
            host = BuildClient(spec, clusterId, tls);
            try
            {
                // Orleans' client keeps waiting for a gateway that never answers: bound each attempt by the time left.
                TimeSpan left = emptyTimeout - clock.Elapsed;
                using var attempt = new CancellationTokenSource(left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                host.StartAsync(attempt.Token).GetAwaiter().GetResult();
                break;
            }
#pragma warning disable CA1031 // whatever Orleans throws, the user needs the same advice
            catch (Exception e)
#pragma warning restore CA1031
            {
                host.Dispose();
                if (clock.Elapsed > emptyTimeout)
                    throw new PolicyLabException(string.Create(CultureInfo.InvariantCulture,
                        $"Cannot reach the PolicyLab cluster '{clusterId}' at {spec} within {emptyTimeout.TotalSeconds:F0} s ({e.GetType().Name}: {ClusterLogging.FirstLine(e)}). ") +
                        $"Start a worker first (`policylab worker --cluster {spec}`{(clusterId == ClusterNaming.DefaultClusterId ? "" : $" --cluster-id {clusterId}")}{(tls is null ? "" : $" --tls-cert {tls.Path}")}), check the address, the cluster id " +
                        $"and the certificate ({(tls is null ? "a cluster started with --tls-cert refuses a driver without it" : "the workers' --tls-cert must be this same file")}), or wait longer with --cluster-wait SECONDS.");
                Thread.Sleep(1000);
            }
        }
        var driver = new ClusterDriver(host, spec, clusterId, emptyTimeout);
        try
        {
            driver.WaitForWorkersAsync().GetAwaiter().GetResult();
        }
        catch
        {
            driver.Dispose();
            throw;
        }
        return driver;
    }

    private static IHost BuildClient(ClusterSpec spec, string clusterId, ClusterCertificate? tls) => new HostBuilder()
        .ConfigureLogging(ClusterLogging.Configure)
        .UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, ClusterNaming.ServiceId));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClusterTimeouts.Unit);
            // Re-read the gateway list every second (Orleans' default is a minute): a membership table in Redis may still
            // list silos that were killed, and a client that knows only those waits until the next read.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = ClusterTimeouts.GatewayListRefresh);
            client.Configure<ConnectionOptions>(ClusterTimeouts.Connections);
            if (tls is not null) client.UseTls(tls.Certificate, tls.Configure);
            if (spec.Kind == MembershipKind.Localhost)
                client.UseLocalhostClustering(spec.PrimaryGatewayPort, ClusterNaming.ServiceId, clusterId);
            else
                client.UseRedisClustering(spec.RedisConfiguration);
        })
        .Build();

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"Orleans cluster '{_clusterId}' at {_spec}, {_workers.Count} worker(s), {_workers.Values.Sum(w => w.Info.Slots)} slot(s)");

    /// <summary>Workers currently known.</summary>
    public int WorkerCount => _workers.Count;

    /// <summary>Units re-issued because their worker left or stopped answering.</summary>
    public int ReissuedUnits { get; private set; }

    /// <summary>Units completed per worker name (for reports and tests).</summary>
    public Dictionary<string, int> UnitsByWorker { get; } = [];

    /// <summary>One line on what the cluster did: units per worker and units re-issued.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"cluster: {UnitsByWorker.Values.Sum()} units ({string.Join(", ", UnitsByWorker.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))}); {ReissuedUnits} re-issued") +
        RolloutSummary();

    /// <inheritdoc/>
    public IPopulationEvaluator CreatePopulationEvaluator(PopulationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.EnvironmentId.Length == 0)
            throw new PolicyLabException("Cluster workers build their environments by id; this environment was not made from a registered id.");
        return new RemotePopulationEvaluator(this, job, string.Create(CultureInfo.InvariantCulture, $"{Guid.NewGuid():N}-{_jobs++}"));
    }

    private async Task WaitForWorkersAsync()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? firstWorker = null;
        while (true)
        {
            int undescribed = await RefreshAsync(force: true).ConfigureAwait(false);
            if (_workers.Count > 0)
            {
                // Give silos that are members but did not answer yet a few seconds, so the run starts with all of them.
                firstWorker ??= clock.Elapsed;
                if (undescribed == 0 || clock.Elapsed - firstWorker > TimeSpan.FromSeconds(10)) return;
                await Task.Delay(250).ConfigureAwait(false);
                continue;
            }
            if (clock.Elapsed > _emptyTimeout)
                throw new PolicyLabException(string.Create(CultureInfo.InvariantCulture,
                    $"The PolicyLab cluster '{_clusterId}' at {_spec} has had no worker for {_emptyTimeout.TotalSeconds:F0} s. Start workers with `policylab worker --cluster {_spec}` (or wait longer with --cluster-wait SECONDS)."));
            await Task.Delay(250).ConfigureAwait(false);
        }
    }

    /// <summary>Follows membership: adds new silos (after checking their version), drops silos that are no longer active,
    /// and counts every silo gone while membership cannot be read at all (see <see cref="ClusterTimeouts.MembershipRead"/>).
    /// Never waits long: a silo's self-description is asked for once and collected at a later refresh.</summary>
    /// <returns>Active silos that did not describe themselves yet.</returns>
    private async Task<int> RefreshAsync(bool force)
    {
        if (!force && _sinceRefresh.IsRunning && _sinceRefresh.Elapsed < TimeSpan.FromSeconds(0.5)) return 0;
        _sinceRefresh.Restart();
        long reading = Stopwatch.GetTimestamp();
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(ClusterTimeouts.MembershipRead).ConfigureAwait(false);
            _membershipUnreadSince = null;
        }
#pragma warning disable CA1031 // no gateway answers: decided below, the next refresh asks again
        catch (Exception e)
#pragma warning restore CA1031
        {
            // A gateway that just died makes one read fail; the next goes through another. But when no gateway has
            // answered for MembershipRead, no silo the driver knows can be reached: count them all gone (their units go
            // back to the queue and the wait for workers runs). With Redis membership this is the only way to notice that
            // the cluster's last silo died: nobody is left to vote it dead, so the table lists it as active for ever.
            _membershipUnreadSince ??= reading;
            if (Verbose) Console.Error.WriteLine($"cluster: membership could not be read ({e.GetType().Name}: {ClusterLogging.FirstLine(e)})");
            if (Stopwatch.GetElapsedTime(_membershipUnreadSince.Value) >= ClusterTimeouts.MembershipRead && _workers.Count > 0)
            {
                if (Verbose) Console.Error.WriteLine($"cluster: no gateway answered for {ClusterTimeouts.MembershipRead.TotalSeconds:F0} s; counting {_workers.Count} worker(s) gone");
                _workers.Clear();
                _describing.Clear();
            }
            return 0;
        }
        foreach (SiloAddress gone in _workers.Keys.Where(s => !hosts.ContainsKey(s)).ToList())
            _workers.Remove(gone);
        foreach (SiloAddress gone in _describing.Keys.Where(s => !hosts.ContainsKey(s)).ToList())
            _describing.Remove(gone);
        int undescribed = 0;
        foreach (SiloAddress silo in hosts.Keys.Where(s => !_workers.ContainsKey(s)))
        {
            if (!_describing.TryGetValue(silo, out Task<WorkerInfo>? describing))
            {
                _describing[silo] = DescribeAsync(silo).WaitAsync(TimeSpan.FromSeconds(30));
                undescribed++;
                continue;
            }
            if (!describing.IsCompleted)
            {
                undescribed++;
                continue;
            }
            _describing.Remove(silo);
            if (!describing.IsCompletedSuccessfully)
            {
                // A silo that is starting or dying: ask again at the next refresh.
                if (Verbose) Console.Error.WriteLine($"cluster: silo {silo} did not describe itself yet ({describing.Exception?.GetBaseException().GetType().Name}: {(describing.Exception is { } e ? ClusterLogging.FirstLine(e.GetBaseException()) : "cancelled")})");
                undescribed++;
                continue;
            }
            WorkerInfo info = describing.Result;
            if (info.Version != PolicyLabVersion.Current)
                throw new PolicyLabException($"The worker '{info.Name}' runs PolicyLab {info.Version} but this driver runs {PolicyLabVersion.Current}; " +
                    "results are reproducible only with one version everywhere. Restart the workers with this version (or train with the version they run).");
            _workers[silo] = new Worker(silo, info);
        }
        return undescribed;
    }

    /// <summary>Asks every slot of <paramref name="silo"/> to describe itself, and checks each runs on that silo. Orleans
    /// honours the placement hint only once the placing silo's view of the cluster lists the new silo, so a slot of a
    /// silo that just joined may be activated elsewhere (its units would then run there, and the new worker would idle):
    /// such slots are deactivated and the silo is described again at a later refresh.</summary>
    private async Task<WorkerInfo> DescribeAsync(SiloAddress silo)
    {
        string expected = silo.ToParsableString();
        WorkerInfo info = await Slot(silo, 0).Describe().ConfigureAwait(false);
        var misplaced = new List<int>();
        if (info.Silo != expected) misplaced.Add(0);
        for (int slot = 1; slot < info.Slots; slot++)
            if ((await Slot(silo, slot).Describe().ConfigureAwait(false)).Silo != expected) misplaced.Add(slot);
        if (misplaced.Count == 0) return info;
        foreach (int slot in misplaced) await Slot(silo, slot).Leave().ConfigureAwait(false);
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{misplaced.Count} slot(s) of {expected} were activated on another silo; deactivated, to be placed again"));
    }

    private static bool Verbose => Environment.GetEnvironmentVariable("POLICYLAB_CLUSTER_LOG") == "1";

    private IWorkerSlot Slot(SiloAddress silo, int slot)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        return _client.GetGrain<IWorkerSlot>(string.Create(CultureInfo.InvariantCulture, $"{silo.ToParsableString()}/{slot}"));
    }

    private Task<TResult> Send<TUnit, TResult>(Worker worker, int slot, TUnit unit, Func<IWorkerSlot, TUnit, Task<TResult>> call)
    {
        // The placement hint travels in the request context of this call (and is read only when the slot's grain is activated).
        RequestContext.Set(IPlacementDirector.PlacementHintKey, worker.Silo);
        try
        {
            return call(Slot(worker.Silo, slot), unit);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>Runs candidate-evaluation units (see the generic overload).</summary>
    internal Task<UnitResult[]> RunAsync(IReadOnlyList<EvaluationUnit> units) =>
        RunAsync(units, (slot, unit) => slot.Evaluate(unit), r => (r.Error, r.Worker));

    /// <summary>Runs <paramref name="units"/> on the workers' free slots until every one has a result, re-issuing the
    /// units of workers that leave or fail to answer; the first result of a unit wins (all results of a unit are equal).</summary>
    /// <param name="units">The units.</param>
    /// <param name="call">Sends one unit to a slot.</param>
    /// <param name="describe">A result's error (null when it succeeded) and the worker that produced it.</param>
    /// <param name="roundTrips">When given, receives each successful unit's round trip as the driver saw it (µs), in completion order.</param>
    internal async Task<TResult[]> RunAsync<TUnit, TResult>(IReadOnlyList<TUnit> units, Func<IWorkerSlot, TUnit, Task<TResult>> call,
        Func<TResult, (string? Error, string Worker)> describe, List<(int Unit, long Microseconds)>? roundTrips = null) where TResult : class
    {
        var results = new TResult?[units.Count];
        var pending = new Queue<int>(Enumerable.Range(0, units.Count));
        var running = new Dictionary<Task<TResult>, (int Unit, Worker Worker, int Slot, long Started)>();
        var empty = new Stopwatch();
        int remaining = units.Count;
        while (remaining > 0)
        {
            await RefreshAsync(force: false).ConfigureAwait(false);
            // Units on silos that left membership go back to the queue at once.
            foreach (var (task, (unit, worker, slot, _)) in running.Where(r => !_workers.ContainsKey(r.Value.Worker.Silo)).ToList())
            {
                running.Remove(task);
                if (results[unit] is null) { pending.Enqueue(unit); ReissuedUnits++; }
            }
            if (_workers.Count == 0)
            {
                if (!empty.IsRunning) empty.Restart();
                if (empty.Elapsed > _emptyTimeout)
                    throw new PolicyLabException(string.Create(CultureInfo.InvariantCulture,
                        $"Every worker of the PolicyLab cluster '{_clusterId}' at {_spec} is gone and none came back within {_emptyTimeout.TotalSeconds:F0} s; the run stops here (its last checkpoint is intact). Start workers with `policylab worker --cluster {_spec}` and resume the run."));
            }
            else
            {
                empty.Reset();
            }
            foreach (Worker worker in _workers.Values)
            {
                for (int slot = 0; slot < worker.Info.Slots && pending.Count > 0; slot++)
                {
                    if (running.Values.Any(r => r.Worker.Silo.Equals(worker.Silo) && r.Slot == slot)) continue;
                    int unit = pending.Dequeue();
                    if (results[unit] is not null) { slot--; continue; }
                    running[Send(worker, slot, units[unit], call)] = (unit, worker, slot, Stopwatch.GetTimestamp());
                }
            }
            if (running.Count == 0)
            {
                await Task.Delay(250).ConfigureAwait(false);
                continue;
            }
            Task finished = await Task.WhenAny(running.Keys.Append(Task.Delay(500))).ConfigureAwait(false);
            if (finished is not Task<TResult> done || !running.Remove(done, out var issued)) continue;
            if (done.IsCompletedSuccessfully)
            {
                TResult result = done.Result;
                (string? error, string name) = describe(result);
                if (error is not null)
                    throw new PolicyLabException($"A unit failed on worker '{name}': {error.TrimEnd('.')}. The run stops here; its last checkpoint is intact (resume it once the cause is fixed).");
                if (results[issued.Unit] is null)
                {
                    results[issued.Unit] = result;
                    remaining--;
                    UnitsByWorker[name] = UnitsByWorker.GetValueOrDefault(name) + 1;
                    roundTrips?.Add((issued.Unit, (long)Stopwatch.GetElapsedTime(issued.Started).TotalMicroseconds));
                }
            }
            else
            {
                // The call itself failed (the silo died, the connection broke, the call timed out): forget the silo
                // until membership shows it again, and give the unit to someone else.
                _workers.Remove(issued.Worker.Silo);
                if (results[issued.Unit] is null) { pending.Enqueue(issued.Unit); ReissuedUnits++; }
            }
        }
        return results!;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            _host.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // a cluster that is already gone cannot be left more cleanly
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        _host.Dispose();
    }

    private sealed record Worker(SiloAddress Silo, WorkerInfo Info);

    /// <summary>Splits each population into units of consecutive candidates (whole antithetic pairs) and gathers the episodes.</summary>
    private sealed class RemotePopulationEvaluator(ClusterDriver driver, PopulationJob job, string key) : IPopulationEvaluator
    {
        private PopulationJobMessage? _message;

        public void Evaluate(Population population, long iteration, double[] returns, int[] lengths)
        {
            _message ??= PopulationJobMessage.From(key, job, population.Dimension);
            int count = population.Count, d = population.Dimension, episodes = job.EpisodesPerCandidate;
            int slots = Math.Max(1, driver._workers.Values.Sum(w => w.Info.Slots));
            // About two units per slot (so a slow slot does not hold the iteration up), at least one pair per unit.
            int size = Math.Max(2, (count + 2 * slots - 1) / (2 * slots));
            size += size % 2;
            var units = new List<EvaluationUnit>();
            float[]? center = population.Center is { } theta ? (float[])theta.Clone() : null;
            for (int first = 0; first < count; first += size)
            {
                int n = Math.Min(size, count - first);
                float[]? vectors = null;
                if (population.Explicit is { } all)
                    vectors = all.AsSpan((first - population.ExplicitFirst) * d, n * d).ToArray();
                units.Add(new EvaluationUnit(_message, iteration, first, n, vectors, center, population.Sigma, population.NoiseSeed));
            }
            UnitResult[] results = driver.RunAsync(units).GetAwaiter().GetResult();
            for (int u = 0; u < units.Count; u++)
            {
                int offset = units[u].First * episodes, slotCount = units[u].Count * episodes;
                if (results[u].Returns.Length != slotCount || results[u].Lengths.Length != slotCount)
                    throw new PolicyLabException($"Worker '{results[u].Worker}' returned {results[u].Returns.Length} episodes for a unit of {slotCount}; driver and worker disagree.");
                results[u].Returns.CopyTo(returns, offset);
                results[u].Lengths.CopyTo(lengths, offset);
            }
        }

        public void Dispose() { }
    }
}
