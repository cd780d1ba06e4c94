namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Repeats each action for <see cref="Skip"/> steps of the inner environment and returns the sum of their rewards and
/// the last observation (RL Zoo's <c>FrameSkip</c>, the frame skip of Atari preprocessing without the max-pooling).
/// The repetition stops early when the episode ends; the info is the last inner step's.
/// </summary>
public sealed class FrameSkip : EnvironmentWrapper, IStatefulEnvironment
{
    /// <summary>Wraps <paramref name="inner"/>, repeating each action <paramref name="skip"/> times.</summary>
    public FrameSkip(IEnvironment inner, int skip) : base(inner)
    {
        if (skip < 1)
            throw new PolicyLabException($"FrameSkip repeats each action at least once; got frame_skip {skip}. Use 1 for no skipping.");
        Skip = skip;
    }

    /// <summary>Inner steps per step.</summary>
    public int Skip { get; }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        double total = 0;
        StepResult result = default;
        for (int i = 0; i < Skip; i++)
        {
            result = Inner.Step(action, observation);
            total += result.Reward;
            if (result.Done)
                break;
        }
        return new StepResult(total, result.Terminated, result.Truncated);
    }

    /// <inheritdoc />
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <inheritdoc />
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException("The environment inside FrameSkip cannot save its state.");
        inner.SaveState(state, $"{prefix}.inner");
    }

    /// <inheritdoc />
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException("The environment inside FrameSkip cannot load a saved state.");
        inner.LoadState(state, $"{prefix}.inner");
    }
}
