using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// What the two mountain-car tasks share: the (position, velocity) state in float64, the track with its inelastic
/// left wall, the reset distribution, the goal test, state snapshots and the drawing. The tasks differ in their
/// action space, the acceleration an action gives, and the reward.
/// </summary>
/// <remarks>Reset reads <see cref="ResetOptions.Low"/>/<see cref="ResetOptions.High"/> (default −0.6/−0.4) for the
/// initial position; the initial velocity is 0.</remarks>
public abstract class MountainCarBase : EnvironmentBase
{
    /// <summary>Leftmost position.</summary>
    public const double MinPosition = -1.2;
    /// <summary>Rightmost position.</summary>
    public const double MaxPosition = 0.6;
    /// <summary>Speed limit.</summary>
    public const double MaxSpeed = 0.07;
    /// <summary>Gravity coefficient.</summary>
    public const double GravityCoefficient = 0.0025;

    private readonly double _goalPosition;

    /// <summary>Sets up the observation space (position, velocity) and the goal.</summary>
    protected MountainCarBase(Space actionSpace, double goalPosition, double goalVelocity)
        : base(new Box([(float)MinPosition, -(float)MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]), actionSpace)
    {
        _goalPosition = goalPosition;
        GoalVelocity = goalVelocity;
    }

    /// <summary>Minimum velocity at the goal for the episode to terminate.</summary>
    public double GoalVelocity { get; }

    /// <summary>Car position.</summary>
    protected double Position { get; set; }

    /// <summary>Car velocity.</summary>
    protected double Velocity { get; set; }

    /// <summary>The physical state (position, velocity). Assigning it also starts an episode from that state.</summary>
    public double[] State
    {
        get => [Position, Velocity];
        set
        {
            StateValidation.Check(value, 2, Id);
            (Position, Velocity) = (value[0], value[1]);
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
        Position = Random.Uniform(low, high);
        Velocity = 0;
    }

    /// <summary>One step of the track dynamics: v′ = clip(v + <paramref name="acceleration"/>), x′ = clip(x + v′), and
    /// v′ = 0 against the left wall. Returns the new state (not stored) and whether it is at the goal.</summary>
    protected (double Position, double Velocity, bool AtGoal) Move(double acceleration)
    {
        double velocity = Math.Clamp(Velocity + acceleration, -MaxSpeed, MaxSpeed);
        double position = Math.Clamp(Position + velocity, MinPosition, MaxPosition);
        if (position == MinPosition && velocity < 0)
            velocity = 0;
        return (position, velocity, position >= _goalPosition && velocity >= GoalVelocity);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation[1] = (float)Velocity;
        observation[0] = (float)Position;
    }

    /// <summary>Draws a 600×400 frame: the hill, the car and the goal flag.</summary>
    public override RgbFrame Render() => MountainCarDrawing.Draw(Position, _goalPosition);
}
