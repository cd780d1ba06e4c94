using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// Acrobot-v1: a two-link pendulum actuated at the middle joint with torque −1, 0 or +1 (actions 0, 1, 2). One
/// classical RK4 step of 0.2 s per action on the "book" equations of motion; angles are wrapped into [−π, π] and the
/// angular velocities clamped to ±4π and ±9π. Terminates when −cos θ1 − cos(θ1 + θ2) &gt; 1; reward −1 per step and
/// 0 on the terminating step. The observation is (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2) as float32.
/// </summary>
/// <remarks>Reset draws the four state components from U(−0.1, 0.1) (or the <see cref="ResetOptions"/> interval) and,
/// as in Gymnasium, rounds them to float32; later arithmetic is float64.</remarks>
public sealed class Acrobot : EnvironmentBase
{
    /// <summary>Integration step (s).</summary>
    public const double Dt = 0.2;
    /// <summary>Length of link 1 (m).</summary>
    public const double Link1Length = 1.0;
    /// <summary>Length of link 2 (m).</summary>
    public const double Link2Length = 1.0;
    /// <summary>Mass of link 1 (kg).</summary>
    public const double Link1Mass = 1.0;
    /// <summary>Mass of link 2 (kg).</summary>
    public const double Link2Mass = 1.0;
    /// <summary>Position of link 1's centre of mass (m).</summary>
    public const double Link1CenterOfMass = 0.5;
    /// <summary>Position of link 2's centre of mass (m).</summary>
    public const double Link2CenterOfMass = 0.5;
    /// <summary>Moment of inertia of each link.</summary>
    public const double MomentOfInertia = 1.0;
    /// <summary>Gravity (m/s²).</summary>
    public const double Gravity = 9.8;
    /// <summary>Velocity limit of joint 1 (4π rad/s).</summary>
    public const double MaxVelocity1 = 4 * Math.PI;
    /// <summary>Velocity limit of joint 2 (9π rad/s).</summary>
    public const double MaxVelocity2 = 9 * Math.PI;

    private readonly double[] _state = new double[4];

    /// <summary>Creates the environment.</summary>
    public Acrobot()
        : base(
            new Box([-1f, -1f, -1f, -1f, -(float)MaxVelocity1, -(float)MaxVelocity2], [1f, 1f, 1f, 1f, (float)MaxVelocity1, (float)MaxVelocity2]),
            new Discrete(3))
    {
    }

    /// <summary>The physical state (θ1, θ2, θ̇1, θ̇2). Assigning it also starts an episode from that state.</summary>
    public double[] State
    {
        get => (double[])_state.Clone();
        set
        {
            StateValidation.Check(value, 4, Id);
            value.CopyTo(_state, 0);
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
        (double low, double high) = ResetOptions.Interval(options, -0.1, 0.1, Id);
        for (int i = 0; i < 4; i++)
            _state[i] = (float)Random.Uniform(low, high);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        float a = action[0];
        int index = (int)a;
        if (index != a || (uint)index > 2)
            ThrowInvalidDiscreteAction(a, 3);
        double torque = index - 1.0;

        Span<double> y = stackalloc double[4];
        Span<double> k1 = stackalloc double[4];
        Span<double> k2 = stackalloc double[4];
        Span<double> k3 = stackalloc double[4];
        Span<double> k4 = stackalloc double[4];
        Span<double> probe = stackalloc double[4];
        _state.CopyTo(y);
        const double half = Dt / 2.0;
        Derivatives(y, torque, k1);
        for (int i = 0; i < 4; i++) probe[i] = y[i] + half * k1[i];
        Derivatives(probe, torque, k2);
        for (int i = 0; i < 4; i++) probe[i] = y[i] + half * k2[i];
        Derivatives(probe, torque, k3);
        for (int i = 0; i < 4; i++) probe[i] = y[i] + Dt * k3[i];
        Derivatives(probe, torque, k4);
        for (int i = 0; i < 4; i++)
            y[i] += Dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

        _state[0] = Wrap(y[0]);
        _state[1] = Wrap(y[1]);
        _state[2] = Math.Clamp(y[2], -MaxVelocity1, MaxVelocity1);
        _state[3] = Math.Clamp(y[3], -MaxVelocity2, MaxVelocity2);
        bool terminated = -Math.Cos(_state[0]) - Math.Cos(_state[1] + _state[0]) > 1.0;
        return new StepResult(terminated ? 0.0 : -1.0, terminated, false);
    }

    /// <summary>The time derivative (θ̇1, θ̇2, θ̈1, θ̈2) of the "book" acrobot at state <paramref name="s"/>.</summary>
    internal static void Derivatives(ReadOnlySpan<double> s, double torque, Span<double> derivative)
    {
        const double m1 = Link1Mass, m2 = Link2Mass, l1 = Link1Length, lc1 = Link1CenterOfMass, lc2 = Link2CenterOfMass;
        const double i1 = MomentOfInertia, i2 = MomentOfInertia, g = Gravity;
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
        double cos2 = Math.Cos(theta2), sin2 = Math.Sin(theta2);
        double d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * cos2) + i1 + i2;
        double d2 = m2 * ((lc2 * lc2) + l1 * lc2 * cos2) + i2;
        double phi2 = m2 * lc2 * g * Math.Cos(theta1 + theta2 - Math.PI / 2.0);
        double phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2
                      - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
                      + (m1 * lc1 + m2 * l1) * g * Math.Cos(theta1 - Math.PI / 2)
                      + phi2;
        double ddtheta2 = (torque + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2 - phi2)
                          / (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1);
        double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        derivative[0] = dtheta1;
        derivative[1] = dtheta2;
        derivative[2] = ddtheta1;
        derivative[3] = ddtheta2;
    }

    /// <summary>Brings an angle into [−π, π] by whole turns.</summary>
    internal static double Wrap(double angle)
    {
        const double turn = 2 * Math.PI;
        while (angle > Math.PI)
            angle -= turn;
        while (angle < -Math.PI)
            angle += turn;
        return angle;
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        (double sin1, double cos1) = Math.SinCos(_state[0]);
        (double sin2, double cos2) = Math.SinCos(_state[1]);
        observation[0] = (float)cos1;
        observation[1] = (float)sin1;
        observation[2] = (float)cos2;
        observation[3] = (float)sin2;
        observation[4] = (float)_state[2];
        observation[5] = (float)_state[3];
    }

    /// <summary>Pixels per metre in the rendered 500×500 frame.</summary>
    public const double RenderScale = 500 / (2 * (Link1Length + Link2Length + 0.2));

    /// <summary>Draws a 500×500 frame: the pivot at the centre, both links, the joints and the goal line.</summary>
    public override RgbFrame Render()
    {
        const int size = 500;
        var canvas = new Canvas(size, size);
        canvas.Clear(RgbColor.White);
        double cx = size / 2.0, cy = size / 2.0;
        canvas.DrawLine(0, cy - 1.0 * RenderScale, size, cy - 1.0 * RenderScale, 1, RgbColor.Black);
        (double x1, double y1) = (cx + Link1Length * RenderScale * Math.Sin(_state[0]), cy + Link1Length * RenderScale * Math.Cos(_state[0]));
        double both = _state[0] + _state[1];
        (double x2, double y2) = (x1 + Link2Length * RenderScale * Math.Sin(both), y1 + Link2Length * RenderScale * Math.Cos(both));
        var link = new RgbColor(0, 204, 204);
        var joint = new RgbColor(204, 204, 0);
        canvas.DrawLine(cx, cy, x1, y1, 0.2 * RenderScale, link);
        canvas.DrawLine(x1, y1, x2, y2, 0.2 * RenderScale, link);
        canvas.FillCircle(cx, cy, 0.1 * RenderScale, joint);
        canvas.FillCircle(x1, y1, 0.1 * RenderScale, joint);
        return canvas.Frame;
    }
}
