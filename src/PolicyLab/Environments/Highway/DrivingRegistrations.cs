namespace PolicyLab.Environments.Highway;

/// <summary>
/// Registers the driving environments: highway-v0 and highway-fast-v0 (more in later versions). Every key of the
/// configuration is an environment argument (see <see cref="DrivingConfigReader"/>); the environments truncate
/// themselves at their duration, so the registry adds no step limit.
/// </summary>
public static class DrivingRegistrations
{
    /// <summary>Adds the driving ids to <see cref="EnvironmentRegistry"/> (called by its static constructor).</summary>
    public static void RegisterAll()
    {
        Register("highway-v0", HighwayConfig.Highway, (c, id) => new HighwayEnvironment(c, id));
        Register("highway-fast-v0", HighwayConfig.HighwayFast, (c, id) => new HighwayEnvironment(c, id));
    }

    private static void Register(string id, HighwayConfig defaults, Func<HighwayConfig, string, IEnvironment> create, params string[] extraKeys) =>
        EnvironmentRegistry.Register(new EnvironmentSpec(id, null, null, DrivingConfigReader.Arguments(defaults, extraKeys)),
            arguments => create(DrivingConfigReader.Read(id, defaults, arguments), id));
}
