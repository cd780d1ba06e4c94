using PolicyLab.TaskComplexity;

namespace PolicyLab.Cluster;

/// <summary>PIC/POIC sampling on the cluster: each range of policy samples is one unit.</summary>
public sealed partial class ClusterDriver
{
    /// <summary>The runner through which <see cref="ReturnSampler"/> sends its policy samples to the workers
    /// (<see cref="ReturnSamplingOptions.Units"/>).</summary>
    public IReturnSampleUnits CreateReturnSampleUnits() => new RemoteReturnSampleUnits(this);

    private sealed class RemoteReturnSampleUnits(ClusterDriver driver) : IReturnSampleUnits
    {
        public int PreferredUnits => Math.Max(1, driver._workers.Values.Sum(w => w.Info.Slots));

        public IReadOnlyList<ReturnRows> Run(ReturnSamplingOptions options, ulong seed, IReadOnlyList<ReturnSampleRange> ranges)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(ranges);
            var job = ReturnSampleJobMessage.From(options);
            var units = ranges.Select(r => new ReturnSampleUnitMessage(job, seed, r.First, r.Count)).ToList();
            ReturnSampleResultMessage[] results = driver.RunAsync(units, (slot, unit) => slot.SampleReturns(unit), r => (r.Error, r.Worker))
                .GetAwaiter().GetResult();
            return [.. results.Select(r => new ReturnRows(r.Returns, r.Steps))];
        }
    }
}
