namespace PolicyLab.Environments.Highway;

/// <summary>
/// highway-v0 and highway-fast-v0: a straight multi-lane highway with IDM/MOBIL traffic strung out ahead of the agent.
/// Reward (computed after the step's frames): −1·crashed + 0.1·(target lane id / (lanes − 1)) + 0.4·clip(lmap(v·cos ψ,
/// [20, 30], [0, 1]), 0, 1), then mapped from [collision weight, high-speed + right-lane weights] to [0, 1] when
/// normalize_reward, then multiplied by the on-road indicator. Terminated on a crash (or off the road with
/// offroad_terminal); truncated when the time reaches the duration.
/// </summary>
public sealed class HighwayEnvironment : DrivingEnvironment
{
    /// <summary>Creates the environment (validates the configuration).</summary>
    public HighwayEnvironment(HighwayConfig? config = null, string name = "highway-v0") : base(name, config ?? HighwayConfig.Highway) { }

    /// <summary>The last step's reward components: collision, right lane, high speed, on road.</summary>
    public (double Collision, double RightLane, double HighSpeed, double OnRoad) LastRewards { get; private set; }

    /// <inheritdoc />
    protected override Vehicle CreateScene()
    {
        HighwayConfig c = Config;
        if (Road.Network.LaneCount != c.LanesCount)
            Road.Clear(RoadNetwork.StraightRoad(c.LanesCount));
        Vehicle ego = AddRandomVehicle(VehicleKindForEgo, 25, c.InitialLaneId, c.EgoSpacing);
        for (int i = 0; i < c.VehiclesCount; i++)
        {
            Vehicle v = AddRandomVehicle(VehicleKind.Idm, null, null, 1 / c.VehiclesDensity);
            RandomizeBehavior(v);
            if (!c.TrafficCollisions)
                v.CheckCollisions = false;
        }
        return ego;
    }

    private VehicleKind VehicleKindForEgo => EgoKind;

    /// <summary>
    /// highway-env's create_random on the single edge: lane = given id or uniform; speed = given or U(0.7, 0.8)·limit;
    /// placed ahead of the farthest vehicle so far (or at 3·offset) by offset·U(0.9, 1.1), with
    /// offset = spacing·(12 + speed)·exp(−5/40·lanes).
    /// </summary>
    private Vehicle AddRandomVehicle(VehicleKind kind, double? speed, int? laneId, double spacing)
    {
        RoadNetwork network = Road.Network;
        int lanes = network.LaneCount;
        int id = laneId ?? Random.NextInt(lanes);
        Lane lane = network.Lanes[id];
        double v = speed ?? Random.Uniform(0.7 * lane.SpeedLimit, 0.8 * lane.SpeedLimit);
        double offset = spacing * (12 + 1.0 * v) * Math.Exp(-5.0 / 40 * lanes);
        double x0;
        if (Road.VehicleCount > 0)
        {
            x0 = double.NegativeInfinity;
            foreach (Vehicle other in Road.Bodies)
                x0 = Math.Max(x0, lane.LocalCoordinates(other.X, other.Y).Longitudinal);
        }
        else
            x0 = 3 * offset;
        x0 += offset * Random.Uniform(0.9, 1.1);
        var (x, y) = lane.Position(x0, 0);
        double heading = lane.HeadingAt(x0);
        return kind == VehicleKind.Idm ? AddIdm(x, y, heading, v) : AddEgo(x, y, heading, v);
    }

    /// <inheritdoc />
    protected override double Reward(ReadOnlySpan<float> action) => CurrentReward();

    /// <summary>The reward of the current state (what a step ending here returns); sets <see cref="LastRewards"/> and the info's components.</summary>
    public double CurrentReward()
    {
        HighwayConfig c = Config;
        Vehicle ego = Ego;
        RoadNetwork network = Road.Network;
        int lane = ego.HasTargetLane ? ego.TargetLane : ego.Lane;
        double rightLane = network.LaneId(lane) / (double)Math.Max(network.LanesOnEdge(ego.Lane) - 1, 1);
        double forward = ego.Speed * Math.Cos(ego.Heading);
        double highSpeed = Math.Clamp(Angles.Map(forward, c.RewardSpeedRange.Low, c.RewardSpeedRange.High, 0, 1), 0, 1);
        double collision = ego.Crashed ? 1 : 0;
        double onRoad = EgoOnRoad ? 1 : 0;
        LastRewards = (collision, rightLane, highSpeed, onRoad);
        double reward = c.CollisionReward * collision + c.RightLaneReward * rightLane + c.HighSpeedReward * highSpeed;
        if (c.NormalizeReward)
            reward = Angles.Map(reward, c.CollisionReward, c.HighSpeedReward + c.RightLaneReward, 0, 1);
        reward *= onRoad;
        Info.Set("rewards.collision", collision);
        Info.Set("rewards.right_lane", rightLane);
        Info.Set("rewards.high_speed", highSpeed);
        Info.Set("rewards.on_road", onRoad);
        return reward;
    }

    /// <inheritdoc />
    protected override bool IsTerminated() => Ego.Crashed || (Config.OffroadTerminal && !EgoOnRoad);
}
