namespace PolicyLab.Environments.Highway;

/// <summary>highway-env's meta-actions.</summary>
public enum MetaAction
{
    /// <summary>Change to the lane on the left (lower lane id).</summary>
    LaneLeft,
    /// <summary>Keep the targets.</summary>
    Idle,
    /// <summary>Change to the lane on the right (higher lane id).</summary>
    LaneRight,
    /// <summary>Next higher target speed.</summary>
    Faster,
    /// <summary>Next lower target speed.</summary>
    Slower,
}

/// <summary>
/// The agent's actions. DiscreteMetaAction: Discrete(5) = LANE_LEFT, IDLE, LANE_RIGHT, FASTER, SLOWER (longitudinal only:
/// SLOWER, IDLE, FASTER; lateral only: LANE_LEFT, IDLE, LANE_RIGHT), applied on the first frame of a step: FASTER/SLOWER
/// set the target speed to the one after/before the target speed closest to the current speed; lane changes move the
/// target lane by one (clipped to the road) when that lane is reachable. ContinuousAction: Box(−1, 1) of
/// [acceleration, steering] (or one of them), clipped, mapped linearly to the acceleration and steering ranges and held
/// until the next step (a missing part is 0).
/// </summary>
public static class DrivingActions
{
    /// <summary>The meta-actions of a configuration, by action index.</summary>
    public static MetaAction[] MetaActions(DrivingActionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Longitudinal && config.Lateral)
            return [MetaAction.LaneLeft, MetaAction.Idle, MetaAction.LaneRight, MetaAction.Faster, MetaAction.Slower];
        return config.Longitudinal ? [MetaAction.Slower, MetaAction.Idle, MetaAction.Faster] : [MetaAction.LaneLeft, MetaAction.Idle, MetaAction.LaneRight];
    }

    /// <summary>The index of the target speed closest to <paramref name="speed"/>: round((v − v₀)/(v_last − v₀)·(n − 1)) (half to even), clipped.</summary>
    public static int SpeedToIndex(IReadOnlyList<double> targetSpeeds, double speed)
    {
        ArgumentNullException.ThrowIfNull(targetSpeeds);
        int n = targetSpeeds.Count;
        if (n == 1)
            return 0;
        double x = (speed - targetSpeeds[0]) / (targetSpeeds[n - 1] - targetSpeeds[0]);
        return (int)Math.Clamp(Math.Round(x * (n - 1), MidpointRounding.ToEven), 0, n - 1);
    }

    /// <summary>Applies a meta-action to the meta-controlled vehicle's targets.</summary>
    public static void Apply(Road road, Vehicle ego, MetaAction action, IReadOnlyList<double> targetSpeeds)
    {
        ArgumentNullException.ThrowIfNull(road);
        ArgumentNullException.ThrowIfNull(ego);
        DrivingBehavior.FollowRoad(road, ego);
        switch (action)
        {
            case MetaAction.Faster:
            case MetaAction.Slower:
                int index = SpeedToIndex(targetSpeeds, ego.Speed) + (action == MetaAction.Faster ? 1 : -1);
                ego.SpeedIndex = Math.Clamp(index, 0, targetSpeeds.Count - 1);
                ego.TargetSpeed = targetSpeeds[ego.SpeedIndex];
                break;
            case MetaAction.LaneLeft:
            case MetaAction.LaneRight:
                RoadNetwork network = road.Network;
                int id = network.LaneId(ego.TargetLane) + (action == MetaAction.LaneRight ? 1 : -1);
                int candidate = network.Sibling(ego.TargetLane, Math.Clamp(id, 0, network.LanesOnEdge(ego.TargetLane) - 1));
                if (network.Lanes[candidate].IsReachableFrom(ego.X, ego.Y))
                    ego.TargetLane = candidate;
                break;
        }
    }

    /// <summary>
    /// Marks the available meta-actions (highway-env's get_available_actions): IDLE always; a lane change when the side
    /// lane exists and is reachable; FASTER below the top target speed; SLOWER above the lowest.
    /// </summary>
    public static void Available(Road road, Vehicle ego, ReadOnlySpan<MetaAction> actions, int speedCount, Span<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(road);
        ArgumentNullException.ThrowIfNull(ego);
        var (left, right) = road.Network.SideLanes(ego.Lane);
        for (int i = 0; i < actions.Length; i++)
        {
            mask[i] = actions[i] switch
            {
                MetaAction.Idle => true,
                MetaAction.LaneLeft => left >= 0 && road.Network.Lanes[left].IsReachableFrom(ego.X, ego.Y),
                MetaAction.LaneRight => right >= 0 && road.Network.Lanes[right].IsReachableFrom(ego.X, ego.Y),
                MetaAction.Faster => ego.SpeedIndex < speedCount - 1,
                _ => ego.SpeedIndex > 0,
            };
        }
    }

    /// <summary>Sets the directly controlled vehicle's held commands from a continuous action.</summary>
    public static void Apply(Vehicle ego, ReadOnlySpan<float> action, DrivingActionConfig config)
    {
        ArgumentNullException.ThrowIfNull(ego);
        ArgumentNullException.ThrowIfNull(config);
        double Clip(float v) => config.Clip ? Math.Clamp(v, -1.0, 1.0) : v;
        int k = 0;
        double acceleration = 0, steering = 0;
        if (config.Longitudinal)
            acceleration = Angles.Map(Clip(action[k++]), -1, 1, config.AccelerationRange.Low, config.AccelerationRange.High);
        if (config.Lateral)
            steering = Angles.Map(Clip(action[k]), -1, 1, config.SteeringRange.Low, config.SteeringRange.High);
        ego.Acceleration = acceleration;
        ego.Steering = steering;
    }
}
