using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>Settings shared by the policy-gradient family: rollout, discounting, loss weights and networks.</summary>
public abstract class OnPolicySettings : RegularizedPolicySettings
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

    /// <summary>Global gradient-norm clip.</summary>
    [Hyperparameter("max_grad_norm", "global gradient-norm clip (> 0)")]
    public float MaxGradNorm { get; set; } = 0.5f;

    /// <summary>Actor hidden widths.</summary>
    [Hyperparameter("policy_layers", "hidden layer widths of the policy network")]
    public int[] PolicyLayers { get; set; } = [64, 64];

    /// <summary>Critic hidden widths.</summary>
    [Hyperparameter("value_layers", "hidden layer widths of the value network")]
    public int[] ValueLayers { get; set; } = [64, 64];

    /// <summary>Hidden activation.</summary>
    [Hyperparameter("activation", "hidden activation: tanh or relu")]
    public Activation Activation { get; set; } = Activation.Tanh;

    /// <summary>Orthogonal initialization.</summary>
    [Hyperparameter("ortho_init", "orthogonal initialization (gains √2 hidden, 0.01 policy head, 1 value head)")]
    public bool OrthogonalInit { get; set; } = true;

    /// <summary>Initial log σ of a Gaussian policy.</summary>
    [Hyperparameter("log_std_init", "initial log standard deviation of a Gaussian policy")]
    public float LogStdInit { get; set; }

    /// <summary>The network settings these keys describe.</summary>
    public PolicyNetworkSettings Networks => new(PolicyLayers, ValueLayers, Activation, OrthogonalInit, LogStdInit);

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, LearningRate.ValueAt(0) >= 0 && LearningRate.ValueAt(1) >= 0, $"learning_rate must be ≥ 0 (got {Get("learning_rate")})");
        Require(errors, Steps > 0, $"n_steps must be > 0 (got {Steps})");
        Require(errors, Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Require(errors, GaeLambda is >= 0 and <= 1, $"gae_lambda must lie in [0, 1] (got {GaeLambda})");
        Require(errors, ValueCoefficient >= 0, $"vf_coef must be ≥ 0 (got {ValueCoefficient})");
        Require(errors, MaxGradNorm > 0, $"max_grad_norm must be > 0 (got {MaxGradNorm})");
        Require(errors, PolicyLayers.All(w => w > 0) && ValueLayers.All(w => w > 0), "layer widths must be > 0");
        Require(errors, Activation is Activation.Tanh or Activation.Relu, "activation must be tanh or relu");
    }
}
