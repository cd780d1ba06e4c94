namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// Registers the MinAtar games under the ids the MinAtar package gives Gymnasium: <c>MinAtar/Breakout-v0</c> and
/// <c>MinAtar/Freeway-v0</c> (all six actions), <c>MinAtar/Breakout-v1</c> and <c>MinAtar/Freeway-v1</c> (the minimal action sets). Arguments: <c>sticky_action_prob</c> (0.1) and
/// <c>difficulty_ramping</c> (true), as MinAtar's defaults. MinAtar sets no step limit; the registry truncates at
/// <see cref="MaxEpisodeSteps"/> so that an agent that never loses still ends its evaluation episodes.
/// </summary>
public static class MinAtarRegistrations
{
    /// <summary>The registry's step limit for MinAtar games (truncation).</summary>
    public const int MaxEpisodeSteps = 10_000;

    /// <summary>Adds the MinAtar ids to <see cref="EnvironmentRegistry"/> (called by its static constructor).</summary>
    public static void RegisterAll()
    {
        foreach (bool minimal in new[] { false, true })
        {
            Register($"MinAtar/Breakout-v{(minimal ? 1 : 0)}", a => new Breakout(minimal, Probability(a), Ramping(a)));
            Register($"MinAtar/Freeway-v{(minimal ? 1 : 0)}", a => new Freeway(minimal, Probability(a), Ramping(a)));
        }
    }

    private static void Register(string id, Func<IReadOnlyDictionary<string, object>, IEnvironment> create) =>
        EnvironmentRegistry.Register(new EnvironmentSpec(id, MaxEpisodeSteps, null,
            new Dictionary<string, object> { ["sticky_action_prob"] = 0.1, ["difficulty_ramping"] = true }), create);

    private static double Probability(IReadOnlyDictionary<string, object> a) => a["sticky_action_prob"] switch
    {
        double d => d,
        float f => f,
        int i => i,
        var other => throw new PolicyLabException($"sticky_action_prob must be a number in [0, 1); got '{other}'."),
    };

    private static bool Ramping(IReadOnlyDictionary<string, object> a) => a["difficulty_ramping"] switch
    {
        bool b => b,
        var other => throw new PolicyLabException($"difficulty_ramping must be true or false; got '{other}'."),
    };
}
