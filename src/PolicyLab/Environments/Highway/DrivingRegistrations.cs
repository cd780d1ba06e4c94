namespace PolicyLab.Environments.Highway;

/// <summary>
/// Registers the driving environments: highway-v0, highway-fast-v0, merge-v0, roundabout-v0 and racetrack-v0. Every key of the
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
        Register("merge-v0", MergeEnvironment.Defaults, (c, id) => new MergeEnvironment(c, id), "merging_speed_reward");
        Register("roundabout-v0", RoundaboutEnvironment.Defaults, (c, id) => new RoundaboutEnvironment(c, id), "incoming_vehicle_destination");
        Register("racetrack-v0", RacetrackEnvironment.Defaults, (c, id) => new RacetrackEnvironment(c, id),
            "lane_centering_cost", "lane_centering_reward", "action_reward", "other_vehicles", "speed_limit", "terminate_off_road");
    }

    private static void Register(string id, HighwayConfig defaults, Func<HighwayConfig, string, IEnvironment> create, params string[] extraKeys) =>
        EnvironmentRegistry.Register(new EnvironmentSpec(id, null, null, DrivingConfigReader.Arguments(defaults, extraKeys)),
            arguments => create(DrivingConfigReader.Read(id, defaults, arguments), id));
}
