namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// Registers the MinAtar games under the ids the MinAtar package gives Gymnasium: <c>MinAtar/Asterix-v0</c>,
/// <c>MinAtar/Breakout-v0</c>, <c>MinAtar/Freeway-v0</c>, <c>MinAtar/Seaquest-v0</c> and <c>MinAtar/SpaceInvaders-v0</c>
/// (all six actions), and the same names with <c>-v1</c> (the minimal action sets). Arguments: <c>sticky_action_prob</c> (0.1) and
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
            int version = minimal ? 1 : 0;
            Register($"MinAtar/Asterix-v{version}", a => new Asterix(minimal, Probability(a), Ramping(a)));
            Register($"MinAtar/Breakout-v{version}", a => new Breakout(minimal, Probability(a), Ramping(a)));
            Register($"MinAtar/Freeway-v{version}", a => new Freeway(minimal, Probability(a), Ramping(a)));
            Register($"MinAtar/Seaquest-v{version}", a => new Seaquest(minimal, Probability(a), Ramping(a)));
            Register($"MinAtar/SpaceInvaders-v{version}", a => new SpaceInvaders(minimal, Probability(a), Ramping(a)));
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
