using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// MountainCarContinuous-v0: the mountain car with a continuous force in [−1, 1]. Reaching position ≥ 0.45 with
/// velocity ≥ 0 terminates with +100; every step costs 0.1·a² where a is the <em>unclipped</em> action. Actions
/// outside [−1, 1] are clipped for the dynamics (a one-time warning is sent to <see cref="EnvironmentBase.WarningSink"/>).
/// As in Gymnasium, the state is rounded to float32 after every step (arithmetic is float64).
/// </summary>
public sealed class MountainCarContinuous : EnvironmentBase
{
    /// <summary>Position to reach.</summary>
    public const double GoalPosition = 0.45;
    /// <summary>Acceleration per unit of force.</summary>
    public const double Power = 0.0015;

    private double _position, _velocity;

    /// <summary>Creates the environment.</summary>
    /// <param name="goalVelocity">Minimum velocity at the goal for the episode to terminate.</param>
    public MountainCarContinuous(double goalVelocity = 0.0)
        : base(new Box([(float)MountainCar.MinPosition, -(float)MountainCar.MaxSpeed], [(float)MountainCar.MaxPosition, (float)MountainCar.MaxSpeed]),
               new Box(-1f, 1f, 1))
    {
        GoalVelocity = goalVelocity;
    }

    /// <summary>Minimum velocity at the goal.</summary>
    public double GoalVelocity { get; }

    /// <summary>The physical state (position, velocity). Assigning it also starts an episode from that state.</summary>
    public double[] State
    {
        get => [_position, _velocity];
        set
        {
            StateValidation.Check(value, 2, Id);
            (_position, _velocity) = (value[0], value[1]);
            MarkEpisodeActive();
        }
    }

    /// <inheritdoc />
    public override bool CanSaveState => true;

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) => state.Set($"{prefix}.state", State);

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix) => State = state.ReadDoubles($"{prefix}.state");

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        (double low, double high) = ResetOptions.Interval(options, -0.6, -0.4, Id);
        _position = Random.Uniform(low, high);
        _velocity = 0;
    }

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
        double velocity = _velocity + (force * Power - MountainCar.GravityCoefficient * Math.Cos(3 * _position));
        velocity = Math.Clamp(velocity, -MountainCar.MaxSpeed, MountainCar.MaxSpeed);
        double position = Math.Clamp(_position + velocity, MountainCar.MinPosition, MountainCar.MaxPosition);
        if (position == MountainCar.MinPosition && velocity < 0)
            velocity = 0;
        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        double reward = (terminated ? 100.0 : 0.0) - a * a * 0.1;
        _position = (float)position;
        _velocity = (float)velocity;
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation[1] = (float)_velocity;
        observation[0] = (float)_position;
    }

    /// <summary>Draws a 600×400 frame: the hill, the car and the goal flag at 0.45.</summary>
    public override RgbFrame Render() => MountainCarDrawing.Draw(_position, GoalPosition);
}
