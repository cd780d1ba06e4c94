using System.Runtime.ExceptionServices;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// Scores candidate parameter vectors by their average undiscounted episode return, spread over worker
/// threads (or, when the run has a <see cref="AlgorithmContext.ScaleOut"/>, over remote workers), with results
/// that do not depend on the number of threads or workers.
/// </summary>
/// <remarks>
/// <para><b>Seeds:</b> episode e of candidate c in iteration t starts from the reset seed
/// s(t, c, e) = DeriveSeed(DeriveSeed(DeriveSeed(seed, t), c), e), and its action samples (when discrete
/// actions are sampled) come from a stream seeded with DeriveSeed(s(t, c, e), 1). A candidate's return
/// therefore depends only on its own parameters and seeds, never on which thread or worker ran it or when. With
/// common_seeds every candidate of an iteration uses candidate 0's seeds (common random numbers).</para>
/// <para><b>Threads:</b> worker 0 runs on the calling thread and the others on persistent threads of their own; each
/// takes the next unevaluated candidate until none is left, and results are stored per candidate and
/// combined in candidate order.</para>
/// <para><b>Environments and counting:</b> each worker owns one raw environment made with
/// <see cref="AlgorithmContext.CreateEnvironment"/>. Once every candidate has been evaluated, the evaluator
/// reports the episodes to the run's <see cref="AlgorithmContext.Episodes"/> in candidate order, so the run's
/// experiment log (episode order and step stamps) is identical whatever the number of threads or workers.</para>
/// </remarks>
public sealed class CandidateEvaluator : IDisposable
{
    private readonly IPopulationEvaluator _backend;
    private readonly IEpisodeSink _sink;
    private readonly int _episodes;
    private readonly Population _explicit;
    private double[] _returns = [];
    private int[] _lengths = [];

    /// <summary>Creates the evaluation backend: one environment and one policy copy per worker thread, or the
    /// context's remote workers.</summary>
    /// <param name="context">Supplies the counted environments.</param>
    /// <param name="settings">Network, episodes per candidate, action selection, threads.</param>
    /// <param name="seed">Root of every episode seed.</param>
    public CandidateEvaluator(AlgorithmContext context, BlackBoxSettings settings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        if (context.Environment is NormalizeVectorEnvironment)
            throw new PolicyLabException("Black-box methods evaluate candidates on raw environment copies, so they cannot train with normalize or normalize_reward; set both to false.");
        Job = new PopulationJob(context.EnvironmentId ?? "", context.EnvironmentArguments, settings.PolicyLayers, settings.Activation,
            settings.ScaleObservations, settings.EpisodesPerCandidate, settings.ActionSelection == DiscreteActionSelection.Sample,
            settings.CommonSeeds, seed);
        _sink = context.Episodes;
        _episodes = settings.EpisodesPerCandidate;
        var probe = new BlackBoxPolicy(context.Environment.SingleObservationSpace, context.Environment.SingleActionSpace,
            settings.PolicyLayers, settings.Activation, settings.ScaleObservations);
        _explicit = new Population(probe.Dimension);
        _backend = context.ScaleOut is { } scaleOut
            ? scaleOut.CreatePopulationEvaluator(Job)
            : new ThreadedPopulationEvaluator(Job, context, settings.ResolvedThreads);
    }

    /// <summary>What every worker needs to score this run's candidates.</summary>
    public PopulationJob Job { get; }

    /// <summary>Worker threads (1 when the candidates go to remote workers).</summary>
    public int Threads => _backend is ThreadedPopulationEvaluator threaded ? threaded.Threads : 1;

    /// <summary>The reset seed of episode <paramref name="episode"/> of candidate <paramref name="candidate"/> in iteration <paramref name="iteration"/>.
    /// With common_seeds every candidate uses candidate 0's seeds.</summary>
    public ulong EpisodeSeed(long iteration, int candidate, int episode) => Job.EpisodeSeed(iteration, candidate, episode);

    /// <summary>
    /// Evaluates <paramref name="count"/> candidates laid out one after another in
    /// <paramref name="candidates"/> (count × dimension floats) and writes each one's mean episode
    /// return into <paramref name="fitness"/>.
    /// </summary>
    /// <returns>Environment steps taken.</returns>
    /// <exception cref="NonFiniteValueException">A return is not finite.</exception>
    public long Evaluate(float[] candidates, int count, long iteration, Span<double> fitness)
    {
        _explicit.SetExplicit(candidates, count);
        return Evaluate(_explicit, iteration, fitness);
    }

    /// <summary>Evaluates every candidate of <paramref name="population"/> and writes each one's mean episode
    /// return into <paramref name="fitness"/>; reports the episodes to the run in candidate order.</summary>
    /// <returns>Environment steps taken.</returns>
    /// <exception cref="NonFiniteValueException">A return is not finite.</exception>
    public long Evaluate(Population population, long iteration, Span<double> fitness)
    {
        ArgumentNullException.ThrowIfNull(population);
        int count = population.Count, slots = count * _episodes;
        if (_returns.Length < slots)
        {
            _returns = new double[slots];
            _lengths = new int[slots];
        }
        _backend.Evaluate(population, iteration, _returns, _lengths);

        long steps = 0;
        for (int c = 0; c < count; c++)
        {
            double sum = 0;
            for (int e = 0; e < _episodes; e++)
            {
                int slot = c * _episodes + e;
                NonFiniteValueException.ThrowIfNotFinite("episode return", _returns[slot]);
                sum += _returns[slot];
                steps += _lengths[slot];
                _sink.AddSteps(_lengths[slot]);
                _sink.AddEpisode(_returns[slot], _lengths[slot]);
            }
            fitness[c] = sum / _episodes;
        }
        return steps;
    }

    /// <inheritdoc/>
    public void Dispose() => _backend.Dispose();
}

/// <summary>
/// The in-process <see cref="IPopulationEvaluator"/>: worker 0 on the calling thread, the others on persistent
/// threads; each takes the next unevaluated candidate until none is left. Allocates nothing once warm.
/// </summary>
internal sealed class ThreadedPopulationEvaluator : IPopulationEvaluator
{
    private readonly Worker[] _workers;
    private readonly CountdownEvent _done = new(0);
    private Population? _population;
    private double[] _returns = [];
    private int[] _lengths = [];
    private int _count, _next;
    private long _iteration;
    private Exception? _failure;
    private volatile bool _disposed;

    public ThreadedPopulationEvaluator(PopulationJob job, AlgorithmContext context, int threads)
    {
        _workers = new Worker[threads];
        for (int w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Worker(this, new CandidateRunner(job, context.CreateEnvironment()));
            if (w > 0) _workers[w].StartThread(w);
        }
    }

    public int Threads => _workers.Length;

    public void Evaluate(Population population, long iteration, double[] returns, int[] lengths)
    {
        (_population, _returns, _lengths, _count, _iteration, _next, _failure) = (population, returns, lengths, population.Count, iteration, 0, null);
        // Wake the helper threads, work alongside them, wait until they are all done.
        int helpers = Math.Min(_workers.Length, _count) - 1;
        if (helpers > 0)
        {
            _done.Reset(helpers);
            for (int w = 1; w <= helpers; w++) _workers[w].Start();
        }
        _workers[0].Run();
        if (helpers > 0) _done.Wait();
        _population = null;
        if (_failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Worker worker in _workers) worker.Dispose();
        _done.Dispose();
    }

    /// <summary>One evaluation thread and its runner.</summary>
    private sealed class Worker(ThreadedPopulationEvaluator owner, CandidateRunner runner) : IDisposable
    {
        private readonly SemaphoreSlim _go = new(0);
        private Thread? _thread;

        /// <summary>Starts the persistent helper thread (workers 1..n−1), which waits for <see cref="Start"/>.</summary>
        public void StartThread(int index)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = $"black-box worker {index}" };
            _thread.Start();
        }

        /// <summary>Lets the helper thread run one evaluation round.</summary>
        public void Start() => _go.Release();

        public void Dispose()
        {
            if (_thread is not null)
            {
                _go.Release();
                _thread.Join();
                _thread = null;
            }
            _go.Dispose();
            runner.Dispose();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (owner._disposed) return;
                Run();
                owner._done.Signal();
            }
        }

        public void Run()
        {
            ThreadedPopulationEvaluator o = owner;
            try
            {
                while (Volatile.Read(ref o._failure) is null)
                {
                    int c = Interlocked.Increment(ref o._next) - 1;
                    if (c >= o._count) break;
                    runner.Evaluate(o._population!, o._iteration, c, o._returns, o._lengths);
                }
            }
#pragma warning disable CA1031 // any failure is handed to the calling thread, which rethrows it unchanged
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref o._failure, e, null);
            }
        }
    }
}
