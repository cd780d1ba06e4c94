using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>Settings shared by the replay-buffer actor-critics (DDPG, TD3, SAC); defaults as published for SB3.</summary>
public abstract class OffPolicySettings : Hyperparameters, IDiscountedSettings, IReplayLoopSettings
{
    /// <summary>Learning rate of every optimizer (schedule over training progress).</summary>
    [Hyperparameter("learning_rate", "learning rate of the actor, critic (and entropy) optimizers; a number or a schedule")]
    public Schedule LearningRate { get; set; } = Schedule.Constant(1e-3f);

    /// <summary>Replay capacity in transitions.</summary>
    [Hyperparameter("buffer_size", "replay buffer capacity in transitions (allocated up to n_timesteps)")]
    public int BufferSize { get; set; } = 1_000_000;

    /// <summary>Steps of uniformly random actions before learning starts.</summary>
    [Hyperparameter("learning_starts", "environment steps of uniformly random actions before the first update")]
    public int LearningStarts { get; set; } = 100;

    /// <summary>Minibatch size.</summary>
    [Hyperparameter("batch_size", "transitions per gradient step")]
    public int BatchSize { get; set; } = 256;

    /// <summary>Polyak coefficient τ.</summary>
    [Hyperparameter("tau", "Polyak coefficient τ of the target networks, θ′ ← τθ + (1 − τ)θ′, in (0, 1]")]
    public float Tau { get; set; } = 0.005f;

    /// <summary>Discount γ.</summary>
    [Hyperparameter("gamma", "discount factor γ in [0, 1]")]
    public float Gamma { get; set; } = 0.99f;

    /// <summary>Environment steps (per copy) between rounds of gradient steps.</summary>
    [Hyperparameter("train_freq", "steps of every environment copy between rounds of gradient steps")]
    public int TrainFrequency { get; set; } = 1;

    /// <summary>Gradient steps per round (−1: as many as transitions collected).</summary>
    [Hyperparameter("gradient_steps", "gradient steps per round (-1: one per transition collected)")]
    public int GradientSteps { get; set; } = 1;

    /// <summary>n of n-step returns.</summary>
    [Hyperparameter("n_step", "n of n-step returns (1: one-step TD targets)")]
    public int NSteps { get; set; } = 1;

    /// <summary>Actor hidden widths.</summary>
    [Hyperparameter("policy_layers", "hidden layer widths of the actor")]
    public int[] PolicyLayers { get; set; } = [256, 256];

    /// <summary>Critic hidden widths.</summary>
    [Hyperparameter("critic_layers", "hidden layer widths of each critic (input: observation and action)")]
    public int[] CriticLayers { get; set; } = [256, 256];

    /// <summary>Hidden activation.</summary>
    [Hyperparameter("activation", "hidden activation: relu or tanh")]
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>Save the replay buffer in checkpoints.</summary>
    [Hyperparameter("save_replay_buffer", "save the replay buffer with checkpoints (needed to resume bit-identically)")]
    public bool SaveReplayBuffer { get; set; } = true;

    /// <summary>Environment steps per training-loop iteration.</summary>
    [Hyperparameter("log_interval", "environment steps per training-loop iteration (one metrics row of averaged diagnostics)")]
    public int LogInterval { get; set; } = 1000;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, LearningRate.ValueAt(0) >= 0 && LearningRate.ValueAt(1) >= 0, $"learning_rate must be ≥ 0 (got {Get("learning_rate")})");
        Require(errors, BufferSize > 0, $"buffer_size must be > 0 (got {BufferSize})");
        Require(errors, LearningStarts >= 0, $"learning_starts must be ≥ 0 (got {LearningStarts})");
        Require(errors, BatchSize > 0, $"batch_size must be > 0 (got {BatchSize})");
        Require(errors, Tau is > 0 and <= 1, $"tau must lie in (0, 1] (got {Tau})");
        Require(errors, Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Require(errors, TrainFrequency > 0, $"train_freq must be > 0 (got {TrainFrequency})");
        Require(errors, GradientSteps >= -1, $"gradient_steps must be ≥ 0 or -1 (got {GradientSteps})");
        Require(errors, NSteps > 0, $"n_step must be > 0 (got {NSteps})");
        Require(errors, PolicyLayers.All(w => w > 0) && CriticLayers.All(w => w > 0), "layer widths must be > 0");
        Require(errors, Activation is Activation.Tanh or Activation.Relu, "activation must be relu or tanh");
        Require(errors, LogInterval > 0, $"log_interval must be > 0 (got {LogInterval})");
    }
}
