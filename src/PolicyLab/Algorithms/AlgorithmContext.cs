using PolicyLab.Environments;
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

    /// <summary>
    /// Creates one raw copy of the training environment (not counted, not normalized, not reset), for algorithms
    /// that run episodes on copies of their own and report them to <see cref="Episodes"/> themselves (e.g. black-box
    /// candidate evaluation, which reports in a fixed order whatever the thread timing). The caller owns it.
    /// </summary>
    public required Func<IEnvironment> CreateEnvironment { get; init; }

    /// <summary>The registered id of the training environment (null when it was not made by id), for workers in
    /// other processes that build copies of their own.</summary>
    public string? EnvironmentId { get; init; }

    /// <summary>The training environment's arguments as env_kwargs text ("" for none).</summary>
    public string EnvironmentArguments { get; init; } = "";

    /// <summary>Where parallel work goes when it leaves this process (a cluster of workers); null: in-process.</summary>
    public IScaleOut? ScaleOut { get; init; }

    /// <summary>Where the run counts environment steps and finished episodes (all environments of the run).</summary>
    public required IEpisodeSink Episodes { get; init; }

    /// <summary>The run's step budget: fixed (<c>TotalSteps = n</c>) or read from <see cref="Budget"/>, which follows a
    /// budget that changes while the algorithm lives (an agent trained on with <c>Learn</c>, a resumed run).</summary>
    public long TotalSteps
    {
        get => Budget?.Invoke() ?? _totalSteps;
        init => _totalSteps = value;
    }

    private readonly long _totalSteps = long.MaxValue;

    /// <summary>Where <see cref="TotalSteps"/> comes from when the budget can change (null: the fixed value).</summary>
    public Func<long>? Budget { get; init; }

    /// <summary>Environment steps taken so far by all environments of the run.</summary>
    public long StepsTaken => Episodes.TotalSteps;

    /// <summary>
    /// A context for training on <paramref name="environment"/> outside the training loop (tests, a program of
    /// one's own): the budget is <paramref name="totalSteps"/>, steps are counted only by what reports to
    /// <see cref="Episodes"/>, and algorithms that need
    /// environments of their own (A3C's workers) get copies from <paramref name="createEnvironments"/>, or an
    /// error naming what is missing.
    /// </summary>
    public static AlgorithmContext For(IVectorEnvironment environment, long totalSteps = long.MaxValue,
        Func<int, ulong, IVectorEnvironment>? createEnvironments = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new()
        {
            Environment = environment,
            CreateEnvironments = createEnvironments ?? ((_, _) =>
                throw new PolicyLabException("This algorithm needs environments of its own; build its AlgorithmContext with a createEnvironments factory.")),
            CreateEnvironment = () => environment.Spec is { } spec
                ? EnvironmentRegistry.Make(spec.Id)
                : throw new PolicyLabException("This algorithm needs copies of an environment registered by id; register it in EnvironmentRegistry."),
            EnvironmentId = environment.Spec?.Id,
            Episodes = new EpisodeSink(),
            TotalSteps = totalSteps,
        };
    }
}
