namespace PolicyLab.Environments.Highway;

/// <summary>
/// How vehicles decide: the Intelligent Driver Model for acceleration, MOBIL for lane changes (highway-env's IDMVehicle
/// with its constants), road following at lane ends, and the target tracking of the agent's meta-controlled car.
/// </summary>
/// <remarks>
/// IDM: a = a_max·(1 − (max(v, 0)/|v₀|)^δ) − a_max·(s*/d)², s* = s₀ + v·T + v·Δv/(2√(a_max·|b|)), with v₀ the driver's
/// desired speed capped to [0, lane limit], d the lane distance to the leader and Δv the relative velocity projected on
/// the follower's heading. MOBIL: a change to a side lane is safe when the new follower's predicted acceleration is at
/// least −b_safe, and worth it when (ã_self − a_self) + p·[(ã_new follower − a_new follower) + (ã_old follower −
/// a_old follower)] ≥ Δa_th. A vehicle without a desired speed (the continuously controlled ego) counts as desiring 0.
/// </remarks>
public static class DrivingBehavior
{
    /// <summary>Hard acceleration limit of IDM traffic (m/s²).</summary>
    public const double AccelerationMax = 6.0;
    /// <summary>IDM comfortable acceleration a_max (m/s²).</summary>
    public const double ComfortAccelerationMax = 3.0;
    /// <summary>IDM comfortable deceleration b (m/s², negative).</summary>
    public const double ComfortAccelerationMin = -5.0;
    /// <summary>Jam distance s₀ including the vehicle length (m).</summary>
    public const double DistanceWanted = 5.0 + Vehicle.DefaultLength;
    /// <summary>Desired time gap T (s).</summary>
    public const double TimeWanted = 1.5;
    /// <summary>Default exponent δ.</summary>
    public const double DefaultDelta = 4.0;
    /// <summary>Range δ is drawn from when behaviour is randomised.</summary>
    public const double DeltaLow = 3.5, DeltaHigh = 4.5;
    /// <summary>MOBIL politeness p.</summary>
    public const double Politeness = 0.0;
    /// <summary>MOBIL minimum acceleration gain Δa_th (m/s²).</summary>
    public const double LaneChangeMinAccelerationGain = 0.2;
    /// <summary>MOBIL maximum braking imposed on the new follower b_safe (m/s²).</summary>
    public const double LaneChangeMaxBrakingImposed = 2.0;
    /// <summary>Time between lane-change decisions (s).</summary>
    public const double LaneChangeDelay = 1.0;

    /// <summary>The IDM desired gap s* of <paramref name="ego"/> behind <paramref name="front"/>.</summary>
    public static double DesiredGap(Vehicle ego, Vehicle front)
    {
        (double sin, double cos) = Math.SinCos(ego.Heading);
        double dv = (ego.VelocityX - front.VelocityX) * cos + (ego.VelocityY - front.VelocityY) * sin;
        double ab = -ComfortAccelerationMax * ComfortAccelerationMin;
        return DistanceWanted + ego.Speed * TimeWanted + ego.Speed * dv / (2 * Math.Sqrt(ab));
    }

    /// <summary>
    /// IDM acceleration of body <paramref name="ego"/> (slot, −1 for none: 0) behind body <paramref name="front"/>
    /// (−1: free road), computed with <paramref name="delta"/> (the exponent of the vehicle doing the reasoning).
    /// Objects have no acceleration (0).
    /// </summary>
    public static double Acceleration(Road road, double delta, int ego, int front)
    {
        if (ego < 0)
            return 0;
        Vehicle e = road.Bodies[ego];
        if (!e.IsVehicle)
            return 0;
        double desired = e.HasTargetLane ? e.TargetSpeed : 0;
        desired = Math.Clamp(desired, 0, road.Network.Lanes[e.Lane].SpeedLimit);
        double acceleration = ComfortAccelerationMax * (1 - Math.Pow(Math.Max(e.Speed, 0) / Math.Abs(Angles.NotZero(desired)), delta));
        if (front >= 0)
        {
            double d = road.LaneDistance(ego, front);
            double ratio = DesiredGap(e, road.Bodies[front]) / Angles.NotZero(d);
            acceleration -= ComfortAccelerationMax * ratio * ratio;
        }
        return acceleration;
    }

    /// <summary>At the end of its target lane a vehicle's target moves to the next lane (along its route if it has one).</summary>
    public static void FollowRoad(Road road, Vehicle v)
    {
        Lane lane = road.Network.Lanes[v.TargetLane];
        var (s, _) = lane.LocalCoordinates(v.X, v.Y);
        if (lane.AfterEnd(s))
            v.TargetLane = road.Network.NextLane(v.TargetLane, v.X, v.Y, v.Route, ref v.RouteStart);
    }

    /// <summary>The meta-controlled car's commands from its targets: lane-following steering and proportional speed control.</summary>
    public static void FollowTargets(Road road, Vehicle v)
    {
        FollowRoad(road, v);
        v.Steering = Controllers.SteeringControl(road.Network.Lanes[v.TargetLane], v);
        v.Acceleration = Controllers.SpeedControl(v.TargetSpeed, v.Speed);
    }

    /// <summary>One IDM + MOBIL decision of the vehicle in <paramref name="slot"/> (crashed vehicles keep their commands, which the model overrides).</summary>
    public static void IdmAct(Road road, int slot)
    {
        Vehicle v = road.Bodies[slot];
        if (v.Crashed)
            return;
        FollowRoad(road, v);
        if (v.EnableLaneChange)
            ChangeLanePolicy(road, slot);
        double steering = Controllers.SteeringControl(road.Network.Lanes[v.TargetLane], v);
        var (front, _) = road.Neighbours(slot, v.Lane);
        double acceleration = Acceleration(road, v.Delta, slot, front);
        if (v.Lane != v.TargetLane)
        {
            var (targetFront, _) = road.Neighbours(slot, v.TargetLane);
            acceleration = Math.Min(acceleration, Acceleration(road, v.Delta, slot, targetFront));
        }
        v.Steering = steering;
        v.Acceleration = Math.Clamp(acceleration, -AccelerationMax, AccelerationMax);
    }

    /// <summary>
    /// MOBIL's lane-change policy: an ongoing change is aborted when another vehicle ahead within its desired gap is
    /// merging into the same lane; otherwise, once more than <see cref="LaneChangeDelay"/> has passed since the last
    /// decision, each reachable side lane (left, then right) is taken when <see cref="Mobil"/> approves and the vehicle moves.
    /// </summary>
    public static void ChangeLanePolicy(Road road, int slot)
    {
        Vehicle v = road.Bodies[slot];
        RoadNetwork network = road.Network;
        if (v.Lane != v.TargetLane)
        {
            if (network.SameEdge(v.Lane, v.TargetLane))
            {
                for (int i = 0; i < road.VehicleCount; i++)
                {
                    Vehicle other = road.VehicleAt(i);
                    if (i == slot || other.Lane == v.TargetLane || !other.HasTargetLane || other.TargetLane != v.TargetLane)
                        continue;
                    double d = road.LaneDistance(slot, i);
                    double dStar = DesiredGap(v, other);
                    if (0 < d && d < dStar)
                    {
                        v.TargetLane = v.Lane;
                        break;
                    }
                }
            }
            return;
        }
        if (!(LaneChangeDelay < v.Timer))
            return;
        v.Timer = 0;
        var (left, right) = network.SideLanes(v.Lane);
        TryLane(road, slot, left);
        TryLane(road, slot, right);
    }

    private static void TryLane(Road road, int slot, int lane)
    {
        if (lane < 0)
            return;
        Vehicle v = road.Bodies[slot];
        if (!road.Network.Lanes[lane].IsReachableFrom(v.X, v.Y))
            return;
        if (Math.Abs(v.Speed) < 1)
            return;
        if (Mobil(road, slot, lane))
            v.TargetLane = lane;
    }

    /// <summary>MOBIL's safety and incentive criteria for moving the vehicle in <paramref name="slot"/> to <paramref name="lane"/>.</summary>
    public static bool Mobil(Road road, int slot, int lane)
    {
        Vehicle v = road.Bodies[slot];
        double delta = v.Delta;
        var (newPreceding, newFollowing) = road.Neighbours(slot, lane);
        double newFollowingA = Acceleration(road, delta, newFollowing, newPreceding);
        double newFollowingPredA = Acceleration(road, delta, newFollowing, slot);
        if (newFollowingPredA < -LaneChangeMaxBrakingImposed)
            return false;
        var (oldPreceding, oldFollowing) = road.Neighbours(slot, v.Lane);
        double selfPredA = Acceleration(road, delta, slot, newPreceding);
        double selfA = Acceleration(road, delta, slot, oldPreceding);
        double oldFollowingA = Acceleration(road, delta, oldFollowing, slot);
        double oldFollowingPredA = Acceleration(road, delta, oldFollowing, oldPreceding);
        double gain = selfPredA - selfA + Politeness * (newFollowingPredA - newFollowingA + oldFollowingPredA - oldFollowingA);
        return gain >= LaneChangeMinAccelerationGain;
    }
}
