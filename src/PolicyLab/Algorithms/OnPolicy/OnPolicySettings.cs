using PolicyLab.Configuration;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>Settings of the rollout-based policy-gradient methods (PPO, A2C, A3C, VPG, NPG, TRPO): the learning
/// rate, the rollout, discounting and GAE, advantage normalization and the value-loss weight (networks and
/// regularization come from <see cref="PolicyGradientSettings"/>).</summary>
public abstract class OnPolicySettings : PolicyGradientSettings, IDiscountedSettings
{
    /// <summary>Learning rate (schedule over training progress).</summary>
    [Hyperparameter("learning_rate", "optimizer learning rate; a number, lin_X or linear(X, Y)")]
    public Schedule LearningRate { get; set; } = Schedule.Constant(3e-4f);

    /// <summary>Steps per environment per rollout.</summary>
    [Hyperparameter("n_steps", "steps collected from each environment per update")]
    public int Steps { get; set; } = 2048;

    /// <summary>Discount γ.</summary>
    [Hyperparameter("gamma", "discount factor γ in [0, 1]")]
    public float Gamma { get; set; } = 0.99f;

    /// <summary>GAE λ.</summary>
    [Hyperparameter("gae_lambda", "GAE λ in [0, 1] (0: one-step TD, 1: Monte Carlo)")]
    public float GaeLambda { get; set; } = 0.95f;

    /// <summary>Normalize advantages per minibatch.</summary>
    [Hyperparameter("normalize_advantage", "normalize advantages to zero mean and unit std per minibatch")]
    public bool NormalizeAdvantage { get; set; } = true;

    /// <summary>Value loss coefficient.</summary>
    [Hyperparameter("vf_coef", "value loss coefficient (≥ 0)")]
    public float ValueCoefficient { get; set; } = 0.5f;

    /// <summary>Each environment copy samples its actions from a stream of its own, so rollouts can be split among cluster workers.</summary>
    [Hyperparameter("per_copy_rng", "sample each environment copy's actions from its own stream (seeded from a per-rollout seed and the copy's index) instead of one stream for all copies; needed by --cluster, and gives the same numbers with or without it")]
    public bool PerCopyRng { get; set; }

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, LearningRate.ValueAt(0) >= 0 && LearningRate.ValueAt(1) >= 0, $"learning_rate must be ≥ 0 (got {Get("learning_rate")})");
        Require(errors, Steps > 0, $"n_steps must be > 0 (got {Steps})");
        Require(errors, Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Require(errors, GaeLambda is >= 0 and <= 1, $"gae_lambda must lie in [0, 1] (got {GaeLambda})");
        Require(errors, ValueCoefficient >= 0, $"vf_coef must be ≥ 0 (got {ValueCoefficient})");
    }
}
