namespace PolicyLab.Environments.Highway;

/// <summary>
/// roundabout-v0: a two-lane roundabout (radii 20 and 24 m around the origin, eight arcs between entries and exits at
/// ±24° of the axes) with four straight-then-sine accesses. The agent enters from the south at 8 m/s (target speeds
/// 0, 8, 16) heading for the north exit; IDM traffic: one car in the outer ring lane near the west entry, two in the
/// inner lane 20 m either side, one on the east access, each with a random exit. Reward: −1·crashed + 0.2·speed index/2
/// − 0.05·[lane change], mapped from [−1, 0.2] to [0, 1], times on-road. Terminated on a crash; truncated at 11 s.
/// Observation: absolute Kinematics with x, y ∈ [−100, 100] and vx, vy ∈ [−15, 15].
/// </summary>
public sealed class RoundaboutEnvironment : DrivingEnvironment
{
    private static readonly string[] Destinations = ["exr", "sxr", "nxr"];

    /// <summary>roundabout-v0's defaults.</summary>
    public static HighwayConfig Defaults => new()
    {
        LanesCount = 2, VehiclesCount = 4, Duration = 11, HighSpeedReward = 0.2, RightLaneReward = 0, LaneChangeReward = -0.05,
        Observation = new DrivingObservationConfig
        {
            Absolute = true,
            FeaturesRange = new Dictionary<string, (double, double)> { ["x"] = (-100, 100), ["y"] = (-100, 100), ["vx"] = (-15, 15), ["vy"] = (-15, 15) },
        },
        Action = new DrivingActionConfig { TargetSpeeds = [0, 8, 16] },
    };

    /// <summary>Creates the environment.</summary>
    public RoundaboutEnvironment(HighwayConfig? config = null, string name = "roundabout-v0") : base(name, config ?? Defaults)
    {
        if (Config.IncomingVehicleDestination is string d && Array.IndexOf(Destinations, d) < 0 && !int.TryParse(d, out _))
            throw new PolicyLabException($"{name}: incoming_vehicle_destination must be none, 0–2 or one of {string.Join(", ", Destinations)}; got '{d}'.");
    }

    /// <inheritdoc />
    protected override (int Width, int Height, double Scaling, double CenterX, double CenterY) View => (600, 600, 5.5, 0.5, 0.6);

    /// <inheritdoc />
    protected override Vehicle CreateScene()
    {
        if (Road.Network.LaneCount == 0)
            Road.Clear(BuildNetwork());
        RoadNetwork net = Road.Network;
        Lane egoLane = net.Lanes[net.LaneIndex("ser", "ses", 0)];
        var (ex, ey) = egoLane.Position(125, 0);
        Vehicle ego = AddEgo(ex, ey, egoLane.HeadingAt(140), 8);
        if (ego.HasTargetLane)
            PlanRoute(ego, "nxs");

        Vehicle incoming = OnLane("we", "sx", 1, 5 + Random.Normal() * 2, 16 + Random.Normal() * 2);
        string destination = Config.IncomingVehicleDestination is string d
            ? int.TryParse(d, out int k) ? Destinations[Math.Clamp(k, 0, 2)] : d
            : Destinations[Random.NextInt(3)];
        PlanRoute(incoming, destination);
        RandomizeBehavior(incoming);
        foreach (int i in (ReadOnlySpan<int>)[1, -1])
        {
            Vehicle v = OnLane("we", "sx", 0, 20.0 * i + Random.Normal() * 2, 16 + Random.Normal() * 2);
            PlanRoute(v, Destinations[Random.NextInt(3)]);
            RandomizeBehavior(v);
        }
        Vehicle entering = OnLane("eer", "ees", 0, 50 + Random.Normal() * 2, 16 + Random.Normal() * 2);
        PlanRoute(entering, Destinations[Random.NextInt(3)]);
        RandomizeBehavior(entering);
        return ego;
    }

    private Vehicle OnLane(string from, string to, int id, double longitudinal, double speed)
    {
        Lane lane = Road.Network.Lanes[Road.Network.LaneIndex(from, to, id)];
        var (x, y) = lane.Position(longitudinal, 0);
        return AddIdm(x, y, lane.HeadingAt(longitudinal), speed);
    }

    private void PlanRoute(Vehicle v, string destination)
    {
        RoadNetwork net = Road.Network;
        int[]? path = net.ShortestPath(net.EndNode(v.Lane), net.NodeIndex(destination));
        v.Route = path is null ? [net.StartNode(v.Lane), net.EndNode(v.Lane)] : [net.StartNode(v.Lane), .. path];
        v.RouteStart = 0;
    }

    private static RoadNetwork BuildNetwork()
    {
        var net = new RoadNetwork();
        const double radius = 20, alpha = 24;
        double[] radii = [radius, radius + 4];
        LaneLine n = LaneLine.None, c = LaneLine.Continuous, s = LaneLine.Striped;
        (LaneLine, LaneLine)[] line = [(c, s), (n, c)];
        string[] nodes = ["se", "ex", "ee", "nx", "ne", "wx", "we", "sx", "se"];
        (double, double)[] angles = [(90 - alpha, alpha), (alpha, -alpha), (-alpha, -90 + alpha), (-90 + alpha, -90 - alpha),
            (-90 - alpha, -180 + alpha), (-180 + alpha, -180 - alpha), (180 - alpha, 90 + alpha), (90 + alpha, 90 - alpha)];
        static double Rad(double degrees) => degrees * Math.PI / 180;
        for (int lane = 0; lane < 2; lane++)
        {
            for (int i = 0; i < 8; i++)
                net.AddLane(nodes[i], nodes[i + 1], new CircularLane(0, 0, radii[lane], Rad(angles[i].Item1), Rad(angles[i].Item2),
                    clockwise: false, left: line[lane].Item1, right: line[lane].Item2));
        }
        const double access = 170, dev = 85, a = 5, deltaSt = 0.2 * dev, deltaEn = dev - deltaSt, w = 2 * Math.PI / dev;
        void Straight(string f, string t, double x0, double y0, double x1, double y1, LaneLine l, LaneLine r) =>
            net.AddLane(f, t, new StraightLane(x0, y0, x1, y1, left: l, right: r));
        void Sine(string f, string t, double x0, double y0, double x1, double y1, double phase) =>
            net.AddLane(f, t, new SineLane(x0, y0, x1, y1, a, w, phase, left: c, right: c));
        Straight("ser", "ses", 2, access, 2, dev / 2, s, c);
        Sine("ses", "se", 2 + a, dev / 2, 2 + a, dev / 2 - deltaSt, -Math.PI / 2);
        Sine("sx", "sxs", -2 - a, -dev / 2 + deltaEn, -2 - a, dev / 2, -Math.PI / 2 + w * deltaEn);
        Straight("sxs", "sxr", -2, dev / 2, -2, access, n, c);
        Straight("eer", "ees", access, -2, dev / 2, -2, s, c);
        Sine("ees", "ee", dev / 2, -2 - a, dev / 2 - deltaSt, -2 - a, -Math.PI / 2);
        Sine("ex", "exs", -dev / 2 + deltaEn, 2 + a, dev / 2, 2 + a, -Math.PI / 2 + w * deltaEn);
        Straight("exs", "exr", dev / 2, 2, access, 2, n, c);
        Straight("ner", "nes", -2, -access, -2, -dev / 2, s, c);
        Sine("nes", "ne", -2 - a, -dev / 2, -2 - a, -dev / 2 + deltaSt, -Math.PI / 2);
        Sine("nx", "nxs", 2 + a, dev / 2 - deltaEn, 2 + a, -dev / 2, -Math.PI / 2 + w * deltaEn);
        Straight("nxs", "nxr", 2, -dev / 2, 2, -access, n, c);
        Straight("wer", "wes", -access, 2, -dev / 2, 2, s, c);
        Sine("wes", "we", -dev / 2, 2 + a, -dev / 2 + deltaSt, 2 + a, -Math.PI / 2);
        Sine("wx", "wxs", dev / 2 - deltaEn, -2 - a, -dev / 2, -2 - a, -Math.PI / 2 + w * deltaEn);
        Straight("wxs", "wxr", -dev / 2, -2, -access, -2, n, c);
        return net;
    }

    /// <inheritdoc />
    protected override double Reward(ReadOnlySpan<float> action)
    {
        HighwayConfig c = Config;
        Vehicle ego = Ego;
        double collision = ego.Crashed ? 1 : 0;
        int speedIndex = ego.Kind == VehicleKind.MetaControlled ? ego.SpeedIndex : DrivingActions.SpeedToIndex([20.0, 25, 30], ego.Speed);
        double highSpeed = speedIndex / 2.0;
        double laneChange = LastAction is 0 or 2 && MetaActions.Length == 5 ? 1 : 0;
        double onRoad = EgoOnRoad ? 1 : 0;
        double reward = c.CollisionReward * collision + c.HighSpeedReward * highSpeed + c.LaneChangeReward * laneChange;
        if (c.NormalizeReward)
            reward = Angles.Map(reward, c.CollisionReward, c.HighSpeedReward, 0, 1);
        Info.Set("rewards.collision", collision);
        Info.Set("rewards.high_speed", highSpeed);
        Info.Set("rewards.lane_change", laneChange);
        Info.Set("rewards.on_road", onRoad);
        return reward * onRoad;
    }

    /// <inheritdoc />
    protected override bool IsTerminated() => Ego.Crashed;
}
