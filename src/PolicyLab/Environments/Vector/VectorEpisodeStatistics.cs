using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Tracks the undiscounted return and length of every copy's episodes. After a step, <see cref="EpisodeReturns"/>[i]
/// and <see cref="EpisodeLengths"/>[i] hold the finished episode's values for each copy i that ended in that step
/// (check <c>Terminated[i] || Truncated[i]</c>); the most recent episodes are kept in a ring for logging. Place it
/// inside a <see cref="NormalizeVectorEnvironment"/> to record raw rewards.
/// </summary>
public sealed class VectorEpisodeStatistics : VectorEnvironmentWrapper
{
    private readonly double[] _running;
    private readonly int[] _runningLength;
    private readonly double[] _recentReturns;
    private readonly int[] _recentLengths;
    private int _next;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership), remembering the last <paramref name="queueCapacity"/> episodes.</summary>
    public VectorEpisodeStatistics(IVectorEnvironment inner, int queueCapacity = 100)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCapacity);
        _running = new double[inner.Count];
        _runningLength = new int[inner.Count];
        EpisodeReturns = new double[inner.Count];
        EpisodeLengths = new int[inner.Count];
        _recentReturns = new double[queueCapacity];
        _recentLengths = new int[queueCapacity];
    }

    /// <summary>Return of the episode each copy finished in the latest step (valid where that copy ended).</summary>
    public double[] EpisodeReturns { get; }

    /// <summary>Length of the episode each copy finished in the latest step (valid where that copy ended).</summary>
    public int[] EpisodeLengths { get; }

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

    /// <inheritdoc />
    public override void Reset(ulong? seed = null)
    {
        Inner.Reset(seed);
        Array.Clear(_running);
        Array.Clear(_runningLength);
    }

    /// <inheritdoc />
    public override void Step(ReadOnlySpan<float> actions)
    {
        Inner.Step(actions);
        double[] rewards = Inner.Rewards;
        bool[] terminated = Inner.Terminated, truncated = Inner.Truncated;
        for (int i = 0; i < _running.Length; i++)
        {
            _running[i] += rewards[i];
            _runningLength[i]++;
            if (terminated[i] | truncated[i])
            {
                EpisodeReturns[i] = _running[i];
                EpisodeLengths[i] = _runningLength[i];
                _recentReturns[_next] = _running[i];
                _recentLengths[_next] = _runningLength[i];
                _next = (_next + 1) % _recentReturns.Length;
                EpisodeCount++;
                _running[i] = 0;
                _runningLength[i] = 0;
            }
        }
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
