using System.Runtime.CompilerServices;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.ClassicControl;

/// <summary>
/// CartPole-v1: balance a pole hinged on a cart by pushing the cart left (action 0) or right (action 1) with a force
/// of 10 N. Explicit-Euler dynamics with τ = 0.02 s on a float64 state (x, ẋ, θ, θ̇); the observation is the state
/// cast to float32. The episode terminates when |x| &gt; 2.4 or |θ| &gt; 12°; every step, the terminating one included,
/// earns +1 (or, with <c>suttonBartoReward</c>, 0 per step and −1 on termination).
/// </summary>
/// <remarks>Reset reads <see cref="ResetOptions.Low"/>/<see cref="ResetOptions.High"/> (default ±0.05) as the interval
/// of the four i.i.d. uniform initial components.</remarks>
public sealed class CartPole : EnvironmentBase
{
    /// <summary>Gravity (m/s²).</summary>
    public const double Gravity = 9.8;
    /// <summary>Cart mass (kg).</summary>
    public const double CartMass = 1.0;
    /// <summary>Pole mass (kg).</summary>
    public const double PoleMass = 0.1;
    /// <summary>Cart plus pole mass.</summary>
    public const double TotalMass = PoleMass + CartMass;
    /// <summary>Half the pole's length (m).</summary>
    public const double HalfPoleLength = 0.5;
    /// <summary>Pole mass times half-length.</summary>
    public const double PoleMassLength = PoleMass * HalfPoleLength;
    /// <summary>Magnitude of the push (N).</summary>
    public const double ForceMagnitude = 10.0;
    /// <summary>Time step (s).</summary>
    public const double Tau = 0.02;
    /// <summary>Pole angle beyond which the episode terminates (12°, in radians).</summary>
    public const double ThetaThreshold = 12 * 2 * Math.PI / 360;
    /// <summary>Cart position beyond which the episode terminates (m).</summary>
    public const double XThreshold = 2.4;

    private double _x, _xDot, _theta, _thetaDot;

    /// <summary>Creates the environment.</summary>
    /// <param name="suttonBartoReward">Use the original reward: 0 per step and −1 on termination.</param>
    public CartPole(bool suttonBartoReward = false)
        : base(
            new Box(
                [-(float)(XThreshold * 2), float.NegativeInfinity, -(float)(ThetaThreshold * 2), float.NegativeInfinity],
                [(float)(XThreshold * 2), float.PositiveInfinity, (float)(ThetaThreshold * 2), float.PositiveInfinity]),
            new Discrete(2))
    {
        SuttonBartoReward = suttonBartoReward;
    }

    /// <summary>True when the Sutton–Barto reward is used.</summary>
    public bool SuttonBartoReward { get; }

    /// <summary>The physical state (x, ẋ, θ, θ̇). Assigning it also starts an episode from that state.</summary>
    public double[] State
    {
        get => [_x, _xDot, _theta, _thetaDot];
        set
        {
            StateValidation.Check(value, 4, Id);
            (_x, _xDot, _theta, _thetaDot) = (value[0], value[1], value[2], value[3]);
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
        (double low, double high) = options is null ? (-0.05, 0.05) : ResetOptions.Interval(options, -0.05, 0.05, Id);
        _x = Random.Uniform(low, high);
        _xDot = Random.Uniform(low, high);
        _theta = Random.Uniform(low, high);
        _thetaDot = Random.Uniform(low, high);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        float a = action[0];
        if (a != 0f && a != 1f)
            ThrowInvalidDiscreteAction(a, 2);
        bool terminated = Advance(ref _x, ref _xDot, ref _theta, ref _thetaDot, a == 1f);
        double reward = SuttonBartoReward ? (terminated ? -1.0 : 0.0) : 1.0;
        return new StepResult(reward, terminated, false);
    }

    /// <summary>One explicit-Euler step of the cart-pole dynamics; returns whether the new state is terminal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Advance(ref double x, ref double xDot, ref double theta, ref double thetaDot, bool pushRight)
    {
        (double sin, double cos) = Math.SinCos(theta);
        Integrate(ref x, ref xDot, ref theta, ref thetaDot, pushRight ? ForceMagnitude : -ForceMagnitude, sin, cos);
        return IsTerminal(x, theta);
    }

    /// <summary>The Euler update given the force and the sine and cosine of the current angle. The batched
    /// <see cref="Vector.CartPoleVectorEnvironment"/> repeats exactly these operations, in this order, on SIMD lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Integrate(ref double x, ref double xDot, ref double theta, ref double thetaDot, double force, double sin, double cos)
    {
        double temp = (force + PoleMassLength * (thetaDot * thetaDot) * sin) / TotalMass;
        double thetaAcc = (Gravity * sin - cos * temp) / (HalfPoleLength * (4.0 / 3.0 - PoleMass * (cos * cos) / TotalMass));
        double xAcc = temp - PoleMassLength * thetaAcc * cos / TotalMass;
        x += Tau * xDot;
        xDot += Tau * xAcc;
        theta += Tau * thetaDot;
        thetaDot += Tau * thetaAcc;
    }

    /// <summary>True when the cart left the track or the pole fell (strict inequalities).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsTerminal(double x, double theta) =>
        x < -XThreshold || x > XThreshold || theta < -ThetaThreshold || theta > ThetaThreshold;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected override void WriteObservation(Span<float> observation)
    {
        observation[3] = (float)_thetaDot;
        observation[2] = (float)_theta;
        observation[1] = (float)_xDot;
        observation[0] = (float)_x;
    }

    /// <summary>Draws a 600×400 frame: white background, black track and cart, brown pole, blue axle.</summary>
    public override RgbFrame Render() => Draw(_x, _theta);

    /// <summary>Pixels per metre in the rendered frame.</summary>
    public const double RenderScale = 600 / (XThreshold * 2);

    /// <summary>Height of the track above the bottom of the frame, in pixels.</summary>
    public const double RenderCartY = 100;

    internal static RgbFrame Draw(double x, double theta)
    {
        const int width = 600, height = 400;
        var canvas = new Canvas(width, height);
        canvas.Clear(RgbColor.White);
        double cartX = x * RenderScale + width / 2.0;
        double trackY = height - RenderCartY;
        canvas.DrawLine(0, trackY, width, trackY, 1, RgbColor.Black);
        canvas.FillRectangle(cartX - 25, trackY - 15, cartX + 25, trackY + 15, RgbColor.Black);
        double axleY = trackY - 30 / 4.0;
        double poleLength = RenderScale * 2 * HalfPoleLength;
        (double sin, double cos) = Math.SinCos(theta);
        // Pole as a rotated rectangle 10 px wide, leaning right for positive θ.
        double tipX = cartX + poleLength * sin, tipY = axleY - poleLength * cos;
        double nx = 5 * cos, ny = 5 * sin;
        ReadOnlySpan<double> pole = [cartX - nx, axleY - ny, tipX - nx, tipY - ny, tipX + nx, tipY + ny, cartX + nx, axleY + ny];
        canvas.FillPolygon(pole, new RgbColor(202, 152, 101));
        canvas.FillCircle(cartX, axleY, 5, new RgbColor(129, 132, 203));
        return canvas.Frame;
    }
}

/// <summary>Checks state vectors assigned to classic-control environments.</summary>
internal static class StateValidation
{
    /// <summary>Throws unless <paramref name="state"/> has <paramref name="length"/> finite values.</summary>
    public static void Check(double[]? state, int length, string id)
    {
        if (state is null || state.Length != length)
            throw new PolicyLabException($"{id}: a state has {length} values but {state?.Length ?? 0} were given. Pass all {length} state components.");
        foreach (double value in state)
        {
            if (!double.IsFinite(value))
                throw new PolicyLabException($"{id}: the state [{string.Join(", ", state)}] contains NaN or infinity. Pass finite values.");
        }
    }
}
