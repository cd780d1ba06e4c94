namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Tracks the undiscounted return and length of each episode. On the step that ends an episode it sets
/// <see cref="InfoKeys.EpisodeReturn"/> and <see cref="InfoKeys.EpisodeLength"/> in the info and records them in
/// <see cref="ReturnQueue"/>/<see cref="LengthQueue"/> (the most recent <see cref="QueueCapacity"/> episodes).
/// </summary>
public sealed class EpisodeStatistics : EnvironmentWrapper
{
    private readonly double[] _returns;
    private readonly int[] _lengths;
    private int _next;

    /// <summary>Wraps <paramref name="inner"/>, remembering the last <paramref name="queueCapacity"/> episodes.</summary>
    public EpisodeStatistics(IEnvironment inner, int queueCapacity = 100) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCapacity);
        _returns = new double[queueCapacity];
        _lengths = new int[queueCapacity];
    }

    /// <summary>How many recent episodes are kept.</summary>
    public int QueueCapacity => _returns.Length;

    /// <summary>Return accumulated so far in the current episode.</summary>
    public double CurrentReturn { get; private set; }

    /// <summary>Steps taken so far in the current episode.</summary>
    public int CurrentLength { get; private set; }

    /// <summary>Number of episodes finished since construction.</summary>
    public long EpisodeCount { get; private set; }

    /// <summary>Return of the most recently finished episode (NaN before the first).</summary>
    public double LastReturn { get; private set; } = double.NaN;

    /// <summary>Length of the most recently finished episode (0 before the first).</summary>
    public int LastLength { get; private set; }

    /// <summary>Returns of the most recent episodes, oldest first (allocates).</summary>
    public IReadOnlyList<double> ReturnQueue => Recent(_returns);

    /// <summary>Lengths of the most recent episodes, oldest first (allocates).</summary>
    public IReadOnlyList<int> LengthQueue => Recent(_lengths);

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        CurrentReturn = 0;
        CurrentLength = 0;
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        CurrentReturn += result.Reward;
        CurrentLength++;
        if (result.Terminated | result.Truncated)
        {
            Info.Set(InfoKeys.EpisodeReturn, CurrentReturn);
            Info.Set(InfoKeys.EpisodeLength, CurrentLength);
            LastReturn = CurrentReturn;
            LastLength = CurrentLength;
            _returns[_next] = CurrentReturn;
            _lengths[_next] = CurrentLength;
            _next = (_next + 1) % _returns.Length;
            EpisodeCount++;
        }
        return result;
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
