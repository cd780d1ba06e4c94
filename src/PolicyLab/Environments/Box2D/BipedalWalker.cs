using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>Why a BipedalWalker episode ended.</summary>
public enum WalkerOutcome
{
    /// <summary>Still running.</summary>
    None,
    /// <summary>The hull touched the ground, or the walker walked off the left edge (reward −100).</summary>
    Fell,
    /// <summary>The hull passed the start of the final grass stretch: the far end of the course.</summary>
    Finished,
}

/// <summary>
/// BipedalWalker-v3 and BipedalWalkerHardcore-v3 with Gymnasium 1.0 semantics, on PolicyLab's <see cref="World"/>: a
/// hull on two legs of two segments each, four motorized revolute joints (hips and knees), a course of 200 terrain steps
/// (gentle random grass; with <c>hardcore</c> also stumps, stairs and pits), ten lidar rays, and Gymnasium's shaping
/// reward (130·x/30 − 5·|hull angle| per step difference, minus 0.028 per unit of |action| per motor), −100 for a fall,
/// and termination at the far end. The registry adds the 1600 (2000 for hardcore) step truncation.
/// </summary>
/// <remarks>
/// Action component <c>a</c> of each joint sets Gymnasium's torque control: motor speed sign(a)·(4 for hips, 6 for
/// knees) rad/s with at most 80·|a| N·m (|a| clipped to 1). The observation (24 floats): hull angle, 2ω/50, the hull
/// velocity scaled by 0.3·(20 or 13.33)/50, per leg hip angle, hip speed/4, knee angle + 1, knee speed/6 and the lower
/// leg's ground contact, then the ten lidar fractions (1 when a ray hits nothing within 160/30 m). Random draws follow
/// Gymnasium's order: the terrain, ten clouds (drawn although only rendering uses them), then the hull's initial push.
/// Physics runs in double precision where Box2D uses float32, so episodes agree in behaviour, not bit for bit.
/// </remarks>
public sealed class BipedalWalker : EnvironmentBase
{
    /// <summary>Physics steps per second.</summary>
    public const int Fps = 50;
    /// <summary>Pixels per metre.</summary>
    public const double Scale = 30.0;
    /// <summary>The motors' torque bound at |action| = 1 (N·m).</summary>
    public const double MotorsTorque = 80;
    /// <summary>Hip motor speed at full command (rad/s).</summary>
    public const double SpeedHip = 4;
    /// <summary>Knee motor speed at full command (rad/s).</summary>
    public const double SpeedKnee = 6;
    /// <summary>Lidar ray length (m).</summary>
    public const double LidarRange = 160 / Scale;
    /// <summary>Half-range of the initial horizontal push on the hull (N).</summary>
    public const double InitialRandom = 5;
    /// <summary>Viewport width (px).</summary>
    public const int ViewportWidth = 600;
    /// <summary>Viewport height (px).</summary>
    public const int ViewportHeight = 400;
    /// <summary>Width of one terrain step (m).</summary>
    public const double TerrainStep = 14 / Scale;
    /// <summary>Terrain steps in a course.</summary>
    public const int TerrainLength = 200;
    /// <summary>The terrain's base height (m).</summary>
    public const double TerrainHeight = ViewportHeight / Scale / 4;
    /// <summary>Longest grass stretch between obstacles (steps); the last one is the finish.</summary>
    public const int TerrainGrass = 10;
    /// <summary>Flat steps at the start.</summary>
    public const int TerrainStartpad = 20;
    /// <summary>Friction of the ground and obstacles.</summary>
    public const double Friction = 2.5;
    /// <summary>Velocity iterations per step (Gymnasium: 6·30).</summary>
    public const int VelocityIterations = 6 * 30;
    /// <summary>Position iterations per step (Gymnasium: 2·30).</summary>
    public const int PositionIterations = 2 * 30;
    /// <summary>Number of lidar rays.</summary>
    public const int LidarRays = 10;

    private const double LegDown = -8 / Scale, LegW = 8 / Scale, LegH = 34 / Scale;
    private const ushort GroundCategory = 0x0001, WalkerCategory = 0x0020;
    private static readonly PolygonShape HullShape = new([new(-30 / Scale, 9 / Scale), new(6 / Scale, 9 / Scale), new(34 / Scale, 1 / Scale), new(34 / Scale, -8 / Scale), new(-30 / Scale, -8 / Scale)]);
    private static readonly PolygonShape UpperLegShape = PolygonShape.Box(LegW / 2, LegH / 2);
    private static readonly PolygonShape LowerLegShape = PolygonShape.Box(0.8 * LegW / 2, LegH / 2);
    private static readonly CollisionFilter WalkerFilter = new(WalkerCategory, GroundCategory);

    private enum Terrain { Grass, Stump, Stairs, Pit }

    private readonly Listener _listener;
    private readonly EpisodeRecording _recording = new(4);
    private readonly double[] _terrainX = new double[TerrainLength];
    private readonly double[] _terrainY = new double[TerrainLength];
    private readonly List<Vec2[]> _obstacles = [];
    private readonly List<Vec2[]> _clouds = [];
    private readonly double[] _state = new double[24];
    private readonly Vec2[] _lidarEnd = new Vec2[LidarRays];
    private readonly Body[] _legs = new Body[4];
    private readonly RevoluteJoint[] _joints = new RevoluteJoint[4];
    private readonly bool[] _groundContact = new bool[4];
    private World _world = null!;
    private Body _terrain = null!, _hull = null!;
    private Vec2 _lidarStart;
    private bool _gameOver, _hasPrevShaping;
    private double _prevShaping, _scroll;
    private int _lidarRender;

    /// <summary>Creates the environment.</summary>
    /// <param name="hardcore">Add stumps, stairs and pits to the course (BipedalWalkerHardcore-v3).</param>
    public BipedalWalker(bool hardcore = false)
        : base(
            new Box(
                [-MathF.PI, -5f, -5f, -5f, -MathF.PI, -5f, -MathF.PI, -5f, -0f, -MathF.PI, -5f, -MathF.PI, -5f, -0f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f],
                [MathF.PI, 5f, 5f, 5f, MathF.PI, 5f, MathF.PI, 5f, 5f, MathF.PI, 5f, MathF.PI, 5f, 5f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f]),
            new Box(-1f, 1f, 4))
    {
        Hardcore = hardcore;
        _listener = new Listener(this);
    }

    /// <summary>True for BipedalWalkerHardcore-v3.</summary>
    public bool Hardcore { get; }

    /// <summary>Why the last episode ended (<see cref="WalkerOutcome.None"/> while it runs).</summary>
    public WalkerOutcome Outcome { get; private set; }

    /// <summary>The physics world of the current episode.</summary>
    public World World => _world;

    /// <summary>The hull body.</summary>
    public Body Hull => _hull;

    /// <summary>The leg segments: upper and lower of the first leg, then upper and lower of the second.</summary>
    public IReadOnlyList<Body> Legs => _legs;

    /// <summary>The joints: hip and knee of the first leg, then hip and knee of the second.</summary>
    public IReadOnlyList<RevoluteJoint> Joints => _joints;

    /// <summary>The terrain's vertices: x = i·<see cref="TerrainStep"/> and the surface height there.</summary>
    public (IReadOnlyList<double> X, IReadOnlyList<double> Y) TerrainProfile => (_terrainX, _terrainY);

    /// <summary>The obstacle polygons of the course (stumps, stair steps, pit walls), in world coordinates.</summary>
    public IReadOnlyList<Vec2[]> Obstacles => _obstacles;

    /// <summary>The x the hull must pass to finish the course (m).</summary>
    public static double FinishX => (TerrainLength - TerrainGrass) * TerrainStep;

    /// <summary>The starting x of the hull (m).</summary>
    public static double StartX => TerrainStep * TerrainStartpad / 2;

    /// <summary>The end point of lidar ray <paramref name="i"/> of the last step (the hit, or the ray's far end).</summary>
    public Vec2 LidarEnd(int i) => _lidarEnd[i];

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        // A fresh world every episode from the last one's objects (World.Recycle: nothing of the old state survives).
        if (_world is null)
            _world = new World(new Vec2(0, -10)) { ContactListener = _listener };
        else
            _world.Recycle();
        _recording.BeginEpisode(Random);
        _gameOver = false;
        _hasPrevShaping = false;
        _scroll = 0;
        _lidarRender = 0;
        Outcome = WalkerOutcome.None;
        Array.Clear(_groundContact);

        _terrain = _world.CreateBody(BodyType.Static, default);
        GenerateTerrain();
        GenerateClouds();

        double initX = StartX, initY = TerrainHeight + 2 * LegH;
        _hull = _world.CreateBody(BodyType.Dynamic, new Vec2(initX, initY));
        _hull.CreateFixture(HullShape, new FixtureDefinition(5.0, 0.1, 0.0, WalkerFilter));
        _hull.ApplyForceToCenter(new Vec2(Random.Uniform(-InitialRandom, InitialRandom), 0));

        for (int k = 0; k < 2; k++)
        {
            int i = k == 0 ? -1 : 1;
            Body upper = _world.CreateBody(BodyType.Dynamic, new Vec2(initX, initY - LegH / 2 - LegDown), i * 0.05);
            upper.CreateFixture(UpperLegShape, new FixtureDefinition(1.0, 0.2, 0.0, WalkerFilter));
            _joints[2 * k] = _world.CreateRevoluteJoint(new RevoluteJointDefinition(_hull, upper, new Vec2(0, LegDown), new Vec2(0, LegH / 2))
            {
                EnableMotor = true,
                EnableLimit = true,
                MaxMotorTorque = MotorsTorque,
                MotorSpeed = i,
                LowerAngle = -0.8,
                UpperAngle = 1.1,
            });
            Body lower = _world.CreateBody(BodyType.Dynamic, new Vec2(initX, initY - LegH * 3 / 2 - LegDown), i * 0.05);
            lower.CreateFixture(LowerLegShape, new FixtureDefinition(1.0, 0.2, 0.0, WalkerFilter));
            _joints[2 * k + 1] = _world.CreateRevoluteJoint(new RevoluteJointDefinition(upper, lower, new Vec2(0, -LegH / 2), new Vec2(0, LegH / 2))
            {
                EnableMotor = true,
                EnableLimit = true,
                MaxMotorTorque = MotorsTorque,
                MotorSpeed = 1,
                LowerAngle = -1.6,
                UpperAngle = -0.1,
            });
            _legs[2 * k] = upper;
            _legs[2 * k + 1] = lower;
        }
        // Gymnasium returns the observation of one step with zero action.
        Advance(0, 0, 0, 0);
    }

    /// <summary>
    /// Builds the course as Gymnasium does, step by step: grass whose height velocity is pulled towards the base height
    /// and (after the start pad) jittered by Uniform(−1, 1)/30; after each grass stretch of Integer(5, 10) steps the
    /// hardcore course draws an obstacle Integer(1, 4): a stump of 1–2 steps, stairs (up or down by a coin flip, 4 steps
    /// wide, 3–4 stairs) or a pit (3–4 steps wide, 4 steps deep, walled by two static boxes).
    /// </summary>
    private void GenerateTerrain()
    {
        _obstacles.Clear();
        var state = Terrain.Grass;
        double velocity = 0, y = TerrainHeight, originalY = 0;
        int counter = TerrainStartpad, stairSteps = 0, stairWidth = 0, stairHeight = 0;
        bool oneshot = false;
        for (int i = 0; i < TerrainLength; i++)
        {
            double x = i * TerrainStep;
            _terrainX[i] = x;
            if (state == Terrain.Grass && !oneshot)
            {
                velocity = 0.8 * velocity + 0.01 * Math.Sign(TerrainHeight - y);
                if (i > TerrainStartpad)
                    velocity += Random.Uniform(-1, 1) / Scale;
                y += velocity;
            }
            else if (state == Terrain.Pit && oneshot)
            {
                counter = Random.NextInt(3, 5);
                Vec2[] wall = [new(x, y), new(x + TerrainStep, y), new(x + TerrainStep, y - 4 * TerrainStep), new(x, y - 4 * TerrainStep)];
                AddObstacle(wall);
                AddObstacle([.. wall.Select(p => new Vec2(p.X + TerrainStep * counter, p.Y))]);
                counter += 2;
                originalY = y;
            }
            else if (state == Terrain.Pit && !oneshot)
            {
                y = originalY;
                if (counter > 1)
                    y -= 4 * TerrainStep;
            }
            else if (state == Terrain.Stump && oneshot)
            {
                counter = Random.NextInt(1, 3);
                double size = counter * TerrainStep;
                AddObstacle([new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size)]);
            }
            else if (state == Terrain.Stairs && oneshot)
            {
                stairHeight = Random.NextDouble() > 0.5 ? 1 : -1;
                stairWidth = Random.NextInt(4, 5);
                stairSteps = Random.NextInt(3, 5);
                originalY = y;
                for (int s = 0; s < stairSteps; s++)
                {
                    double left = x + s * stairWidth * TerrainStep, right = x + (1 + s) * stairWidth * TerrainStep;
                    double top = y + s * stairHeight * TerrainStep, bottom = y + (-1 + s * stairHeight) * TerrainStep;
                    AddObstacle([new(left, top), new(right, top), new(right, bottom), new(left, bottom)]);
                }
                counter = stairSteps * stairWidth;
            }
            else if (state == Terrain.Stairs && !oneshot)
            {
                double s = stairSteps * stairWidth - counter - stairHeight;
                double n = s / stairWidth;
                y = originalY + n * stairHeight * TerrainStep;
            }
            oneshot = false;
            _terrainY[i] = y;
            counter--;
            if (counter == 0)
            {
                counter = Random.NextInt(TerrainGrass / 2, TerrainGrass);
                state = state == Terrain.Grass && Hardcore ? (Terrain)Random.NextInt(1, 4) : Terrain.Grass;
                oneshot = true;
            }
        }
        var edge = new FixtureDefinition(0, Friction, 0, new CollisionFilter(GroundCategory, 0xFFFF));
        for (int i = 0; i < TerrainLength - 1; i++)
            _terrain.CreateFixture(new EdgeShape(new Vec2(_terrainX[i], _terrainY[i]), new Vec2(_terrainX[i + 1], _terrainY[i + 1])), edge);
    }

    private void AddObstacle(Vec2[] polygon)
    {
        _obstacles.Add(polygon);
        _terrain.CreateFixture(new PolygonShape(polygon), new FixtureDefinition(0, Friction));
    }

    /// <summary>Ten five-point clouds: their draws come between the terrain's and the hull's, as in Gymnasium.</summary>
    private void GenerateClouds()
    {
        _clouds.Clear();
        for (int c = 0; c < TerrainLength / 20; c++)
        {
            double x = Random.Uniform(0, TerrainLength) * TerrainStep, y = ViewportHeight / Scale * 3 / 4;
            var cloud = new Vec2[5];
            for (int a = 0; a < 5; a++)
            {
                double px = x + 15 * TerrainStep * Math.Sin(3.14 * 2 * a / 5) + Random.Uniform(0, 5 * TerrainStep);
                double py = y + 5 * TerrainStep * Math.Cos(3.14 * 2 * a / 5) + Random.Uniform(0, 5 * TerrainStep);
                cloud[a] = new Vec2(px, py);
            }
            _clouds.Add(cloud);
        }
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        double a0 = action[0], a1 = action[1], a2 = action[2], a3 = action[3];
        if (!double.IsFinite(a0) || !double.IsFinite(a1) || !double.IsFinite(a2) || !double.IsFinite(a3))
            ThrowNonFiniteAction(!double.IsFinite(a0) ? a0 : !double.IsFinite(a1) ? a1 : !double.IsFinite(a2) ? a2 : a3);
        if (Math.Abs(a0) > 1 || Math.Abs(a1) > 1 || Math.Abs(a2) > 1 || Math.Abs(a3) > 1)
        {
            // Gymnasium uses sign(a) and clip(|a|, 0, 1), which is what clipping a to [−1, 1] gives.
            WarnOnce("actions outside [-1, 1] are clipped to the bounds, as in Gymnasium.");
            a0 = Math.Clamp(a0, -1, 1);
            a1 = Math.Clamp(a1, -1, 1);
            a2 = Math.Clamp(a2, -1, 1);
            a3 = Math.Clamp(a3, -1, 1);
        }
        _recording.Record(action);
        return Advance(a0, a1, a2, a3);
    }

    /// <inheritdoc />
    public override bool CanSaveState => true;

    /// <inheritdoc />
    /// <remarks>Saves the episode as the random state at its reset and the actions stepped since; see <see cref="EpisodeRecording"/>.</remarks>
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) => _recording.Save(state, prefix);

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        ulong[] final = Random.GetState();
        Action<string>? sink = WarningSink;
        WarningSink = null; // the replayed steps said their warnings when they first ran
        try
        {
            _recording.Replay(state, prefix, Id, Random, final, () => ResetState(null), a => StepState(a));
        }
        finally
        {
            WarningSink = sink;
        }
    }

    private void SetMotor(int joint, double command, double speed)
    {
        RevoluteJoint j = _joints[joint];
        j.MotorSpeed = speed * Math.Sign(command);
        j.MaxMotorTorque = MotorsTorque * Math.Abs(command);
        // Box2D's SetMotorSpeed wakes both bodies, so a commanded walker never sleeps.
        j.BodyA.SetAwake(true);
        j.BodyB.SetAwake(true);
    }

    /// <summary>One Gymnasium step: motor commands, the world step, lidar, observation, reward and termination.</summary>
    private StepResult Advance(double a0, double a1, double a2, double a3)
    {
        SetMotor(0, a0, SpeedHip);
        SetMotor(1, a1, SpeedKnee);
        SetMotor(2, a2, SpeedHip);
        SetMotor(3, a3, SpeedKnee);
        _world.Step(1.0 / Fps, VelocityIterations, PositionIterations);

        Vec2 pos = _hull.Position, vel = _hull.LinearVelocity;
        double[] s = _state;
        _lidarStart = pos;
        for (int i = 0; i < LidarRays; i++)
        {
            (double sin, double cos) = Math.SinCos(1.5 * i / 10.0);
            var end = new Vec2(pos.X + sin * LidarRange, pos.Y - cos * LidarRange);
            if (_world.RayCastClosest(pos, end, out RayCastHit hit, GroundCategory))
            {
                s[14 + i] = hit.Fraction;
                _lidarEnd[i] = hit.Point;
            }
            else
            {
                s[14 + i] = 1.0;
                _lidarEnd[i] = end;
            }
        }
        s[0] = _hull.Angle;
        s[1] = 2.0 * _hull.AngularVelocity / Fps;
        s[2] = 0.3 * vel.X * (ViewportWidth / Scale) / Fps;
        s[3] = 0.3 * vel.Y * (ViewportHeight / Scale) / Fps;
        for (int k = 0; k < 2; k++)
        {
            RevoluteJoint hip = _joints[2 * k], knee = _joints[2 * k + 1];
            s[4 + 5 * k] = hip.JointAngle;
            s[5 + 5 * k] = hip.JointSpeed / SpeedHip;
            s[6 + 5 * k] = knee.JointAngle + 1.0;
            s[7 + 5 * k] = knee.JointSpeed / SpeedKnee;
            s[8 + 5 * k] = _groundContact[2 * k + 1] ? 1.0 : 0.0;
        }
        _scroll = pos.X - ViewportWidth / Scale / 5;

        // Moving forward earns 130·Δx/30 (about 300 over the course); a tilted hull costs 5·|angle|.
        double shaping = 130 * pos.X / Scale - 5.0 * Math.Abs(s[0]);
        double reward = _hasPrevShaping ? shaping - _prevShaping : 0;
        _prevShaping = shaping;
        _hasPrevShaping = true;
        reward -= 0.00035 * MotorsTorque * (Math.Abs(a0) + Math.Abs(a1) + Math.Abs(a2) + Math.Abs(a3));

        bool terminated = false;
        if (_gameOver || pos.X < 0)
        {
            reward = -100;
            terminated = true;
            Outcome = WalkerOutcome.Fell;
        }
        if (pos.X > FinishX)
        {
            terminated = true;
            if (Outcome == WalkerOutcome.None)
                Outcome = WalkerOutcome.Finished;
        }
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        for (int i = 0; i < _state.Length; i++)
            observation[i] = (float)_state[i];
    }

    /// <summary>Whether leg segment <paramref name="segment"/> (see <see cref="Legs"/>) touches the ground; only the
    /// lower segments (1 and 3) are tracked, as in Gymnasium.</summary>
    public bool GroundContact(int segment) => _groundContact[segment];

    private sealed class Listener(BipedalWalker env) : IContactListener
    {
        public void BeginContact(Contact contact)
        {
            Body a = contact.FixtureA.Body, b = contact.FixtureB.Body;
            if (a == env._hull || b == env._hull)
                env._gameOver = true;
            for (int k = 1; k < 4; k += 2)
            {
                if (a == env._legs[k] || b == env._legs[k])
                    env._groundContact[k] = true;
            }
        }

        public void EndContact(Contact contact)
        {
            Body a = contact.FixtureA.Body, b = contact.FixtureB.Body;
            for (int k = 1; k < 4; k += 2)
            {
                if (a == env._legs[k] || b == env._legs[k])
                    env._groundContact[k] = false;
            }
        }
    }

    // ---- Rendering ----

    private static readonly RgbColor Sky = new(215, 215, 255);
    private static readonly RgbColor Ground = new(102, 153, 76);
    private static readonly RgbColor ObstacleFill = new(255, 255, 255);
    private static readonly RgbColor ObstacleOutline = new(153, 153, 153);
    private static readonly RgbColor HullFill = new(127, 51, 229);
    private static readonly RgbColor HullOutline = new(76, 76, 127);

    /// <summary>
    /// Draws a 600×400 frame as Gymnasium does, following the hull (the view starts 4 m behind it): pale sky, white clouds
    /// drifting at half speed, green ground, white obstacles, the walker (the second leg in front, lighter), one lidar ray
    /// in red sweeping out and back over successive frames, and the red start flag.
    /// </summary>
    public override RgbFrame Render()
    {
        var canvas = new Canvas(ViewportWidth, ViewportHeight);
        canvas.Clear(Sky);
        if (_world is null)
            return canvas.Frame;
        double left = Math.Max(0, _scroll);
        Span<double> points = stackalloc double[2 * 9];
        foreach (Vec2[] cloud in _clouds)
        {
            double x1 = cloud.Min(p => p.X), x2 = cloud.Max(p => p.X);
            if (x2 < left / 2 || x1 > left / 2 + ViewportWidth / Scale)
                continue;
            for (int i = 0; i < cloud.Length; i++)
            {
                points[2 * i] = (cloud[i].X + left / 2 - left) * Scale;
                points[2 * i + 1] = Y(cloud[i].Y);
            }
            canvas.FillPolygon(points[..(2 * cloud.Length)], RgbColor.White);
        }
        for (int i = 0; i < TerrainLength - 1; i++)
        {
            if (_terrainX[i + 1] < left || _terrainX[i] > left + ViewportWidth / Scale)
                continue;
            points[0] = X(_terrainX[i], left); points[1] = Y(_terrainY[i]);
            points[2] = X(_terrainX[i + 1], left); points[3] = Y(_terrainY[i + 1]);
            points[4] = X(_terrainX[i + 1], left); points[5] = Y(0);
            points[6] = X(_terrainX[i], left); points[7] = Y(0);
            canvas.FillPolygon(points[..8], Ground);
        }
        _lidarRender = (_lidarRender + 1) % 100;
        if (_lidarRender < 2 * LidarRays)
        {
            int ray = _lidarRender < LidarRays ? _lidarRender : 2 * LidarRays - 1 - _lidarRender;
            canvas.DrawLine(X(_lidarStart.X, left), Y(_lidarStart.Y), X(_lidarEnd[ray].X, left), Y(_lidarEnd[ray].Y), 1, new RgbColor(255, 0, 0));
        }
        foreach (Vec2[] polygon in _obstacles)
            DrawPolygon(canvas, polygon, null, left, ObstacleFill, ObstacleOutline, points);
        for (int i = 0; i < TerrainLength - 1; i++)
        {
            if (_terrainX[i + 1] < left || _terrainX[i] > left + ViewportWidth / Scale)
                continue;
            canvas.DrawLine(X(_terrainX[i], left), Y(_terrainY[i]), X(_terrainX[i + 1], left), Y(_terrainY[i + 1]), 1, new RgbColor(76, (byte)(i % 2 == 0 ? 255 : 204), 76));
        }
        for (int k = 0; k < 4; k++)
        {
            int i = k < 2 ? -1 : 1;
            var fill = new RgbColor((byte)(153 - i * 25), (byte)(76 - i * 25), (byte)(127 - i * 25));
            var outline = new RgbColor((byte)(102 - i * 25), (byte)(51 - i * 25), (byte)(76 - i * 25));
            DrawPolygon(canvas, [.. ((PolygonShape)_legs[k].Fixtures[0].Shape).VertexList], _legs[k], left, fill, outline, points);
        }
        DrawPolygon(canvas, [.. HullShape.VertexList], _hull, left, HullFill, HullOutline, points);
        double flagX = X(TerrainStep * 3, left), flagY1 = Y(TerrainHeight), flagY2 = flagY1 - 50;
        canvas.DrawLine(flagX, flagY1, flagX, flagY2, 1, RgbColor.Black);
        ReadOnlySpan<double> flag = [flagX, flagY2, flagX, flagY2 + 10, flagX + 25, flagY2 + 5, flagX, flagY2];
        canvas.FillPolygon(flag[..6], new RgbColor(230, 51, 0));
        canvas.DrawPolyline(flag, 1, RgbColor.Black);
        return canvas.Frame;
    }

    private static double X(double metres, double left) => (metres - left) * Scale;

    private static double Y(double metres) => ViewportHeight - metres * Scale;

    private static void DrawPolygon(Canvas canvas, Vec2[] vertices, Body? body, double left, RgbColor fill, RgbColor outline, Span<double> points)
    {
        int n = vertices.Length;
        for (int i = 0; i <= n; i++)
        {
            Vec2 v = body is null ? vertices[i % n] : body.GetWorldPoint(vertices[i % n]);
            points[2 * i] = X(v.X, left);
            points[2 * i + 1] = Y(v.Y);
        }
        canvas.FillPolygon(points[..(2 * n)], fill);
        canvas.DrawPolyline(points[..(2 * n + 2)], 1, outline);
    }
}
