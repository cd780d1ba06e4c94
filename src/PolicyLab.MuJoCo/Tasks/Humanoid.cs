using PolicyLab.Environments;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// Humanoid-v4/-v5: walk forward without falling. Observation: qpos[2:], qvel, cinert, cvel, qfrc_actuator and cfrc_ext
/// (v4 all rows: 376; v5 without the world body and the free joint's 6 actuator entries: 348). Reward:
/// 1.25·ẋ_com + 5·healthy − 0.1·Σ ctrl² (v5 also − min(5e-7·Σ cfrc_ext², 10)); ẋ_com from the mass-weighted mean of
/// the bodies' centres of mass. Healthy iff z = qpos[2] ∈ (1, 2), strict. Reset: U(±0.01) on qpos and qvel.
/// </summary>
public sealed class Humanoid : MuJoCoEnvironment
{
    private readonly bool _excludeXy;
    private readonly double _totalMass;
    private readonly int _leftTendon, _rightTendon;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Humanoid(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 5,
        double forwardRewardWeight = 1.25, double ctrlCostWeight = 0.1, double contactCostWeight = 5e-7, double contactCostMax = 10.0,
        double healthyReward = 5.0, bool terminateWhenUnhealthy = true, (double, double)? healthyZRange = null,
        double resetNoiseScale = 1e-2, bool excludeCurrentPositionsFromObservation = true, bool ownsModel = false)
        : this(version, model ?? MuJoCoModel.Embedded("humanoid.xml"), frameSkip, excludeCurrentPositionsFromObservation, ownsModel)
    {
        ForwardRewardWeight = forwardRewardWeight;
        CtrlCostWeight = ctrlCostWeight;
        ContactCostWeight = contactCostWeight;
        ContactCostMax = contactCostMax;
        HealthyReward = healthyReward;
        TerminateWhenUnhealthy = terminateWhenUnhealthy;
        HealthyZRange = healthyZRange ?? (1.0, 2.0);
        ResetNoiseScale = resetNoiseScale;
    }

    private Humanoid(MuJoCoVersion version, MuJoCoModel model, int frameSkip, bool exclude, bool ownsModel)
        : base(model, ObservationLength(version, model, exclude), frameSkip, ownsModel)
    {
        Version = version;
        _excludeXy = exclude;
        foreach (double m in model.BodyMass)
            _totalMass += m;
        _leftTendon = model.Id(MuJoCoObject.Tendon, "left_hipknee");
        _rightTendon = model.Id(MuJoCoObject.Tendon, "right_hipknee");
    }

    private static int ObservationLength(MuJoCoVersion version, MuJoCoModel model, bool exclude)
    {
        int bodies = version == MuJoCoVersion.V4 ? model.BodyCount : model.BodyCount - 1;
        int actuatorForces = version == MuJoCoVersion.V4 ? model.Nv : model.Nv - 6;
        return model.Nq - (exclude ? 2 : 0) + model.Nv + 10 * bodies + 6 * bodies + actuatorForces + 6 * bodies;
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Weight of the centre-of-mass forward velocity.</summary>
    public double ForwardRewardWeight { get; }
    /// <summary>Weight of Σ ctrl².</summary>
    public double CtrlCostWeight { get; }
    /// <summary>Weight of Σ cfrc_ext² (v5).</summary>
    public double ContactCostWeight { get; }
    /// <summary>Upper clip of the contact cost (v5).</summary>
    public double ContactCostMax { get; }
    /// <summary>Reward per healthy step.</summary>
    public double HealthyReward { get; }
    /// <summary>End the episode when unhealthy.</summary>
    public bool TerminateWhenUnhealthy { get; }
    /// <summary>Open interval for the torso height.</summary>
    public (double Low, double High) HealthyZRange { get; }
    /// <summary>Half-width of the uniform reset noise.</summary>
    public double ResetNoiseScale { get; }

    /// <summary>Height strictly inside <see cref="HealthyZRange"/>.</summary>
    public bool IsHealthy => HealthyZRange.Low < Simulation.Qpos[2] && Simulation.Qpos[2] < HealthyZRange.High;

    private (double X, double Y) MassCenter()
    {
        ReadOnlySpan<double> mass = Model.BodyMass, xipos = Simulation.BodyInertialPositions;
        double x = 0, y = 0;
        for (int b = 0; b < mass.Length; b++)
        {
            x += mass[b] * xipos[3 * b];
            y += mass[b] * xipos[3 * b + 1];
        }
        return (x / _totalMass, y / _totalMass);
    }

    /// <inheritdoc />
    protected override void DrawResetState(Span<double> qpos, Span<double> qvel)
    {
        AddUniformNoise(qpos, ResetNoiseScale);
        AddUniformNoise(qvel, ResetNoiseScale);
    }

    /// <inheritdoc />
    protected override void WriteResetInfo()
    {
        if (Version == MuJoCoVersion.V5)
        {
            WritePositions();
            WriteTendons();
        }
    }

    private void WritePositions()
    {
        double x = Simulation.Qpos[0], y = Simulation.Qpos[1];
        Info.Set(MuJoCoInfoKeys.XPosition, x);
        Info.Set(MuJoCoInfoKeys.YPosition, y);
        Info.Set(MuJoCoInfoKeys.DistanceFromOrigin, Math.Sqrt(x * x + y * y));
    }

    private void WriteTendons()
    {
        if (_leftTendon < 0 || _rightTendon < 0)
            return;
        Info.Set(MuJoCoInfoKeys.TendonLengthLeft, Simulation.TendonLengths[_leftTendon]);
        Info.Set(MuJoCoInfoKeys.TendonLengthRight, Simulation.TendonLengths[_rightTendon]);
        Info.Set(MuJoCoInfoKeys.TendonVelocityLeft, Simulation.TendonVelocities[_leftTendon]);
        Info.Set(MuJoCoInfoKeys.TendonVelocityRight, Simulation.TendonVelocities[_rightTendon]);
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        (double xBefore, double yBefore) = MassCenter();
        Simulate(action);
        (double xAfter, double yAfter) = MassCenter();
        double xVelocity = (xAfter - xBefore) / Dt, yVelocity = (yAfter - yBefore) / Dt;
        double ctrlSum = 0;
        foreach (double c in Simulation.Ctrl)
            ctrlSum += c * c;
        double ctrlCost = CtrlCostWeight * ctrlSum;
        double forward = ForwardRewardWeight * xVelocity;
        bool healthy = IsHealthy;
        double survive = Version == MuJoCoVersion.V4
            ? (healthy || TerminateWhenUnhealthy ? HealthyReward : 0.0)
            : (healthy ? HealthyReward : 0.0);
        double contactCost = 0;
        if (Version == MuJoCoVersion.V5)
        {
            double sum = 0;
            foreach (double f in Simulation.ExternalForces)
                sum += f * f;
            contactCost = Math.Min(ContactCostWeight * sum, ContactCostMax);
        }
        double reward = forward + survive - ctrlCost - contactCost;
        bool terminated = !healthy && TerminateWhenUnhealthy;
        WritePositions();
        Info.Set(MuJoCoInfoKeys.XVelocity, xVelocity);
        Info.Set(MuJoCoInfoKeys.YVelocity, yVelocity);
        if (Version == MuJoCoVersion.V4)
        {
            Info.Set(MuJoCoInfoKeys.RewardLinearVelocity, forward);
            Info.Set(MuJoCoInfoKeys.RewardQuadraticCtrl, -ctrlCost);
            Info.Set(MuJoCoInfoKeys.RewardAlive, survive);
            Info.Set(MuJoCoInfoKeys.ForwardReward, forward);
        }
        else
        {
            Info.Set(MuJoCoInfoKeys.RewardSurvive, survive);
            Info.Set(MuJoCoInfoKeys.RewardForward, forward);
            Info.Set(MuJoCoInfoKeys.RewardCtrl, -ctrlCost);
            Info.Set(MuJoCoInfoKeys.RewardContact, -contactCost);
            WriteTendons();
        }
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        int o = 0;
        bool v4 = Version == MuJoCoVersion.V4;
        o = Append(observation, o, Simulation.Qpos[(_excludeXy ? 2 : 0)..]);
        o = Append(observation, o, Simulation.Qvel);
        o = Append(observation, o, Simulation.BodyInertias[(v4 ? 0 : 10)..]);
        o = Append(observation, o, Simulation.BodyVelocities[(v4 ? 0 : 6)..]);
        o = Append(observation, o, Simulation.ActuatorForces[(v4 ? 0 : 6)..]);
        Append(observation, o, Simulation.ExternalForces[(v4 ? 0 : 6)..]);
    }

    private static int Append(Span<float> observation, int offset, ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            observation[offset + i] = (float)values[i];
        return offset + values.Length;
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Side(bodyToTrack: 1, distance: 4.0, elevation: 1.0);
}
