using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// MountainCarContinuous-v0: the mountain car with a continuous force in [−1, 1]. Reaching position ≥ 0.45 with
/// velocity ≥ 0 terminates with +100; every step costs 0.1·a² where a is the <em>unclipped</em> action. Actions
/// outside [−1, 1] are clipped for the dynamics (a one-time warning is sent to <see cref="EnvironmentBase.WarningSink"/>).
/// As in Gymnasium, the state is rounded to float32 after every step (arithmetic is float64).
/// </summary>
public sealed class MountainCarContinuous : MountainCarBase
{
    /// <summary>Position to reach.</summary>
    public const double GoalPosition = 0.45;
    /// <summary>Acceleration per unit of force.</summary>
    public const double Power = 0.0015;

    /// <summary>Creates the environment.</summary>
    /// <param name="goalVelocity">Minimum velocity at the goal for the episode to terminate.</param>
    public MountainCarContinuous(double goalVelocity = 0.0) : base(new Box(-1f, 1f, 1), GoalPosition, goalVelocity) { }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        double a = action[0];
        if (!double.IsFinite(a))
            ThrowNonFiniteAction(a);
        double force = a;
        if (a < -1.0 || a > 1.0)
        {
            force = Math.Clamp(a, -1.0, 1.0);
            WarnOnce("actions outside [-1, 1] are clipped to the bounds for the dynamics (the action cost still uses the unclipped value, as in Gymnasium).");
        }
        (double position, double velocity, bool terminated) = Move(force * Power - GravityCoefficient * Math.Cos(3 * Position));
        double reward = (terminated ? 100.0 : 0.0) - a * a * 0.1;
        (Position, Velocity) = ((float)position, (float)velocity);
        return new StepResult(reward, terminated, false);
    }
}
