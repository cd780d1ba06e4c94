using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>
/// CarRacing's top-down car (Gymnasium's <c>car_dynamics</c>, restated in <c>docs/facts/carracing-v3.md</c> §4): a hull of
/// four polygons and four wheels on motorised, limited revolute joints. The wheels are not simulated by contacts with
/// the ground: each keeps its own spin rate, the rear ones are driven by a power-limited engine, and each wheel
/// pushes its body with a slip force (gain 82 per unit of slip speed) capped by a friction limit, 400 on the road and
/// 240 on grass.
/// </summary>
public sealed class RacingCar
{
    /// <summary>Scale from design units to world units.</summary>
    public const double Size = 0.02;
    /// <summary>Engine power.</summary>
    public const double EnginePower = 100_000_000 * Size * Size;
    /// <summary>Wheel moment of inertia.</summary>
    public const double WheelMomentOfInertia = 4000 * Size * Size;
    /// <summary>Friction limit on the road (60 % of it on grass).</summary>
    public const double FrictionLimit = 1_000_000 * Size * Size;
    /// <summary>Wheel radius used by the dynamics.</summary>
    public const double WheelRadius = 27 * Size;
    /// <summary>Slip-force gain.</summary>
    public const double ForceGain = 205_000 * Size * Size;
    /// <summary>Spin rate removed per step at brake 1 (rad/s).</summary>
    public const double BrakeForce = 15;
    /// <summary>Steering joint limit (rad).</summary>
    public const double SteerLimit = 0.4;

    private const double WheelHalfWidth = 14 * Size, WheelHalfLength = 27 * Size;
    private static readonly (double X, double Y)[] WheelPositions = [(-55, 80), (55, 80), (-55, -82), (55, -82)];
    private static readonly PolygonShape[] HullShapes =
    [
        Polygon((-60, 130), (60, 130), (60, 110), (-60, 110)),
        Polygon((-15, 120), (15, 120), (20, 20), (-20, 20)),
        Polygon((25, 20), (50, -10), (50, -40), (20, -90), (-20, -90), (-50, -40), (-50, -10), (-25, 20)),
        Polygon((-50, -120), (50, -120), (50, -90), (-50, -90)),
    ];
    private static readonly PolygonShape WheelShape = PolygonShape.Box(WheelHalfWidth, WheelHalfLength);

    private readonly RacingWheel[] _wheels = new RacingWheel[4];

    /// <summary>Builds the car in <paramref name="world"/> with its hull at (x, y) facing <paramref name="angle"/>.</summary>
    /// <remarks>As in Gymnasium, each wheel starts at the hull position plus its design offset <em>unrotated</em>, so for a
    /// turned start the joints begin stretched and pull the wheels into place over the first steps.</remarks>
    public RacingCar(World world, double angle, double x, double y)
    {
        ArgumentNullException.ThrowIfNull(world);
        Hull = world.CreateBody(BodyType.Dynamic, new Vec2(x, y), angle);
        foreach (PolygonShape shape in HullShapes)
            Hull.CreateFixture(shape, new FixtureDefinition(Density: 1.0));
        for (int i = 0; i < 4; i++)
        {
            var (wx, wy) = WheelPositions[i];
            Body body = world.CreateBody(BodyType.Dynamic, new Vec2(x + wx * Size, y + wy * Size), angle);
            body.CreateFixture(WheelShape, new FixtureDefinition(Density: 0.1, Restitution: 0.0, Filter: new CollisionFilter(0x0020, 0x0001)));
            RevoluteJoint joint = world.CreateRevoluteJoint(new RevoluteJointDefinition(Hull, body, new Vec2(wx * Size, wy * Size), default)
            {
                EnableMotor = true,
                EnableLimit = true,
                MaxMotorTorque = 180 * 900 * Size * Size,
                MotorSpeed = 0,
                LowerAngle = -SteerLimit,
                UpperAngle = SteerLimit,
            });
            _wheels[i] = new RacingWheel(body, joint);
            body.UserData = _wheels[i];
        }
    }

    /// <summary>The hull body.</summary>
    public Body Hull { get; }

    /// <summary>The wheels: front left, front right, rear left, rear right.</summary>
    public IReadOnlyList<RacingWheel> Wheels => _wheels;

    /// <summary>Whether skid marks are tracked (visual only; off until something renders).</summary>
    public bool TrackSkids { get; set; }

    /// <summary>The skid marks, oldest first (at most 30).</summary>
    public List<SkidMark> SkidMarks { get; } = [];

    /// <summary>Gas in [0, 1] for the rear wheels; it rises by at most 0.1 per call and drops at once.</summary>
    public void Gas(double gas)
    {
        gas = Math.Clamp(gas, 0, 1);
        for (int i = 2; i < 4; i++)
            _wheels[i].Gas += Math.Min(gas - _wheels[i].Gas, 0.1);
    }

    /// <summary>Brake for every wheel (0.9 or more locks them; not clipped, negative does nothing).</summary>
    public void Brake(double brake)
    {
        foreach (RacingWheel w in _wheels)
            w.Brake = brake;
    }

    /// <summary>Steering target (rad) of the front wheels; the joint limit caps the angle at ±0.4.</summary>
    public void Steer(double steer)
    {
        _wheels[0].Steer = steer;
        _wheels[1].Steer = steer;
    }

    /// <summary>One control step of <paramref name="dt"/> seconds: steering motors, engine, brakes and slip forces (§4.3).</summary>
    public void Step(double dt)
    {
        foreach (RacingWheel w in _wheels)
        {
            // Steering: a motor toward the target, at most 3 rad/s.
            double error = w.Steer - w.Joint.JointAngle;
            w.Joint.MotorSpeed = Math.Sign(error) * Math.Min(50.0 * Math.Abs(error), 3.0);

            bool grass = w.TileContacts == 0;
            double frictionLimit = grass ? FrictionLimit * 0.6 : FrictionLimit; // every tile has road friction 1

            Body body = w.Body;
            Vec2 forward = body.GetWorldVector(new Vec2(0, 1)), side = body.GetWorldVector(new Vec2(1, 0));
            Vec2 v = body.LinearVelocity;
            double vf = Vec2.Dot(forward, v), vs = Vec2.Dot(side, v);

            // Engine: power / angular speed (the +5 keeps it finite at rest).
            w.Omega += dt * EnginePower * w.Gas / WheelMomentOfInertia / (Math.Abs(w.Omega) + 5.0);
            if (w.Brake >= 0.9)
                w.Omega = 0;
            else if (w.Brake > 0)
            {
                double delta = Math.Min(BrakeForce * w.Brake, Math.Abs(w.Omega));
                w.Omega -= Math.Sign(w.Omega) * delta;
            }
            w.Phase += w.Omega * dt;

            // Slip force: longitudinal from spin vs ground speed, lateral from side slip, capped by the friction limit.
            double f = ForceGain * (w.Omega * WheelRadius - vf);
            double p = ForceGain * -vs;
            double force = Math.Sqrt(f * f + p * p);
            if (TrackSkids)
                TrackSkid(w, force > 2.0 * frictionLimit, grass);
            if (force > frictionLimit)
            {
                f = f / force * frictionLimit;
                p = p / force * frictionLimit;
            }
            w.Omega -= dt * f * WheelRadius / WheelMomentOfInertia;
            body.ApplyForceToCenter(p * side + f * forward, wake: true);
        }
    }

    private void TrackSkid(RacingWheel w, bool skidding, bool grass)
    {
        if (!skidding)
        {
            w.SkidStart = null;
            w.CurrentSkid = null;
            return;
        }
        Vec2 position = w.Body.Position;
        if (w.CurrentSkid is { } mark && mark.OnGrass == grass && mark.Points.Count < 30)
            mark.Points.Add(position);
        else if (w.SkidStart is null)
            w.SkidStart = position;
        else
        {
            var created = new SkidMark(grass, [w.SkidStart.Value, position]);
            SkidMarks.Add(created);
            while (SkidMarks.Count > 30)
                SkidMarks.RemoveAt(0);
            w.CurrentSkid = created;
            w.SkidStart = null;
        }
    }

    private static PolygonShape Polygon(params (double X, double Y)[] vertices) =>
        new([.. vertices.Select(v => new Vec2(v.X * Size, v.Y * Size))]);
}

/// <summary>One wheel of a <see cref="RacingCar"/> and the state the car's dynamics keep for it.</summary>
public sealed class RacingWheel
{
    internal RacingWheel(Body body, RevoluteJoint joint)
    {
        Body = body;
        Joint = joint;
    }

    /// <summary>The wheel body.</summary>
    public Body Body { get; }

    /// <summary>The joint to the hull.</summary>
    public RevoluteJoint Joint { get; }

    /// <summary>Gas in [0, 1] (rear wheels only).</summary>
    public double Gas { get; internal set; }

    /// <summary>Brake as last set.</summary>
    public double Brake { get; internal set; }

    /// <summary>Steering target (front wheels only).</summary>
    public double Steer { get; internal set; }

    /// <summary>Spin rate (rad/s).</summary>
    public double Omega { get; internal set; }

    /// <summary>Rotation angle of the tread (visual only).</summary>
    public double Phase { get; internal set; }

    /// <summary>How many road tiles the wheel overlaps now (0 = on grass).</summary>
    public int TileContacts { get; internal set; }

    internal Vec2? SkidStart { get; set; }

    internal SkidMark? CurrentSkid { get; set; }
}

/// <summary>A skid mark: a polyline of wheel positions, drawn in mud colour on grass and black on the road.</summary>
/// <param name="OnGrass">Whether the wheel was on grass.</param>
/// <param name="Points">World positions, at most 30.</param>
public sealed record SkidMark(bool OnGrass, List<Vec2> Points);
