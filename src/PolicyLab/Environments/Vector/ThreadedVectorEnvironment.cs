using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Steps its copies on several threads. Results are bit-identical to <see cref="SyncVectorEnvironment"/>: every copy
/// is stepped by exactly one thread, copies share no state, and which thread steps a copy never changes its result.
/// </summary>
/// <remarks>
/// <para><b>Who steps what.</b> The copies are cut into one contiguous block per thread (the calling thread's is the
/// first). Each thread takes the copies of its own block from the front, one at a time, so a copy normally stays on
/// the same core from step to step; a thread that has finished its block takes copies from the <em>back</em> of the
/// blocks of the others, until the two ends meet. A worker that is slow to wake, or descheduled on a busy machine,
/// therefore costs the step at most the copy it is in the middle of, not its whole block.</para>
/// <para><b>Hand-off.</b> Workers wait for a step by spinning on a counter for up to <see cref="WorkerSpin"/> (the next
/// step of a rollout normally comes sooner) and then block on a monitor, so an idle vector does not burn a core. The
/// caller waits for copies still being stepped by spinning for up to <see cref="CallerSpin"/>, then blocks until the
/// last worker wakes it. No tasks, delegates or buffers are allocated per step, and the words the threads write to
/// (step counter, completion count, one claim word per block) each have their own cache lines.</para>
/// <para><b>When to use the threads.</b> A hand-off costs a microsecond or two, and on a shared machine the second core
/// may not be there, so the vector measures instead of guessing: at the start and every <see cref="ProbeInterval"/>
/// steps it times <see cref="ProbeSamples"/> steps on the calling thread alone and as many handed to the workers (each
/// after one untimed step that moves the copies' memory to the cores that will step them), and takes the faster way
/// until the next probe. Steps the calling thread takes alone in less than <see cref="HandOffThreshold"/> are never
/// handed off. Resets always use the threads. An exception in any copy is re-thrown on the calling thread once every
/// copy of the step is finished. Dispose to stop the workers.</para>
/// <para>Batching several vector steps per hand-off is not offered: a training loop's next actions depend on the
/// observations of the step before, so steps of one vector cannot be taken ahead without changing what the loop
/// sees.</para>
/// </remarks>
public sealed class ThreadedVectorEnvironment : VectorEnvironmentBase
{
    /// <summary>How long a worker spins for the next step before it blocks.</summary>
    public static readonly TimeSpan WorkerSpin = TimeSpan.FromMicroseconds(100);

    /// <summary>How long the caller spins for copies other threads are still stepping before it blocks.</summary>
    public static readonly TimeSpan CallerSpin = TimeSpan.FromMicroseconds(50);

    /// <summary>A step that takes the calling thread alone less than this is never handed to the workers: a hand-off
    /// costs one to two microseconds on these machines, and two threads only start to gain from steps of about eight.</summary>
    public static readonly TimeSpan HandOffThreshold = TimeSpan.FromMicroseconds(8);

    /// <summary>Steps from one timing of both ways of stepping to the next.</summary>
    public const int ProbeInterval = 256;

    /// <summary>Steps timed each way in a probe (after one untimed step each way).</summary>
    public const int ProbeSamples = 3;

    /// <summary>Distance in longs between the words threads write to: 128 bytes, so that no two share a cache line or
    /// an adjacent-line prefetch pair.</summary>
    private const int Stride = 16;

    private const int GenerationSlot = Stride, CompletedSlot = 2 * Stride, FirstClaimSlot = 3 * Stride;

    private static readonly long WorkerSpinTicks = (long)(WorkerSpin.TotalSeconds * Stopwatch.Frequency);
    private static readonly long CallerSpinTicks = (long)(CallerSpin.TotalSeconds * Stopwatch.Frequency);
    private static readonly double HandOffTicks = HandOffThreshold.TotalSeconds * Stopwatch.Frequency;

    private readonly Thread[] _workers;
    private readonly int[] _blockStarts;

    /// <summary>Padded shared words: the step counter, the count of finished copies, and per block b a claim word
    /// <c>front &lt;&lt; 32 | back</c>: copies [front, back) of the block are not yet taken.</summary>
    private readonly long[] _words;

    private readonly float[] _actions;
    private readonly object _workGate = new(), _doneGate = new();
    private int _sleepingWorkers, _callerWaiting;
    private Exception? _error;
    private volatile bool _stopping;
    private bool _resetOperation;
    private ulong? _resetSeed;

    // Choosing between the threads and the caller alone (calling thread only).
    private bool _useThreads;
    private int _stepInPeriod;
    private long _fastestInline, _fastestThreaded;

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
        _words = new long[FirstClaimSlot + (threads + 1) * Stride];
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

    /// <summary>True while steps are handed to the worker threads (false: the calling thread takes them alone, because
    /// that was faster at the last probe or a step is less work than <see cref="HandOffThreshold"/>). Either way the
    /// results are the same.</summary>
    public bool UsesThreads => _workers.Length > 0 && _useThreads;

    /// <summary>For tests: hand every step to the workers (true), step on the caller alone (false), or choose by timing
    /// (null, the default).</summary>
    internal bool? ForcedThreads { get; set; }

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
        if (_workers.Length == 0 || ForcedThreads == false)
        {
            StepRange(0, Count, actions);
            return;
        }
        if (ForcedThreads == true)
        {
            StepOnThreads(actions);
            return;
        }
        // A period of ProbeInterval steps starts with a probe: ProbeSamples + 1 steps the way in use, then as many the
        // other way, the first of each untimed; the faster way takes the rest of the period.
        int step = _stepInPeriod;
        _stepInPeriod = step + 1 == ProbeInterval ? 0 : step + 1;
        if (step >= 2 * (ProbeSamples + 1))
        {
            if (_useThreads) StepOnThreads(actions);
            else StepRange(0, Count, actions);
            return;
        }
        bool threads = step > ProbeSamples ? !_useThreads : _useThreads;
        if (threads && !_useThreads && _fastestInline < HandOffTicks)
        {
            StepRange(0, Count, actions); // the caller alone is too fast for a hand-off to pay: no probe of the threads
            return;
        }
        long start = Stopwatch.GetTimestamp();
        if (threads) StepOnThreads(actions);
        else StepRange(0, Count, actions);
        long ticks = Stopwatch.GetTimestamp() - start;
        int sample = step % (ProbeSamples + 1);
        if (sample > 0)
        {
            // The fastest sample counts: interruptions can only slow a step down.
            ref long fastest = ref threads ? ref _fastestThreaded : ref _fastestInline;
            if (sample == 1 || ticks < fastest)
                fastest = ticks;
        }
        if (step == 2 * ProbeSamples + 1)
            _useThreads = _fastestInline >= HandOffTicks && _fastestThreaded < _fastestInline;
    }

    private void StepOnThreads(ReadOnlySpan<float> actions)
    {
        actions.CopyTo(_actions);
        _resetOperation = false;
        Dispatch();
    }

    /// <summary>Publishes the operation (already written to <see cref="_actions"/> or the reset fields), steps copies
    /// with the workers, and returns when every copy is done.</summary>
    private void Dispatch()
    {
        _error = null;
        // Order matters: a worker still looking for copies of the previous step may take one of this step as soon as
        // its block's claim word is written, so the inputs and the zeroed completion count must be in place first.
        Volatile.Write(ref _words[CompletedSlot], 0);
        for (int t = 0; t < ThreadCount; t++)
            Volatile.Write(ref _words[FirstClaimSlot + t * Stride], (long)_blockStarts[t] << 32 | (uint)_blockStarts[t + 1]);
        if (_workers.Length > 0)
        {
            Interlocked.Increment(ref _words[GenerationSlot]);
            if (Volatile.Read(ref _sleepingWorkers) > 0)
            {
                lock (_workGate)
                    Monitor.PulseAll(_workGate);
            }
        }
        RunCopies(0);
        if (Volatile.Read(ref _words[CompletedSlot]) != Count)
            WaitForCopies();
        if (_error is { } error)
            ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Takes copies of this thread's block from the front, then of the other blocks from the back, and steps
    /// them; adds the number it stepped to the completion count.</summary>
    private void RunCopies(int own)
    {
        int done = 0;
        for (int k = 0; k < ThreadCount; k++)
        {
            int block = own + k < ThreadCount ? own + k : own + k - ThreadCount;
            ref long claim = ref _words[FirstClaimSlot + block * Stride];
            while (k == 0 ? TryTakeFront(ref claim, out int copy) : TryTakeBack(ref claim, out copy))
            {
                RunCopy(copy);
                done++;
            }
        }
        if (done > 0 && Interlocked.Add(ref _words[CompletedSlot], done) == Count && Volatile.Read(ref _callerWaiting) != 0)
        {
            lock (_doneGate)
                Monitor.PulseAll(_doneGate);
        }
    }

    private void RunCopy(int copy)
    {
        try
        {
            if (_resetOperation)
                ResetRange(copy, copy + 1, _resetSeed);
            else
                StepRange(copy, copy + 1, _actions);
        }
#pragma warning disable CA1031 // Any failure must reach the calling thread instead of killing the worker.
        catch (Exception error)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _error, error, null);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTakeFront(ref long claim, out int copy)
    {
        while (true)
        {
            long word = Volatile.Read(ref claim);
            int front = (int)(word >> 32), back = (int)(uint)word;
            copy = front;
            if (front >= back)
                return false;
            if (Interlocked.CompareExchange(ref claim, word + (1L << 32), word) == word)
                return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTakeBack(ref long claim, out int copy)
    {
        while (true)
        {
            long word = Volatile.Read(ref claim);
            int front = (int)(word >> 32), back = (int)(uint)word;
            copy = back - 1;
            if (front >= back)
                return false;
            if (Interlocked.CompareExchange(ref claim, word - 1, word) == word)
                return true;
        }
    }

    /// <summary>Waits (on the calling thread) until every copy of the step is done: spins, then blocks.</summary>
    private void WaitForCopies()
    {
        long start = Stopwatch.GetTimestamp();
        int spins = 0;
        while (Volatile.Read(ref _words[CompletedSlot]) != Count)
        {
            Thread.SpinWait(1);
            if ((++spins & 63) != 0 || Stopwatch.GetTimestamp() - start < CallerSpinTicks)
                continue;
            lock (_doneGate)
            {
                // Dekker-style: announce the wait (a full fence) before the last look at the count; the worker adds to
                // the count (a full fence) before it looks for a waiting caller, so one of the two sees the other.
                Interlocked.Exchange(ref _callerWaiting, 1);
                while (Volatile.Read(ref _words[CompletedSlot]) != Count)
                    Monitor.Wait(_doneGate);
                Volatile.Write(ref _callerWaiting, 0);
            }
            return;
        }
    }

    private void WorkerLoop(int block)
    {
        long seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            int spins = 0;
            long generation;
            while ((generation = Volatile.Read(ref _words[GenerationSlot])) == seen)
            {
                Thread.SpinWait(1);
                if ((++spins & 63) != 0 || Stopwatch.GetTimestamp() - start < WorkerSpinTicks)
                    continue;
                lock (_workGate)
                {
                    Interlocked.Increment(ref _sleepingWorkers);
                    while (Volatile.Read(ref _words[GenerationSlot]) == seen)
                        Monitor.Wait(_workGate);
                    Interlocked.Decrement(ref _sleepingWorkers);
                }
            }
            seen = generation;
            if (_stopping)
                return;
            RunCopies(block);
        }
    }

    /// <summary>Stops the workers, then disposes the copies.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stopping)
        {
            _stopping = true;
            Interlocked.Increment(ref _words[GenerationSlot]);
            lock (_workGate)
                Monitor.PulseAll(_workGate);
            foreach (Thread worker in _workers)
                worker.Join();
        }
        base.Dispose(disposing);
    }
}
