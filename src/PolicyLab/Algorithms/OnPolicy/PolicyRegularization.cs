using PolicyLab.Configuration;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>How a policy-gradient method keeps its policy from collapsing.</summary>
public enum PolicyRegularization
{
    /// <summary>No regularization.</summary>
    None,
    /// <summary>The usual entropy bonus: −ent_coef · H(π) added to the loss.</summary>
    Entropy,
    /// <summary>
    /// The policy-annealing (entropy-regularized) reward R′ = R − T·log π(a|s): every reward is charged
    /// the temperature times the log-probability of the action taken. Its optimum is the Boltzmann
    /// policy softmax(Q/T), where every sampled advantage vanishes, so the policy stops moving there
    /// instead of jittering as with an entropy bonus.
    /// </summary>
    Annealing,
}

/// <summary>The regularization keys shared by the policy-gradient family.</summary>
public abstract class RegularizedPolicySettings : Hyperparameters
{
    /// <summary>Entropy bonus coefficient.</summary>
    [Hyperparameter("ent_coef", "entropy bonus coefficient (≥ 0; used with regularization=entropy)")]
    public float EntropyCoefficient { get; set; }

    /// <summary>The regularization.</summary>
    [Hyperparameter("regularization", "entropy (bonus ent_coef·H), annealing (reward r − T·log π(a|s) with T = temperature) or none")]
    public PolicyRegularization Regularization { get; set; } = PolicyRegularization.Entropy;

    /// <summary>Temperature T of the annealing regularization.</summary>
    [Hyperparameter("temperature", "T of regularization=annealing (> 0)")]
    public float Temperature { get; set; } = 0.01f;

    /// <summary>The entropy-bonus coefficient actually applied (0 unless regularization=entropy).</summary>
    public float EffectiveEntropyCoefficient => Regularization == PolicyRegularization.Entropy ? EntropyCoefficient : 0f;

    /// <summary>T charged per unit of log-probability on every reward (0 unless regularization=annealing).</summary>
    public float RewardTemperature => Regularization == PolicyRegularization.Annealing ? Temperature : 0f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, EntropyCoefficient >= 0, $"ent_coef must be ≥ 0 (got {EntropyCoefficient})");
        Require(errors, Regularization != PolicyRegularization.Annealing || Temperature > 0, $"temperature must be > 0 with regularization=annealing (got {Temperature})");
    }
}
