using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>A2C hyperparameters (defaults as published for SB3's A2C).</summary>
public sealed class A2cSettings : OnPolicySettings
{
    /// <summary>Creates the settings with SB3's A2C defaults.</summary>
    public A2cSettings()
    {
        LearningRate = Schedule.Constant(7e-4f);
        Steps = 5;
        GaeLambda = 1f;
        NormalizeAdvantage = false;
    }

    /// <summary>RMSprop (true) or Adam (false).</summary>
    [Hyperparameter("use_rms_prop", "optimize with RMSprop (true) or Adam (false)")]
    public bool UseRmsProp { get; set; } = true;

    /// <summary>RMSprop's decay α.</summary>
    [Hyperparameter("rms_prop_alpha", "RMSprop's squared-gradient decay α in [0, 1)")]
    public float RmsPropAlpha { get; set; } = 0.99f;

    /// <summary>The optimizer's ε (RMSprop or Adam).</summary>
    [Hyperparameter("rms_prop_eps", "the optimizer's ε (RMSprop's, or Adam's when use_rms_prop is false)")]
    public float RmsPropEpsilon { get; set; } = 1e-5f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, RmsPropAlpha is >= 0 and < 1, $"rms_prop_alpha must lie in [0, 1) (got {RmsPropAlpha})");
        Require(errors, RmsPropEpsilon > 0, $"rms_prop_eps must be > 0 (got {RmsPropEpsilon})");
    }
}

/// <summary>
/// Synchronous advantage actor-critic (A2C, the synchronous variant of Mnih et al. 2016). Each iteration
/// collects n_steps from every environment, computes n-step returns (GAE with λ = 1 by default), and takes
/// one gradient step on the whole rollout of L = L^PG + c_v·L^VF − c_e·H, where
///   L^PG = −E[Â_t · log π(a_t|s_t)]        (policy-gradient theorem with an advantage baseline)
///   L^VF = E[(V(s_t) − R_t)²]              (R_t: n-step or GAE returns)
///   H    = E[entropy of π(·|s_t)].
/// </summary>
public sealed class A2c : IAlgorithm, IValueProbe
{
    private readonly A2cSettings _s;
    private readonly ActorCriticPolicy _policy;
    private readonly Optimizer _optimizer;
    private readonly Rng _rng;
    private readonly RolloutBuffer _buffer;
    private bool _iterated;
    private readonly RolloutCollector _collector;
    private readonly ActorCriticStep _step;

    /// <summary>Builds the policy and optimizer for <paramref name="env"/> (already reset).</summary>
    public A2c(IVectorEnvironment env, A2cSettings settings, Rng rng)
    {
        settings.ThrowIfInvalid("A2C settings");
        (_s, _rng) = (settings, rng);
        _policy = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, settings.Networks, rng);
        _optimizer = CreateOptimizer(_policy.Store, settings.UseRmsProp, settings.LearningRate.ValueAt(0), settings.RmsPropAlpha, settings.RmsPropEpsilon);
        _buffer = new RolloutBuffer(settings.Steps, env.Count, _policy.ObservationSize, _policy.ActionSize);
        _collector = new RolloutCollector(env, _policy);
        _step = new ActorCriticStep(_policy, _buffer.Count);
    }

    /// <inheritdoc/>
    public Hyperparameters Settings => _s;

    /// <inheritdoc/>
    public ParameterStore Parameters => _policy.Store;

    /// <summary>The policy being trained.</summary>
    public ActorCriticPolicy Policy => _policy;

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        _collector.Collect(_buffer, _s.Gamma, _rng, _s.RewardTemperature);
        _iterated = true;
        _buffer.ComputeAdvantages(_s.Gamma, _s.GaeLambda);
        _optimizer.LearningRate = _s.LearningRate.ValueAt(progress);
        ActorCriticStep.Result r = _step.ComputeGradients(_buffer, _s.NormalizeAdvantage, _s.ValueCoefficient, _s.EffectiveEntropyCoefficient, _s.MaxGradNorm, "A2C");
        _optimizer.Step();
        diagnostics.Set("policy_loss", r.PolicyLoss);
        diagnostics.Set("value_loss", r.ValueLoss);
        diagnostics.Set("entropy", r.Entropy);
        diagnostics.Set("grad_norm", r.GradientNorm);
        // Undefined (NaN) when every return is equal: then it is left out.
        if (_buffer.ExplainedVariance() is var explained && double.IsFinite(explained)) diagnostics.Set("explained_variance", explained);
        diagnostics.Set("learning_rate", _optimizer.LearningRate);
        if (_policy.LogStd is { } logStd) diagnostics.Set("std", Math.Exp(logStd.Value.ToArray().Average()));
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        _policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions);

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetParameters("policy", _policy.Store);
        state.SetOptimizer("optimizer", _optimizer);
        state.SetRng("rng", _rng);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        state.ReadParameters("policy", _policy.Store);
        state.ReadOptimizer("optimizer", _optimizer);
        state.ReadRng("rng", _rng);
    }

    /// <inheritdoc/>
    public ValueTrace? LatestTrace() => _iterated ? _buffer.FirstEpisodeTrace(!_policy.IsDiscrete) : null;

    /// <inheritdoc/>
    public void Dispose() { }

    /// <summary>RMSprop (α, ε) or Adam (ε) over the whole <paramref name="store"/>.</summary>
    internal static Optimizer CreateOptimizer(ParameterStore store, bool rmsProp, float learningRate, float alpha, float epsilon) =>
        rmsProp ? new RmsProp(store, learningRate, alpha, epsilon) : new Adam(store, learningRate, epsilon: epsilon);
}

/// <summary>
/// The advantage actor-critic gradient shared by A2C and A3C: on one rollout (advantages already
/// computed), back-propagates L = −mean(Â·log π) + c_v·mean((V − R)²) − c_e·mean(H) into the policy's
/// store and clips the global gradient norm. Reuses its buffers, so one instance serves one policy.
/// </summary>
internal sealed class ActorCriticStep(ActorCriticPolicy policy, int capacity)
{
    private readonly Tape _tape = new();
    private readonly float[] _advantages = new float[capacity];

    /// <summary>Losses of one step and the gradient norm before clipping.</summary>
    public readonly record struct Result(double PolicyLoss, double ValueLoss, double Entropy, double GradientNorm);

    /// <summary>Zeroes, computes and clips the gradients of the policy's store (no optimizer step).</summary>
    public Result ComputeGradients(RolloutBuffer buffer, bool normalizeAdvantages, float valueCoefficient, float entropyCoefficient, float maxGradNorm, string algorithm)
    {
        int n = buffer.Count, obsSize = policy.ObservationSize;
        buffer.Advantages.AsSpan(0, n).CopyTo(_advantages);
        if (normalizeAdvantages && n > 1) Minibatch.Normalize(_advantages.AsSpan(0, n));

        Tape t = _tape;
        t.Reset();
        policy.Store.ZeroGradients();
        Tensor obs = t.Constant(buffer.Observations.AsSpan(0, n * obsSize), new Shape(n, obsSize));
        Tensor actions = policy.IsDiscrete
            ? t.Constant(buffer.Actions.AsSpan(0, n))
            : t.Constant(buffer.Actions.AsSpan(0, n * policy.ActionSize), new Shape(n, policy.ActionSize));
        (Tensor logp, Tensor entropy) = policy.Evaluate(t, obs, actions);
        Tensor policyLoss = -(logp * t.Constant(_advantages.AsSpan(0, n))).Mean();                  // −E[Â·log π]
        Tensor valueLoss = (policy.Value(t, obs) - t.Constant(buffer.Returns.AsSpan(0, n))).Square().Mean(); // E[(V − R)²]
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss + valueCoefficient * valueLoss - entropyCoefficient * entropyMean;
        NonFiniteValueException.ThrowIfNotFinite($"{algorithm} loss", loss.Item());
        t.Backward(loss);
        float norm = GradientClipping.ClipGlobalNorm(policy.Store.Gradients, maxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("gradient norm", norm);
        return new Result(policyLoss.Item(), valueLoss.Item(), entropyMean.Item(), norm);
    }
}
