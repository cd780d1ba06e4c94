using System.Runtime.ExceptionServices;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Steps its copies on several threads: the copies are split into contiguous blocks, one per thread; the calling
/// thread steps block 0 and persistent worker threads step the others. Results are bit-identical to
/// <see cref="SyncVectorEnvironment"/> because each copy is stepped by exactly one thread with its own state.
/// </summary>
/// <remarks>
/// Workers wait for work by spinning briefly (cheap hand-off for fast environments) and then blocking on a monitor,
/// so an idle vector environment does not burn CPU. No tasks or delegates are allocated per step. An exception in
/// any copy is re-thrown on the calling thread after all blocks finish. Dispose to stop the workers.
/// </remarks>
public sealed class ThreadedVectorEnvironment : VectorEnvironmentBase
{
    private const int SpinIterations = 50_000;

    private readonly Thread[] _workers;
    private readonly int[] _blockStarts;
    private readonly float[] _actions;
    private readonly Exception?[] _errors;
    private readonly object _gate = new();
    private long _generation;
    private int _sleepers;
    private int _remaining;
    private volatile bool _stopping;
    private bool _resetOperation;
    private ulong? _resetSeed;

    /// <summary>Wraps the given copies (takes ownership) and starts <c>threadCount − 1</c> worker threads.</summary>
    /// <param name="environments">The copies.</param>
    /// <param name="threadCount">Threads including the caller's; default: the processor count, at most the copy count.</param>
    public ThreadedVectorEnvironment(IReadOnlyList<IEnvironment> environments, int? threadCount = null) : base(environments)
    {
        int threads = Math.Clamp(threadCount ?? Environment.ProcessorCount, 1, Count);
        if (threadCount is <= 0)
            throw new PolicyLabException($"A threaded vector environment needs at least one thread; got {threadCount}.");
        ThreadCount = threads;
        _blockStarts = new int[threads + 1];
        for (int t = 0; t <= threads; t++)
            _blockStarts[t] = (int)((long)Count * t / threads);
        _actions = new float[Count * ActionSize];
        _errors = new Exception?[threads];
        _workers = new Thread[threads - 1];
        for (int w = 0; w < _workers.Length; w++)
        {
            int block = w + 1;
            _workers[w] = new Thread(() => WorkerLoop(block))
            {
                IsBackground = true,
                Name = $"PolicyLab vector worker {block}",
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
        actions.CopyTo(_actions);
        _resetOperation = false;
        Dispatch();
    }

    private void Dispatch()
    {
        Array.Clear(_errors);
        Volatile.Write(ref _remaining, _workers.Length);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
                Monitor.PulseAll(_gate);
        }
        RunBlock(0);
        // Tight spin first (the other blocks usually finish within a microsecond); SpinWait's exponential
        // back-off would overshoot by about as long as a whole step of fast environments.
        int spins = 0;
        while (Volatile.Read(ref _remaining) != 0)
        {
            if (++spins < SpinIterations)
                Thread.SpinWait(1);
            else
                Thread.Yield();
        }
        foreach (Exception? error in _errors)
        {
            if (error is not null)
                ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    private void RunBlock(int block)
    {
        try
        {
            if (_resetOperation)
                ResetRange(_blockStarts[block], _blockStarts[block + 1], _resetSeed);
            else
                StepRange(_blockStarts[block], _blockStarts[block + 1], _actions);
        }
#pragma warning disable CA1031 // Any failure must reach the calling thread instead of killing the worker.
        catch (Exception error)
#pragma warning restore CA1031
        {
            _errors[block] = error;
        }
    }

    private void WorkerLoop(int block)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (spins++ < SpinIterations)
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
            RunBlock(block);
            Interlocked.Decrement(ref _remaining);
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
