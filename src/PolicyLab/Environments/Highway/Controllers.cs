namespace PolicyLab.Environments.Highway;

/// <summary>
/// The low-level controllers of highway-env's controlled vehicles: a proportional speed controller and a
/// lane-following steering controller (lateral position → lateral speed → heading → heading rate → steering).
/// </summary>
public static class Controllers
{
    /// <summary>Acceleration time constant (s).</summary>
    public const double TauAcceleration = 0.6;
    /// <summary>Heading time constant (s).</summary>
    public const double TauHeading = 0.2;
    /// <summary>Lateral time constant (s).</summary>
    public const double TauLateral = 0.6;
    /// <summary>Look-ahead time for the lane heading (s): half the heading constant.</summary>
    public const double TauPursuit = 0.5 * TauHeading;
    /// <summary>Speed gain 1/τ_a.</summary>
    public const double KpAcceleration = 1 / TauAcceleration;
    /// <summary>Heading gain 1/τ_ψ.</summary>
    public const double KpHeading = 1 / TauHeading;
    /// <summary>Lateral gain 1/τ_lat.</summary>
    public const double KpLateral = 1 / TauLateral;
    /// <summary>Steering limit (rad).</summary>
    public const double MaxSteeringAngle = Math.PI / 3;
    /// <summary>Speed step of FASTER / SLOWER for a plain controlled vehicle (m/s).</summary>
    public const double DeltaSpeed = 5;

    /// <summary>a = K_a·(v_target − v).</summary>
    public static double SpeedControl(double targetSpeed, double speed) => KpAcceleration * (targetSpeed - speed);

    /// <summary>
    /// The steering angle that brings the vehicle onto <paramref name="lane"/>: with (s, r) its lane coordinates,
    /// lateral speed command −K_lat·r, heading command arcsin(clip(that/v, −1, 1)) limited to ±π/4 around the lane
    /// heading at s + v·τ_pursuit, heading-rate command K_ψ·wrap(ψ_ref − ψ), slip arcsin(clip(L/2/v·rate, −1, 1)),
    /// δ = arctan(2·tan slip), clipped to ±π/3.
    /// </summary>
    public static double SteeringControl(Lane lane, Vehicle vehicle)
    {
        var (s, r) = lane.LocalCoordinates(vehicle.X, vehicle.Y);
        double futureHeading = lane.HeadingAt(s + vehicle.Speed * TauPursuit);
        double lateralSpeedCommand = -KpLateral * r;
        double speed = Angles.NotZero(vehicle.Speed);
        double headingCommand = Math.Asin(Math.Clamp(lateralSpeedCommand / speed, -1, 1));
        double headingReference = futureHeading + Math.Clamp(headingCommand, -Math.PI / 4, Math.PI / 4);
        double headingRateCommand = KpHeading * Angles.Wrap(headingReference - vehicle.Heading);
        // slip = arcsin(u) and δ = arctan(2·tan slip) = arctan(2u/√(1 − u²)) (±π/2 at |u| = 1).
        double u = Math.Clamp(vehicle.Length / 2 / speed * headingRateCommand, -1, 1);
        double steering = Math.Atan(2 * u / Math.Sqrt(1 - u * u));
        return Math.Clamp(steering, -MaxSteeringAngle, MaxSteeringAngle);
    }
}
