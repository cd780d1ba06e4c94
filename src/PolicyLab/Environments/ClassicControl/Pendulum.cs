using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// Pendulum-v1: swing a pendulum up and keep it upright with a torque in [−2, 2]. Semi-implicit Euler with
/// dt = 0.05; the angular velocity is clamped to ±8. The reward is −(norm(θ)² + 0.1·θ̇² + 0.001·u²) computed from the
/// state before the step, where norm wraps into [−π, π) with a floored modulo. It never terminates (the registry's
/// time limit truncates at 200 steps). Torques outside [−2, 2] are clipped (with a one-time warning).
/// </summary>
/// <remarks>Reset draws θ ~ U(−a, a) then θ̇ ~ U(−b, b) with a = π and b = 1 unless
/// <see cref="ResetOptions.AngleHalfWidth"/>/<see cref="ResetOptions.VelocityHalfWidth"/> say otherwise.</remarks>
public sealed class Pendulum : EnvironmentBase
{
    /// <summary>Angular-velocity limit.</summary>
    public const double MaxSpeed = 8.0;
    /// <summary>Torque limit.</summary>
    public const double MaxTorque = 2.0;
    /// <summary>Time step (s).</summary>
    public const double Dt = 0.05;
    /// <summary>Pendulum mass.</summary>
    public const double Mass = 1.0;
    /// <summary>Pendulum length.</summary>
    public const double Length = 1.0;

    private double _theta, _thetaDot;

    /// <summary>Creates the environment.</summary>
    /// <param name="gravity">Gravitational acceleration g.</param>
    public Pendulum(double gravity = 10.0)
        : base(new Box([-1f, -1f, -(float)MaxSpeed], [1f, 1f, (float)MaxSpeed]), new Box(-(float)MaxTorque, (float)MaxTorque, 1))
    {
        if (!double.IsFinite(gravity))
            throw new PolicyLabException($"Pendulum: gravity must be a finite number; got {gravity}.");
        Gravity = gravity;
    }

    /// <summary>Gravitational acceleration.</summary>
    public double Gravity { get; }

    /// <summary>The physical state (θ, θ̇), θ = 0 upright. Assigning it also starts an episode from that state.</summary>
    public double[] State
    {
        get => [_theta, _thetaDot];
        set
        {
            StateValidation.Check(value, 2, Id);
            (_theta, _thetaDot) = (value[0], value[1]);
            MarkEpisodeActive();
        }
    }

    /// <summary>Wraps an angle into [−π, π): ((x + π) mod 2π) − π with a floored modulo.</summary>
    public static double NormalizeAngle(double angle)
    {
        const double turn = 2 * Math.PI;
        double shifted = angle + Math.PI;
        double remainder = shifted % turn; // truncated modulo, sign of the dividend
        if (remainder != 0)
        {
            if (remainder < 0)
                remainder += turn;
        }
        else
        {
            remainder = 0.0; // +0 as the floored modulo by a positive divisor gives
        }
        return remainder - Math.PI;
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
        double angle = options?.AngleHalfWidth ?? Math.PI;
        double velocity = options?.VelocityHalfWidth ?? 1.0;
        if (!(angle > 0) || !(velocity > 0) || !double.IsFinite(angle) || !double.IsFinite(velocity))
            throw new PolicyLabException($"{Id}: the reset half-widths must be positive and finite; got angle {angle} and velocity {velocity}.");
        _theta = Random.Uniform(-angle, angle);
        _thetaDot = Random.Uniform(-velocity, velocity);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        double u = action[0];
        if (!double.IsFinite(u))
            ThrowNonFiniteAction(u);
        if (u < -MaxTorque || u > MaxTorque)
        {
            u = Math.Clamp(u, -MaxTorque, MaxTorque);
            WarnOnce("torques outside [-2, 2] are clipped to the bounds, as in Gymnasium.");
        }
        double wrapped = NormalizeAngle(_theta);
        double cost = wrapped * wrapped + 0.1 * (_thetaDot * _thetaDot) + 0.001 * (u * u);
        double newThetaDot = _thetaDot + (3 * Gravity / (2 * Length) * Math.Sin(_theta) + 3.0 / (Mass * Length * Length) * u) * Dt;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        _theta += newThetaDot * Dt;
        _thetaDot = newThetaDot;
        return new StepResult(-cost, false, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        (double sin, double cos) = Math.SinCos(_theta);
        observation[0] = (float)cos;
        observation[1] = (float)sin;
        observation[2] = (float)_thetaDot;
    }

    /// <summary>Pixels per metre in the rendered 500×500 frame.</summary>
    public const double RenderScale = 500 / (2 * 2.2);

    /// <summary>Draws a 500×500 frame: a red rod from the centre (upright for θ = 0, counter-clockwise for θ &gt; 0).</summary>
    public override RgbFrame Render()
    {
        const int size = 500;
        var canvas = new Canvas(size, size);
        canvas.Clear(RgbColor.White);
        double cx = size / 2.0, cy = size / 2.0;
        (double sin, double cos) = Math.SinCos(_theta);
        double endX = cx - Length * RenderScale * sin, endY = cy - Length * RenderScale * cos;
        canvas.DrawLine(cx, cy, endX, endY, 0.2 * RenderScale, new RgbColor(204, 77, 77));
        canvas.FillCircle(cx, cy, 0.05 * RenderScale, RgbColor.Black);
        return canvas.Frame;
    }
}
