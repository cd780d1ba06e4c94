namespace PolicyLab.Environments.Highway;

/// <summary>
/// racetrack-v0: a closed two-lane circuit of 5 m lanes (straights and arcs, speed limit 10 m/s); the agent steers only
/// (ContinuousAction lateral, acceleration 0, so it keeps its initial 10 m/s) and sees a 12 × 12 occupancy grid of 3 m
/// cells (presence, on_road) aligned with its heading. One IDM car starts ahead on the first arc. Reward:
/// 1/(1 + 4·r²) (r the lateral offset on the current lane) − 0.3·‖action‖ − 1·crashed, mapped from [−1, 1] to
/// [0, 1], times on-road. Terminated on a crash or off the road; truncated at 300 s (1500 steps at 5 Hz).
/// </summary>
public sealed class RacetrackEnvironment : DrivingEnvironment
{
    /// <summary>racetrack-v0's defaults.</summary>
    public static HighwayConfig Defaults => new()
    {
        LanesCount = 2, VehiclesCount = 1, Duration = 300, SimulationFrequency = 15, PolicyFrequency = 5,
        Observation = new DrivingObservationConfig
        {
            Type = DrivingObservationType.OccupancyGrid, Features = ["presence", "on_road"], GridSize = [-18, 18, -18, 18], GridStep = [3, 3],
            AlignToVehicleAxes = true,
        },
        Action = new DrivingActionConfig { Type = DrivingActionType.ContinuousAction, Longitudinal = false, Lateral = true, TargetSpeeds = [0, 5, 10] },
    };

    /// <summary>Creates the environment.</summary>
    public RacetrackEnvironment(HighwayConfig? config = null, string name = "racetrack-v0") : base(name, config ?? Defaults) { }

    /// <inheritdoc />
    protected override (int Width, int Height, double Scaling, double CenterX, double CenterY) View => (600, 600, 5.5, 0.5, 0.5);

    /// <inheritdoc />
    protected override Vehicle CreateScene()
    {
        if (Road.Network.LaneCount == 0)
            Road.Clear(BuildNetwork(Config.SpeedLimit));
        RoadNetwork net = Road.Network;
        int laneId = Random.NextInt(2);
        Lane egoLane = net.Lanes[net.LaneIndex("a", "b", laneId)];
        double s = Random.Uniform(20, 50);
        var (ex, ey) = egoLane.Position(s, 0);
        Vehicle ego = AddEgo(ex, ey, egoLane.HeadingAt(s), egoLane.SpeedLimit);
        Lane frontLane = net.Lanes[net.LaneIndex("b", "c", laneId)];
        double fs = Random.Uniform(0, net.Lanes[net.LaneIndex("b", "c", 0)].Length);
        var (fx, fy) = frontLane.Position(fs, 0);
        AddIdm(fx, fy, frontLane.HeadingAt(fs), 6 + Random.Uniform(0, 3));
        int others = Config.OtherVehicles > 0 ? Random.NextInt(Config.OtherVehicles) : 0;
        for (int i = 0; i < others; i++)
        {
            int lane = Random.NextInt(net.LaneCount);
            Lane l = net.Lanes[lane];
            double ls = Random.Uniform(0, l.Length);
            var (x, y) = l.Position(ls, 0);
            bool tooClose = false;
            foreach (Vehicle v in Road.Bodies)
                tooClose |= Math.Sqrt((v.X - x) * (v.X - x) + (v.Y - y) * (v.Y - y)) < 20;
            if (!tooClose)
                AddIdm(x, y, l.HeadingAt(ls), 6 + Random.Uniform(0, 3));
        }
        return ego;
    }

    private static RoadNetwork BuildNetwork(double limit)
    {
        var net = new RoadNetwork();
        const double w = 5;
        LaneLine c = LaneLine.Continuous, s = LaneLine.Striped, n = LaneLine.None;
        static double Rad(double degrees) => degrees * Math.PI / 180;
        void Straight(string f, string t, double x0, double y0, double x1, double y1, LaneLine l, LaneLine r) =>
            net.AddLane(f, t, new StraightLane(x0, y0, x1, y1, w, l, r, speedLimit: limit));
        void Arc(string f, string t, double cx, double cy, double radius, double start, double end, bool clockwise, LaneLine l, LaneLine r) =>
            net.AddLane(f, t, new CircularLane(cx, cy, radius, Rad(start), Rad(end), clockwise, w, l, r, speedLimit: limit));
        Straight("a", "b", 42, 0, 100, 0, c, s);
        Straight("a", "b", 42, 5, 100, 5, s, c);
        Arc("b", "c", 100, -20, 20, 90, -1, false, c, n);
        Arc("b", "c", 100, -20, 25, 90, -1, false, s, c);
        Straight("c", "d", 120, -20, 120, -30, c, n);
        Straight("c", "d", 125, -20, 125, -30, s, c);
        Arc("d", "e", 105, -30, 15, 0, -181, false, c, n);
        Arc("d", "e", 105, -30, 20, 0, -181, false, s, c);
        Arc("e", "f", 70, -30, 20, 0, 136, true, c, s);
        Arc("e", "f", 70, -30, 15, 0, 137, true, n, c);
        Straight("f", "g", 55.7, -15.7, 35.7, -35.7, c, n);
        Straight("f", "g", 59.3934, -19.2, 39.3934, -39.2, s, c);
        Arc("g", "h", 18.1, -18.1, 25, 315, 170, false, c, n);
        Arc("g", "h", 18.1, -18.1, 30, 315, 165, false, s, c);
        Arc("h", "i", 18.1, -18.1, 25, 170, 56, false, c, n);
        Arc("h", "i", 18.1, -18.1, 30, 170, 58, false, s, c);
        Arc("i", "a", 43.2, 23.4, 23.5, 240, 270, true, c, s);
        Arc("i", "a", 43.2, 23.4, 18.5, 238, 268, true, n, c);
        return net;
    }

    /// <inheritdoc />
    protected override double Reward(ReadOnlySpan<float> action)
    {
        HighwayConfig c = Config;
        Vehicle ego = Ego;
        Lane lane = Road.Network.Lanes[ego.Lane];
        var (_, lateral) = lane.LocalCoordinates(ego.X, ego.Y);
        double centering = 1 / (1 + c.LaneCenteringCost * lateral * lateral);
        double norm = 0;
        foreach (float a in action)
            norm += (double)a * a;
        norm = Math.Sqrt(norm);
        double collision = ego.Crashed ? 1 : 0;
        double onRoad = EgoOnRoad ? 1 : 0;
        double reward = c.LaneCenteringReward * centering + c.ActionReward * norm + c.CollisionReward * collision;
        reward = Angles.Map(reward, c.CollisionReward, 1, 0, 1);
        Info.Set("rewards.lane_centering", centering);
        Info.Set("rewards.action", norm);
        Info.Set("rewards.collision", collision);
        Info.Set("rewards.on_road", onRoad);
        return reward * onRoad;
    }

    /// <inheritdoc />
    protected override bool IsTerminated() => Ego.Crashed || (Config.TerminateOffRoad && !EgoOnRoad);
}
