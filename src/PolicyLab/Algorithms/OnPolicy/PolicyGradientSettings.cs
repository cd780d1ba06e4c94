using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// The keys every policy-gradient method shares (REINFORCE and the rollout-based ones alike): the networks of
/// its <see cref="ActorCriticPolicy"/>, the gradient-norm clip, and the regularization.
/// </summary>
public abstract class PolicyGradientSettings : RegularizedPolicySettings
{
    /// <summary>Global gradient-norm clip.</summary>
    [Hyperparameter("max_grad_norm", "global gradient-norm clip (> 0; Infinity: off)")]
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

    /// <summary>A Gaussian policy's log σ is an output of the actor instead of one parameter per dimension.</summary>
    [Hyperparameter("state_dependent_std", "Box actions: log σ is an actor output (state-dependent) instead of one learned value per dimension")]
    public bool StateDependentStd { get; set; }

    /// <summary>Explore with gSDE (generalized state-dependent exploration; Box actions).</summary>
    [Hyperparameter("use_sde", "Box actions: generalized state-dependent exploration (gSDE), a = μ(s) + z(s)·W with W redrawn every sde_sample_freq steps")]
    public bool UseSde { get; set; }

    /// <summary>Steps between gSDE exploration matrices (≤ 0: one per rollout).</summary>
    [Hyperparameter("sde_sample_freq", "gSDE: steps between new exploration matrices within a rollout (-1: only at the start of each rollout)")]
    public int SdeSampleFrequency { get; set; } = -1;

    /// <summary>gSDE: one σ per feature and action dimension (true) or per feature.</summary>
    [Hyperparameter("full_std", "gSDE: one σ per (feature, action dimension) pair (true) or one per feature (false)")]
    public bool FullStd { get; set; } = true;

    /// <summary>gSDE: σ = log(1 + log σ) + 1 above 0 instead of exp.</summary>
    [Hyperparameter("use_expln", "gSDE: σ = exp(log σ) below 0 and log1p(log σ) + 1 above (grows slowly) instead of exp(log σ)")]
    public bool UseExpln { get; set; }

    /// <summary>gSDE: the noise's gradient also trains the features (SB3's on-policy policies keep it out).</summary>
    [Hyperparameter("sde_learn_features", "gSDE: let the noise's gradient flow into the actor's last hidden layer (SB3's on-policy default: false)")]
    public bool SdeLearnFeatures { get; set; }

    /// <summary>The torso: auto (a CNN for image observations), mlp or cnn.</summary>
    [Hyperparameter("policy", "auto (a CNN feature extractor for image observations, else none), mlp or cnn (SB3's MlpPolicy / CnnPolicy)")]
    public PolicyKind Policy { get; set; } = PolicyKind.Auto;

    /// <summary>The network settings these keys describe.</summary>
    public PolicyNetworkSettings Networks => new(PolicyLayers, ValueLayers, Activation, OrthogonalInit, LogStdInit, StateDependentStd: StateDependentStd,
        Sde: UseSde ? new StateDependentExploration(SdeSampleFrequency, FullStd, UseExpln, SdeLearnFeatures) : null, Policy: Policy);

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, MaxGradNorm > 0, $"max_grad_norm must be > 0 (got {MaxGradNorm})");
        Require(errors, PolicyLayers.All(w => w > 0) && ValueLayers.All(w => w > 0), "layer widths must be > 0");
        Require(errors, Activation is Activation.Tanh or Activation.Relu, "activation must be tanh or relu");
        Require(errors, !(UseSde && StateDependentStd), "use_sde and state_dependent_std cannot both be true (two different state-dependent explorations)");
        Require(errors, SdeSampleFrequency >= -1, $"sde_sample_freq must be ≥ -1 (got {SdeSampleFrequency}; -1 or 0: one exploration matrix per rollout)");
    }
}
