namespace PolicyLab.Environments;

/// <summary>The registration of an environment id: its limits, threshold and default constructor arguments.</summary>
/// <param name="Id">The id, e.g. <c>CartPole-v1</c>.</param>
/// <param name="MaxEpisodeSteps">Steps after which <see cref="EnvironmentRegistry.Make(string, IReadOnlyDictionary{string, object}?, int?)"/>'s
/// time limit truncates an episode, or null for no limit.</param>
/// <param name="RewardThreshold">Average return at which the task counts as solved, or null when none is registered.</param>
/// <param name="DefaultArguments">Constructor arguments and their defaults; these are also the only names <c>Make</c> accepts.</param>
public sealed record EnvironmentSpec(
    string Id,
    int? MaxEpisodeSteps,
    double? RewardThreshold,
    IReadOnlyDictionary<string, object> DefaultArguments)
{
    /// <summary>Formats as <c>EnvironmentSpec(CartPole-v1, max steps 500, threshold 475)</c>.</summary>
    public override string ToString() =>
        $"EnvironmentSpec({Id}, max steps {MaxEpisodeSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, threshold {RewardThreshold?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})";
}
