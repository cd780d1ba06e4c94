using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>How DQN explores once learning has started.</summary>
public enum DqnExploration
{
    /// <summary>ε-greedy, ε linear from exploration_initial_eps to exploration_final_eps over exploration_fraction of training.</summary>
    EpsilonGreedy,
    /// <summary>argmax Q + c·√(ln max(2, Σn) / max(1, nₐ)) with play counts n per cell, c linear from ucb_c_start to ucb_c_end.</summary>
    Ucb,
}

/// <summary>DQN hyperparameters. Defaults are SB3's DQN (plus Double DQN, on by default); the action-discretization
/// settings apply to Box action spaces only.</summary>
public sealed class DqnSettings : Hyperparameters, IDiscountedSettings, IReplayLoopSettings
{
    /// <summary>Learning rate.</summary>
    [Hyperparameter("learning_rate", "learning rate of the Q network's Adam; a number or a schedule")]
    public Schedule LearningRate { get; set; } = Schedule.Constant(1e-4f);

    /// <summary>Replay capacity.</summary>
    [Hyperparameter("buffer_size", "replay buffer capacity in transitions (allocated up to n_timesteps)")]
    public int BufferSize { get; set; } = 1_000_000;

    /// <summary>Warm-up steps.</summary>
    [Hyperparameter("learning_starts", "environment steps of uniformly random actions before the first update")]
    public int LearningStarts { get; set; } = 100;

    /// <summary>Minibatch size.</summary>
    [Hyperparameter("batch_size", "transitions per gradient step")]
    public int BatchSize { get; set; } = 32;

    /// <summary>Target update coefficient.</summary>
    [Hyperparameter("tau", "target update θ′ ← τθ + (1 − τ)θ′ every target_update_interval steps; 1 = hard copy")]
    public float Tau { get; set; } = 1f;

    /// <summary>Discount.</summary>
    [Hyperparameter("gamma", "discount factor γ in [0, 1]")]
    public float Gamma { get; set; } = 0.99f;

    /// <summary>Steps per copy between rounds of gradient steps.</summary>
    [Hyperparameter("train_freq", "steps of every environment copy between rounds of gradient steps")]
    public int TrainFrequency { get; set; } = 4;

    /// <summary>Gradient steps per round.</summary>
    [Hyperparameter("gradient_steps", "gradient steps per round (-1: one per transition collected)")]
    public int GradientSteps { get; set; } = 1;

    /// <summary>n-step returns.</summary>
    [Hyperparameter("n_step", "n of n-step returns (1: one-step TD targets)")]
    public int NSteps { get; set; } = 1;

    /// <summary>Target update period in environment steps.</summary>
    [Hyperparameter("target_update_interval", "environment steps (summed over copies) between target-network updates, as SB3 counts them")]
    public int TargetUpdateInterval { get; set; } = 10_000;

    /// <summary>Double DQN.</summary>
    [Hyperparameter("double_q", "Double DQN: the online network picks a′, the target network values it (false: max of the target network)")]
    public bool DoubleQ { get; set; } = true;

    /// <summary>Exploration rule.</summary>
    [Hyperparameter("exploration", "epsilon_greedy or ucb")]
    public DqnExploration Exploration { get; set; } = DqnExploration.EpsilonGreedy;

    /// <summary>Fraction of training over which ε (or UCB's c) is annealed.</summary>
    [Hyperparameter("exploration_fraction", "fraction of n_timesteps over which ε (or UCB's c) moves linearly to its final value")]
    public float ExplorationFraction { get; set; } = 0.1f;

    /// <summary>Initial ε.</summary>
    [Hyperparameter("exploration_initial_eps", "ε at the start")]
    public float ExplorationInitialEpsilon { get; set; } = 1f;

    /// <summary>Final ε.</summary>
    [Hyperparameter("exploration_final_eps", "ε after exploration_fraction of training (also the stochastic evaluation's ε)")]
    public float ExplorationFinalEpsilon { get; set; } = 0.05f;

    /// <summary>UCB c at the start.</summary>
    [Hyperparameter("ucb_c_start", "UCB bonus coefficient c at the start")]
    public float UcbStart { get; set; } = 0.3f;

    /// <summary>UCB c at the end of the annealing.</summary>
    [Hyperparameter("ucb_c_end", "UCB bonus coefficient c after exploration_fraction of training")]
    public float UcbEnd { get; set; } = 0.03f;

    /// <summary>Gradient clipping.</summary>
    [Hyperparameter("max_grad_norm", "the gradient's global norm is clipped to this")]
    public float MaxGradNorm { get; set; } = 10f;

    /// <summary>Q network widths.</summary>
    [Hyperparameter("q_layers", "hidden layer widths of the Q network")]
    public int[] QLayers { get; set; } = [64, 64];

    /// <summary>Hidden activation.</summary>
    [Hyperparameter("activation", "hidden activation: relu or tanh")]
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>The torso: auto (a CNN for image observations), mlp or cnn.</summary>
    [Hyperparameter("policy", "auto (a CNN feature extractor for image observations, else none), mlp or cnn (SB3's MlpPolicy / CnnPolicy)")]
    public Policies.PolicyKind Policy { get; set; } = Policies.PolicyKind.Auto;

    /// <summary>Uniform grid size per axis (Box actions).</summary>
    [Hyperparameter("action_bins", "Box actions: cells per axis of the uniform grid (and the default zooming budget per axis)")]
    public int ActionBins { get; set; } = 16;

    /// <summary>Branching head.</summary>
    [Hyperparameter("branching", "Box actions: one Q head per action axis (action branching), target = mean over axes of each axis's value")]
    public bool Branching { get; set; }

    /// <summary>Action zooming.</summary>
    [Hyperparameter("action_zooming", "Box actions: adaptive cells (a dyadic tree per head) that split the most-played cells, instead of the uniform grid")]
    public bool ActionZooming { get; set; }

    /// <summary>Initial zooming depth.</summary>
    [Hyperparameter("zoom_init_depth", "action zooming: uniform splits of [-1, 1]^d at the start (2^(d·depth) cells per head)")]
    public int ZoomInitialDepth { get; set; } = 1;

    /// <summary>Deepest zooming cell.</summary>
    [Hyperparameter("zoom_max_depth", "action zooming: most splits from the whole box (cells of side 2^-depth of the range)")]
    public int ZoomMaxDepth { get; set; } = 8;

    /// <summary>Zooming budget.</summary>
    [Hyperparameter("zoom_budget", "action zooming: most cells in total (0: as many as the uniform grid, action_bins^d joint or action_bins·d branching)")]
    public int ZoomBudget { get; set; }

    /// <summary>Split check period.</summary>
    [Hyperparameter("split_check_freq", "action zooming: environment steps between split checks")]
    public int SplitCheckFrequency { get; set; } = 1000;

    /// <summary>Split delay.</summary>
    [Hyperparameter("split_delay", "action zooming: no split before this many environment steps (nor before learning_starts)")]
    public int SplitDelay { get; set; }

    /// <summary>Noise of inherited rows.</summary>
    [Hyperparameter("split_noise", "action zooming: σ of the N(0, σ²) noise added to the parent's Q row copied into new children")]
    public float SplitNoise { get; set; } = 0.01f;

    /// <summary>Save the replay buffer.</summary>
    [Hyperparameter("save_replay_buffer", "save the replay buffer with checkpoints (needed to resume bit-identically)")]
    public bool SaveReplayBuffer { get; set; } = true;

    /// <summary>Steps per iteration.</summary>
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
        Require(errors, TargetUpdateInterval > 0, $"target_update_interval must be > 0 (got {TargetUpdateInterval})");
        Require(errors, ExplorationFraction is >= 0 and <= 1, $"exploration_fraction must lie in [0, 1] (got {ExplorationFraction})");
        Require(errors, ExplorationInitialEpsilon is >= 0 and <= 1 && ExplorationFinalEpsilon is >= 0 and <= 1,
            $"exploration_initial_eps and exploration_final_eps must lie in [0, 1] (got {ExplorationInitialEpsilon}, {ExplorationFinalEpsilon})");
        Require(errors, UcbStart >= 0 && UcbEnd >= 0, $"ucb_c_start and ucb_c_end must be ≥ 0 (got {UcbStart}, {UcbEnd})");
        Require(errors, MaxGradNorm > 0, $"max_grad_norm must be > 0 (got {MaxGradNorm})");
        Require(errors, QLayers.All(w => w > 0), "q_layers widths must be > 0");
        Require(errors, Activation is Activation.Tanh or Activation.Relu, "activation must be relu or tanh");
        Require(errors, ActionBins is >= 2 and <= 4096, $"action_bins must lie in [2, 4096] (got {ActionBins})");
        Require(errors, ZoomInitialDepth is >= 0 and <= Discretization.DyadicCubeTree.MaxDepthLimit,
            $"zoom_init_depth must lie in [0, {Discretization.DyadicCubeTree.MaxDepthLimit}] (got {ZoomInitialDepth})");
        Require(errors, ZoomMaxDepth is >= 0 and <= Discretization.DyadicCubeTree.MaxDepthLimit && ZoomMaxDepth >= ZoomInitialDepth,
            $"zoom_max_depth must lie in [zoom_init_depth, {Discretization.DyadicCubeTree.MaxDepthLimit}] (got {ZoomMaxDepth})");
        Require(errors, ZoomBudget is >= 0 and <= 1 << 20, $"zoom_budget must lie in [0, 2^20] (0: the uniform grid's size; got {ZoomBudget})");
        Require(errors, SplitCheckFrequency > 0, $"split_check_freq must be > 0 (got {SplitCheckFrequency})");
        Require(errors, SplitDelay >= 0, $"split_delay must be ≥ 0 (got {SplitDelay})");
        Require(errors, SplitNoise >= 0, $"split_noise must be ≥ 0 (got {SplitNoise})");
        Require(errors, LogInterval > 0, $"log_interval must be > 0 (got {LogInterval})");
    }
}
