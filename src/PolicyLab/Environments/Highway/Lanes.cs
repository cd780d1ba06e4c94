namespace PolicyLab.Environments.Highway;

/// <summary>How a lane's side is marked when drawn (highway-env's line types).</summary>
public enum LaneLine
{
    /// <summary>No marking.</summary>
    None,
    /// <summary>A dashed line (lanes one may cross).</summary>
    Striped,
    /// <summary>A solid line (the road's edge).</summary>
    Continuous,
}

/// <summary>
/// One lane of a road: a curve with a longitudinal coordinate s ∈ [0, length] along it and a lateral offset r (positive
/// to the right of the direction of travel in the road's y-down picture, i.e. toward larger y on a straight lane along
/// +x), as highway-env models lanes. Positions are world metres.
/// </summary>
public abstract class Lane
{
    /// <summary>highway-env's lane width (m).</summary>
    public const double DefaultWidth = 4.0;

    /// <summary>The vehicle length used by the lane's "on lane" and "reachable" tests (m).</summary>
    public const double VehicleLength = 5.0;

    /// <summary>Creates a lane.</summary>
    protected Lane(double width, LaneLine left, LaneLine right, bool forbidden, double speedLimit, int priority)
    {
        if (!(width > 0) || !double.IsFinite(width))
            throw new PolicyLabException($"A lane's width must be a positive number of metres; got {width}.");
        Width = width;
        LeftLine = left;
        RightLine = right;
        Forbidden = forbidden;
        SpeedLimit = speedLimit;
        Priority = priority;
    }

    /// <summary>Lane width (m).</summary>
    public double Width { get; }

    /// <summary>Length along the lane (m).</summary>
    public double Length { get; protected init; }

    /// <summary>Marking on the side of negative lateral offset.</summary>
    public LaneLine LeftLine { get; }

    /// <summary>Marking on the side of positive lateral offset.</summary>
    public LaneLine RightLine { get; }

    /// <summary>Whether vehicles should not change into this lane (highway-env's <c>forbidden</c>).</summary>
    public bool Forbidden { get; }

    /// <summary>Speed limit (m/s), used as the cap of an IDM driver's desired speed.</summary>
    public double SpeedLimit { get; }

    /// <summary>Right-of-way priority (higher passes first).</summary>
    public int Priority { get; }

    /// <summary>The world position of lane coordinates (s, r).</summary>
    public abstract (double X, double Y) Position(double longitudinal, double lateral);

    /// <summary>The lane's heading (rad) at longitudinal coordinate s.</summary>
    public abstract double HeadingAt(double longitudinal);

    /// <summary>The lane coordinates (s, r) of a world position.</summary>
    public abstract (double Longitudinal, double Lateral) LocalCoordinates(double x, double y);

    /// <summary>Whether (s, r) lies on the lane: |r| ≤ width/2 + margin and −L ≤ s &lt; length + L (L = vehicle length).</summary>
    public bool OnLane(double longitudinal, double lateral, double margin) =>
        Math.Abs(lateral) <= Width / 2 + margin && longitudinal >= -VehicleLength && longitudinal < Length + VehicleLength;

    /// <summary>Whether a world position is on the lane with no margin (see <see cref="OnLane(double, double, double)"/>).</summary>
    public bool ContainsPoint(double x, double y)
    {
        var (s, r) = LocalCoordinates(x, y);
        return OnLane(s, r, 0);
    }

    /// <summary>Whether a vehicle at (x, y) may change into this lane: |r| ≤ 2·width and 0 ≤ s &lt; length + L.</summary>
    public bool IsReachableFrom(double x, double y)
    {
        if (Forbidden)
            return false;
        var (s, r) = LocalCoordinates(x, y);
        return Math.Abs(r) <= 2 * Width && s >= 0 && s < Length + VehicleLength;
    }

    /// <summary>Whether longitudinal coordinate s is past the lane's end minus half a vehicle length.</summary>
    public bool AfterEnd(double longitudinal) => longitudinal > Length - VehicleLength / 2;

    /// <summary>Distance of a point to the lane: |r| plus how far s lies outside [0, length].</summary>
    public double Distance(double x, double y)
    {
        var (s, r) = LocalCoordinates(x, y);
        return Math.Abs(r) + Math.Max(s - Length, 0) + Math.Max(-s, 0);
    }

    /// <summary><see cref="Distance"/> plus the absolute heading difference to the lane (rad, weight 1).</summary>
    public double DistanceWithHeading(double x, double y, double heading)
    {
        var (s, r) = LocalCoordinates(x, y);
        double angle = Math.Abs(Angles.Wrap(heading - HeadingAt(s)));
        return Math.Abs(r) + Math.Max(s - Length, 0) + Math.Max(-s, 0) + angle;
    }
}

/// <summary>A straight lane from a start point to an end point.</summary>
public sealed class StraightLane : Lane
{
    private readonly double _startX, _startY, _dirX, _dirY, _heading;

    /// <summary>Creates the lane from (x0, y0) to (x1, y1).</summary>
    public StraightLane(double x0, double y0, double x1, double y1, double width = DefaultWidth,
        LaneLine left = LaneLine.Striped, LaneLine right = LaneLine.Striped, bool forbidden = false,
        double speedLimit = 20, int priority = 0)
        : base(width, left, right, forbidden, speedLimit, priority)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double length = Math.Sqrt(dx * dx + dy * dy);
        if (!(length > 0))
            throw new PolicyLabException($"A straight lane needs distinct end points; got ({x0}, {y0}) twice.");
        Length = length;
        _startX = x0;
        _startY = y0;
        _dirX = dx / length;
        _dirY = dy / length;
        _heading = Math.Atan2(dy, dx);
        StartX = x0; StartY = y0; EndX = x1; EndY = y1;
    }

    /// <summary>Start point x.</summary>
    public double StartX { get; }
    /// <summary>Start point y.</summary>
    public double StartY { get; }
    /// <summary>End point x.</summary>
    public double EndX { get; }
    /// <summary>End point y.</summary>
    public double EndY { get; }

    /// <inheritdoc />
    public override (double X, double Y) Position(double longitudinal, double lateral) =>
        (_startX + longitudinal * _dirX - lateral * _dirY, _startY + longitudinal * _dirY + lateral * _dirX);

    /// <inheritdoc />
    public override double HeadingAt(double longitudinal) => _heading;

    /// <inheritdoc />
    public override (double Longitudinal, double Lateral) LocalCoordinates(double x, double y)
    {
        double dx = x - _startX, dy = y - _startY;
        return (dx * _dirX + dy * _dirY, -dx * _dirY + dy * _dirX);
    }
}

/// <summary>
/// A lane whose centre oscillates around a straight line: lateral offset A·sin(ω·s + φ) added to the straight lane's
/// (highway-env's SineLane, used for the merge's access ramp).
/// </summary>
public sealed class SineLane : Lane
{
    private readonly StraightLane _line;

    /// <summary>Creates the lane around the straight line (x0, y0)→(x1, y1).</summary>
    public SineLane(double x0, double y0, double x1, double y1, double amplitude, double pulsation, double phase,
        double width = DefaultWidth, LaneLine left = LaneLine.Striped, LaneLine right = LaneLine.Striped,
        bool forbidden = false, double speedLimit = 20, int priority = 0)
        : base(width, left, right, forbidden, speedLimit, priority)
    {
        _line = new StraightLane(x0, y0, x1, y1, width, left, right, forbidden, speedLimit, priority);
        Length = _line.Length;
        Amplitude = amplitude;
        Pulsation = pulsation;
        Phase = phase;
    }

    /// <summary>Amplitude A (m).</summary>
    public double Amplitude { get; }
    /// <summary>Pulsation ω (rad/m).</summary>
    public double Pulsation { get; }
    /// <summary>Phase φ (rad).</summary>
    public double Phase { get; }

    /// <inheritdoc />
    public override (double X, double Y) Position(double longitudinal, double lateral) =>
        _line.Position(longitudinal, lateral + Amplitude * Math.Sin(Pulsation * longitudinal + Phase));

    /// <inheritdoc />
    public override double HeadingAt(double longitudinal) =>
        _line.HeadingAt(longitudinal) + Math.Atan(Amplitude * Pulsation * Math.Cos(Pulsation * longitudinal + Phase));

    /// <inheritdoc />
    public override (double Longitudinal, double Lateral) LocalCoordinates(double x, double y)
    {
        var (s, r) = _line.LocalCoordinates(x, y);
        return (s, r - Amplitude * Math.Sin(Pulsation * s + Phase));
    }
}

/// <summary>
/// An arc of a circle around a centre, from a start phase to an end phase, travelled clockwise (increasing phase in the
/// y-down picture) or counter-clockwise; the lateral offset grows toward the outside for a clockwise lane.
/// </summary>
public sealed class CircularLane : Lane
{
    private readonly double _direction;

    /// <summary>Creates the arc.</summary>
    public CircularLane(double centerX, double centerY, double radius, double startPhase, double endPhase, bool clockwise = true,
        double width = DefaultWidth, LaneLine left = LaneLine.Striped, LaneLine right = LaneLine.Striped,
        bool forbidden = false, double speedLimit = 20, int priority = 0)
        : base(width, left, right, forbidden, speedLimit, priority)
    {
        if (!(radius > 0))
            throw new PolicyLabException($"A circular lane needs a positive radius; got {radius}.");
        CenterX = centerX;
        CenterY = centerY;
        Radius = radius;
        StartPhase = startPhase;
        EndPhase = endPhase;
        Clockwise = clockwise;
        _direction = clockwise ? 1 : -1;
        Length = radius * (endPhase - startPhase) * _direction;
        if (!(Length > 0))
            throw new PolicyLabException($"A circular lane's phases must run in its direction ({(clockwise ? "end > start" : "end < start")}); got {startPhase} → {endPhase}.");
    }

    /// <summary>Centre x.</summary>
    public double CenterX { get; }
    /// <summary>Centre y.</summary>
    public double CenterY { get; }
    /// <summary>Radius of the lane's centre line (m).</summary>
    public double Radius { get; }
    /// <summary>Phase at s = 0 (rad).</summary>
    public double StartPhase { get; }
    /// <summary>Phase at s = length (rad).</summary>
    public double EndPhase { get; }
    /// <summary>Direction of travel.</summary>
    public bool Clockwise { get; }

    /// <inheritdoc />
    public override (double X, double Y) Position(double longitudinal, double lateral)
    {
        double phi = _direction * longitudinal / Radius + StartPhase;
        double rho = Radius - lateral * _direction;
        (double sin, double cos) = Math.SinCos(phi);
        return (CenterX + rho * cos, CenterY + rho * sin);
    }

    /// <inheritdoc />
    public override double HeadingAt(double longitudinal) =>
        _direction * longitudinal / Radius + StartPhase + Math.PI / 2 * _direction;

    /// <inheritdoc />
    public override (double Longitudinal, double Lateral) LocalCoordinates(double x, double y)
    {
        double dx = x - CenterX, dy = y - CenterY;
        double phi = StartPhase + Angles.Wrap(Math.Atan2(dy, dx) - StartPhase);
        double rho = Math.Sqrt(dx * dx + dy * dy);
        return (_direction * (phi - StartPhase) * Radius, _direction * (Radius - rho));
    }
}

/// <summary>Angle helpers used by the driving simulator.</summary>
public static class Angles
{
    /// <summary>Wraps an angle to [−π, π): x itself when already there, else ((x + π) mod 2π) − π with a non-negative modulo.</summary>
    public static double Wrap(double x)
    {
        if (x >= -Math.PI && x < Math.PI)
            return x;
        double m = (x + Math.PI) % (2 * Math.PI);
        if (m < 0)
            m += 2 * Math.PI;
        return m - Math.PI;
    }

    /// <summary>x, or ±ε (the sign of x, + for 0) when |x| ≤ ε: highway-env's guard against dividing by zero.</summary>
    public static double NotZero(double x, double eps = 0.01) =>
        Math.Abs(x) > eps ? x : x >= 0 ? eps : -eps;

    /// <summary>Linear map of v from [x0, x1] to [y0, y1] (not clipped).</summary>
    public static double Map(double v, double x0, double x1, double y0, double y1) => y0 + (v - x0) * (y1 - y0) / (x1 - x0);
}
