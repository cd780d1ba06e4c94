namespace PolicyLab.Environments.Highway;

/// <summary>
/// merge-v0: a two-lane highway (a→b 0–230 m, b→c 230–310 m, c→d 310–460 m) joined by an access ramp (j→k straight at
/// y = 14.5 for 150 m, then a sine transition over 80 m into a third lane b→c that ends at an obstacle at x = 310).
/// The agent starts on lane 1 at 30 m and 30 m/s, three IDM cars around it on the highway and one merging car on the
/// ramp (20 m/s, desired 30). Reward: −1·crashed + 0.1·lane id + 0.2·lmap(v, [20, 30], [0, 1]) − 0.05·[lane change]
/// − 0.5·Σ_{vehicles on the merge lane} (v_target − v)/v_target, mapped from [−1.5, 0.3] to [0, 1]. Terminated on a
/// crash or past x = 370; never truncated.
/// </summary>
public sealed class MergeEnvironment : DrivingEnvironment
{
    private int _mergeLane;

    /// <summary>merge-v0's defaults.</summary>
    public static HighwayConfig Defaults => new()
    {
        LanesCount = 2, VehiclesCount = 4, Duration = 0, HighSpeedReward = 0.2, LaneChangeReward = -0.05, MergingSpeedReward = -0.5,
    };

    /// <summary>Creates the environment.</summary>
    public MergeEnvironment(HighwayConfig? config = null, string name = "merge-v0") : base(name, config ?? Defaults) { }

    /// <inheritdoc />
    protected override Vehicle CreateScene()
    {
        if (Road.Network.LaneCount == 0)
            Road.Clear(BuildNetwork(out _mergeLane));
        RoadNetwork net = Road.Network;
        Lane egoLane = net.Lanes[net.LaneIndex("a", "b", 1)];
        var (ex, ey) = egoLane.Position(30, 0);
        Vehicle ego = AddEgo(ex, ey, 0, 30);
        ReadOnlySpan<(double Position, double Speed)> traffic = [(90, 29), (70, 31), (5, 31.5)];
        foreach (var (position, speed) in traffic)
        {
            Lane lane = net.Lanes[net.LaneIndex("a", "b", Random.NextInt(2))];
            var (x, y) = lane.Position(position + Random.Uniform(-5, 5), 0);
            AddIdm(x, y, 0, speed + Random.Uniform(-1, 1));
        }
        var (mx, my) = net.Lanes[net.LaneIndex("j", "k", 0)].Position(110, 0);
        AddIdm(mx, my, 0, 20, targetSpeed: 30);
        var (ox, oy) = net.Lanes[_mergeLane].Position(80, 0);
        Road.AddObstacle(ox, oy);
        return ego;
    }

    private static RoadNetwork BuildNetwork(out int mergeLane)
    {
        var net = new RoadNetwork();
        ReadOnlySpan<double> ends = [150, 80, 80, 150];
        double[] y = [0, Lane.DefaultWidth];
        LaneLine c = LaneLine.Continuous, s = LaneLine.Striped, n = LaneLine.None;
        (LaneLine, LaneLine)[] lineType = [(c, s), (n, c)];
        (LaneLine, LaneLine)[] lineTypeMerge = [(c, s), (n, s)];
        for (int i = 0; i < 2; i++)
        {
            net.AddLane("a", "b", new StraightLane(0, y[i], ends[0] + ends[1], y[i], left: lineType[i].Item1, right: lineType[i].Item2));
            net.AddLane("b", "c", new StraightLane(ends[0] + ends[1], y[i], ends[0] + ends[1] + ends[2], y[i], left: lineTypeMerge[i].Item1, right: lineTypeMerge[i].Item2));
            net.AddLane("c", "d", new StraightLane(ends[0] + ends[1] + ends[2], y[i], ends[0] + ends[1] + ends[2] + ends[3], y[i], left: lineType[i].Item1, right: lineType[i].Item2));
        }
        const double amplitude = 3.25;
        var ljk = new StraightLane(0, 6.5 + 4 + 4, ends[0], 6.5 + 4 + 4, left: c, right: c, forbidden: true);
        var (k0x, k0y) = ljk.Position(ends[0], -amplitude);
        var (k1x, k1y) = ljk.Position(ends[0] + ends[1], -amplitude);
        var lkb = new SineLane(k0x, k0y, k1x, k1y, amplitude, 2 * Math.PI / (2 * ends[1]), Math.PI / 2, left: c, right: c, forbidden: true);
        var (bx, by) = lkb.Position(ends[1], 0);
        var lbc = new StraightLane(bx, by, bx + ends[2], by, left: n, right: c, forbidden: true);
        net.AddLane("j", "k", ljk);
        net.AddLane("k", "b", lkb);
        mergeLane = net.AddLane("b", "c", lbc);
        return net;
    }

    /// <inheritdoc />
    protected override double Reward(ReadOnlySpan<float> action)
    {
        HighwayConfig c = Config;
        Vehicle ego = Ego;
        double collision = ego.Crashed ? 1 : 0;
        double rightLane = Road.Network.LaneId(ego.Lane) / 1.0;
        double highSpeed = Angles.Map(ego.Speed, c.RewardSpeedRange.Low, c.RewardSpeedRange.High, 0, 1);
        double laneChange = LastAction is 0 or 2 && Config.Action.Type == DrivingActionType.DiscreteMetaAction && MetaActions.Length == 5 ? 1 : 0;
        double merging = 0;
        for (int i = 0; i < Road.VehicleCount; i++)
        {
            Vehicle v = Road.VehicleAt(i);
            if (v.Lane == _mergeLane && v.HasTargetLane)
                merging += (v.TargetSpeed - v.Speed) / v.TargetSpeed;
        }
        double reward = c.CollisionReward * collision + c.RightLaneReward * rightLane + c.HighSpeedReward * highSpeed
            + c.LaneChangeReward * laneChange + c.MergingSpeedReward * merging;
        Info.Set("rewards.collision", collision);
        Info.Set("rewards.right_lane", rightLane);
        Info.Set("rewards.high_speed", highSpeed);
        Info.Set("rewards.lane_change", laneChange);
        Info.Set("rewards.merging_speed", merging);
        return Angles.Map(reward, c.CollisionReward + c.MergingSpeedReward, c.HighSpeedReward + c.RightLaneReward, 0, 1);
    }

    /// <inheritdoc />
    protected override bool IsTerminated() => Ego.Crashed || Ego.X > 370;

    /// <inheritdoc />
    protected override bool IsTruncated() => false;
}
