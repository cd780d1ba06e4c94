using PolicyLab.Environments;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// Ant-v4/-v5: walk forward on four legs. Observation: qpos[2:] (height, orientation quaternion, 8 joint angles), qvel,
/// and the clipped external contact forces — v5 by default (cfrc_ext of bodies 1…13, 105 dims), v4 only with
/// use_contact_forces (all 14 bodies, 111 dims; default 27). Reward: forward_reward_weight·ẋ_torso + healthy_reward −
/// ctrl_cost_weight·‖a‖² − contact_cost_weight·Σ clip(cfrc_ext)² (v5 always; v4 only with use_contact_forces). Healthy
/// iff the state is finite and z ∈ healthy_z_range (inclusive).
/// </summary>
public sealed class Ant : MuJoCoEnvironment
{
    private readonly bool _excludeXy;
    private readonly int _mainBody;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Ant(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 5,
        double forwardRewardWeight = 1.0, double ctrlCostWeight = 0.5, double contactCostWeight = 5e-4, double healthyReward = 1.0,
        bool terminateWhenUnhealthy = true, (double, double)? healthyZRange = null, (double, double)? contactForceRange = null,
        double resetNoiseScale = 0.1, bool excludeCurrentPositionsFromObservation = true, bool? includeContactForces = null,
        int mainBody = 1, bool ownsModel = false)
        : this(version, model ?? MuJoCoModel.Embedded("ant.xml"), frameSkip, excludeCurrentPositionsFromObservation,
            includeContactForces ?? (version == MuJoCoVersion.V5), ownsModel)
    {
        ForwardRewardWeight = forwardRewardWeight;
        CtrlCostWeight = ctrlCostWeight;
        ContactCostWeight = contactCostWeight;
        HealthyReward = healthyReward;
        TerminateWhenUnhealthy = terminateWhenUnhealthy;
        HealthyZRange = healthyZRange ?? (0.2, 1.0);
        ContactForceRange = contactForceRange ?? (-1.0, 1.0);
        ResetNoiseScale = resetNoiseScale;
        if (mainBody < 1 || mainBody >= Model.BodyCount)
            throw new PolicyLabException($"{Id}: main_body {mainBody} is not a body of the model (1 to {Model.BodyCount - 1}).");
        _mainBody = mainBody;
    }

    private Ant(MuJoCoVersion version, MuJoCoModel model, int frameSkip, bool exclude, bool contactForces, bool ownsModel)
        : base(model, ObservationLength(version, model, exclude, contactForces), frameSkip, ownsModel)
    {
        Version = version;
        _excludeXy = exclude;
        ContactForcesInObservation = contactForces;
    }

    private static int ObservationLength(MuJoCoVersion version, MuJoCoModel model, bool exclude, bool contactForces) =>
        model.Nq + model.Nv - (exclude ? 2 : 0) + (contactForces ? 6 * (version == MuJoCoVersion.V4 ? model.BodyCount : model.BodyCount - 1) : 0);

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Whether contact forces are observed (v5 include_cfrc_ext_in_observation; v4 use_contact_forces, which also adds the contact cost).</summary>
    public bool ContactForcesInObservation { get; }
    /// <summary>Weight of the forward velocity.</summary>
    public double ForwardRewardWeight { get; }
    /// <summary>Weight of ‖a‖².</summary>
    public double CtrlCostWeight { get; }
    /// <summary>Weight of the squared clipped contact forces.</summary>
    public double ContactCostWeight { get; }
    /// <summary>Reward per healthy step.</summary>
    public double HealthyReward { get; }
    /// <summary>End the episode when unhealthy.</summary>
    public bool TerminateWhenUnhealthy { get; }
    /// <summary>Closed interval for the torso height qpos[2].</summary>
    public (double Low, double High) HealthyZRange { get; }
    /// <summary>Interval the contact forces are clipped to.</summary>
    public (double Low, double High) ContactForceRange { get; }
    /// <summary>Half-width of the uniform qpos noise and std of the Gaussian qvel noise.</summary>
    public double ResetNoiseScale { get; }

    /// <summary>Finite state and height within <see cref="HealthyZRange"/> (inclusive).</summary>
    public bool IsHealthy
    {
        get
        {
            double z = Simulation.Qpos[2];
            return AllFinite(Simulation.Qpos) && AllFinite(Simulation.Qvel) && HealthyZRange.Low <= z && z <= HealthyZRange.High;
        }
    }

    private bool HasContactCost => Version == MuJoCoVersion.V5 || ContactForcesInObservation;

    private double ContactCost()
    {
        double sum = 0;
        foreach (double f in Simulation.ExternalForces)
        {
            double c = Math.Clamp(f, ContactForceRange.Low, ContactForceRange.High);
            sum += c * c;
        }
        return ContactCostWeight * sum;
    }

    /// <inheritdoc />
    protected override void DrawResetState(Span<double> qpos, Span<double> qvel)
    {
        AddUniformNoise(qpos, ResetNoiseScale);
        AddGaussianNoise(qvel, ResetNoiseScale);
    }

    /// <inheritdoc />
    protected override void WriteResetInfo()
    {
        if (Version == MuJoCoVersion.V5)
        {
            Info.Set(MuJoCoInfoKeys.XPosition, Simulation.Qpos[0]);
            Info.Set(MuJoCoInfoKeys.YPosition, Simulation.Qpos[1]);
            Info.Set(MuJoCoInfoKeys.DistanceFromOrigin, Math.Sqrt(Simulation.Qpos[0] * Simulation.Qpos[0] + Simulation.Qpos[1] * Simulation.Qpos[1]));
        }
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        double xBefore = Simulation.BodyPositions[3 * _mainBody], yBefore = Simulation.BodyPositions[3 * _mainBody + 1];
        Simulate(action);
        double xAfter = Simulation.BodyPositions[3 * _mainBody], yAfter = Simulation.BodyPositions[3 * _mainBody + 1];
        double xVelocity = (xAfter - xBefore) / Dt, yVelocity = (yAfter - yBefore) / Dt;
        bool healthy = IsHealthy;
        double forward = (Version == MuJoCoVersion.V4 ? 1.0 : ForwardRewardWeight) * xVelocity;
        double survive = Version == MuJoCoVersion.V4
            ? (healthy || TerminateWhenUnhealthy ? HealthyReward : 0.0)
            : (healthy ? HealthyReward : 0.0);
        double ctrlCost = CtrlCostWeight * SquaredNorm(action);
        double contactCost = HasContactCost ? ContactCost() : 0.0;
        double reward = forward + survive - ctrlCost - contactCost;
        bool terminated = !healthy && TerminateWhenUnhealthy;
        double x = Simulation.Qpos[0], y = Simulation.Qpos[1];
        Info.Set(MuJoCoInfoKeys.RewardForward, forward);
        // Gymnasium's v4 reports the contact cost under reward_ctrl when use_contact_forces is on (fixed in v5).
        Info.Set(MuJoCoInfoKeys.RewardCtrl, Version == MuJoCoVersion.V4 && ContactForcesInObservation ? -contactCost : -ctrlCost);
        if (Version == MuJoCoVersion.V5)
            Info.Set(MuJoCoInfoKeys.RewardContact, -contactCost);
        Info.Set(MuJoCoInfoKeys.RewardSurvive, survive);
        Info.Set(MuJoCoInfoKeys.XPosition, x);
        Info.Set(MuJoCoInfoKeys.YPosition, y);
        Info.Set(MuJoCoInfoKeys.DistanceFromOrigin, Math.Sqrt(x * x + y * y));
        Info.Set(MuJoCoInfoKeys.XVelocity, xVelocity);
        Info.Set(MuJoCoInfoKeys.YVelocity, yVelocity);
        if (Version == MuJoCoVersion.V4)
            Info.Set(MuJoCoInfoKeys.ForwardReward, forward);
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
        int o = 0;
        for (int i = _excludeXy ? 2 : 0; i < qpos.Length; i++)
            observation[o++] = (float)qpos[i];
        foreach (double v in qvel)
            observation[o++] = (float)v;
        if (ContactForcesInObservation)
        {
            ReadOnlySpan<double> forces = Simulation.ExternalForces[(Version == MuJoCoVersion.V4 ? 0 : 6)..];
            foreach (double f in forces)
                observation[o++] = (float)Math.Clamp(f, ContactForceRange.Low, ContactForceRange.High);
        }
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Side(bodyToTrack: 1, distance: 3.5, elevation: 0.4);
}
