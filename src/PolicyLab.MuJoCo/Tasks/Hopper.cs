namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// Hopper-v4/-v5: hop forward on one leg. Observation: qpos[1:] (height, torso angle, three joint angles) and
/// clip(qvel, ±10). Reward: healthy_reward + forward_reward_weight·ẋ − ctrl_cost_weight·‖a‖². Healthy (strict
/// bounds): z ∈ healthy_z_range, torso angle ∈ healthy_angle_range and every element of (qpos[2:], qvel) ∈
/// healthy_state_range. v4 pays the healthy reward also on the terminating step; v5 only while healthy.
/// </summary>
public sealed class Hopper : PlanarWalker
{
    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Hopper(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 4,
        double forwardRewardWeight = 1.0, double ctrlCostWeight = 1e-3, double healthyReward = 1.0, bool terminateWhenUnhealthy = true,
        (double, double)? healthyStateRange = null, (double, double)? healthyZRange = null, (double, double)? healthyAngleRange = null,
        double resetNoiseScale = 5e-3, bool excludeCurrentPositionsFromObservation = true, bool ownsModel = false)
        : base(version, model ?? MuJoCoModel.Embedded("hopper.xml"), frameSkip, forwardRewardWeight, ctrlCostWeight, healthyReward,
            terminateWhenUnhealthy, healthyStateRange ?? (-100.0, 100.0), healthyZRange ?? (0.7, double.PositiveInfinity),
            healthyAngleRange ?? (-0.2, 0.2), resetNoiseScale, excludeCurrentPositionsFromObservation, checkState: true, ownsModel)
    {
    }
}

/// <summary>
/// Walker2d-v4/-v5: walk forward on two legs. Observation: qpos[1:] and clip(qvel, ±10). Reward as
/// <see cref="Hopper"/>; healthy iff z ∈ (0.8, 2) and torso angle ∈ (−1, 1), strict. v4 loads the model with the right
/// foot's friction 0.9, v5 the one with both feet at 1.9.
/// </summary>
public sealed class Walker2d : PlanarWalker
{
    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Walker2d(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 4,
        double forwardRewardWeight = 1.0, double ctrlCostWeight = 1e-3, double healthyReward = 1.0, bool terminateWhenUnhealthy = true,
        (double, double)? healthyZRange = null, (double, double)? healthyAngleRange = null,
        double resetNoiseScale = 5e-3, bool excludeCurrentPositionsFromObservation = true, bool ownsModel = false)
        : base(version, model ?? MuJoCoModel.Embedded(version == MuJoCoVersion.V4 ? "walker2d.xml" : "walker2d_v5.xml"), frameSkip,
            forwardRewardWeight, ctrlCostWeight, healthyReward, terminateWhenUnhealthy, (double.NegativeInfinity, double.PositiveInfinity),
            healthyZRange ?? (0.8, 2.0), healthyAngleRange ?? (-1.0, 1.0), resetNoiseScale, excludeCurrentPositionsFromObservation,
            checkState: false, ownsModel)
    {
    }
}

/// <summary>The shared rules of Hopper and Walker2d (planar robots on rootx/rootz/rooty).</summary>
public abstract class PlanarWalker : MuJoCoEnvironment
{
    private readonly bool _excludeX, _checkState;
    private readonly double _initialZ;

    /// <summary>Creates the task.</summary>
    protected PlanarWalker(MuJoCoVersion version, MuJoCoModel model, int frameSkip, double forwardRewardWeight, double ctrlCostWeight,
        double healthyReward, bool terminateWhenUnhealthy, (double, double) healthyStateRange, (double, double) healthyZRange,
        (double, double) healthyAngleRange, double resetNoiseScale, bool excludeCurrentPositionsFromObservation, bool checkState, bool ownsModel)
        : base(model, model.Nq + model.Nv - (excludeCurrentPositionsFromObservation ? 1 : 0), frameSkip, ownsModel)
    {
        Version = version;
        ForwardRewardWeight = forwardRewardWeight;
        CtrlCostWeight = ctrlCostWeight;
        HealthyReward = healthyReward;
        TerminateWhenUnhealthy = terminateWhenUnhealthy;
        HealthyStateRange = healthyStateRange;
        HealthyZRange = healthyZRange;
        HealthyAngleRange = healthyAngleRange;
        ResetNoiseScale = resetNoiseScale;
        _excludeX = excludeCurrentPositionsFromObservation;
        _checkState = checkState;
        _initialZ = model.Qpos0[1];
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Weight of the forward velocity.</summary>
    public double ForwardRewardWeight { get; }
    /// <summary>Weight of ‖a‖².</summary>
    public double CtrlCostWeight { get; }
    /// <summary>Reward per healthy step.</summary>
    public double HealthyReward { get; }
    /// <summary>End the episode when unhealthy.</summary>
    public bool TerminateWhenUnhealthy { get; }
    /// <summary>Open interval for every element of (qpos[2:], qvel) (Hopper).</summary>
    public (double Low, double High) HealthyStateRange { get; }
    /// <summary>Open interval for the height qpos[1].</summary>
    public (double Low, double High) HealthyZRange { get; }
    /// <summary>Open interval for the torso angle qpos[2].</summary>
    public (double Low, double High) HealthyAngleRange { get; }
    /// <summary>Half-width of the uniform reset noise on qpos and qvel.</summary>
    public double ResetNoiseScale { get; }

    /// <summary>Whether the current state is healthy (strict bounds).</summary>
    public bool IsHealthy
    {
        get
        {
            ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
            double z = qpos[1], angle = qpos[2];
            if (_checkState)
            {
                foreach (double v in qpos[2..]) if (!(HealthyStateRange.Low < v && v < HealthyStateRange.High)) return false;
                foreach (double v in qvel) if (!(HealthyStateRange.Low < v && v < HealthyStateRange.High)) return false;
            }
            return HealthyZRange.Low < z && z < HealthyZRange.High && HealthyAngleRange.Low < angle && angle < HealthyAngleRange.High;
        }
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
            Info.Set(MuJoCoInfoKeys.XPosition, Simulation.Qpos[0]);
            Info.Set(MuJoCoInfoKeys.ZDistanceFromOrigin, Simulation.Qpos[1] - _initialZ);
        }
    }

    /// <inheritdoc />
    protected override Environments.StepResult StepTask(ReadOnlySpan<double> action)
    {
        double xBefore = Simulation.Qpos[0];
        Simulate(action);
        double xAfter = Simulation.Qpos[0];
        double xVelocity = (xAfter - xBefore) / Dt;
        double ctrlCost = CtrlCostWeight * SquaredNorm(action);
        double forward = ForwardRewardWeight * xVelocity;
        bool healthy = IsHealthy;
        double survive = Version == MuJoCoVersion.V4
            ? (healthy || TerminateWhenUnhealthy ? HealthyReward : 0.0)
            : (healthy ? HealthyReward : 0.0);
        double reward = forward + survive - ctrlCost;
        bool terminated = !healthy && TerminateWhenUnhealthy;
        Info.Set(MuJoCoInfoKeys.XPosition, xAfter);
        Info.Set(MuJoCoInfoKeys.XVelocity, xVelocity);
        if (Version == MuJoCoVersion.V5)
        {
            Info.Set(MuJoCoInfoKeys.ZDistanceFromOrigin, Simulation.Qpos[1] - _initialZ);
            Info.Set(MuJoCoInfoKeys.RewardForward, forward);
            Info.Set(MuJoCoInfoKeys.RewardCtrl, -ctrlCost);
            Info.Set(MuJoCoInfoKeys.RewardSurvive, survive);
        }
        return new Environments.StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
        int o = 0;
        for (int i = _excludeX ? 1 : 0; i < qpos.Length; i++)
            observation[o++] = (float)qpos[i];
        foreach (double v in qvel)
            observation[o++] = (float)Math.Clamp(v, -10.0, 10.0);
    }

    /// <inheritdoc />
    protected override Rendering.TrackingCamera Camera => Rendering.TrackingCamera.Side(bodyToTrack: 1, distance: 4.0, elevation: 1.15);
}
