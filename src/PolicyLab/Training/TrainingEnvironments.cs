using PolicyLab.Algorithms;
using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.Environments.Spaces;
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
    /// <param name="savedProjector">A run's own projector.safetensors (on resume), used instead of the settings' projector.</param>
    /// <exception cref="PolicyLabException">The algorithm cannot act in the environment's action space.</exception>
    public TrainingEnvironments(RunSettings run, AlgorithmInfo algorithm, double gamma, string? savedProjector = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(algorithm);
        Run = run;
        IVectorEnvironment raw = Make(run, run.EnvironmentCount, run.VectorMode);
        try
        {
            Projector = CreateProjector(run, raw.SingleActionSpace, savedProjector);
        }
        catch
        {
            raw.Dispose();
            throw;
        }
        if (Projector is not null) raw = new LatentActionVectorEnvironment(raw, Projector);
        if (!algorithm.Supports(raw.SingleActionSpace))
        {
            raw.Dispose();
            throw new PolicyLabException($"{algorithm.Name} does not support the action space {raw.SingleActionSpace} of {run.Environment}; it supports {algorithm.DescribeActionSpaces()} action spaces.");
        }
        if (run.NormalizeObservations && HasImages(raw.SingleObservationSpace))
        {
            raw.Dispose();
            throw new PolicyLabException($"normalize=true does not fit the image observations of {run.Environment}: the CNN policy scales pixels by the space's upper bound itself, and standardizing them first would scale them twice. Set normalize=false (normalize_reward=true may stay).");
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

    /// <summary>True for an image observation, or a Dict/Tuple with an image entry (what the CNN policies scale themselves).</summary>
    private static bool HasImages(Space space) =>
        space is Box { IsImage: true } || (space is CompositeSpace composite && composite.Leaves().Any(l => l.Space is Box { IsImage: true }));

    /// <summary>The run's settings.</summary>
    public RunSettings Run { get; }

    /// <summary>The frozen latent-action projector every copy acts through (null without latent_dim/projector).</summary>
    public ActionProjector? Projector { get; }

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

    /// <summary>What the algorithm is built with; <paramref name="scaleOut"/> sends its parallel work to a cluster.</summary>
    /// <exception cref="PolicyLabException">The run uses latent actions, which a cluster cannot rebuild yet.</exception>
    public AlgorithmContext Context(IScaleOut? scaleOut = null) => new()
    {
        EnvironmentId = Run.Environment,
        EnvironmentArguments = Run.EnvironmentArguments,
        ScaleOut = scaleOut is not null && Projector is not null
            ? throw new PolicyLabException("A run with latent actions (latent_dim or projector) cannot use a cluster yet; train it without --cluster.")
            : scaleOut is not null && Run.HasPreprocessing
            ? throw new PolicyLabException("A run with frame_skip, resize, grayscale or frame_stack cannot use a cluster yet (workers build the bare environment); train it without --cluster.")
            : scaleOut,
        Environment = Top,
        CreateEnvironments = (count, workerSeed) =>
        {
            var worker = new VectorEpisodeStatistics(MakeCopies(count, VectorMode.Sync), sink: Sink);
            worker.Reset(workerSeed);
            return worker;
        },
        CreateEnvironment = () => Projector is null ? MakeOne(Run) : new LatentAction(MakeOne(Run), Projector),
        Episodes = Sink,
        Budget = () => Run.TotalSteps,
    };

    /// <summary>Builds <paramref name="count"/> copies of a registered environment.</summary>
    public static IVectorEnvironment Make(string id, int count, VectorMode mode, IReadOnlyDictionary<string, object>? arguments = null) => mode switch
    {
        VectorMode.Threaded => new ThreadedVectorEnvironment(id, count, arguments: arguments),
        _ => new SyncVectorEnvironment(id, count, arguments),
    };

    /// <summary>Builds <paramref name="count"/> copies of the run's environment, with its arguments and preprocessing.</summary>
    public static IVectorEnvironment Make(RunSettings run, int count, VectorMode mode)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!run.HasPreprocessing)
            return Make(run.Environment, count, mode, run.EnvironmentArgumentValues());
        IReadOnlyDictionary<string, object>? arguments = run.EnvironmentArgumentValues();
        IEnvironment Copy() => run.Preprocess(EnvironmentRegistry.Make(run.Environment, arguments));
        return mode == VectorMode.Threaded ? new ThreadedVectorEnvironment(Copy, count) : new SyncVectorEnvironment(Copy, count);
    }

    /// <summary>One copy of the run's environment with its arguments and preprocessing (no projector).</summary>
    public static IEnvironment MakeOne(RunSettings run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Preprocess(EnvironmentRegistry.Make(run.Environment, run.EnvironmentArgumentValues()));
    }

    /// <summary>More raw copies of the run's environment as the algorithm sees them (through the run's projector,
    /// if any), e.g. for evaluation.</summary>
    public IVectorEnvironment MakeCopies(int count, VectorMode mode)
    {
        IVectorEnvironment raw = Make(Run, count, mode);
        return Projector is null ? raw : new LatentActionVectorEnvironment(raw, Projector);
    }

    /// <summary>
    /// The projector the settings ask for: the run's saved one (on resume), the file in <c>projector</c>, or a fresh
    /// random one for <c>latent_dim</c> seeded by <c>projector_seed</c> (or a stream derived from the run's seed);
    /// null when neither is set.
    /// </summary>
    public static ActionProjector? CreateProjector(RunSettings run, Environments.Spaces.Space actionSpace, string? savedProjector = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if ((savedProjector ?? run.Projector) is string file)
            return ActionProjector.Load(file, actionSpace, run.LatentDim);
        if (run.LatentDim is not int latent)
            return null;
        ulong seed = run.ProjectorSeed is long s ? (ulong)s : Rng.DeriveSeed((ulong)run.Seed, 5);
        return ActionProjector.Random(latent, actionSpace, seed);
    }

    /// <inheritdoc/>
    public void Dispose() => Top.Dispose();
}
