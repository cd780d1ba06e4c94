using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>
/// A batch of action distributions on the tape, whatever the action space: what a policy returns for a batch
/// of observations. Log-probabilities, entropies and KL divergences are per row ([B], summed over action
/// dimensions). A small value type holding the one underlying distribution, so building one allocates nothing.
/// </summary>
public readonly struct PolicyDistribution
{
    private enum Family { Categorical, Gaussian, MultiCategorical, Bernoulli }

    private readonly Family _family;
    private readonly Categorical _categorical;
    private readonly DiagonalGaussian _gaussian;
    private readonly MultiCategorical _multiCategorical;
    private readonly Bernoulli _bernoulli;

    /// <summary>A categorical policy (Discrete actions).</summary>
    public PolicyDistribution(Categorical distribution) => (_family, _categorical) = (Family.Categorical, distribution);

    /// <summary>A diagonal Gaussian policy (Box actions).</summary>
    public PolicyDistribution(DiagonalGaussian distribution) => (_family, _gaussian) = (Family.Gaussian, distribution);

    /// <summary>Independent categoricals (MultiDiscrete actions).</summary>
    public PolicyDistribution(MultiCategorical distribution) => (_family, _multiCategorical) = (Family.MultiCategorical, distribution);

    /// <summary>Independent Bernoulli variables (MultiBinary actions).</summary>
    public PolicyDistribution(Bernoulli distribution) => (_family, _bernoulli) = (Family.Bernoulli, distribution);

    /// <summary>log π(a|s) of stored actions (as <see cref="ActionDistribution.Actions"/> lays them out), [B].</summary>
    public Tensor LogProb(Tensor actions) => _family switch
    {
        Family.Categorical => _categorical.LogProb(actions),
        Family.Gaussian => _gaussian.LogProb(actions),
        Family.MultiCategorical => _multiCategorical.LogProb(actions),
        _ => _bernoulli.LogProb(actions),
    };

    /// <summary>The entropy H(π(·|s)), [B].</summary>
    public Tensor Entropy() => _family switch
    {
        Family.Categorical => _categorical.Entropy(),
        Family.Gaussian => _gaussian.Entropy(),
        Family.MultiCategorical => _multiCategorical.Entropy(),
        _ => _bernoulli.Entropy(),
    };

    /// <summary>KL(this ‖ <paramref name="other"/>), [B]; both must come from the same family.</summary>
    /// <exception cref="ArgumentException">The two distributions are of different families.</exception>
    public Tensor Kl(PolicyDistribution other)
    {
        if (other._family != _family)
            throw new ArgumentException($"KL between a {_family} and a {other._family} distribution is not defined here.", nameof(other));
        return _family switch
        {
            Family.Categorical => _categorical.Kl(other._categorical),
            Family.Gaussian => _gaussian.Kl(other._gaussian),
            Family.MultiCategorical => _multiCategorical.Kl(other._multiCategorical),
            _ => _bernoulli.Kl(other._bernoulli),
        };
    }

    /// <summary>The most probable actions as a constant tensor, laid out like stored actions.</summary>
    public Tensor Mode() => _family switch
    {
        Family.Categorical => _categorical.Mode(),
        Family.Gaussian => _gaussian.Mode(),
        Family.MultiCategorical => _multiCategorical.Mode(),
        _ => _bernoulli.Mode(),
    };
}
