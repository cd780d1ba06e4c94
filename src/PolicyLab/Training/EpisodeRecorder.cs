using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Training;

/// <summary>One finished training episode.</summary>
/// <param name="Step">Total environment steps (all copies) when it ended.</param>
/// <param name="Return">Undiscounted return with the environment's own rewards.</param>
/// <param name="Length">Steps in the episode.</param>
public readonly record struct EpisodeRecord(long Step, double Return, int Length);

/// <summary>
/// The step counter and finished-episode list of a run, shared by every environment the run steps
/// (several when asynchronous workers have environments of their own). Thread-safe.
/// </summary>
public sealed class EpisodeSink
{
    private readonly List<EpisodeRecord> _finished = [];
    private readonly Lock _gate = new();
    private long _totalSteps;

    /// <summary>Environment steps taken, summed over every copy.</summary>
    public long TotalSteps => Interlocked.Read(ref _totalSteps);

    /// <summary>Adds <paramref name="steps"/> and returns the new total.</summary>
    public long AddSteps(int steps) => Interlocked.Add(ref _totalSteps, steps);

    /// <summary>Records a finished episode at the current step count.</summary>
    public void AddEpisode(double episodeReturn, int length)
    {
        lock (_gate) _finished.Add(new EpisodeRecord(TotalSteps, episodeReturn, length));
    }

    /// <summary>Moves the finished episodes into <paramref name="destination"/>.</summary>
    public void Drain(List<EpisodeRecord> destination)
    {
        lock (_gate)
        {
            destination.AddRange(_finished);
            _finished.Clear();
        }
    }

    /// <summary>Restores the step count (when resuming) and forgets pending episodes.</summary>
    public void Restore(long totalSteps)
    {
        Interlocked.Exchange(ref _totalSteps, totalSteps);
        lock (_gate) _finished.Clear();
    }
}

/// <summary>Watches every step of an <see cref="EpisodeRecorder"/> (to film the parallel environments).</summary>
public interface IStepListener
{
    /// <summary>Before the copies are stepped (their current states are the ones the actions are taken in).</summary>
    void BeforeStep(EpisodeRecorder environments);

    /// <summary>After the step: <paramref name="returns"/>[i] is copy i's episode return including this step
    /// (for a copy whose episode ended in this step, the finished episode's return).</summary>
    void AfterStep(EpisodeRecorder environments, ReadOnlySpan<double> returns);
}

/// <summary>
/// Counts environment steps and records every finished episode with the raw rewards into an
/// <see cref="EpisodeSink"/>. Sits directly on the environments, below any normalization, so
/// returns are in the task's own units.
/// </summary>
public sealed class EpisodeRecorder : VectorEnvironmentWrapper, IStatefulEnvironment, IRenderableVectorEnvironment, ISeededCopies
{
    private readonly double[] _running;
    private bool[]? _uncounted; // after ResetCopies: copies whose one episode of the batch is over
    private readonly double[] _returnsAfterStep;
    private readonly int[] _lengths;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership), reporting into <paramref name="sink"/>.</summary>
    public EpisodeRecorder(IVectorEnvironment inner, EpisodeSink sink)
        : base(inner)
    {
        Sink = sink;
        _running = new double[inner.Count];
        _returnsAfterStep = new double[inner.Count];
        _lengths = new int[inner.Count];
    }

    /// <summary>Where steps and episodes are counted.</summary>
    public EpisodeSink Sink { get; }

    /// <summary>Called around every step when set (e.g. by a training-video tracker).</summary>
    public IStepListener? Listener { get; set; }

    /// <summary>Whether the wrapped environments can draw their copies.</summary>
    public bool CanRender => Inner is IRenderableVectorEnvironment;

    /// <summary>The running (unfinished) episode return of each copy.</summary>
    public ReadOnlySpan<double> RunningReturns => _running;

    /// <inheritdoc/>
    public Environments.Rendering.RgbFrame Render(int copy) => Inner is IRenderableVectorEnvironment r
        ? r.Render(copy)
        : throw new PolicyLabException($"The environments of {Spec?.Id ?? "this run"} cannot be drawn, so they cannot be filmed.");

    /// <inheritdoc/>
    public override void Reset(ulong? seed = null)
    {
        Inner.Reset(seed);
        _uncounted = null;
        Array.Clear(_running);
        Array.Clear(_lengths);
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
        Array.Clear(_lengths);
        _uncounted ??= new bool[Count];
        Array.Clear(_uncounted);
    }

    /// <inheritdoc/>
    public override void Step(ReadOnlySpan<float> actions)
    {
        IStepListener? listener = Listener;
        listener?.BeforeStep(this);
        Inner.Step(actions);
        double[] rewards = Inner.Rewards;
        bool[] terminated = Inner.Terminated, truncated = Inner.Truncated;
        bool[]? uncounted = _uncounted;
        int counted = Count;
        if (uncounted is not null)
            foreach (bool u in uncounted) if (u) counted--;
        Sink.AddSteps(counted);
        for (int i = 0; i < _running.Length; i++)
        {
            if (uncounted is not null && uncounted[i]) { _returnsAfterStep[i] = _running[i]; continue; }
            _running[i] += rewards[i];
            _lengths[i]++;
            _returnsAfterStep[i] = _running[i];
            if (terminated[i] || truncated[i])
            {
                Sink.AddEpisode(_running[i], _lengths[i]);
                if (uncounted is not null) uncounted[i] = true;
                else
                {
                    _running[i] = 0;
                    _lengths[i] = 0;
                }
            }
        }
        listener?.AfterStep(this, _returnsAfterStep);
    }

    /// <summary>Whether the wrapped environments can save their state (needed for bit-identical resume).</summary>
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <summary>Saves the running episode sums and, when they can, the wrapped environments.</summary>
    public void SaveState(StateDictionary state, string prefix)
    {
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.SaveState(state, $"{prefix}.inner");
        state.Set($"{prefix}.running_returns", _running);
        state.Set($"{prefix}.running_lengths", _lengths.Select(l => (long)l).ToArray());
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    public void LoadState(StateDictionary state, string prefix)
    {
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.LoadState(state, $"{prefix}.inner");
        state.Read($"{prefix}.running_returns", _running);
        var lengths = new long[_lengths.Length];
        state.Read($"{prefix}.running_lengths", lengths);
        for (int i = 0; i < lengths.Length; i++) _lengths[i] = (int)lengths[i];
    }

}
