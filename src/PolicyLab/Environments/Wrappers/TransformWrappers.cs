using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Wrappers;

/// <summary>Transforms each observation in place with a delegate (after reset and after every step).</summary>
public sealed class TransformObservation : EnvironmentWrapper
{
    private readonly TransformInPlace _transform;
    private readonly Space? _space;

    /// <summary>A delegate that rewrites an observation in place.</summary>
    public delegate void TransformInPlace(Span<float> observation);

    /// <summary>Wraps <paramref name="inner"/>; give <paramref name="observationSpace"/> when the transform changes the bounds.</summary>
    public TransformObservation(IEnvironment inner, TransformInPlace transform, Space? observationSpace = null) : base(inner)
    {
        _transform = transform ?? throw new ArgumentNullException(nameof(transform));
        if (observationSpace is not null && observationSpace.FlatSize != inner.ObservationSpace.FlatSize)
            throw new PolicyLabException($"TransformObservation rewrites observations in place, so the new space must keep {inner.ObservationSpace.FlatSize} elements; {observationSpace} has {observationSpace.FlatSize}.");
        _space = observationSpace;
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space ?? Inner.ObservationSpace;

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        _transform(observation);
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        _transform(observation);
        return result;
    }
}

/// <summary>Transforms each reward with a delegate.</summary>
public sealed class TransformReward : EnvironmentWrapper
{
    private readonly Func<double, double> _transform;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TransformReward(IEnvironment inner, Func<double, double> transform) : base(inner) =>
        _transform = transform ?? throw new ArgumentNullException(nameof(transform));

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        return result with { Reward = _transform(result.Reward) };
    }
}

/// <summary>
/// Collects a rendered frame after every reset and step (for videos). Frames accumulate in <see cref="Frames"/> until
/// <see cref="ClearFrames"/>; <see cref="EpisodeEnded"/> fires with the frames of each finished episode. Rendering
/// allocates, so use this wrapper for evaluation runs only.
/// </summary>
public sealed class FrameCapture : EnvironmentWrapper
{
    private readonly List<RgbFrame> _frames = [];

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="everyNthStep"/> keeps one frame in n (1 keeps all).</summary>
    public FrameCapture(IEnvironment inner, int everyNthStep = 1) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyNthStep);
        EveryNthStep = everyNthStep;
    }

    /// <summary>Keep one frame out of this many steps (the reset frame is always kept).</summary>
    public int EveryNthStep { get; }

    /// <summary>The frames captured so far.</summary>
    public IReadOnlyList<RgbFrame> Frames => _frames;

    /// <summary>Raised when an episode ends, with the frames captured since the last reset.</summary>
    public event EventHandler<IReadOnlyList<RgbFrame>>? EpisodeEnded;

    private int _episodeStart;
    private int _step;

    /// <summary>Forgets the captured frames.</summary>
    public void ClearFrames()
    {
        _frames.Clear();
        _episodeStart = 0;
    }

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        _episodeStart = _frames.Count;
        _step = 0;
        _frames.Add(Inner.Render());
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        _step++;
        if (_step % EveryNthStep == 0 || result.Done)
            _frames.Add(Inner.Render());
        if (result.Done)
            EpisodeEnded?.Invoke(this, _frames.GetRange(_episodeStart, _frames.Count - _episodeStart));
        return result;
    }
}
