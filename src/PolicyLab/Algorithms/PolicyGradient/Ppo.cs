using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>Which PPO objective to optimize.</summary>
public enum PpoObjective
{
    /// <summary>The clipped surrogate L^CLIP.</summary>
    Clip,
    /// <summary>The surrogate with an adaptive KL penalty, L^KLPEN.</summary>
    AdaptiveKl,
}

/// <summary>PPO hyperparameters (defaults as published for SB3's PPO).</summary>
public sealed class PpoSettings : OnPolicySettings
{
    /// <summary>Minibatch size.</summary>
    [Hyperparameter("batch_size", "minibatch size (≤ n_steps × n_envs)")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Epochs over each rollout.</summary>
    [Hyperparameter("n_epochs", "passes over each rollout")]
    public int Epochs { get; set; } = 10;

    /// <summary>Clipping ε of the surrogate.</summary>
    [Hyperparameter("clip_range", "clipping ε of the surrogate ratio (> 0); a number or a schedule")]
    public Schedule ClipRange { get; set; } = Schedule.Constant(0.2f);

    /// <summary>Clipping of the value prediction around the old one (off when null).</summary>
    [Hyperparameter("clip_range_vf", "clip value predictions to ±this around the old ones (null: off)")]
    public float? ClipRangeVf { get; set; }

    /// <summary>Stop the epochs early once the approximate KL exceeds 1.5 × this (off when null).</summary>
    [Hyperparameter("target_kl", "stop an update's epochs once approx. KL > 1.5 × target_kl (null: off)")]
    public float? TargetKl { get; set; }

    /// <summary>The objective.</summary>
    [Hyperparameter("objective", "clip (clipped surrogate) or adaptive_kl (KL penalty)")]
    public PpoObjective Objective { get; set; } = PpoObjective.Clip;

    /// <summary>Target KL d_targ of the adaptive penalty.</summary>
    [Hyperparameter("kl_target", "d_targ of the adaptive KL penalty")]
    public float KlTarget { get; set; } = 0.01f;

    /// <summary>Initial β of the adaptive penalty.</summary>
    [Hyperparameter("kl_coef", "initial β of the adaptive KL penalty")]
    public float KlCoefficient { get; set; } = 1f;

    /// <summary>Adam's ε.</summary>
    [Hyperparameter("adam_eps", "Adam's ε")]
    public float AdamEpsilon { get; set; } = 1e-5f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, BatchSize > 0, $"batch_size must be > 0 (got {BatchSize})");
        Require(errors, Epochs > 0, $"n_epochs must be > 0 (got {Epochs})");
        Require(errors, ClipRange.ValueAt(0) > 0, $"clip_range must be > 0 (got {Get("clip_range")})");
        Require(errors, ClipRangeVf is null or > 0, $"clip_range_vf must be > 0 or null (got {ClipRangeVf})");
        Require(errors, TargetKl is null or > 0, $"target_kl must be > 0 or null (got {TargetKl})");
        Require(errors, KlTarget > 0 && KlCoefficient >= 0, "kl_target must be > 0 and kl_coef ≥ 0");
        Require(errors, AdamEpsilon > 0, $"adam_eps must be > 0 (got {AdamEpsilon})");
    }
}

/// <summary>
/// Proximal Policy Optimization (Schulman et al. 2017). Each iteration collects n_steps from every
/// environment, computes GAE advantages, then runs n_epochs of minibatch Adam steps on
/// L = −L^CLIP + c_v·L^VF − c_e·H, where with r_t = π(a_t|s_t) / π_old(a_t|s_t):
///   L^CLIP = E[min(r_t·Â_t, clip(r_t, 1 − ε, 1 + ε)·Â_t)]                       (paper eq. 7)
///   L^KLPEN = E[r_t·Â_t − β·KL(π_old ‖ π)], β halved/doubled around d_targ      (paper eq. 8)
///   L^VF = E[(V(s_t) − R_t)²]
/// </summary>
public sealed class Ppo : IAlgorithm, IValueProbe
{
    private readonly IVectorEnvironment _env;
    private readonly PpoSettings _s;
    private readonly ActorCriticPolicy _policy;
    private readonly Adam _adam;
    private readonly Rng _rng;
    private readonly RolloutBuffer _buffer;
    private bool _iterated;
    private readonly RolloutCollector _collector;
    private readonly Minibatch _minibatch;
    private readonly int[] _indices;
    private readonly Tape _tape = new();
    private float _klCoefficient;
    private readonly float[] _oldLogStd;

    /// <summary>Builds the policy and optimizer for <paramref name="env"/> (already reset).</summary>
    public Ppo(IVectorEnvironment env, PpoSettings settings, Rng rng)
    {
        settings.ThrowIfInvalid("PPO settings");
        int rollout = settings.Steps * env.Count;
        if (settings.BatchSize > rollout)
            throw new PolicyLabException($"batch_size {settings.BatchSize} is larger than the rollout (n_steps {settings.Steps} × n_envs {env.Count} = {rollout}); lower batch_size or raise n_steps.");
        (_env, _s, _rng) = (env, settings, rng);
        _policy = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, settings.Networks, rng);
        _adam = new Adam(_policy.Store, settings.LearningRate.ValueAt(0), epsilon: settings.AdamEpsilon);
        bool keepHeads = settings.Objective == PpoObjective.AdaptiveKl;
        _buffer = new RolloutBuffer(settings.Steps, env.Count, _policy.ObservationSize, _policy.ActionSize, keepHeads ? _policy.HeadSize : 0);
        _collector = new RolloutCollector(env, _policy);
        _minibatch = new Minibatch(_buffer, settings.BatchSize);
        _indices = new int[rollout];
        _klCoefficient = settings.KlCoefficient;
        _oldLogStd = new float[_policy.LogStd?.Length ?? 0];
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
        _policy.LogStd?.Value.CopyTo(_oldLogStd);
        _buffer.ComputeAdvantages(_s.Gamma, _s.GaeLambda);

        float clip = _s.ClipRange.ValueAt(progress);
        _adam.LearningRate = _s.LearningRate.ValueAt(progress);
        double policyLoss = 0, valueLoss = 0, entropy = 0, approxKl = 0, clipFraction = 0, kl = 0;
        int minibatches = 0, epochsDone = 0;
        bool stop = false;
        for (int epoch = 0; epoch < _s.Epochs && !stop; epoch++)
        {
            for (int i = 0; i < _indices.Length; i++) _indices[i] = i;
            _rng.Shuffle(_indices.AsSpan());
            for (int start = 0; start < _indices.Length; start += _s.BatchSize)
            {
                int size = Math.Min(_s.BatchSize, _indices.Length - start);
                _minibatch.Fill(_buffer, _indices.AsSpan(start, size), _s.NormalizeAdvantage);
                MinibatchResult r = Update(size, clip);
                if (_s.TargetKl is float target && r.ApproxKl > 1.5 * target)
                {
                    stop = true; // the step was not taken (as SB3 does)
                    break;
                }
                (policyLoss, valueLoss, entropy) = (policyLoss + r.PolicyLoss, valueLoss + r.ValueLoss, entropy + r.Entropy);
                (approxKl, clipFraction, kl) = (approxKl + r.ApproxKl, clipFraction + r.ClipFraction, kl + r.Kl);
                minibatches++;
            }
            if (!stop) epochsDone++;
        }
        int m = Math.Max(minibatches, 1);
        if (_s.Objective == PpoObjective.AdaptiveKl && minibatches > 0)
        {
            double d = kl / m;
            if (d < _s.KlTarget / 1.5) _klCoefficient /= 2;
            else if (d > _s.KlTarget * 1.5) _klCoefficient *= 2;
        }
        diagnostics.Set("policy_loss", policyLoss / m);
        diagnostics.Set("value_loss", valueLoss / m);
        diagnostics.Set("entropy", entropy / m);
        diagnostics.Set("approx_kl", approxKl / m);
        diagnostics.Set("clip_fraction", clipFraction / m);
        diagnostics.Set("explained_variance", _buffer.ExplainedVariance());
        diagnostics.Set("learning_rate", _adam.LearningRate);
        diagnostics.Set("clip_range", clip);
        diagnostics.Set("epochs", epochsDone);
        if (_s.Objective == PpoObjective.AdaptiveKl) diagnostics.Set("kl_coef", _klCoefficient);
        if (_policy.LogStd is { } logStd) diagnostics.Set("std", Math.Exp(logStd.Value.ToArray().Average()));
    }

    private readonly record struct MinibatchResult(double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction, double Kl);

    private MinibatchResult Update(int size, float clip)
    {
        Tape t = _tape;
        t.Reset();
        _adam.ZeroGradients();
        Minibatch b = _minibatch;
        Tensor obs = t.Constant(b.Observations.AsSpan(0, size * _policy.ObservationSize), new Shape(size, _policy.ObservationSize));
        Tensor actions = _policy.IsDiscrete
            ? t.Constant(b.Actions.AsSpan(0, size))
            : t.Constant(b.Actions.AsSpan(0, size * _policy.ActionSize), new Shape(size, _policy.ActionSize));
        Tensor advantages = t.Constant(b.Advantages.AsSpan(0, size));

        (Tensor logp, Tensor entropy) = _policy.Evaluate(t, obs, actions);
        Tensor ratio = (logp - t.Constant(b.LogProbs.AsSpan(0, size))).Exp();               // r_t(θ)
        Tensor policyLoss;
        Tensor? kl = null;
        if (_s.Objective == PpoObjective.Clip)
            policyLoss = -Tensor.Min(ratio * advantages, ratio.Clamp(1 - clip, 1 + clip) * advantages).Mean();
        else
        {
            Tensor? oldLogStd = _policy.LogStd is null ? null : t.Constant(_oldLogStd);
            Tensor klMean = _policy.KlFromOld(t, obs, t.Constant(b.Heads.AsSpan(0, size * _policy.HeadSize), new Shape(size, _policy.HeadSize)), oldLogStd).Mean();
            kl = klMean;
            policyLoss = -(ratio * advantages).Mean() + _klCoefficient * klMean;
        }

        Tensor values = _policy.Value(t, obs);
        if (_s.ClipRangeVf is float vfClip)
        {
            Tensor oldValues = t.Constant(b.Values.AsSpan(0, size));
            values = oldValues + (values - oldValues).Clamp(-vfClip, vfClip);
        }
        Tensor valueLoss = (values - t.Constant(b.Returns.AsSpan(0, size))).Square().Mean();
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss + _s.ValueCoefficient * valueLoss - _s.EffectiveEntropyCoefficient * entropyMean;

        NonFiniteValueException.ThrowIfNotFinite("PPO loss", loss.Item());
        // approx. KL(π_old ‖ π) = E[(r − 1) − log r], from the log-ratio in float64 so it stays finite when r underflows.
        double approxKl = 0, clipped = 0;
        ReadOnlySpan<float> newLogp = logp.Data, oldLogp = b.LogProbs.AsSpan(0, size);
        for (int i = 0; i < size; i++)
        {
            double logRatio = (double)newLogp[i] - oldLogp[i];
            approxKl += Math.Exp(logRatio) - 1 - logRatio;
            if (Math.Abs(Math.Exp(logRatio) - 1) > clip) clipped++;
        }
        approxKl /= size;
        if (_s.TargetKl is float target && approxKl > 1.5 * target)
            return new MinibatchResult(0, 0, 0, approxKl, 0, 0);

        t.Backward(loss);
        NonFiniteValueException.ThrowIfNotFinite("gradient norm", GradientClipping.ClipGlobalNorm(_policy.Store.Gradients, _s.MaxGradNorm));
        _adam.Step();
        return new MinibatchResult(policyLoss.Item(), valueLoss.Item(), entropyMean.Item(), approxKl, clipped / size, kl?.Item() ?? 0);
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        _policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions);

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetParameters("policy", _policy.Store);
        state.SetOptimizer("optimizer", _adam);
        state.SetRng("rng", _rng);
        state.SetScalar("kl_coef", (double)_klCoefficient);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        state.ReadParameters("policy", _policy.Store);
        state.ReadOptimizer("optimizer", _adam);
        state.ReadRng("rng", _rng);
        _klCoefficient = (float)state.ReadScalarDouble("kl_coef");
    }

    /// <inheritdoc/>
    public ValueTrace? LatestTrace() => _iterated ? _buffer.FirstEpisodeTrace(!_policy.IsDiscrete) : null;

    /// <inheritdoc/>
    public void Dispose() { }
}
