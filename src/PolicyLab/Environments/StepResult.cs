namespace PolicyLab.Environments;

/// <summary>The outcome of one environment step besides the observation.</summary>
/// <param name="Reward">The reward for the transition.</param>
/// <param name="Terminated">True when the new state is terminal (the MDP ended: no bootstrapping past it).</param>
/// <param name="Truncated">True when the episode was cut short, e.g. by a time limit (bootstrapping is still valid).</param>
public readonly record struct StepResult(double Reward, bool Terminated, bool Truncated)
{
    /// <summary>True when the episode ended for either reason and the environment must be reset.</summary>
    public bool Done => Terminated | Truncated;
}
