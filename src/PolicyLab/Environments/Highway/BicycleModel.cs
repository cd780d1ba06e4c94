namespace PolicyLab.Environments.Highway;

/// <summary>
/// highway-env's kinematic bicycle model with the centre of gravity at half the length. One integration step of dt:
/// slip β = arctan(½·tan δ); position += v·(cos(ψ + β), sin(ψ + β))·dt (then any pending impact displacement, which
/// also marks the vehicle crashed); ψ += v·sin β/(L/2)·dt; v += a·dt. Before integrating, a crashed vehicle's commands
/// become δ = 0, a = −v, and the acceleration is limited so the speed does not leave [min, max].
/// </summary>
public static class BicycleModel
{
    /// <summary>Applies the command limits (crash braking, speed bounds) to the vehicle's current commands.</summary>
    public static void ClipCommands(Vehicle vehicle)
    {
        if (vehicle.Crashed)
        {
            vehicle.Steering = 0;
            vehicle.Acceleration = -1.0 * vehicle.Speed;
        }
        if (vehicle.Speed > vehicle.SpeedUpperBound)
            vehicle.Acceleration = Math.Min(vehicle.Acceleration, 1.0 * (vehicle.SpeedUpperBound - vehicle.Speed));
        else if (vehicle.Speed < vehicle.SpeedLowerBound)
            vehicle.Acceleration = Math.Max(vehicle.Acceleration, 1.0 * (vehicle.SpeedLowerBound - vehicle.Speed));
    }

    /// <summary>Integrates one step of <paramref name="dt"/> seconds (commands clipped first). Does not update the lane.</summary>
    public static void Step(Vehicle vehicle, double dt)
    {
        ClipCommands(vehicle);
        // β = arctan(t) with t = ½·tan δ, so cos β = 1/√(1 + t²) and sin β = t·cos β (no arctan needed).
        double t = 0.5 * Math.Tan(vehicle.Steering);
        double cosBeta = 1 / Math.Sqrt(1 + t * t), sinBeta = t * cosBeta;
        (double sinPsi, double cosPsi) = Math.SinCos(vehicle.Heading);
        double cos = cosPsi * cosBeta - sinPsi * sinBeta, sin = sinPsi * cosBeta + cosPsi * sinBeta;
        vehicle.X += vehicle.Speed * cos * dt;
        vehicle.Y += vehicle.Speed * sin * dt;
        if (vehicle.HasImpact)
        {
            vehicle.X += vehicle.ImpactX;
            vehicle.Y += vehicle.ImpactY;
            vehicle.Crashed = true;
            vehicle.HasImpact = false;
        }
        vehicle.Heading += vehicle.Speed * sinBeta / (vehicle.Length / 2) * dt;
        vehicle.Speed += vehicle.Acceleration * dt;
    }
}
