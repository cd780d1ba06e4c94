using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>VPG hyperparameters (defaults as published for Spinning Up's VPG: 4000 steps per epoch,
/// γ 0.99, λ 0.97, policy lr 3e-4, value lr 1e-3, 80 value iterations, no gradient clipping).</summary>
public sealed class VpgSettings : OnPolicySettings
{
    /// <summary>Creates the settings with Spinning Up's VPG defaults.</summary>
    public VpgSettings()
    {
        LearningRate = Schedule.Constant(3e-4f);
        Steps = 4000;
        GaeLambda = 0.97f;
        NormalizeAdvantage = true;
        MaxGradNorm = float.PositiveInfinity;
    }

    /// <summary>Learning rate of the value function's optimizer.</summary>
    [Hyperparameter("vf_learning_rate", "Adam learning rate of the value network (the policy's is learning_rate)")]
    public Schedule ValueLearningRate { get; set; } = Schedule.Constant(1e-3f);

    /// <summary>Value-function gradient steps per update.</summary>
    [Hyperparameter("train_v_iters", "full-batch gradient steps on the value loss per update")]
    public int ValueIterations { get; set; } = 80;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, ValueLearningRate.ValueAt(0) >= 0 && ValueLearningRate.ValueAt(1) >= 0, $"vf_learning_rate must be ≥ 0 (got {Get("vf_learning_rate")})");
        Require(errors, ValueIterations >= 0, $"train_v_iters must be ≥ 0 (got {ValueIterations})");
    }
}

/// <summary>
/// Vanilla policy gradient with a learned value baseline (as in Spinning Up's VPG). Each iteration collects
/// n_steps from every environment, computes GAE(γ, λ) advantages with the current critic
/// (λ = 0: one-step TD, λ = 1: Monte Carlo; truncated episodes and the rollout's end bootstrap from V),
/// then takes one full-batch Adam step on the actor and train_v_iters full-batch Adam steps on the critic:
///   L^π = −E[Â_t · log π(a_t|s_t)] − c_e·H       (Â normalized over the batch when normalize_advantage)
///   L^V = E[(V(s_t) − R_t)²],  R_t = Â_t + V_old(s_t)  (the GAE returns)
/// The two optimizers work on disjoint ranges of the policy's store: the actor prefix and the critic after it.
/// vf_coef is unused (the losses are optimized separately); max_grad_norm clips each network's gradient.
/// </summary>
public sealed class Vpg : IAlgorithm
{
    private readonly VpgSettings _s;
    private readonly ActorCriticPolicy _policy;
    private readonly Adam _policyAdam, _valueAdam;
    private readonly Rng _rng;
    private readonly RolloutBuffer _buffer;
    private readonly RolloutCollector _collector;
    private readonly float[] _advantages;
    private readonly Tape _tape = new();

    /// <summary>Builds the policy and the two optimizers for <paramref name="env"/> (already reset).</summary>
    public Vpg(IVectorEnvironment env, VpgSettings settings, Rng rng)
    {
        settings.ThrowIfInvalid("VPG settings");
        (_s, _rng) = (settings, rng);
        _policy = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, settings.Networks, rng);
        int actor = _policy.ActorParameterCount;
        _policyAdam = new Adam(_policy.Store, settings.LearningRate.ValueAt(0), range: ..actor);
        _valueAdam = new Adam(_policy.Store, settings.ValueLearningRate.ValueAt(0), range: actor..);
        _buffer = new RolloutBuffer(settings.Steps, env.Count, _policy.ObservationSize, _policy.ActionSize);
        _collector = new RolloutCollector(env, _policy);
        _advantages = new float[_buffer.Count];
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
        _buffer.ComputeAdvantages(_s.Gamma, _s.GaeLambda);
        _policyAdam.LearningRate = _s.LearningRate.ValueAt(progress);
        _valueAdam.LearningRate = _s.ValueLearningRate.ValueAt(progress);

        int n = _buffer.Count, obsSize = _policy.ObservationSize;
        _buffer.Advantages.CopyTo(_advantages, 0);
        if (_s.NormalizeAdvantage && n > 1) Minibatch.Normalize(_advantages);

        // Policy: one full-batch step on −E[Â·log π] − c_e·H (gradients reach the actor prefix only).
        Tape t = _tape;
        t.Reset();
        _policy.Store.ZeroGradients();
        Tensor obs = t.Constant(_buffer.Observations, new Shape(n, obsSize));
        Tensor actions = _policy.IsDiscrete ? t.Constant(_buffer.Actions) : t.Constant(_buffer.Actions, new Shape(n, _policy.ActionSize));
        (Tensor logp, Tensor entropy) = _policy.Evaluate(t, obs, actions);
        Tensor policyLoss = -(logp * t.Constant(_advantages)).Mean();
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss - _s.EffectiveEntropyCoefficient * entropyMean;
        NonFiniteValueException.ThrowIfNotFinite("VPG policy loss", loss.Item());
        t.Backward(loss);
        float policyNorm = GradientClipping.ClipGlobalNorm(_policy.Store.Gradients[.._policy.ActorParameterCount], _s.MaxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("policy gradient norm", policyNorm);
        _policyAdam.Step();
        (double pl, double ent) = (policyLoss.Item(), entropyMean.Item());

        // Value: train_v_iters full-batch steps on E[(V − R)²].
        double firstValueLoss = double.NaN, valueLoss = double.NaN;
        for (int k = 0; k < _s.ValueIterations; k++)
        {
            t.Reset();
            _policy.Store.ZeroGradients();
            Tensor o = t.Constant(_buffer.Observations, new Shape(n, obsSize));
            Tensor vl = (_policy.Value(t, o) - t.Constant(_buffer.Returns)).Square().Mean();
            valueLoss = vl.Item();
            NonFiniteValueException.ThrowIfNotFinite("VPG value loss", valueLoss);
            if (k == 0) firstValueLoss = valueLoss;
            t.Backward(vl);
            float norm = GradientClipping.ClipGlobalNorm(_policy.Store.Gradients[_policy.ActorParameterCount..], _s.MaxGradNorm);
            NonFiniteValueException.ThrowIfNotFinite("value gradient norm", norm);
            _valueAdam.Step();
        }

        diagnostics.Set("policy_loss", pl);
        diagnostics.Set("entropy", ent);
        diagnostics.Set("policy_grad_norm", policyNorm);
        if (_s.ValueIterations > 0)
        {
            diagnostics.Set("value_loss", firstValueLoss);
            diagnostics.Set("value_loss_after", valueLoss);
        }
        // Undefined (NaN) when every return is equal; the loop treats a NaN diagnostic as a failure, so skip it then.
        if (_buffer.ExplainedVariance() is var explained && double.IsFinite(explained)) diagnostics.Set("explained_variance", explained);
        diagnostics.Set("learning_rate", _policyAdam.LearningRate);
        if (_policy.LogStd is { } logStd) diagnostics.Set("std", Math.Exp(logStd.Value.ToArray().Average()));
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        _policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions);

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetParameters("policy", _policy.Store);
        state.SetOptimizer("policy_optimizer", _policyAdam);
        state.SetOptimizer("value_optimizer", _valueAdam);
        state.SetRng("rng", _rng);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        state.ReadParameters("policy", _policy.Store);
        state.ReadOptimizer("policy_optimizer", _policyAdam);
        state.ReadOptimizer("value_optimizer", _valueAdam);
        state.ReadRng("rng", _rng);
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
