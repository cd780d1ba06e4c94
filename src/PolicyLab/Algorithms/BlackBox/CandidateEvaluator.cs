using System.Runtime.ExceptionServices;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Training;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// Scores candidate parameter vectors by their average undiscounted episode return, spread over worker
/// threads, with results that do not depend on the number of threads.
/// </summary>
/// <remarks>
/// <para><b>Seeds:</b> episode e of candidate c in iteration t starts from the reset seed
/// s(t, c, e) = DeriveSeed(DeriveSeed(DeriveSeed(seed, t), c), e), and its action samples (when discrete
/// actions are sampled) come from a stream seeded with DeriveSeed(s(t, c, e), 1). A candidate's return
/// therefore depends only on its own parameters and seeds, never on which thread ran it or when. With
/// common_seeds every candidate of an iteration uses candidate 0's seeds (common random numbers).</para>
/// <para><b>Threads:</b> worker 0 runs on the calling thread and the others on persistent threads of their own; each
/// takes the next unevaluated candidate until none is left, and results are stored per candidate and
/// combined in candidate order.</para>
/// <para><b>Environments and counting:</b> each worker owns one raw environment made with
/// <see cref="AlgorithmContext.CreateEnvironment"/>. Once every candidate has been evaluated, the evaluator
/// reports the episodes to the run's <see cref="AlgorithmContext.Episodes"/> in candidate order, so the run's
/// experiment log (episode order and step stamps) is identical whatever the number of threads.</para>
/// </remarks>
public sealed class CandidateEvaluator : IDisposable
{
    private readonly Worker[] _workers;
    private readonly IEpisodeSink _sink;
    private readonly ulong _seed;
    private readonly int _episodes;
    private readonly bool _sample, _common;
    private double[] _returns = [];
    private int[] _lengths = [];
    private float[] _candidates = [];
    private int _count, _next;
    private long _iteration;
    private Exception? _failure;
    private readonly CountdownEvent _done = new(0);
    private volatile bool _disposed;

    /// <summary>Creates one environment and one policy copy per worker thread.</summary>
    /// <param name="context">Supplies the counted environments.</param>
    /// <param name="settings">Network, episodes per candidate, action selection, threads.</param>
    /// <param name="seed">Root of every episode seed.</param>
    public CandidateEvaluator(AlgorithmContext context, BlackBoxSettings settings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        if (context.Environment is NormalizeVectorEnvironment)
            throw new PolicyLabException("Black-box methods evaluate candidates on raw environment copies, so they cannot train with normalize or normalize_reward; set both to false.");
        _seed = seed;
        _sink = context.Episodes;
        _episodes = settings.EpisodesPerCandidate;
        _sample = settings.ActionSelection == DiscreteActionSelection.Sample;
        _common = settings.CommonSeeds;
        _workers = new Worker[settings.ResolvedThreads];
        for (int w = 0; w < _workers.Length; w++)
        {
            IEnvironment environment = context.CreateEnvironment();
            var policy = new BlackBoxPolicy(environment.ObservationSpace, environment.ActionSpace, settings.PolicyLayers, settings.Activation, settings.ScaleObservations);
            _workers[w] = new Worker(this, environment, policy);
            if (w > 0) _workers[w].StartThread(w);
        }
    }

    /// <summary>Worker threads.</summary>
    public int Threads => _workers.Length;

    /// <summary>The reset seed of episode <paramref name="episode"/> of candidate <paramref name="candidate"/> in iteration <paramref name="iteration"/>.
    /// With common_seeds every candidate uses candidate 0's seeds.</summary>
    public ulong EpisodeSeed(long iteration, int candidate, int episode) =>
        Rng.DeriveSeed(Rng.DeriveSeed(Rng.DeriveSeed(_seed, (ulong)iteration), _common ? 0UL : (ulong)candidate), (ulong)episode);

    /// <summary>
    /// Evaluates <paramref name="count"/> candidates laid out one after another in
    /// <paramref name="candidates"/> (count × dimension floats) and writes each one's mean episode
    /// return into <paramref name="fitness"/>.
    /// </summary>
    /// <returns>Environment steps taken.</returns>
    /// <exception cref="NonFiniteValueException">A return is not finite.</exception>
    public long Evaluate(float[] candidates, int count, long iteration, Span<double> fitness)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        int slots = count * _episodes;
        if (_returns.Length < slots)
        {
            _returns = new double[slots];
            _lengths = new int[slots];
        }
        (_candidates, _count, _iteration, _next, _failure) = (candidates, count, iteration, 0, null);

        // Wake the helper threads, work alongside them, wait until they are all done.
        int helpers = Math.Min(_workers.Length, count) - 1;
        if (helpers > 0)
        {
            _done.Reset(helpers);
            for (int w = 1; w <= helpers; w++) _workers[w].Start();
        }
        _workers[0].Run();
        if (helpers > 0) _done.Wait();
        if (_failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();

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
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Worker worker in _workers) worker.Dispose();
        _done.Dispose();
    }

    /// <summary>One evaluation thread's environment, policy copy and buffers.</summary>
    private sealed class Worker(CandidateEvaluator owner, IEnvironment environment, BlackBoxPolicy policy) : IDisposable
    {
        private readonly float[] _observation = new float[environment.ObservationSpace.FlatSize];
        private readonly float[] _action = new float[environment.ActionSpace.FlatSize];
        private readonly Rng _rng = new(0);
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

        /// <summary>Ends the helper thread (the owner has set its disposed flag).</summary>
        public void Stop()
        {
            if (_thread is null) return;
            _go.Release();
            _thread.Join();
            _thread = null;
        }

        /// <summary>Ends the helper thread and releases the environment.</summary>
        public void Dispose()
        {
            Stop();
            _go.Dispose();
            environment.Dispose();
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
            CandidateEvaluator o = owner;
            int dimension = policy.Dimension;
            try
            {
                while (Volatile.Read(ref o._failure) is null)
                {
                    int c = Interlocked.Increment(ref o._next) - 1;
                    if (c >= o._count) break;
                    o._candidates.AsSpan(c * dimension, dimension).CopyTo(policy.Store.Values);
                    for (int e = 0; e < o._episodes; e++)
                    {
                        (double episodeReturn, int length) = RunEpisode(o.EpisodeSeed(o._iteration, c, e), o._sample);
                        o._returns[c * o._episodes + e] = episodeReturn;
                        o._lengths[c * o._episodes + e] = length;
                    }
                }
            }
#pragma warning disable CA1031 // any failure is handed to the calling thread, which rethrows it unchanged
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref o._failure, e, null);
            }
        }

        /// <summary>One episode from reset to termination or truncation: its return and length.</summary>
        private (double Return, int Length) RunEpisode(ulong seed, bool sample)
        {
            environment.Reset(_observation, seed);
            _rng.Reseed(Rng.DeriveSeed(seed, 1));
            double total = 0;
            int length = 0;
            while (true)
            {
                policy.Act(_observation, 1, sample, _rng, _action);
                StepResult result = environment.Step(_action, _observation);
                total += result.Reward;
                length++;
                if (result.Done) return (total, length);
            }
        }
    }
}
