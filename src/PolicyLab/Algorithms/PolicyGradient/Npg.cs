using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>
/// NPG hyperparameters (defaults as published: δ 0.01, 10 CG iterations with damping 0.1, a value
/// function trained by Adam at 1e-3). <c>learning_rate</c> is the critic's; the actor has no learning
/// rate (its step length follows from δ). <c>vf_coef</c> and <c>max_grad_norm</c> are not used.
/// </summary>
public class NpgSettings : OnPolicySettings
{
    /// <summary>Sets the natural-gradient defaults that differ from the shared on-policy ones.</summary>
    public NpgSettings() => LearningRate = Schedule.Constant(1e-3f);

    /// <summary>Trust-region size δ: the step is scaled so that ½ sᵀFs = δ.</summary>
    [Hyperparameter("max_kl", "trust-region size δ: target mean KL(π_old ‖ π_new) of a step (> 0)")]
    public float MaxKl { get; set; } = 0.01f;

    /// <summary>Conjugate-gradient iterations for x ≈ (F + damping·I)⁻¹ g.</summary>
    [Hyperparameter("cg_iters", "conjugate-gradient iterations (Fisher-vector products) per update")]
    public int CgIterations { get; set; } = 10;

    /// <summary>Damping added to the Fisher matrix inside conjugate gradient.</summary>
    [Hyperparameter("cg_damping", "damping δ_cg of the conjugate-gradient system (F + δ_cg·I)x = g (≥ 0)")]
    public float CgDamping { get; set; } = 0.1f;

    /// <summary>Passes of the value function over each rollout.</summary>
    [Hyperparameter("n_critic_updates", "passes of the value-function regression over each rollout")]
    public int CriticEpochs { get; set; } = 10;

    /// <summary>Minibatch size of the value-function regression.</summary>
    [Hyperparameter("batch_size", "minibatch size of the value-function updates (≤ n_steps × n_envs)")]
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam's ε (critic).</summary>
    [Hyperparameter("adam_eps", "Adam's ε for the value function")]
    public float AdamEpsilon { get; set; } = 1e-5f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, MaxKl > 0, $"max_kl must be > 0 (got {MaxKl})");
        Require(errors, CgIterations > 0, $"cg_iters must be > 0 (got {CgIterations})");
        Require(errors, CgDamping >= 0, $"cg_damping must be ≥ 0 (got {CgDamping})");
        Require(errors, CriticEpochs >= 0, $"n_critic_updates must be ≥ 0 (got {CriticEpochs})");
        Require(errors, BatchSize > 0, $"batch_size must be > 0 (got {BatchSize})");
        Require(errors, AdamEpsilon > 0, $"adam_eps must be > 0 (got {AdamEpsilon})");
    }
}

/// <summary>
/// Natural Policy Gradient (Kakade 2001), in the form of Spinning Up's 'npg': one step
/// θ ← θ_old + √(2δ / xᵀFx)·x with x ≈ F⁻¹g from conjugate gradient, no line search, so the
/// step's KL is δ to second order. The value function is fitted separately (see
/// <see cref="NaturalGradientAlgorithm"/>).
/// </summary>
public sealed class Npg : NaturalGradientAlgorithm
{
    /// <summary>Builds the policy and the critic's optimizer for the context's environments (already reset).</summary>
    public Npg(AlgorithmContext context, NpgSettings settings, Rng rng) : base(context, settings, rng, "NPG") { }

    /// <inheritdoc/>
    protected override StepOutcome TakeStep(double surrogateOld, UpdateDiagnostics diagnostics)
    {
        SetActor(1.0);                                                                            // θ ← θ_old + s
        (double surrogate, double kl) = EvaluateActor();
        return new StepOutcome(surrogate - surrogateOld, kl);
    }
}
