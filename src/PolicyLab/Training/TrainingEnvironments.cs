using PolicyLab.Algorithms;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Training;

/// <summary>
/// The environment stack of one run, composed from the library's vector wrappers exactly as a user would compose
/// them: the copies (sync or threaded), <see cref="VectorEpisodeStatistics"/> counting every step and episode in the
/// run's <see cref="EpisodeSink"/> with the task's own rewards, and, when asked, <see cref="NormalizeVectorEnvironment"/>
/// on top. Also checks that the algorithm can act in the action space, and hands the algorithm its
/// <see cref="AlgorithmContext"/> (extra counted copies for asynchronous workers, raw copies for black-box search).
/// </summary>
public sealed class TrainingEnvironments : IDisposable
{
    /// <summary>Builds the stack for <paramref name="run"/> and resets it with the run's environment seed.</summary>
    /// <param name="run">The run's settings.</param>
    /// <param name="algorithm">The algorithm to train (its supported action spaces are checked).</param>
    /// <param name="gamma">The algorithm's discount γ, for reward normalization.</param>
    /// <exception cref="PolicyLabException">The algorithm cannot act in the environment's action space.</exception>
    public TrainingEnvironments(RunSettings run, AlgorithmInfo algorithm, double gamma)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(algorithm);
        Run = run;
        IVectorEnvironment raw = Make(run, run.EnvironmentCount, run.VectorMode);
        if (!algorithm.Supports(raw.SingleActionSpace))
        {
            raw.Dispose();
            throw new PolicyLabException($"{algorithm.Name} does not support the action space {raw.SingleActionSpace} of {run.Environment}; it supports {algorithm.DescribeActionSpaces()} action spaces.");
        }
        Statistics = new VectorEpisodeStatistics(raw, sink: Sink);
        Top = Statistics;
        if (run.NormalizeObservations || run.NormalizeReward)
        {
            Normalizer = new NormalizeVectorEnvironment(Statistics, run.NormalizeObservations, run.NormalizeReward, gamma: gamma);
            Top = Normalizer;
        }
        Top.Reset(Rng.DeriveSeed((ulong)run.Seed, 1));
    }

    /// <summary>The run's settings.</summary>
    public RunSettings Run { get; }

    /// <summary>The run's step and episode counts.</summary>
    public EpisodeSink Sink { get; } = new();

    /// <summary>The episode statistics right above the copies (raw rewards).</summary>
    public VectorEpisodeStatistics Statistics { get; }

    /// <summary>The observation/reward normalization, when the run asks for it.</summary>
    public NormalizeVectorEnvironment? Normalizer { get; }

    /// <summary>The top of the stack: what the algorithm steps.</summary>
    public IVectorEnvironment Top { get; }

    /// <summary>The top of the stack as saved and restored with checkpoints.</summary>
    public IStatefulEnvironment State => (IStatefulEnvironment)Top;

    /// <summary>What the algorithm is built with.</summary>
    public AlgorithmContext Context() => new()
    {
        Environment = Top,
        CreateEnvironments = (count, workerSeed) =>
        {
            var worker = new VectorEpisodeStatistics(Make(Run, count, VectorMode.Sync), sink: Sink);
            worker.Reset(workerSeed);
            return worker;
        },
        CreateEnvironment = () => EnvironmentRegistry.Make(Run.Environment, Run.EnvironmentArgumentValues()),
        Episodes = Sink,
        Budget = () => Run.TotalSteps,
    };

    /// <summary>Builds <paramref name="count"/> copies of a registered environment.</summary>
    public static IVectorEnvironment Make(string id, int count, VectorMode mode, IReadOnlyDictionary<string, object>? arguments = null) => mode switch
    {
        VectorMode.Threaded => new ThreadedVectorEnvironment(id, count, arguments: arguments),
        _ => new SyncVectorEnvironment(id, count, arguments),
    };

    /// <summary>Builds <paramref name="count"/> copies of the run's environment, with its arguments.</summary>
    public static IVectorEnvironment Make(RunSettings run, int count, VectorMode mode)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Make(run.Environment, count, mode, run.EnvironmentArgumentValues());
    }

    /// <inheritdoc/>
    public void Dispose() => Top.Dispose();
}
