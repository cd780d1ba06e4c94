using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Configuration;
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
///   L^KLPEN = E[r_t·Â_t − β·KL(π_old ‖ π)]                                       (paper eq. 8)
/// where after each update's epochs d = Ê[KL(π_old ‖ π_θ)] over the rollout halves β when d &lt; d_targ/1.5 and
/// doubles it when d &gt; 1.5·d_targ (reported as the kl and kl_coef diagnostics)
///   L^VF = E[(V(s_t) − R_t)²]   (V clipped to V_old ± clip_range_vf when set)
/// target_kl ends an update's epochs at the first minibatch whose approximate KL exceeds 1.5·target_kl
/// (that minibatch's step is not taken, as SB3 does).
/// </summary>
public sealed class Ppo : OnPolicyAlgorithm
{
    private readonly PpoSettings _s;
    private readonly Adam _adam;
    private readonly Minibatch _minibatch;
    private readonly int[] _indices;
    private readonly Tape _tape = new();
    private readonly float[] _oldLogStd;
    private float _klCoefficient;

    /// <summary>Builds the policy and optimizer for the context's environments (already reset).</summary>
    public Ppo(AlgorithmContext context, PpoSettings settings, Rng rng) : base(context, settings, rng, "PPO")
    {
        _s = settings;
        int rollout = settings.Steps * Environment.Count;
        if (settings.BatchSize > rollout)
            throw new PolicyLabException($"batch_size {settings.BatchSize} is larger than the rollout (n_steps {settings.Steps} × n_envs {Environment.Count} = {rollout}); lower batch_size or raise n_steps.");
        _adam = AddOptimizer("optimizer", new Adam(Policy.Store, settings.LearningRate.ValueAt(0), epsilon: settings.AdamEpsilon));
        RolloutBuffer buffer = CreateRollout(settings.Steps, keepHeads: settings.Objective == PpoObjective.AdaptiveKl);
        _minibatch = new Minibatch(buffer, settings.BatchSize);
        _indices = new int[rollout];
        _klCoefficient = settings.KlCoefficient;
        _oldLogStd = new float[Policy.LogStd?.Length ?? 0];
    }

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        RolloutBuffer buffer = CollectRollout(_s.Gamma, _s.GaeLambda, _s.RewardTemperature);
        Policy.LogStd?.Value.CopyTo(_oldLogStd);

        float clip = _s.ClipRange.ValueAt(progress);
        _adam.LearningRate = _s.LearningRate.ValueAt(progress);
        double policyLoss = 0, valueLoss = 0, entropy = 0, approxKl = 0, clipFraction = 0;
        int minibatches = 0, epochsDone = 0;
        bool stop = false;
        for (int epoch = 0; epoch < _s.Epochs && !stop; epoch++)
        {
            for (int i = 0; i < _indices.Length; i++) _indices[i] = i;
            Rng.Shuffle(_indices.AsSpan());
            for (int start = 0; start < _indices.Length; start += _s.BatchSize)
            {
                int size = Math.Min(_s.BatchSize, _indices.Length - start);
                _minibatch.Fill(buffer, _indices.AsSpan(start, size), _s.NormalizeAdvantage);
                MinibatchResult r = Update(size, clip);
                if (_s.TargetKl is float target && r.ApproxKl > 1.5 * target)
                {
                    stop = true; // the step was not taken (as SB3 does)
                    break;
                }
                (policyLoss, valueLoss, entropy) = (policyLoss + r.PolicyLoss, valueLoss + r.ValueLoss, entropy + r.Entropy);
                (approxKl, clipFraction) = (approxKl + r.ApproxKl, clipFraction + r.ClipFraction);
                minibatches++;
            }
            if (!stop) epochsDone++;
        }
        int m = Math.Max(minibatches, 1);
        double rolloutKl = double.NaN;
        if (_s.Objective == PpoObjective.AdaptiveKl)
        {
            // d = Ê[KL(π_old ‖ π_θ)] of the updated policy over the rollout, then β ← β/2 or 2β around d_targ (paper §4).
            rolloutKl = RolloutKl(buffer);
            if (rolloutKl < _s.KlTarget / 1.5) _klCoefficient /= 2;
            else if (rolloutKl > _s.KlTarget * 1.5) _klCoefficient *= 2;
        }
        diagnostics.Set("policy_loss", policyLoss / m);
        diagnostics.Set("value_loss", valueLoss / m);
        diagnostics.Set("entropy", entropy / m);
        diagnostics.Set("approx_kl", approxKl / m);
        diagnostics.Set("clip_fraction", clipFraction / m);
        diagnostics.Set("clip_range", clip);
        diagnostics.Set("epochs", epochsDone);
        if (_s.Objective == PpoObjective.AdaptiveKl)
        {
            diagnostics.Set("kl", rolloutKl);
            diagnostics.Set("kl_coef", _klCoefficient);
        }
        AddCommonDiagnostics(diagnostics, _adam.LearningRate);
    }

    // Ê[KL(π_old ‖ π_θ)] over the whole rollout, π_old from the actor outputs kept while acting.
    private double RolloutKl(RolloutBuffer buffer)
    {
        Tape t = _tape;
        t.Reset();
        int n = buffer.Count;
        Tensor obs = t.Constant(buffer.Observations, new Shape(n, Policy.ObservationSize));
        Tensor? masks = Policy.Masks(t, buffer.ActionMasks, n);
        double kl = Policy.OldDistribution(t, buffer.Heads, n, _oldLogStd, masks).Kl(Policy.DistributionAt(t, obs, masks)).Mean().Item();
        t.Reset();
        return kl;
    }

    private readonly record struct MinibatchResult(double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction);

    private MinibatchResult Update(int size, float clip)
    {
        Tape t = _tape;
        t.Reset();
        _adam.ZeroGradients();
        Minibatch b = _minibatch;
        Tensor obs = t.Constant(b.Observations.AsSpan(0, size * Policy.ObservationSize), new Shape(size, Policy.ObservationSize));
        Tensor actions = Policy.Actions(t, b.Actions, size);
        Tensor advantages = t.Constant(b.Advantages.AsSpan(0, size));
        Tensor? masks = Policy.Masks(t, b.ActionMasks, size);                                    // the masks acted under (null: none)
        (PolicyDistribution pi, Tensor logp, Tensor entropy) = Policy.Evaluate(t, obs, actions, masks);
        Tensor ratio = (logp - t.Constant(b.LogProbs.AsSpan(0, size))).Exp();               // r_t(θ)
        Tensor policyLoss;
        if (_s.Objective == PpoObjective.Clip)
            policyLoss = -Tensor.Min(ratio * advantages, ratio.Clamp(1 - clip, 1 + clip) * advantages).Mean();   // −L^CLIP
        else
        {
            Tensor kl = Policy.OldDistribution(t, b.Heads, size, _oldLogStd, masks).Kl(pi).Mean();                   // KL(π_old ‖ π)
            policyLoss = -(ratio * advantages).Mean() + _klCoefficient * kl;                                   // −L^KLPEN
        }

        Tensor values = Policy.Value(t, obs);
        if (_s.ClipRangeVf is float vfClip)
        {
            Tensor oldValues = t.Constant(b.Values.AsSpan(0, size));
            values = oldValues + (values - oldValues).Clamp(-vfClip, vfClip);
        }
        Tensor valueLoss = (values - t.Constant(b.Returns.AsSpan(0, size))).Square().Mean();                  // L^VF
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
            return new MinibatchResult(0, 0, 0, approxKl, 0);

        t.Backward(loss);
        NonFiniteValueException.ThrowIfNotFinite("gradient norm", GradientClipping.ClipGlobalNorm(Policy.Store.Gradients, _s.MaxGradNorm));
        _adam.Step();
        return new MinibatchResult(policyLoss.Item(), valueLoss.Item(), entropyMean.Item(), approxKl, clipped / size);
    }

    /// <inheritdoc/>
    public override bool HonoursActionMasks => true;

    /// <inheritdoc/>
    protected override void SaveExtraState(StateDictionary state) => state.SetScalar("kl_coef", (double)_klCoefficient);

    /// <inheritdoc/>
    protected override void LoadExtraState(StateDictionary state) => _klCoefficient = (float)state.ReadScalarDouble("kl_coef");
}
