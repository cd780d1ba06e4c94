using PolicyLab.Configuration;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>How a discrete action is chosen from the policy's scores while candidates are evaluated.</summary>
public enum DiscreteActionSelection
{
    /// <summary>The highest score (a deterministic policy).</summary>
    Argmax,
    /// <summary>A sample from the softmax of the scores (a stochastic policy).</summary>
    Sample,
}

/// <summary>
/// Settings shared by the black-box (derivative-free) policy-search methods: the policy network, how
/// candidates are evaluated, and the worker threads.
/// </summary>
public abstract class BlackBoxSettings : Hyperparameters
{
    /// <summary>Hidden widths of the policy (empty: a linear policy).</summary>
    [Hyperparameter("policy_layers", "hidden layer widths of the policy network ([] for a linear policy)")]
    public int[] PolicyLayers { get; set; } = [];

    /// <summary>Hidden activation.</summary>
    [Hyperparameter("activation", "hidden activation: tanh or relu")]
    public Activation Activation { get; set; } = Activation.Tanh;

    /// <summary>Rescale bounded observation elements to [−1, 1].</summary>
    [Hyperparameter("scale_observations", "feed the policy 2(x − low)/(high − low) − 1 for observation elements with finite Box bounds (others unchanged)")]
    public bool ScaleObservations { get; set; } = true;

    /// <summary>Standard deviation of the Gaussian the initial parameters are drawn from.</summary>
    [Hyperparameter("init_std", "initial parameters are drawn from N(0, init_std²) (0: all zeros)")]
    public float InitStd { get; set; } = 0.1f;

    /// <summary>Episodes each candidate's return is averaged over.</summary>
    [Hyperparameter("episodes_per_candidate", "episodes each candidate's return is averaged over")]
    public int EpisodesPerCandidate { get; set; } = 1;

    /// <summary>Score every candidate of an iteration on the same episode seeds.</summary>
    [Hyperparameter("common_seeds", "evaluate every candidate of an iteration on the same episode seeds (common random numbers)")]
    public bool CommonSeeds { get; set; }

    /// <summary>Discrete action choice during candidate evaluation.</summary>
    [Hyperparameter("action_selection", "discrete actions while evaluating candidates: argmax or sample (softmax of the scores)")]
    public DiscreteActionSelection ActionSelection { get; set; } = DiscreteActionSelection.Argmax;

    /// <summary>Worker threads evaluating candidates (0: one per processor).</summary>
    [Hyperparameter("threads", "worker threads evaluating candidates (0: one per processor); results do not depend on it")]
    public int Threads { get; set; }

    /// <summary>The worker threads to use.</summary>
    public int ResolvedThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, PolicyLayers.All(w => w > 0), "policy_layers widths must be > 0");
        Require(errors, Activation is Activation.Tanh or Activation.Relu, "activation must be tanh or relu");
        Require(errors, InitStd >= 0 && float.IsFinite(InitStd), $"init_std must be ≥ 0 (got {InitStd})");
        Require(errors, EpisodesPerCandidate > 0, $"episodes_per_candidate must be > 0 (got {EpisodesPerCandidate})");
        Require(errors, Threads is >= 0 and <= 256, $"threads must lie in [0, 256] (got {Threads})");
    }
}
