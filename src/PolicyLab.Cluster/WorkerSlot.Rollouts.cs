using PolicyLab.Algorithms.OnPolicy;

namespace PolicyLab.Cluster;

/// <summary>
/// The rollout side of a slot: a <see cref="RolloutUnitRunner"/> per job and unit size (environment copies and a policy
/// copy, reused from unit to unit). The runner keeps no state between units: every unit brings its copies' states and
/// the weights, so any slot of any worker can run any unit (and a dead worker's unit anywhere else).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A grain releases its runners in OnDeactivateAsync.")]
internal sealed partial class WorkerSlot
{
    private RolloutUnitRunner? _rollouts;
    private (string Key, int Count)? _rolloutKey;

    public Task<RolloutUnitResultMessage> Collect(RolloutUnitMessage unit) => Task.Run(() => RunRollout(unit));

    private RolloutUnitResultMessage RunRollout(RolloutUnitMessage unit)
    {
        try
        {
            if (_rolloutKey != (unit.Job.Key, unit.Count))
            {
                DisposeRollouts();
                _rollouts = new RolloutUnitRunner(unit.Job.ToJob(), unit.Count);
                _rolloutKey = (unit.Job.Key, unit.Count);
            }
            return RolloutUnitResultMessage.From(_rollouts!.Run(unit.ToRequest()), options.Name);
        }
#pragma warning disable CA1031 // the failure goes back to the driver, which names it and stops the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            DisposeRollouts();
            return RolloutUnitResultMessage.Failed($"{e.GetType().Name}: {e.Message}", options.Name);
        }
    }

    private void DisposeRollouts()
    {
        _rollouts?.Dispose();
        _rollouts = null;
        _rolloutKey = null;
    }
}
