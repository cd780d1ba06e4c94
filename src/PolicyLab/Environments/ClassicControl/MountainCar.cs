using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// MountainCar-v0: drive an under-powered car up the right hill. Actions 0/1/2 push left / nothing / right. State
/// (position, velocity) in float64; −1 reward every step, terminated when position ≥ 0.5 and velocity ≥ the goal
/// velocity (0 by default). The left wall at −1.2 is inelastic.
/// </summary>
/// <remarks>Reset reads <see cref="ResetOptions.Low"/>/<see cref="ResetOptions.High"/> (default −0.6/−0.4) for the
/// initial position; the initial velocity is 0.</remarks>
public sealed class MountainCar : EnvironmentBase
{
    /// <summary>Leftmost position.</summary>
    public const double MinPosition = -1.2;
    /// <summary>Rightmost position.</summary>
    public const double MaxPosition = 0.6;
    /// <summary>Speed limit.</summary>
    public const double MaxSpeed = 0.07;
    /// <summary>Position to reach.</summary>
    public const double GoalPosition = 0.5;
    /// <summary>Acceleration of a push.</summary>
    public const double Force = 0.001;
    /// <summary>Gravity coefficient.</summary>
    public const double GravityCoefficient = 0.0025;

    private double _position, _velocity;

    /// <summary>Creates the environment.</summary>
    /// <param name="goalVelocity">Minimum velocity at the goal for the episode to terminate.</param>
    public MountainCar(double goalVelocity = 0.0)
        : base(new Box([(float)MinPosition, -(float)MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]), new Discrete(3))
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
        float a = action[0];
        int index = (int)a;
        if (index != a || (uint)index > 2)
            ThrowInvalidDiscreteAction(a, 3);
        double velocity = _velocity + ((index - 1) * Force + Math.Cos(3 * _position) * -GravityCoefficient);
        velocity = Math.Clamp(velocity, -MaxSpeed, MaxSpeed);
        double position = Math.Clamp(_position + velocity, MinPosition, MaxPosition);
        if (position == MinPosition && velocity < 0)
            velocity = 0;
        _position = position;
        _velocity = velocity;
        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        return new StepResult(-1.0, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation[1] = (float)_velocity;
        observation[0] = (float)_position;
    }

    /// <summary>Draws a 600×400 frame: the hill, the car and the goal flag.</summary>
    public override RgbFrame Render() => MountainCarDrawing.Draw(_position, GoalPosition);
}

/// <summary>Draws the mountain-car scene (shared by the discrete and continuous variants).</summary>
internal static class MountainCarDrawing
{
    public const int Width = 600, Height = 400;
    public const double Scale = Width / (MountainCar.MaxPosition - MountainCar.MinPosition);

    /// <summary>Track height at a position (rendering only).</summary>
    public static double TrackHeight(double position) => 0.45 * Math.Sin(3 * position) + 0.55;

    /// <summary>Screen coordinates of a point on the track.</summary>
    public static (double X, double Y) ToScreen(double position, double lift = 0) =>
        ((position - MountainCar.MinPosition) * Scale, Height - (TrackHeight(position) * Scale + lift));

    public static RgbFrame Draw(double position, double goalPosition)
    {
        var canvas = new Canvas(Width, Height);
        canvas.Clear(RgbColor.White);
        Span<double> track = stackalloc double[2 * 100];
        for (int i = 0; i < 100; i++)
        {
            double p = MountainCar.MinPosition + (MountainCar.MaxPosition - MountainCar.MinPosition) * i / 99;
            (track[2 * i], track[2 * i + 1]) = ToScreen(p);
        }
        canvas.DrawPolyline(track, 2, RgbColor.Black);

        // Flag at the goal.
        (double flagX, double flagY) = ToScreen(goalPosition);
        canvas.DrawLine(flagX, flagY, flagX, flagY - 50, 1, RgbColor.Black);
        ReadOnlySpan<double> flag = [flagX, flagY - 50, flagX, flagY - 40, flagX + 25, flagY - 45];
        canvas.FillPolygon(flag, new RgbColor(204, 204, 0));

        // Car: a 40×20 body tilted with the slope, 10 px above the track, and two wheels.
        double angle = Math.Atan(3 * 0.45 * Math.Cos(3 * position));
        (double sin, double cos) = Math.SinCos(angle);
        (double baseX, double baseY) = ToScreen(position, 10);
        Span<double> body = stackalloc double[8];
        ReadOnlySpan<double> corners = [-20, 0, 20, 0, 20, 20, -20, 20];
        for (int i = 0; i < 4; i++)
        {
            double cx = corners[2 * i], cy = corners[2 * i + 1];
            body[2 * i] = baseX + cx * cos - cy * sin;
            body[2 * i + 1] = baseY - (cx * sin + cy * cos);
        }
        canvas.FillPolygon(body, RgbColor.Black);
        var wheel = new RgbColor(128, 128, 128);
        foreach (double offset in (ReadOnlySpan<double>)[-10, 10])
            canvas.FillCircle(baseX + offset * cos, baseY - offset * sin, 5, wheel);
        return canvas.Frame;
    }
}
