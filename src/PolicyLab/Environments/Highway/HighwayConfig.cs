using System.Collections;
using System.Globalization;

namespace PolicyLab.Environments.Highway;

/// <summary>The observation type of a driving environment.</summary>
public enum DrivingObservationType
{
    /// <summary>A table of nearby vehicles' features (highway-env's Kinematics).</summary>
    Kinematics,
    /// <summary>A grid of feature maps around the ego vehicle (highway-env's OccupancyGrid).</summary>
    OccupancyGrid,
}

/// <summary>The action type of a driving environment.</summary>
public enum DrivingActionType
{
    /// <summary>Discrete meta-actions LANE_LEFT, IDLE, LANE_RIGHT, FASTER, SLOWER tracked by low-level controllers.</summary>
    DiscreteMetaAction,
    /// <summary>Continuous acceleration and/or steering in [−1, 1], mapped to physical ranges and held between frames.</summary>
    ContinuousAction,
}

/// <summary>How the Kinematics table orders the other vehicles.</summary>
public enum KinematicsOrder
{
    /// <summary>By absolute lane distance to the ego vehicle, closest first.</summary>
    Sorted,
    /// <summary>Sorted, then the rows after the ego's shuffled with the environment's random stream.</summary>
    Shuffled,
}

/// <summary>Settings of the observation (highway-env's <c>observation</c> dictionary).</summary>
public sealed record DrivingObservationConfig
{
    /// <summary>Kinematics or OccupancyGrid.</summary>
    public DrivingObservationType Type { get; init; } = DrivingObservationType.Kinematics;
    /// <summary>Rows of the Kinematics table (the ego and the closest others).</summary>
    public int VehiclesCount { get; init; } = 5;
    /// <summary>Feature columns, or null for the type's defaults (Kinematics: presence, x, y, vx, vy of presence, x, y,
    /// vx, vy, heading, cos_h, sin_h, long_off, lat_off, ang_off; OccupancyGrid: presence, vx, vy, on_road).</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The features in use: <see cref="Features"/> or the type's defaults.</summary>
    public IReadOnlyList<string> EffectiveFeatures => Features ?? (Type == DrivingObservationType.Kinematics
        ? ["presence", "x", "y", "vx", "vy"]
        : ["presence", "vx", "vy", "on_road"]);
    /// <summary>Coordinates absolute (true) or relative to the ego (false; the ego row stays absolute).</summary>
    public bool Absolute { get; init; }
    /// <summary>Map features to [−1, 1] with their ranges.</summary>
    public bool Normalize { get; init; } = true;
    /// <summary>Clip normalised features to [−1, 1].</summary>
    public bool Clip { get; init; } = true;
    /// <summary>Also observe vehicles more than two lengths behind.</summary>
    public bool SeeBehind { get; init; }
    /// <summary>Row order.</summary>
    public KinematicsOrder Order { get; init; } = KinematicsOrder.Sorted;
    /// <summary>Include static obstacles among the observed bodies.</summary>
    public bool IncludeObstacles { get; init; } = true;
    /// <summary>Explicit normalisation ranges per feature (null: highway-env's defaults from the road).</summary>
    public IReadOnlyDictionary<string, (double Low, double High)>? FeaturesRange { get; init; }
    /// <summary>OccupancyGrid extent [x0, x1, y0, y1] (m).</summary>
    public IReadOnlyList<double> GridSize { get; init; } = [-27.5, 27.5, -27.5, 27.5];
    /// <summary>OccupancyGrid cell size [dx, dy] (m).</summary>
    public IReadOnlyList<double> GridStep { get; init; } = [5, 5];
    /// <summary>OccupancyGrid axes along the ego's heading (true) or the world axes.</summary>
    public bool AlignToVehicleAxes { get; init; }
}

/// <summary>Settings of the action (highway-env's <c>action</c> dictionary).</summary>
public sealed record DrivingActionConfig
{
    /// <summary>DiscreteMetaAction or ContinuousAction.</summary>
    public DrivingActionType Type { get; init; } = DrivingActionType.DiscreteMetaAction;
    /// <summary>Include the longitudinal part (FASTER/SLOWER, or the acceleration).</summary>
    public bool Longitudinal { get; init; } = true;
    /// <summary>Include the lateral part (lane changes, or the steering).</summary>
    public bool Lateral { get; init; } = true;
    /// <summary>The meta-controlled car's target speeds (m/s), increasing.</summary>
    public IReadOnlyList<double> TargetSpeeds { get; init; } = [20, 25, 30];
    /// <summary>Acceleration range [−1, 1] maps to (m/s²).</summary>
    public (double Low, double High) AccelerationRange { get; init; } = (-5, 5);
    /// <summary>Steering range [−1, 1] maps to (rad).</summary>
    public (double Low, double High) SteeringRange { get; init; } = (-Math.PI / 4, Math.PI / 4);
    /// <summary>Clip continuous actions to [−1, 1] first.</summary>
    public bool Clip { get; init; } = true;
}

/// <summary>
/// The configuration of a driving environment (highway-env's config dictionary): road, traffic, timing, rewards,
/// observation and action. Each environment starts from its defaults; <see cref="DrivingConfigReader"/> overlays
/// registry arguments.
/// </summary>
public sealed record HighwayConfig
{
    /// <summary>Number of lanes (highway).</summary>
    public int LanesCount { get; init; } = 4;
    /// <summary>Number of traffic vehicles.</summary>
    public int VehiclesCount { get; init; } = 50;
    /// <summary>Number of agent-controlled vehicles (1).</summary>
    public int ControlledVehicles { get; init; } = 1;
    /// <summary>The ego's initial lane id, or null for a uniformly random lane.</summary>
    public int? InitialLaneId { get; init; }
    /// <summary>Episode duration (s); truncation when the time reaches it (0: no truncation).</summary>
    public double Duration { get; init; } = 40;
    /// <summary>Spacing factor of the ego's placement.</summary>
    public double EgoSpacing { get; init; } = 2;
    /// <summary>Traffic density (spacing factor 1/density).</summary>
    public double VehiclesDensity { get; init; } = 1;
    /// <summary>Simulation frames per second.</summary>
    public int SimulationFrequency { get; init; } = 15;
    /// <summary>Agent decisions per second (must divide the simulation frequency).</summary>
    public int PolicyFrequency { get; init; } = 1;
    /// <summary>Weight of the collision indicator.</summary>
    public double CollisionReward { get; init; } = -1;
    /// <summary>Weight of the right-lane term.</summary>
    public double RightLaneReward { get; init; } = 0.1;
    /// <summary>Weight of the high-speed term.</summary>
    public double HighSpeedReward { get; init; } = 0.4;
    /// <summary>Weight of the lane-change term (inert on the highway, as in highway-env; used by merge and roundabout).</summary>
    public double LaneChangeReward { get; init; }
    /// <summary>Forward speeds mapped to the high-speed term's [0, 1] (m/s).</summary>
    public (double Low, double High) RewardSpeedRange { get; init; } = (20, 30);
    /// <summary>Map the reward to [0, 1] with the weights' extremes.</summary>
    public bool NormalizeReward { get; init; } = true;
    /// <summary>End the episode when the ego leaves the road.</summary>
    public bool OffroadTerminal { get; init; }
    /// <summary>Check collisions between traffic vehicles (false in highway-fast: only the ego collides).</summary>
    public bool TrafficCollisions { get; init; } = true;
    /// <summary>Observation settings.</summary>
    public DrivingObservationConfig Observation { get; init; } = new();
    /// <summary>Action settings.</summary>
    public DrivingActionConfig Action { get; init; } = new();
    /// <summary>Merge: weight of the merging-speed penalty.</summary>
    public double MergingSpeedReward { get; init; } = -0.5;
    /// <summary>Roundabout: the incoming vehicle's destination (null: random).</summary>
    public string? IncomingVehicleDestination { get; init; }
    /// <summary>Racetrack: lane-centering cost factor (term 1/(1 + cost·r²)).</summary>
    public double LaneCenteringCost { get; init; } = 4;
    /// <summary>Racetrack: weight of the lane-centering term.</summary>
    public double LaneCenteringReward { get; init; } = 1;
    /// <summary>Racetrack: weight of the action-norm term.</summary>
    public double ActionReward { get; init; } = -0.3;
    /// <summary>Racetrack: number of other vehicles.</summary>
    public int OtherVehicles { get; init; } = 1;
    /// <summary>Racetrack: lane speed limit (m/s).</summary>
    public double SpeedLimit { get; init; } = 10;
    /// <summary>Racetrack: end the episode off the road.</summary>
    public bool TerminateOffRoad { get; init; } = true;

    /// <summary>Simulation frames per agent step.</summary>
    public int FramesPerStep => SimulationFrequency / PolicyFrequency;

    /// <summary>highway-v0's defaults.</summary>
    public static HighwayConfig Highway => new();

    /// <summary>highway-fast-v0's defaults (3 lanes, 20 vehicles, 30 s, 5 Hz simulation, no traffic–traffic collisions).</summary>
    public static HighwayConfig HighwayFast => new()
    {
        LanesCount = 3, VehiclesCount = 20, Duration = 30, EgoSpacing = 1.5, SimulationFrequency = 5, TrafficCollisions = false,
    };

    /// <summary>Throws a <see cref="PolicyLabException"/> naming the first setting out of range.</summary>
    public HighwayConfig Validate(string id)
    {
        void Fail(string message) => throw new PolicyLabException($"{id}: {message}");
        if (LanesCount < 1 || LanesCount > 64) Fail($"lanes_count must be between 1 and 64; got {LanesCount}.");
        if (VehiclesCount < 0 || VehiclesCount > 10000) Fail($"vehicles_count must be between 0 and 10000; got {VehiclesCount}.");
        if (ControlledVehicles != 1) Fail($"controlled_vehicles must be 1 (PolicyLab's driving environments have one agent); got {ControlledVehicles}.");
        if (InitialLaneId is int lane && (lane < 0 || lane >= LanesCount)) Fail($"initial_lane_id must be a lane id in [0, {LanesCount - 1}] or none; got {lane}.");
        if (!(Duration >= 0) || !double.IsFinite(Duration)) Fail($"duration must be a non-negative number of seconds; got {Duration}.");
        if (!(EgoSpacing > 0) || !double.IsFinite(EgoSpacing)) Fail($"ego_spacing must be positive; got {EgoSpacing}.");
        if (!(VehiclesDensity > 0) || !double.IsFinite(VehiclesDensity)) Fail($"vehicles_density must be positive; got {VehiclesDensity}.");
        if (SimulationFrequency <= 0) Fail($"simulation_frequency must be a positive number of frames per second; got {SimulationFrequency}.");
        if (PolicyFrequency <= 0) Fail($"policy_frequency must be a positive number of decisions per second; got {PolicyFrequency}.");
        if (PolicyFrequency > 0 && SimulationFrequency % PolicyFrequency != 0)
            Fail($"policy_frequency ({PolicyFrequency}) must divide simulation_frequency ({SimulationFrequency}) so every decision lasts a whole number of frames; e.g. use {Divisors(SimulationFrequency)}.");
        if (!(RewardSpeedRange.High > RewardSpeedRange.Low)) Fail($"reward_speed_range must be [low, high] with high > low; got [{RewardSpeedRange.Low}, {RewardSpeedRange.High}].");
        DrivingObservationConfig o = Observation;
        if (o.VehiclesCount < 1 || o.VehiclesCount > 1000) Fail($"observation vehicles_count must be between 1 and 1000; got {o.VehiclesCount}.");
        if (o.EffectiveFeatures.Count == 0) Fail("observation features cannot be empty.");
        IReadOnlyList<string> known = o.Type == DrivingObservationType.Kinematics ? KinematicsObservation.KnownFeatures : OccupancyGridObservation.KnownFeatures;
        foreach (string f in o.EffectiveFeatures)
            if (!known.Contains(f)) Fail($"unknown {o.Type} feature '{f}'.{NameSuggestions.DidYouMean(f, known)} Known features: {string.Join(", ", known)}.");
        if (o.GridSize.Count != 4 || !(o.GridSize[1] > o.GridSize[0]) || !(o.GridSize[3] > o.GridSize[2])) Fail("observation grid_size must be [[x0, x1], [y0, y1]] with x1 > x0 and y1 > y0.");
        if (o.GridStep.Count != 2 || !(o.GridStep[0] > 0) || !(o.GridStep[1] > 0)) Fail("observation grid_step must be two positive cell sizes [dx, dy].");
        DrivingActionConfig a = Action;
        if (!a.Longitudinal && !a.Lateral) Fail("the action needs longitudinal, lateral or both set to true.");
        if (a.TargetSpeeds.Count < 1) Fail("action target_speeds needs at least one speed.");
        for (int i = 1; i < a.TargetSpeeds.Count; i++)
            if (!(a.TargetSpeeds[i] > a.TargetSpeeds[i - 1])) Fail("action target_speeds must be increasing.");
        if (!(a.AccelerationRange.High > a.AccelerationRange.Low)) Fail("action acceleration_range must be [low, high] with high > low.");
        if (!(a.SteeringRange.High > a.SteeringRange.Low)) Fail("action steering_range must be [low, high] with high > low.");
        if (OtherVehicles < 0) Fail($"other_vehicles must be non-negative; got {OtherVehicles}.");
        if (!(SpeedLimit > 0)) Fail($"speed_limit must be positive; got {SpeedLimit}.");
        return this;
    }

    private static string Divisors(int n) => string.Join(", ", Enumerable.Range(1, n).Where(d => n % d == 0));
}

/// <summary>
/// Reads a <see cref="HighwayConfig"/> from registry arguments: flat keys named as highway-env's config
/// (<c>vehicles_count</c>, <c>lanes_count</c>, <c>duration</c>, <c>policy_frequency</c>, …), the observation and action
/// types as <c>observation</c> / <c>action</c> (a type name, or a dictionary with <c>type</c> and its settings, as
/// highway-env's nested dictionaries), and their settings also as dotted keys (<c>observation.vehicles_count</c>,
/// <c>action.lateral</c>, …). Unknown keys get a did-you-mean error; values of the wrong kind say what was expected.
/// </summary>
public static class DrivingConfigReader
{
    /// <summary>Observation setting names (nested or after <c>observation.</c>).</summary>
    public static readonly IReadOnlyList<string> ObservationKeys =
        ["type", "vehicles_count", "features", "absolute", "normalize", "clip", "see_behind", "order", "include_obstacles", "features_range", "grid_size", "grid_step", "align_to_vehicle_axes", "as_image"];

    /// <summary>Action setting names (nested or after <c>action.</c>).</summary>
    public static readonly IReadOnlyList<string> ActionKeys =
        ["type", "longitudinal", "lateral", "target_speeds", "acceleration_range", "steering_range", "clip"];

    /// <summary>The flat argument names and their values for a configuration (the registry's default arguments).</summary>
    public static Dictionary<string, object> Arguments(HighwayConfig c, params string[] extraKeys)
    {
        ArgumentNullException.ThrowIfNull(c);
        var a = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["lanes_count"] = c.LanesCount,
            ["vehicles_count"] = c.VehiclesCount,
            ["controlled_vehicles"] = c.ControlledVehicles,
            ["initial_lane_id"] = c.InitialLaneId is int id ? id : "none",
            ["duration"] = c.Duration,
            ["ego_spacing"] = c.EgoSpacing,
            ["vehicles_density"] = c.VehiclesDensity,
            ["simulation_frequency"] = c.SimulationFrequency,
            ["policy_frequency"] = c.PolicyFrequency,
            ["collision_reward"] = c.CollisionReward,
            ["right_lane_reward"] = c.RightLaneReward,
            ["high_speed_reward"] = c.HighSpeedReward,
            ["lane_change_reward"] = c.LaneChangeReward,
            ["reward_speed_range"] = new[] { c.RewardSpeedRange.Low, c.RewardSpeedRange.High },
            ["normalize_reward"] = c.NormalizeReward,
            ["offroad_terminal"] = c.OffroadTerminal,
            ["traffic_collisions"] = c.TrafficCollisions,
            ["observation"] = c.Observation.Type.ToString(),
            ["observation.vehicles_count"] = c.Observation.VehiclesCount,
            ["observation.features"] = c.Observation.Features is { } features ? features.ToArray() : "default",
            ["observation.absolute"] = c.Observation.Absolute,
            ["observation.normalize"] = c.Observation.Normalize,
            ["observation.clip"] = c.Observation.Clip,
            ["observation.see_behind"] = c.Observation.SeeBehind,
            ["observation.order"] = c.Observation.Order.ToString().ToLowerInvariant(),
            ["observation.include_obstacles"] = c.Observation.IncludeObstacles,
            ["observation.features_range"] = "default",
            ["observation.grid_size"] = c.Observation.GridSize.ToArray(),
            ["observation.grid_step"] = c.Observation.GridStep.ToArray(),
            ["observation.align_to_vehicle_axes"] = c.Observation.AlignToVehicleAxes,
            ["action"] = c.Action.Type.ToString(),
            ["action.longitudinal"] = c.Action.Longitudinal,
            ["action.lateral"] = c.Action.Lateral,
            ["action.target_speeds"] = c.Action.TargetSpeeds.ToArray(),
            ["action.acceleration_range"] = new[] { c.Action.AccelerationRange.Low, c.Action.AccelerationRange.High },
            ["action.steering_range"] = new[] { c.Action.SteeringRange.Low, c.Action.SteeringRange.High },
            ["action.clip"] = c.Action.Clip,
        };
        foreach (string key in extraKeys)
        {
            a[key] = key switch
            {
                "merging_speed_reward" => c.MergingSpeedReward,
                "incoming_vehicle_destination" => c.IncomingVehicleDestination ?? "none",
                "lane_centering_cost" => c.LaneCenteringCost,
                "lane_centering_reward" => c.LaneCenteringReward,
                "action_reward" => c.ActionReward,
                "other_vehicles" => c.OtherVehicles,
                "speed_limit" => c.SpeedLimit,
                "terminate_off_road" => c.TerminateOffRoad,
                _ => throw new ArgumentException($"Unknown extra key {key}.", nameof(extraKeys)),
            };
        }
        return a;
    }

    /// <summary>Overlays <paramref name="arguments"/> on <paramref name="defaults"/> and validates the result.</summary>
    public static HighwayConfig Read(string id, HighwayConfig defaults, IReadOnlyDictionary<string, object> arguments)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(arguments);
        HighwayConfig c = defaults;
        DrivingObservationConfig o = defaults.Observation;
        DrivingActionConfig act = defaults.Action;
        // The observation and action entries go last, so a nested dictionary overrides the flat defaults.
        foreach (var (key, value) in arguments.Where(p => p.Key is not ("observation" or "action"))
                     .Concat(arguments.Where(p => p.Key is "observation" or "action")))
        {
            switch (key)
            {
                case "lanes_count": c = c with { LanesCount = Int(id, key, value) }; break;
                case "vehicles_count": c = c with { VehiclesCount = Int(id, key, value) }; break;
                case "controlled_vehicles": c = c with { ControlledVehicles = Int(id, key, value) }; break;
                case "initial_lane_id": c = c with { InitialLaneId = IsNone(value) ? null : Int(id, key, value) }; break;
                case "duration": c = c with { Duration = Double(id, key, value) }; break;
                case "ego_spacing": c = c with { EgoSpacing = Double(id, key, value) }; break;
                case "vehicles_density": c = c with { VehiclesDensity = Double(id, key, value) }; break;
                case "simulation_frequency": c = c with { SimulationFrequency = Int(id, key, value) }; break;
                case "policy_frequency": c = c with { PolicyFrequency = Int(id, key, value) }; break;
                case "collision_reward": c = c with { CollisionReward = Double(id, key, value) }; break;
                case "right_lane_reward": c = c with { RightLaneReward = Double(id, key, value) }; break;
                case "high_speed_reward": c = c with { HighSpeedReward = Double(id, key, value) }; break;
                case "lane_change_reward": c = c with { LaneChangeReward = Double(id, key, value) }; break;
                case "reward_speed_range": c = c with { RewardSpeedRange = Pair(id, key, value) }; break;
                case "normalize_reward": c = c with { NormalizeReward = Bool(id, key, value) }; break;
                case "offroad_terminal": c = c with { OffroadTerminal = Bool(id, key, value) }; break;
                case "traffic_collisions": c = c with { TrafficCollisions = Bool(id, key, value) }; break;
                case "merging_speed_reward": c = c with { MergingSpeedReward = Double(id, key, value) }; break;
                case "incoming_vehicle_destination": c = c with { IncomingVehicleDestination = IsNone(value) ? null : Text(id, key, value) }; break;
                case "lane_centering_cost": c = c with { LaneCenteringCost = Double(id, key, value) }; break;
                case "lane_centering_reward": c = c with { LaneCenteringReward = Double(id, key, value) }; break;
                case "action_reward": c = c with { ActionReward = Double(id, key, value) }; break;
                case "other_vehicles": c = c with { OtherVehicles = Int(id, key, value) }; break;
                case "speed_limit": c = c with { SpeedLimit = Double(id, key, value) }; break;
                case "terminate_off_road": c = c with { TerminateOffRoad = Bool(id, key, value) }; break;
                case "observation":
                    if (value is string type) o = o with { Type = Enum<DrivingObservationType>(id, key, type) };
                    else foreach (var (k, v) in Nested(id, key, value)) o = ReadObservation(id, k, v, o);
                    break;
                case "action":
                    if (value is string actionType) act = act with { Type = Enum<DrivingActionType>(id, key, actionType) };
                    else foreach (var (k, v) in Nested(id, key, value)) act = ReadAction(id, k, v, act);
                    break;
                default:
                    if (key.StartsWith("observation.", StringComparison.Ordinal)) o = ReadObservation(id, key["observation.".Length..], value, o);
                    else if (key.StartsWith("action.", StringComparison.Ordinal)) act = ReadAction(id, key["action.".Length..], value, act);
                    else throw new PolicyLabException($"{id}: unknown configuration key '{key}'.{NameSuggestions.DidYouMean(key, arguments.Keys)}");
                    break;
            }
        }
        return (c with { Observation = o, Action = act }).Validate(id);
    }

    private static DrivingObservationConfig ReadObservation(string id, string key, object value, DrivingObservationConfig o)
    {
        string name = "observation." + key;
        return key switch
        {
            "type" => o with { Type = Enum<DrivingObservationType>(id, name, Text(id, name, value)) },
            "vehicles_count" => o with { VehiclesCount = Int(id, name, value) },
            "features" => o with { Features = value is "default" ? null : Strings(id, name, value) },
            "absolute" => o with { Absolute = Bool(id, name, value) },
            "normalize" => o with { Normalize = Bool(id, name, value) },
            "clip" => o with { Clip = Bool(id, name, value) },
            "see_behind" => o with { SeeBehind = Bool(id, name, value) },
            "order" => o with { Order = Enum<KinematicsOrder>(id, name, Text(id, name, value)) },
            "include_obstacles" => o with { IncludeObstacles = Bool(id, name, value) },
            "features_range" => value is "default" ? o : o with { FeaturesRange = Nested(id, name, value).ToDictionary(p => p.Key, p => Pair(id, name + "." + p.Key, p.Value)) },
            "grid_size" => o with { GridSize = Doubles(id, name, value) },
            "grid_step" => o with { GridStep = Doubles(id, name, value) },
            "align_to_vehicle_axes" => o with { AlignToVehicleAxes = Bool(id, name, value) },
            "as_image" => Bool(id, name, value) ? throw new PolicyLabException($"{id}: observation.as_image=true is not supported; the grid is returned as feature maps.") : o,
            _ => throw new PolicyLabException($"{id}: unknown observation setting '{key}'.{NameSuggestions.DidYouMean(key, ObservationKeys)} Known: {string.Join(", ", ObservationKeys)}."),
        };
    }

    private static DrivingActionConfig ReadAction(string id, string key, object value, DrivingActionConfig a)
    {
        string name = "action." + key;
        return key switch
        {
            "type" => a with { Type = Enum<DrivingActionType>(id, name, Text(id, name, value)) },
            "longitudinal" => a with { Longitudinal = Bool(id, name, value) },
            "lateral" => a with { Lateral = Bool(id, name, value) },
            "target_speeds" => a with { TargetSpeeds = Doubles(id, name, value) },
            "acceleration_range" => a with { AccelerationRange = Pair(id, name, value) },
            "steering_range" => a with { SteeringRange = Pair(id, name, value) },
            "clip" => a with { Clip = Bool(id, name, value) },
            _ => throw new PolicyLabException($"{id}: unknown action setting '{key}'.{NameSuggestions.DidYouMean(key, ActionKeys)} Known: {string.Join(", ", ActionKeys)}."),
        };
    }

    private static bool IsNone(object value) => value is null || value is string s && (s.Length == 0 || s.Equals("none", StringComparison.OrdinalIgnoreCase) || s.Equals("null", StringComparison.OrdinalIgnoreCase));

    private static PolicyLabException Wrong(string id, string key, string expected, object? value) =>
        new($"{id}: '{key}' must be {expected}; got {Describe(value)}.");

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"'{s}'",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object>().Select(Describe)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static double Double(string id, string key, object value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => throw Wrong(id, key, "a number", value),
    };

    private static int Int(string id, string key, object value)
    {
        double d = Double(id, key, value);
        if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
            throw Wrong(id, key, "a whole number", value);
        return (int)d;
    }

    private static bool Bool(string id, string key, object value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s, out bool parsed) => parsed,
        _ => throw Wrong(id, key, "true or false", value),
    };

    private static string Text(string id, string key, object value) => value as string ?? throw Wrong(id, key, "a name", value);

    private static T Enum<T>(string id, string key, string value) where T : struct, Enum =>
        System.Enum.TryParse(value.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out T parsed) && System.Enum.IsDefined(parsed) && !int.TryParse(value, out _)
            ? parsed
            : throw new PolicyLabException($"{id}: '{key}' must be one of {string.Join(", ", System.Enum.GetNames<T>())}; got '{value}'.{NameSuggestions.DidYouMean(value, System.Enum.GetNames<T>())}");

    private static double[] Doubles(string id, string key, object value)
    {
        if (value is string s)
            value = s.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (value is not IEnumerable items)
            throw Wrong(id, key, "a list of numbers", value);
        var result = new List<double>();
        foreach (object? item in items)
        {
            if (item is IEnumerable inner and not string)
                result.AddRange(Doubles(id, key, inner));
            else
                result.Add(Double(id, key, item ?? throw Wrong(id, key, "a list of numbers", value)));
        }
        return [.. result];
    }

    private static (double, double) Pair(string id, string key, object value)
    {
        double[] d = Doubles(id, key, value);
        return d.Length == 2 ? (d[0], d[1]) : throw Wrong(id, key, "two numbers [low, high]", value);
    }

    private static string[] Strings(string id, string key, object value)
    {
        if (value is string s)
            return s.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (value is IEnumerable e)
            return [.. e.Cast<object>().Select(x => x as string ?? throw Wrong(id, key, "a list of feature names", value))];
        throw Wrong(id, key, "a list of feature names", value);
    }

    private static IEnumerable<KeyValuePair<string, object>> Nested(string id, string key, object value) => value switch
    {
        IReadOnlyDictionary<string, object> d => d,
        IDictionary<string, object> d => d,
        IDictionary d => d.Keys.Cast<object>().Select(k => new KeyValuePair<string, object>(k.ToString()!, d[k]!)),
        _ => throw Wrong(id, key, "a type name or a dictionary of settings", value),
    };
}
