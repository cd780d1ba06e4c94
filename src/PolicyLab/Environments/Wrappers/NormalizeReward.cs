namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Scales rewards by the running standard deviation of the discounted return, as SB3's VecNormalize and Gymnasium's
/// NormalizeReward do: <c>G ← γ·G + r</c>, the statistics of G are updated, and the reward becomes
/// <c>clip(r / sqrt(var(G) + ε), −clip, clip)</c> (the mean is not subtracted). G restarts at 0 when an episode ends
/// (terminated or truncated). Freeze with <see cref="IsFrozen"/> for evaluation.
/// </summary>
public sealed class NormalizeReward : EnvironmentWrapper
{
    private double _discountedReturn;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NormalizeReward(IEnvironment inner, double gamma = 0.99, double clip = 10.0, double epsilon = 1e-8) : base(inner)
    {
        if (!(gamma >= 0 && gamma <= 1))
            throw new PolicyLabException($"The discount factor gamma must be in [0, 1]; got {gamma}.");
        if (!(clip > 0))
            throw new PolicyLabException($"The reward clip must be positive; got {clip}.");
        Gamma = gamma;
        Clip = clip;
        Epsilon = epsilon;
    }

    /// <summary>Statistics of the discounted return (export/import them to save with a model).</summary>
    public RunningMeanVariance Statistics { get; } = new(1);

    /// <summary>When true the statistics are not updated (evaluation mode).</summary>
    public bool IsFrozen { get; set; }

    /// <summary>Discount used for the running return.</summary>
    public double Gamma { get; }

    /// <summary>Normalized rewards are clipped to ±this.</summary>
    public double Clip { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>The unnormalized reward of the latest step.</summary>
    public double OriginalReward { get; private set; }

    /// <inheritdoc />
    public override void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        Inner.Reset(observation, seed, options);
        _discountedReturn = 0;
    }

    /// <inheritdoc />
    public override StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        OriginalReward = result.Reward;
        _discountedReturn = _discountedReturn * Gamma + result.Reward;
        if (!IsFrozen)
            Statistics.Update([_discountedReturn]);
        double scaled = Normalization.Reward(result.Reward, Normalization.RewardScale(Statistics, Epsilon), Clip);
        if (result.Done)
            _discountedReturn = 0;
        return result with { Reward = scaled };
    }
}
