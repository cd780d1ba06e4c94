using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>A2C hyperparameters (defaults as published for SB3's A2C).</summary>
public class A2cSettings : OnPolicySettings
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
/// one gradient step on the whole rollout of L = L^PG + c_v·L^VF − c_e·H (see <see cref="ActorCriticLoss"/>):
///   L^PG = −E[Â_t · log π(a_t|s_t)]        (policy-gradient theorem with an advantage baseline)
///   L^VF = E[(V(s_t) − R_t)²]              (R_t: n-step or GAE returns)
///   H    = E[entropy of π(·|s_t)].
/// </summary>
public sealed class A2c : OnPolicyAlgorithm
{
    private readonly A2cSettings _s;
    private readonly Optimizer _optimizer;
    private readonly ActorCriticLoss _loss;

    /// <summary>Builds the policy and optimizer for the context's environments (already reset).</summary>
    public A2c(AlgorithmContext context, A2cSettings settings, Rng rng) : base(context, settings, rng, "A2C")
    {
        _s = settings;
        _optimizer = AddOptimizer("optimizer", CreateOptimizer(Policy.Store, settings));
        _loss = new ActorCriticLoss(Policy, CreateRollout(settings.Steps).Count);
    }

    /// <inheritdoc/>
    public override bool HonoursActionMasks => true;

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        RolloutBuffer buffer = CollectRollout(_s.Gamma, _s.GaeLambda, _s.RewardTemperature);
        _optimizer.LearningRate = _s.LearningRate.ValueAt(progress);
        ActorCriticLoss.Result r = _loss.ComputeGradients(buffer, _s.NormalizeAdvantage, _s.ValueCoefficient, _s.EffectiveEntropyCoefficient, _s.MaxGradNorm, Name);
        _optimizer.Step();
        diagnostics.Set("policy_loss", r.PolicyLoss);
        diagnostics.Set("value_loss", r.ValueLoss);
        diagnostics.Set("entropy", r.Entropy);
        diagnostics.Set("grad_norm", r.GradientNorm);
        AddCommonDiagnostics(diagnostics, _optimizer.LearningRate);
    }

    /// <summary>RMSprop (α, ε) or Adam (ε) over the whole <paramref name="store"/>, as the settings ask.</summary>
    internal static Optimizer CreateOptimizer(ParameterStore store, A2cSettings settings)
    {
        float learningRate = settings.LearningRate.ValueAt(0);
        return settings.UseRmsProp
            ? new RmsProp(store, learningRate, settings.RmsPropAlpha, settings.RmsPropEpsilon)
            : new Adam(store, learningRate, epsilon: settings.RmsPropEpsilon);
    }
}
