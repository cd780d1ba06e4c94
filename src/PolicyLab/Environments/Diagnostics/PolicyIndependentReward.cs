using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Diagnostics;

/// <summary>How <see cref="PolicyIndependentReward"/> draws its reward.</summary>
public enum IndependentRewardKind
{
    /// <summary>1 + N(0, noise²) every step.</summary>
    ConstantWithNoise,
    /// <summary>U(0, 1) every step.</summary>
    Uniform,
}

/// <summary>
/// A sanity task whose reward ignores the agent: observations are U(0, 1)^4, actions are Box[−1, 1]^2 (any action is
/// accepted and has no effect), the reward is 1 + N(0, noise²) or U(0, 1), and the environment never ends by itself
/// (register it with a time limit). Every measure of how much the policy controls the return (PIC, POIC) must be ≈ 0
/// here, and every learner's return must stay at its chance level.
/// </summary>
public sealed class PolicyIndependentReward : EnvironmentBase
{
    private readonly float[] _observation = new float[4];

    /// <summary>Creates the task.</summary>
    /// <param name="kind">The reward's distribution.</param>
    /// <param name="noise">Standard deviation of the noise of <see cref="IndependentRewardKind.ConstantWithNoise"/>.</param>
    public PolicyIndependentReward(IndependentRewardKind kind, double noise = 0.1)
        : base(new Box(0f, 1f, 4), new Box(-1f, 1f, 2))
    {
        if (!(noise >= 0) || !double.IsFinite(noise))
            throw new PolicyLabException($"The reward noise must be a finite non-negative standard deviation; got {noise}.");
        Kind = kind;
        Noise = noise;
    }

    /// <summary>The reward's distribution.</summary>
    public IndependentRewardKind Kind { get; }

    /// <summary>Noise standard deviation (constant kind).</summary>
    public double Noise { get; }

    /// <inheritdoc />
    public override bool CanSaveState => true;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options) => Random.FillUniform(_observation, 0f, 1f);

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        double reward = Kind == IndependentRewardKind.Uniform ? Random.NextDouble() : 1.0 + Noise * Random.Normal();
        Random.FillUniform(_observation, 0f, 1f);
        return new StepResult(reward, false, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation) => _observation.CopyTo(observation);

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) => state.Set($"{prefix}.observation", _observation);

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix) => state.Read($"{prefix}.observation", _observation);

    /// <inheritdoc />
    public override RgbFrame Render()
    {
        var canvas = new Canvas(200, 100);
        canvas.Clear(RgbColor.White);
        for (int i = 0; i < 4; i++)
            canvas.FillRectangle(10 + i * 48, 90 - 80 * _observation[i], 48 + i * 48, 90, new RgbColor(120, 120, 200));
        return canvas.Frame;
    }
}
