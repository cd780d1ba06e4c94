using PolicyLab.Environments.Vector;

namespace PolicyLab.Algorithms;

/// <summary>What the training loop hands an algorithm when building it.</summary>
public sealed class AlgorithmContext
{
    /// <summary>The training environments, already reset (and normalized when the run asks for it).
    /// Their steps and episodes are counted by the training loop.</summary>
    public required IVectorEnvironment Environment { get; init; }

    /// <summary>
    /// Creates <c>count</c> more raw copies of the training environment for an asynchronous worker,
    /// reset with the given seed; their steps and episodes are counted with the main ones. The caller
    /// owns (and disposes) them.
    /// </summary>
    public required Func<int, ulong, IVectorEnvironment> CreateEnvironments { get; init; }

    /// <summary>The run's step budget.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>Environment steps taken so far by all environments of the run.</summary>
    public required Func<long> StepsTaken { get; init; }

    /// <summary>
    /// A context for training on <paramref name="environment"/> outside the training loop (tests, a program of
    /// one's own): the budget is <paramref name="totalSteps"/>, steps are not counted, and algorithms that need
    /// environments of their own (A3C's workers) get copies from <paramref name="createEnvironments"/>, or an
    /// error naming what is missing.
    /// </summary>
    public static AlgorithmContext For(IVectorEnvironment environment, long totalSteps = long.MaxValue,
        Func<int, ulong, IVectorEnvironment>? createEnvironments = null) => new()
    {
        Environment = environment,
        CreateEnvironments = createEnvironments ?? ((_, _) =>
            throw new PolicyLabException("This algorithm needs environments of its own; build its AlgorithmContext with a createEnvironments factory.")),
        TotalSteps = totalSteps,
        StepsTaken = () => 0,
    };
}
