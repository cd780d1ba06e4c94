using System.Diagnostics;
using System.Globalization;
using PolicyLab.Algorithms.OnPolicy;

namespace PolicyLab.Cluster;

/// <summary>On-policy rollouts on the cluster: one unit per worker slot and rollout, each a contiguous group of copies.</summary>
public sealed partial class ClusterDriver
{
    private readonly List<long> _rolloutRoundTrips = [], _rolloutCompute = [];
    private long _rolloutSteps, _rolloutTicks;

    /// <inheritdoc/>
    public IRolloutUnits CreateRolloutUnits(RolloutJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new RemoteRolloutUnits(this, RolloutJobMessage.From(string.Create(CultureInfo.InvariantCulture, $"{Guid.NewGuid():N}-{_jobs++}"), job));
    }

    /// <summary>Environment steps collected in rollouts on the cluster, and the wall time the driver waited for them.</summary>
    public (long Steps, TimeSpan Elapsed) RolloutThroughput => (_rolloutSteps, TimeSpan.FromTicks(_rolloutTicks));

    /// <summary>Median per-unit overhead of rollout units (µs): the driver's round trip minus the worker's compute time,
    /// i.e. the grain call, serialization and transfer both ways; null before any unit.</summary>
    public (long RoundTrip, long Compute, long Overhead)? MedianRolloutUnit
    {
        get
        {
            if (_rolloutRoundTrips.Count == 0) return null;
            long[] overhead = [.. _rolloutRoundTrips.Zip(_rolloutCompute, (r, c) => r - c)];
            return (Median(_rolloutRoundTrips), Median(_rolloutCompute), Median(overhead));
        }
    }

    private static long Median(IEnumerable<long> values)
    {
        long[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    private string RolloutSummary()
    {
        if (MedianRolloutUnit is not { } unit) return "";
        (long steps, TimeSpan elapsed) = RolloutThroughput;
        return string.Create(CultureInfo.InvariantCulture,
            $"; rollouts: {steps} steps in {elapsed.TotalSeconds:F2} s ({steps / Math.Max(elapsed.TotalSeconds, 1e-9):F0} steps/s), per unit median {unit.RoundTrip} µs round trip, {unit.Compute} µs on the worker, {unit.Overhead} µs overhead");
    }

    private sealed class RemoteRolloutUnits(ClusterDriver driver, RolloutJobMessage job) : IRolloutUnits
    {
        public int PreferredUnits => Math.Max(1, driver._workers.Values.Sum(w => w.Info.Slots));

        public IReadOnlyList<RolloutUnitResult> Run(IReadOnlyList<RolloutUnitRequest> units)
        {
            ArgumentNullException.ThrowIfNull(units);
            long started = Stopwatch.GetTimestamp();
            var messages = units.Select(u => new RolloutUnitMessage(job, u.First, u.Count, u.Seed, u.Gamma, u.RewardTemperature, u.Weights, u.CopyStates)).ToList();
            var roundTrips = new List<(int Unit, long Microseconds)>();
            RolloutUnitResultMessage[] results = driver.RunAsync(messages, (slot, unit) => slot.Collect(unit), r => (r.Error, r.Worker), roundTrips)
                .GetAwaiter().GetResult();
            driver._rolloutTicks += Stopwatch.GetElapsedTime(started).Ticks;
            driver._rolloutSteps += (long)job.Steps * units.Sum(u => u.Count);
            foreach ((int unit, long microseconds) in roundTrips)
            {
                driver._rolloutRoundTrips.Add(microseconds);
                driver._rolloutCompute.Add(results[unit].ComputeMicroseconds);
            }
            return [.. results.Select(r => r.ToResult())];
        }

        public void Dispose() { }
    }
}
