using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// MountainCar-v0: drive an under-powered car up the right hill. Actions 0/1/2 push left / nothing / right. State
/// (position, velocity) in float64; −1 reward every step, terminated when position ≥ 0.5 and velocity ≥ the goal
/// velocity (0 by default). The left wall at −1.2 is inelastic.
/// </summary>
public sealed class MountainCar : MountainCarBase
{
    /// <summary>Position to reach.</summary>
    public const double GoalPosition = 0.5;
    /// <summary>Acceleration of a push.</summary>
    public const double Force = 0.001;

    /// <summary>Creates the environment.</summary>
    /// <param name="goalVelocity">Minimum velocity at the goal for the episode to terminate.</param>
    public MountainCar(double goalVelocity = 0.0) : base(new Discrete(3), GoalPosition, goalVelocity) { }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        float a = action[0];
        int index = (int)a;
        if (index != a || (uint)index > 2)
            ThrowInvalidDiscreteAction(a, 3);
        (Position, Velocity, bool terminated) = Move((index - 1) * Force + Math.Cos(3 * Position) * -GravityCoefficient);
        return new StepResult(-1.0, terminated, false);
    }
}

/// <summary>Draws the mountain-car scene (shared by the discrete and continuous variants).</summary>
internal static class MountainCarDrawing
{
    public const int Width = 600, Height = 400;
    public const double Scale = Width / (MountainCarBase.MaxPosition - MountainCarBase.MinPosition);

    /// <summary>Track height at a position (rendering only).</summary>
    public static double TrackHeight(double position) => 0.45 * Math.Sin(3 * position) + 0.55;

    /// <summary>Screen coordinates of a point on the track.</summary>
    public static (double X, double Y) ToScreen(double position, double lift = 0) =>
        ((position - MountainCarBase.MinPosition) * Scale, Height - (TrackHeight(position) * Scale + lift));

    public static RgbFrame Draw(double position, double goalPosition)
    {
        var canvas = new Canvas(Width, Height);
        canvas.Clear(RgbColor.White);
        Span<double> track = stackalloc double[2 * 100];
        for (int i = 0; i < 100; i++)
        {
            double p = MountainCarBase.MinPosition + (MountainCarBase.MaxPosition - MountainCarBase.MinPosition) * i / 99;
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
