using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Steps its copies on several threads. The copies are cut into one contiguous block per thread; the calling thread
/// and persistent worker threads each claim their own block first (so a copy normally stays on the same core from
/// step to step), then any block whose owner has not started yet, so a worker that is slow to wake (or descheduled on
/// a busy machine) does not hold up the step. Results are bit-identical to <see cref="SyncVectorEnvironment"/>: every
/// copy is stepped by exactly one thread and copies share no state.
/// </summary>
/// <remarks>
/// <para>Handing a step to another core costs one to two microseconds on these machines, more than a step of a few
/// dozen cheap copies takes (64 CartPoles: ~2 µs in all), so for cheap environments threads would make a step slower.
/// The vector therefore times the work of a step on the calling thread alone (an exponential average over one step in
/// eight; while the threads are in use, four steps in every <see cref="ProbeInterval"/> are taken alone, the fastest
/// of the last three counting) and hands steps to the workers only while that exceeds <see cref="HandOffThreshold"/>.
/// Which thread steps a copy never changes the results.</para>
/// <para>Workers wait for work by spinning briefly (a cheap hand-off for fast environments) and then blocking on a monitor,
/// so an idle vector environment does not burn CPU. No tasks or delegates are allocated per step. An exception in any
/// copy is re-thrown on the calling thread once the step's blocks are finished. Dispose to stop the workers.</para>
/// </remarks>
public sealed class ThreadedVectorEnvironment : VectorEnvironmentBase
{
    /// <summary>Iterations of <see cref="Thread.SpinWait(int)"/> a worker spins before blocking (about 0.1 ms).</summary>
    private const int WorkerSpinIterations = 2_000;

    /// <summary>Iterations the caller spins waiting for claimed blocks before yielding its time slice.</summary>
    private const int CallerSpinIterations = 400;

    /// <summary>Distance between block-claim flags, in ints, so that each flag has its own cache line.</summary>
    private const int FlagStride = 16;

    /// <summary>A step that takes the calling thread alone less than this is not handed to the workers: on these
    /// machines a hand-off costs one to two microseconds, and two threads only start to gain from steps of about eight
    /// (measured with <c>EnvironmentVectorBenchmarks</c>).</summary>
    public static readonly TimeSpan HandOffThreshold = TimeSpan.FromMicroseconds(8);

    /// <summary>Steps between timings of the calling thread alone while the threads are in use.</summary>
    public const int ProbeInterval = 256;

    /// <summary>Steps the calling thread takes alone and times in each probe (after one more step that warms its cache).</summary>
    private const int ProbeSamples = 3;

    private readonly Thread[] _workers;
    private readonly int[] _blockStarts;
    private readonly int[] _claims;
    private readonly float[] _actions;
    private readonly object _gate = new();
    private long _generation;
    private int _sleepers;
    private int _completedBlocks;
    private Exception? _error;
    private volatile bool _stopping;
    private bool _resetOperation;
    private readonly double _handOffTicks = HandOffThreshold.TotalSeconds * Stopwatch.Frequency;
    private long _untilProbe = ProbeInterval, _inlineSteps;
    private double _inlineTicks;
    private bool _useThreads;
    private ulong? _resetSeed;

    /// <summary>Wraps the given copies (takes ownership) and starts <c>threadCount − 1</c> worker threads.</summary>
    /// <param name="environments">The copies.</param>
    /// <param name="threadCount">Threads including the caller's; default: the processor count, at most the copy count.</param>
    public ThreadedVectorEnvironment(IReadOnlyList<IEnvironment> environments, int? threadCount = null) : base(environments)
    {
        if (threadCount is <= 0)
            throw new PolicyLabException($"A threaded vector environment needs at least one thread; got {threadCount}.");
        int threads = Math.Clamp(threadCount ?? Environment.ProcessorCount, 1, Count);
        ThreadCount = threads;
        _blockStarts = new int[threads + 1];
        for (int t = 0; t <= threads; t++)
            _blockStarts[t] = (int)((long)Count * t / threads);
        _claims = new int[threads * FlagStride];
        _actions = new float[Count * ActionSize];
        _workers = new Thread[threads - 1];
        for (int w = 0; w < _workers.Length; w++)
        {
            int block = w + 1;
            _workers[w] = new Thread(() => WorkerLoop(block))
            {
                IsBackground = true,
                Name = $"PolicyLab vector worker {w + 1}",
            };
            _workers[w].Start();
        }
    }

    /// <summary>Creates <paramref name="count"/> copies with <paramref name="factory"/>.</summary>
    public ThreadedVectorEnvironment(Func<IEnvironment> factory, int count, int? threadCount = null)
        : this(VectorFactory.Create(factory, count), threadCount) { }

    /// <summary>Creates <paramref name="count"/> copies of a registered id (each with its time limit).</summary>
    public ThreadedVectorEnvironment(string id, int count, int? threadCount = null, IReadOnlyDictionary<string, object>? arguments = null)
        : this(VectorFactory.Create(() => EnvironmentRegistry.Make(id, arguments), count), threadCount) { }

    /// <summary>Number of threads stepping copies (the caller's included).</summary>
    public int ThreadCount { get; }

    /// <inheritdoc />
    protected override void RunReset(ulong? seed)
    {
        _resetOperation = true;
        _resetSeed = seed;
        Dispatch();
    }

    /// <inheritdoc />
    protected override void RunStep(ReadOnlySpan<float> actions)
    {
        if (_workers.Length == 0)
        {
            StepRange(0, Count, actions);
            return;
        }
        // The caller alone takes every step while a step is too little work to hand off, and ProbeSamples + 1 steps in
        // every ProbeInterval while the threads are in use, to keep timing that work.
        if (_useThreads && --_untilProbe > 0)
        {
            actions.CopyTo(_actions);
            _resetOperation = false;
            Dispatch();
            return;
        }
        if (!_useThreads && (++_inlineSteps & 7) != 0)
        {
            StepRange(0, Count, actions); // one step in eight is timed
            return;
        }
        long start = Stopwatch.GetTimestamp();
        StepRange(0, Count, actions);
        double ticks = Stopwatch.GetTimestamp() - start;
        if (_useThreads)
        {
            // A probe. Its first step pulls the workers' copies into this core's cache and is not counted; the
            // fastest of the others replaces the estimate (a step can only be slowed by interruptions, not sped up).
            long sample = -_untilProbe;
            if (sample == 1 || (sample > 1 && ticks < _inlineTicks))
                _inlineTicks = ticks;
            if (sample < ProbeSamples)
                return;
            _untilProbe = ProbeInterval;
        }
        else
        {
            _inlineTicks = _inlineTicks == 0 ? ticks : _inlineTicks + (ticks - _inlineTicks) / 8;
        }
        _useThreads = _inlineTicks >= _handOffTicks;
    }

    /// <summary>True while steps are handed to the worker threads (false: the calling thread takes them alone, because a
    /// step is less work than <see cref="HandOffThreshold"/>). Either way the results are the same.</summary>
    public bool UsesThreads => _workers.Length > 0 && _useThreads;

    private void Dispatch()
    {
        _error = null;
        // Order matters: a late worker may claim a block as soon as its flag is cleared, so the completion counter
        // (and the inputs written above) must be in place before the flags.
        Volatile.Write(ref _completedBlocks, 0);
        for (int t = 0; t < ThreadCount; t++)
            Volatile.Write(ref _claims[t * FlagStride], 0);
        if (_workers.Length > 0)
        {
            Interlocked.Increment(ref _generation);
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_gate)
                    Monitor.PulseAll(_gate);
            }
        }
        RunBlocks(0);
        int spins = 0;
        while (Volatile.Read(ref _completedBlocks) != ThreadCount)
        {
            if (++spins < CallerSpinIterations)
                Thread.SpinWait(1);
            else
                Thread.Yield();
        }
        if (_error is { } error)
            ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Runs this thread's own block if still unclaimed, then every other unclaimed block.</summary>
    private void RunBlocks(int own)
    {
        int done = 0;
        for (int k = 0; k < ThreadCount; k++)
        {
            int block = (own + k) % ThreadCount;
            ref int claim = ref _claims[block * FlagStride];
            if (Volatile.Read(ref claim) != 0 || Interlocked.Exchange(ref claim, 1) != 0)
                continue;
            int start = _blockStarts[block], end = _blockStarts[block + 1];
            try
            {
                if (_resetOperation)
                    ResetRange(start, end, _resetSeed);
                else
                    StepRange(start, end, _actions);
            }
#pragma warning disable CA1031 // Any failure must reach the calling thread instead of killing the worker.
            catch (Exception error)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _error, error, null);
            }
            done++;
        }
        if (done > 0)
            Interlocked.Add(ref _completedBlocks, done);
    }

    private void WorkerLoop(int block)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (spins++ < WorkerSpinIterations)
                {
                    Thread.SpinWait(1);
                    continue;
                }
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen)
                        Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            seen = Volatile.Read(ref _generation);
            if (_stopping)
                return;
            RunBlocks(block);
        }
    }

    /// <summary>Stops the workers, then disposes the copies.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stopping)
        {
            _stopping = true;
            Interlocked.Increment(ref _generation);
            lock (_gate)
                Monitor.PulseAll(_gate);
            foreach (Thread worker in _workers)
                worker.Join();
        }
        base.Dispose(disposing);
    }
}
