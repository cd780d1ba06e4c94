namespace PolicyLab.Configuration;

/// <summary>
/// Settings of an algorithm that needs a particular number of environment copies (e.g. one per episode
/// of a batch). The resolved run's <c>n_envs</c> is set to it; an explicit different <c>n_envs</c> is an error.
/// </summary>
public interface IFixesEnvironmentCount
{
    /// <summary>The number of copies the algorithm needs.</summary>
    int EnvironmentCount { get; }
}
