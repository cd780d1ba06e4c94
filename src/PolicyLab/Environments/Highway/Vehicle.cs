namespace PolicyLab.Environments.Highway;

/// <summary>What drives a vehicle.</summary>
public enum VehicleKind
{
    /// <summary>The agent's car under DiscreteMetaAction: target lane and target speed tracked by the low-level controllers (highway-env's MDPVehicle).</summary>
    MetaControlled,
    /// <summary>The agent's car under ContinuousAction: acceleration and steering set directly and held (highway-env's plain Vehicle).</summary>
    DirectControlled,
    /// <summary>Traffic driven by IDM (longitudinal) and MOBIL (lane changes).</summary>
    Idm,
    /// <summary>A fixed obstacle (speed 0, never acts).</summary>
    Obstacle,
}

/// <summary>
/// The state of one road user. Vehicles are pooled by <see cref="Road"/> and reused across episodes, so stepping
/// allocates nothing. Positions are in world metres, heading in radians (0 = +x, positive toward +y), speed in m/s.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "Plain mutable state read and written in the simulator's inner loops.")]
public sealed class Vehicle
{
    /// <summary>highway-env's vehicle length (m).</summary>
    public const double DefaultLength = 5.0;
    /// <summary>highway-env's vehicle width (m).</summary>
    public const double DefaultWidth = 2.0;
    /// <summary>Lower speed bound (m/s).</summary>
    public const double MinSpeed = -40;
    /// <summary>Upper speed bound (m/s).</summary>
    public const double MaxSpeed = 40;
    /// <summary>Obstacles' side (highway-env's road objects are 2 m × 2 m).</summary>
    public const double ObstacleSize = 2.0;

    /// <summary>Position x (m).</summary>
    public double X;
    /// <summary>Position y (m).</summary>
    public double Y;
    /// <summary>Heading ψ (rad).</summary>
    public double Heading;
    /// <summary>Speed v (m/s).</summary>
    public double Speed;
    /// <summary>Current steering command δ (rad).</summary>
    public double Steering;
    /// <summary>Current acceleration command (m/s²).</summary>
    public double Acceleration;
    /// <summary>Length (m).</summary>
    public double Length = DefaultLength;
    /// <summary>Width (m).</summary>
    public double Width = DefaultWidth;
    /// <summary>Lower speed bound used by the model (m/s).</summary>
    public double SpeedLowerBound = MinSpeed;
    /// <summary>Upper speed bound used by the model (m/s).</summary>
    public double SpeedUpperBound = MaxSpeed;
    /// <summary>Who drives it.</summary>
    public VehicleKind Kind;
    /// <summary>Whether it has crashed (then it steers straight and brakes to a stop).</summary>
    public bool Crashed;
    /// <summary>Whether its collisions are checked (highway-fast turns this off for traffic).</summary>
    public bool CheckCollisions = true;
    /// <summary>Whether a separating displacement is pending for the next integration.</summary>
    public bool HasImpact;
    /// <summary>Pending displacement x (m).</summary>
    public double ImpactX;
    /// <summary>Pending displacement y (m).</summary>
    public double ImpactY;
    /// <summary>Global index of the closest lane (updated after every integration).</summary>
    public int Lane;
    /// <summary>Global index of the lane the controllers steer toward.</summary>
    public int TargetLane;
    /// <summary>Speed the controller tracks (m/s); for IDM traffic, the desired speed.</summary>
    public double TargetSpeed;
    /// <summary>Index into the ego's target speeds (meta-controlled only).</summary>
    public int SpeedIndex;
    /// <summary>IDM acceleration exponent δ (randomised per vehicle).</summary>
    public double Delta = 4.0;
    /// <summary>Time since the last lane-change decision (s).</summary>
    public double Timer;
    /// <summary>Whether MOBIL lane changes are enabled.</summary>
    public bool EnableLaneChange = true;
    /// <summary>Planned node path (first edge = the current edge), or null to follow the road freely.</summary>
    public int[]? Route;
    /// <summary>Index of the route's head edge start in <see cref="Route"/>.</summary>
    public int RouteStart;
    /// <summary>Whether this is one of the agent's vehicles.</summary>
    public bool IsEgo;

    /// <summary>Whether it tracks a target lane (meta-controlled and IDM vehicles; highway-env's ControlledVehicle).</summary>
    public bool HasTargetLane => Kind is VehicleKind.MetaControlled or VehicleKind.Idm;

    /// <summary>Whether it is a vehicle rather than a static object.</summary>
    public bool IsVehicle => Kind != VehicleKind.Obstacle;

    /// <summary>Velocity x = v·cos ψ (side slip ignored, as highway-env reports it).</summary>
    public double VelocityX => Speed * Math.Cos(Heading);

    /// <summary>Velocity y = v·sin ψ.</summary>
    public double VelocityY => Speed * Math.Sin(Heading);

    /// <summary>√(L² + W²) (set by <see cref="Initialize"/>).</summary>
    public double Diagonal { get; private set; } = Math.Sqrt(DefaultLength * DefaultLength + DefaultWidth * DefaultWidth);

    /// <summary>Resets every field to a fresh vehicle of the given kind at a pose.</summary>
    public void Initialize(VehicleKind kind, double x, double y, double heading, double speed)
    {
        Kind = kind;
        X = x;
        Y = y;
        Heading = heading;
        Speed = speed;
        Steering = 0;
        Acceleration = 0;
        bool obstacle = kind == VehicleKind.Obstacle;
        Length = obstacle ? ObstacleSize : DefaultLength;
        Width = obstacle ? ObstacleSize : DefaultWidth;
        Diagonal = Math.Sqrt(Length * Length + Width * Width);
        SpeedLowerBound = MinSpeed;
        SpeedUpperBound = MaxSpeed;
        Crashed = false;
        CheckCollisions = true;
        HasImpact = false;
        ImpactX = ImpactY = 0;
        Lane = TargetLane = 0;
        TargetSpeed = speed;
        SpeedIndex = 0;
        Delta = 4.0;
        Timer = 0;
        EnableLaneChange = true;
        Route = null;
        RouteStart = 0;
        IsEgo = false;
    }
}
