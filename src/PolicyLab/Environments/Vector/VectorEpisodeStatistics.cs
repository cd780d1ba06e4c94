using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Tracks the undiscounted return and length of every copy's episodes — the one episode-statistics wrapper, used by
/// training and by users alike. After a step, <see cref="EpisodeReturns"/>[i] and <see cref="EpisodeLengths"/>[i]
/// hold the finished episode's values for each copy i that ended in that step (check <c>Terminated[i] || Truncated[i]</c>);
/// the most recent episodes are kept in a ring; with a <see cref="Sink"/>, every step and finished episode is also
/// counted there. Place it directly on the environments, below any normalization, so returns are in the task's
/// own units. Saves its running sums with the wrapped environments' state (for bit-identical resume).
/// </summary>
public sealed class VectorEpisodeStatistics : VectorEnvironmentWrapper, IStatefulEnvironment, IRenderableVectorEnvironment, ISeededCopies
{
    private readonly double[] _running;
    private readonly int[] _runningLength;
    private readonly double[] _returnsAfterStep;
    private readonly double[] _recentReturns;
    private readonly int[] _recentLengths;
    private bool[]? _uncounted; // after ResetCopies: copies whose one episode of the batch is over
    private int _next;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership), remembering the last <paramref name="queueCapacity"/>
    /// episodes and, when given, counting steps and episodes in <paramref name="sink"/>.</summary>
    public VectorEpisodeStatistics(IVectorEnvironment inner, int queueCapacity = 100, IEpisodeSink? sink = null)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCapacity);
        _running = new double[inner.Count];
        _runningLength = new int[inner.Count];
        _returnsAfterStep = new double[inner.Count];
        EpisodeReturns = new double[inner.Count];
        EpisodeLengths = new int[inner.Count];
        _recentReturns = new double[queueCapacity];
        _recentLengths = new int[queueCapacity];
        Sink = sink;
    }

    /// <summary>Where steps and episodes are also counted (null: only here).</summary>
    public IEpisodeSink? Sink { get; }

    /// <summary>Called around every step when set (e.g. by a training-video tracker).</summary>
    public IVectorStepListener? Listener { get; set; }

    /// <summary>Return of the episode each copy finished in the latest step (valid where that copy ended).</summary>
    public double[] EpisodeReturns { get; }

    /// <summary>Length of the episode each copy finished in the latest step (valid where that copy ended).</summary>
    public int[] EpisodeLengths { get; }

    /// <summary>The running (unfinished) episode return of each copy.</summary>
    public ReadOnlySpan<double> RunningReturns => _running;

    /// <summary>Episodes finished since construction.</summary>
    public long EpisodeCount { get; private set; }

    /// <summary>Returns of the most recent episodes, oldest first (allocates).</summary>
    public IReadOnlyList<double> RecentReturns => Recent(_recentReturns);

    /// <summary>Lengths of the most recent episodes, oldest first (allocates).</summary>
    public IReadOnlyList<int> RecentLengths => Recent(_recentLengths);

    /// <summary>Mean return of the recent episodes (NaN before the first).</summary>
    public double MeanRecentReturn
    {
        get
        {
            int count = (int)Math.Min(EpisodeCount, _recentReturns.Length);
            return count == 0 ? double.NaN : _recentReturns.AsSpan(0, count).ToArray().Average();
        }
    }

    /// <summary>Whether the wrapped environments can draw their copies.</summary>
    public bool CanRender => Inner is IRenderableVectorEnvironment;

    /// <inheritdoc/>
    public Rendering.RgbFrame Render(int copy) => Inner is IRenderableVectorEnvironment r
        ? r.Render(copy)
        : throw new PolicyLabException($"The environments of {Spec?.Id ?? "this run"} cannot be drawn, so they cannot be filmed.");

    /// <inheritdoc />
    public override void Reset(ulong? seed = null)
    {
        Inner.Reset(seed);
        _uncounted = null;
        Array.Clear(_running);
        Array.Clear(_runningLength);
    }

    /// <summary>
    /// Resets each copy with its own seed (when the wrapped environments support it) for a batch of one
    /// episode per copy: until the next call, only each copy's first episode is counted (its steps and its
    /// record); a copy that has finished it keeps being stepped with the others, uncounted.
    /// </summary>
    /// <exception cref="PolicyLabException">The wrapped environments cannot reset copies individually.</exception>
    public void ResetCopies(ReadOnlySpan<ulong> seeds)
    {
        if (Inner is not ISeededCopies copies)
            throw new PolicyLabException($"The environments of {Spec?.Id ?? "this run"} cannot reset copies with individual seeds.");
        copies.ResetCopies(seeds);
        Array.Clear(_running);
        Array.Clear(_runningLength);
        _uncounted ??= new bool[Count];
        Array.Clear(_uncounted);
    }

    /// <inheritdoc />
    public override void Step(ReadOnlySpan<float> actions)
    {
        IVectorStepListener? listener = Listener;
        listener?.BeforeStep(this);
        Inner.Step(actions);
        Tally(Inner.Rewards, Inner.Terminated, Inner.Truncated);
        listener?.AfterStep(this, _returnsAfterStep);
    }

    /// <summary>
    /// Counts one step of every copy that was taken elsewhere (e.g. by cluster workers stepping copies of these
    /// environments): the same bookkeeping <see cref="Step"/> does after stepping, with the step's rewards and end
    /// flags (one per copy). The wrapped environments are not stepped and the listener is not called.
    /// </summary>
    public void CountStep(ReadOnlySpan<double> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated)
    {
        if (rewards.Length != Count || terminated.Length != Count || truncated.Length != Count)
            throw new ArgumentException($"CountStep needs one reward and one flag of each kind per copy ({Count}).");
        Tally(rewards, terminated, truncated);
    }

    private void Tally(ReadOnlySpan<double> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated)
    {
        bool[]? uncounted = _uncounted;
        if (Sink is { } sink)
        {
            int counted = Count;
            if (uncounted is not null)
                foreach (bool u in uncounted) if (u) counted--;
            sink.AddSteps(counted);
        }
        for (int i = 0; i < _running.Length; i++)
        {
            if (uncounted is not null && uncounted[i]) { _returnsAfterStep[i] = _running[i]; continue; }
            _running[i] += rewards[i];
            _runningLength[i]++;
            _returnsAfterStep[i] = _running[i];
            if (terminated[i] | truncated[i])
            {
                EpisodeReturns[i] = _running[i];
                EpisodeLengths[i] = _runningLength[i];
                _recentReturns[_next] = _running[i];
                _recentLengths[_next] = _runningLength[i];
                _next = (_next + 1) % _recentReturns.Length;
                EpisodeCount++;
                Sink?.AddEpisode(_running[i], _runningLength[i]);
                if (uncounted is not null) uncounted[i] = true;
                else
                {
                    _running[i] = 0;
                    _runningLength[i] = 0;
                }
            }
        }
    }

    /// <summary>Whether the wrapped environments can save their state (needed for bit-identical resume).</summary>
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <summary>Saves the running episode sums and, when they can, the wrapped environments.</summary>
    public void SaveState(StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.SaveState(state, $"{prefix}.inner");
        state.Set($"{prefix}.running_returns", _running);
        state.Set($"{prefix}.running_lengths", _runningLength.Select(l => (long)l).ToArray());
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    public void LoadState(StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.LoadState(state, $"{prefix}.inner");
        state.Read($"{prefix}.running_returns", _running);
        var lengths = new long[_runningLength.Length];
        state.Read($"{prefix}.running_lengths", lengths);
        for (int i = 0; i < lengths.Length; i++) _runningLength[i] = (int)lengths[i];
    }

    private T[] Recent<T>(T[] ring)
    {
        int count = (int)Math.Min(EpisodeCount, ring.Length);
        var recent = new T[count];
        for (int i = 0; i < count; i++)
            recent[i] = ring[((_next - count + i) % ring.Length + ring.Length) % ring.Length];
        return recent;
    }
}
