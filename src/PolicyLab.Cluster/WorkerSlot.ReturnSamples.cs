using PolicyLab.TaskComplexity;

namespace PolicyLab.Cluster;

/// <summary>The PIC/POIC side of a slot: a unit rebuilds its policies from the seed and runs their episodes with the same
/// <see cref="ReturnSampler.SampleRows"/> the in-process path uses. Nothing is kept between units.</summary>
internal sealed partial class WorkerSlot
{
    public Task<ReturnSampleResultMessage> SampleReturns(ReturnSampleUnitMessage unit) => Task.Run(() => RunReturnSamples(unit));

    private ReturnSampleResultMessage RunReturnSamples(ReturnSampleUnitMessage unit)
    {
        try
        {
            ReturnRows rows = ReturnSampler.SampleRows(unit.Job.ToOptions(), unit.Seed, new ReturnSampleRange(unit.First, unit.Count));
            return new ReturnSampleResultMessage(rows.Returns, rows.Steps, null, options.Name);
        }
#pragma warning disable CA1031 // the failure goes back to the driver, which names it and stops the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ReturnSampleResultMessage([], 0, $"{e.GetType().Name}: {e.Message}", options.Name);
        }
    }
}
