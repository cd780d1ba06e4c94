using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Algorithms.OnPolicy;

namespace PolicyLab.Algorithms;

/// <summary>
/// Where an algorithm's parallel work goes when it leaves this process: the seam between the algorithms and a
/// cluster of workers (PolicyLab.Cluster implements it on Microsoft Orleans). Without one
/// (<see cref="AlgorithmContext.ScaleOut"/> null) the work runs in-process, which is the default. Every
/// implementation must give the same numbers as the in-process one: a unit's randomness comes from the run's seed,
/// the iteration and the unit's index, never from which worker ran it.
/// </summary>
public interface IScaleOut
{
    /// <summary>A short description for messages (e.g. "Orleans cluster 'policylab' at localhost:11111, 2 workers").</summary>
    string Description { get; }

    /// <summary>Creates the evaluator through which a black-box method scores its populations.</summary>
    /// <exception cref="PolicyLabException">The job cannot run on the workers.</exception>
    IPopulationEvaluator CreatePopulationEvaluator(PopulationJob job);

    /// <summary>Creates the runner through which an on-policy method collects its rollouts, split into units of copies.</summary>
    /// <exception cref="PolicyLabException">The job cannot run on the workers.</exception>
    IRolloutUnits CreateRolloutUnits(RolloutJob job) =>
        throw new PolicyLabException($"{Description} does not collect on-policy rollouts; train without --cluster.");
}
