namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Truncates episodes after <see cref="MaxEpisodeSteps"/> steps: the step that reaches the limit reports
/// <see cref="StepResult.Truncated"/> (and sets <see cref="InfoKeys.TimeLimitTruncated"/>) unless it also terminated,
/// in which case both flags can be true, as in Gymnasium. Stepping after the truncation without a reset throws.
/// </summary>
public sealed class TimeLimit : EnvironmentWrapper, IStatefulEnvironment
{
    private readonly EnvironmentSpec? _spec;
    private bool _active;

    /// <summary>Wraps <paramref name="inner"/> with a limit of <paramref name="maxEpisodeSteps"/> steps.</summary>
    /// <param name="inner">The environment to limit.</param>
    /// <param name="maxEpisodeSteps">The limit (positive).</param>
    /// <param name="spec">The spec to report instead of the inner one (used by the registry), or null to forward.</param>
    public TimeLimit(IEnvironment inner, int maxEpisodeSteps, EnvironmentSpec? spec = null) : base(inner)
    {
        if (maxEpisodeSteps <= 0)
            throw new PolicyLabException($"A time limit must allow at least one step; got max episode steps {maxEpisodeSteps}. Pass a positive number.");
        MaxEpisodeSteps = maxEpisodeSteps;
        _spec = spec;
    }

    /// <summary>The step limit.</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps { get; private set; }

    /// <inheritdoc />
    public override EnvironmentSpec? Spec => _spec ?? Inner.Spec;

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        ElapsedSteps = 0;
        _active = true;
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_active)
            ThrowNotActive();
        StepResult result = Inner.Step(action, observation);
        ElapsedSteps++;
        if (ElapsedSteps >= MaxEpisodeSteps)
        {
            if (!result.Truncated)
                Info.Set(InfoKeys.TimeLimitTruncated, 1);
            result = result with { Truncated = true };
        }
        if (result.Terminated | result.Truncated)
            _active = false;
        return result;
    }

    /// <inheritdoc />
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <inheritdoc />
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException("The environment inside this time limit cannot save its state.");
        inner.SaveState(state, $"{prefix}.inner");
        state.SetScalar($"{prefix}.elapsed", ElapsedSteps);
        state.SetScalar($"{prefix}.active", _active ? 1 : 0);
    }

    /// <inheritdoc />
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is not IStatefulEnvironment inner || !inner.CanSaveState)
            throw new NotSupportedException("The environment inside this time limit cannot load a saved state.");
        inner.LoadState(state, $"{prefix}.inner");
        ElapsedSteps = (int)state.ReadScalarInt64($"{prefix}.elapsed");
        _active = state.ReadScalarInt64($"{prefix}.active") != 0;
    }

    private void ThrowNotActive() =>
        throw new PolicyLabException($"{Id}: Step was called without an active episode (before the first Reset, or after the episode ended at step {ElapsedSteps} of at most {MaxEpisodeSteps}). Call Reset before stepping again.");
}
