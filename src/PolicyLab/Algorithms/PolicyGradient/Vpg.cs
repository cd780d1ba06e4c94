using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

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
public sealed class Vpg : OnPolicyAlgorithm
{
    private readonly VpgSettings _s;
    private readonly Adam _policyAdam, _valueAdam;
    private readonly float[] _advantages;
    private readonly Tape _tape = new();

    /// <summary>Builds the policy and the two optimizers for the context's environments (already reset).</summary>
    public Vpg(AlgorithmContext context, VpgSettings settings, Rng rng) : base(context, settings, rng, "VPG")
    {
        _s = settings;
        int actor = Policy.ActorParameterCount;
        _policyAdam = AddOptimizer("policy_optimizer", new Adam(Policy.Store, settings.LearningRate.ValueAt(0), range: ..actor));
        _valueAdam = AddOptimizer("value_optimizer", new Adam(Policy.Store, settings.ValueLearningRate.ValueAt(0), range: actor..));
        _advantages = new float[CreateRollout(settings.Steps).Count];
    }

    /// <inheritdoc/>
    public override bool HonoursActionMasks => true;

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        RolloutBuffer buffer = CollectRollout(_s.Gamma, _s.GaeLambda, _s.RewardTemperature);
        _policyAdam.LearningRate = _s.LearningRate.ValueAt(progress);
        _valueAdam.LearningRate = _s.ValueLearningRate.ValueAt(progress);
        buffer.Advantages.CopyTo(_advantages, 0);
        if (_s.NormalizeAdvantage) AdvantageNormalization.Normalize(_advantages);

        (double policyLoss, double entropy, float policyNorm) = PolicyStep(buffer);
        (double firstValueLoss, double valueLoss) = ValueSteps(buffer);

        diagnostics.Set("policy_loss", policyLoss);
        diagnostics.Set("entropy", entropy);
        diagnostics.Set("policy_grad_norm", policyNorm);
        if (_s.ValueIterations > 0)
        {
            diagnostics.Set("value_loss", firstValueLoss);
            diagnostics.Set("value_loss_after", valueLoss);
        }
        AddCommonDiagnostics(diagnostics, _policyAdam.LearningRate);
    }

    // One full-batch step on L^π = −E[Â·log π] − c_e·H (gradients reach the actor prefix only).
    private (double Loss, double Entropy, float GradientNorm) PolicyStep(RolloutBuffer buffer)
    {
        int n = buffer.Count;
        Tape t = _tape;
        t.Reset();
        Policy.Store.ZeroGradients();
        Tensor obs = t.Constant(buffer.Observations, new Shape(n, Policy.ObservationSize));
        (_, Tensor logp, Tensor entropy) = Policy.Evaluate(t, obs, Policy.Actions(t, buffer.Actions, n), Policy.Masks(t, buffer.ActionMasks, n));
        Tensor policyLoss = -(logp * t.Constant(_advantages)).Mean();
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss - _s.EffectiveEntropyCoefficient * entropyMean;
        NonFiniteValueException.ThrowIfNotFinite("VPG policy loss", loss.Item());
        t.Backward(loss);
        float norm = GradientClipping.ClipGlobalNorm(Policy.Store.Gradients[..Policy.ActorParameterCount], _s.MaxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("policy gradient norm", norm);
        _policyAdam.Step();
        return (policyLoss.Item(), entropyMean.Item(), norm);
    }

    // train_v_iters full-batch steps on L^V = E[(V − R)²]; returns the loss before the first and before the last step.
    private (double First, double Last) ValueSteps(RolloutBuffer buffer)
    {
        int n = buffer.Count;
        double first = double.NaN, last = double.NaN;
        Tape t = _tape;
        for (int k = 0; k < _s.ValueIterations; k++)
        {
            t.Reset();
            Policy.Store.ZeroGradients();
            Tensor o = t.Constant(buffer.Observations, new Shape(n, Policy.ObservationSize));
            Tensor vl = (Policy.Value(t, o) - t.Constant(buffer.Returns)).Square().Mean();
            last = vl.Item();
            NonFiniteValueException.ThrowIfNotFinite("VPG value loss", last);
            if (k == 0) first = last;
            t.Backward(vl);
            float norm = GradientClipping.ClipGlobalNorm(Policy.Store.Gradients[Policy.ActorParameterCount..], _s.MaxGradNorm);
            NonFiniteValueException.ThrowIfNotFinite("value gradient norm", norm);
            _valueAdam.Step();
        }
        return (first, last);
    }
}
