using PolicyLab.Environments;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// InvertedPendulum-v4/-v5: keep a pole upright on a cart. Observation: (cart x, pole angle, their velocities). Reward:
/// 1 per step (v5: 1 unless the step terminates). Terminated iff the observation is not finite or |angle| &gt; 0.2.
/// Reset: U(±0.01) on qpos and qvel.
/// </summary>
public sealed class InvertedPendulum : MuJoCoEnvironment
{
    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public InvertedPendulum(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 2,
        double resetNoiseScale = 0.01, bool ownsModel = false)
        : base(model ?? MuJoCoModel.Embedded("inverted_pendulum.xml"), 4, frameSkip, ownsModel)
    {
        Version = version;
        ResetNoiseScale = resetNoiseScale;
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Half-width of the uniform reset noise.</summary>
    public double ResetNoiseScale { get; }

    /// <inheritdoc />
    protected override void DrawResetState(Span<double> qpos, Span<double> qvel)
    {
        AddUniformNoise(qpos, ResetNoiseScale);
        AddUniformNoise(qvel, ResetNoiseScale);
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        Simulate(action);
        bool terminated = !AllFinite(Simulation.Qpos) || !AllFinite(Simulation.Qvel) || Math.Abs(Simulation.Qpos[1]) > 0.2;
        double reward = Version == MuJoCoVersion.V4 ? 1.0 : terminated ? 0.0 : 1.0;
        if (Version == MuJoCoVersion.V5)
            Info.Set(MuJoCoInfoKeys.RewardSurvive, reward);
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation[0] = (float)Simulation.Qpos[0];
        observation[1] = (float)Simulation.Qpos[1];
        observation[2] = (float)Simulation.Qvel[0];
        observation[3] = (float)Simulation.Qvel[1];
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Fixed(0, 0, 0.2, distance: 2.6, elevation: 0.15);
}

/// <summary>
/// InvertedDoublePendulum-v4/-v5: balance two poles in series on a cart. Observation: cart x, sin and cos of both hinge
/// angles, clip(qvel, ±10) and clip(qfrc_constraint, ±10) (v4 all three entries: 11 dims; v5 the first: 9). Reward:
/// alive − (0.01·x_tip² + (y_tip − 2)²) − (1e-3·ω1² + 5e-3·ω2²), alive = 10 (v5: healthy_reward unless terminated).
/// Terminated iff the tip height y_tip ≤ 1. Reset: qpos0 + U(±0.1), qvel = 0.1·N(0, 1).
/// </summary>
public sealed class InvertedDoublePendulum : MuJoCoEnvironment
{
    private readonly int _tip;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public InvertedDoublePendulum(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 5,
        double healthyReward = 10.0, double resetNoiseScale = 0.1, bool ownsModel = false)
        : base(model ?? MuJoCoModel.Embedded("inverted_double_pendulum.xml"), version == MuJoCoVersion.V4 ? 11 : 9, frameSkip, ownsModel)
    {
        Version = version;
        HealthyReward = healthyReward;
        ResetNoiseScale = resetNoiseScale;
        _tip = Model.RequireId(MuJoCoObject.Site, "tip");
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>The alive bonus (v4 always 10).</summary>
    public double HealthyReward { get; }
    /// <summary>Half-width of the uniform qpos noise and std of the Gaussian qvel noise.</summary>
    public double ResetNoiseScale { get; }

    /// <inheritdoc />
    protected override void DrawResetState(Span<double> qpos, Span<double> qvel)
    {
        AddUniformNoise(qpos, ResetNoiseScale);
        AddGaussianNoise(qvel, ResetNoiseScale);
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        Simulate(action);
        double x = Simulation.SitePositions[3 * _tip], y = Simulation.SitePositions[3 * _tip + 2];
        double distancePenalty = 0.01 * x * x + (y - 2) * (y - 2);
        double v1 = Simulation.Qvel[1], v2 = Simulation.Qvel[2];
        double velocityPenalty = 1e-3 * v1 * v1 + 5e-3 * v2 * v2;
        bool terminated = y <= 1;
        double alive = Version == MuJoCoVersion.V4 ? 10.0 : terminated ? 0.0 : HealthyReward;
        if (Version == MuJoCoVersion.V5)
        {
            Info.Set(MuJoCoInfoKeys.RewardSurvive, alive);
            Info.Set(MuJoCoInfoKeys.DistancePenalty, distancePenalty);
            Info.Set(MuJoCoInfoKeys.VelocityPenalty, velocityPenalty);
        }
        return new StepResult(alive - distancePenalty - velocityPenalty, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel, constraint = Simulation.ConstraintForces;
        observation[0] = (float)qpos[0];
        observation[1] = (float)Math.Sin(qpos[1]);
        observation[2] = (float)Math.Sin(qpos[2]);
        observation[3] = (float)Math.Cos(qpos[1]);
        observation[4] = (float)Math.Cos(qpos[2]);
        for (int i = 0; i < 3; i++)
            observation[5 + i] = (float)Math.Clamp(qvel[i], -10.0, 10.0);
        int constraints = Version == MuJoCoVersion.V4 ? 3 : 1;
        for (int i = 0; i < constraints; i++)
            observation[8 + i] = (float)Math.Clamp(constraint[i], -10.0, 10.0);
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Fixed(0, 0, 0.6, distance: 4.0, elevation: 0.3);
}

/// <summary>
/// Reacher-v4/-v5: move a two-link arm's fingertip to a random target. Observation: cos and sin of the two joint
/// angles, the target position, the joint velocities and fingertip − target (v4 3-D: 11 dims; v5 x, y: 10). Reward:
/// −reward_dist_weight·‖fingertip − target‖ − reward_control_weight·‖a‖², computed before the physics step in v4 and
/// after it in v5. Never terminates (50-step limit). Reset: qpos0 + U(±0.1) on the arm, a target drawn U(±0.2)² until
/// inside the radius-0.2 disc, arm velocities U(±0.005), target velocity 0.
/// </summary>
public sealed class Reacher : MuJoCoEnvironment
{
    private readonly int _fingertip, _target;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Reacher(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 2,
        double rewardDistWeight = 1.0, double rewardControlWeight = 1.0, bool ownsModel = false)
        : base(model ?? MuJoCoModel.Embedded("reacher.xml"), version == MuJoCoVersion.V4 ? 11 : 10, frameSkip, ownsModel)
    {
        Version = version;
        RewardDistWeight = rewardDistWeight;
        RewardControlWeight = rewardControlWeight;
        _fingertip = Model.RequireId(MuJoCoObject.Body, "fingertip");
        _target = Model.RequireId(MuJoCoObject.Body, "target");
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Weight of the distance term.</summary>
    public double RewardDistWeight { get; }
    /// <summary>Weight of the control term.</summary>
    public double RewardControlWeight { get; }

    /// <inheritdoc />
    protected override void DrawResetState(Span<double> qpos, Span<double> qvel)
    {
        AddUniformNoise(qpos, 0.1);
        double gx, gy;
        do
        {
            gx = Random.Uniform(-0.2, 0.2);
            gy = Random.Uniform(-0.2, 0.2);
        }
        while (Math.Sqrt(gx * gx + gy * gy) >= 0.2);
        qpos[^2] = gx;
        qpos[^1] = gy;
        AddUniformNoise(qvel, 0.005);
        qvel[^2] = 0;
        qvel[^1] = 0;
    }

    private double Distance()
    {
        ReadOnlySpan<double> xpos = Simulation.BodyPositions;
        double dx = xpos[3 * _fingertip] - xpos[3 * _target];
        double dy = xpos[3 * _fingertip + 1] - xpos[3 * _target + 1];
        double dz = xpos[3 * _fingertip + 2] - xpos[3 * _target + 2];
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        double distance;
        if (Version == MuJoCoVersion.V4)
        {
            distance = Distance();
            Simulate(action);
        }
        else
        {
            Simulate(action);
            distance = Distance();
        }
        double rewardDist = -RewardDistWeight * distance;
        double rewardCtrl = -RewardControlWeight * SquaredNorm(action);
        Info.Set(MuJoCoInfoKeys.RewardDistance, rewardDist);
        Info.Set(MuJoCoInfoKeys.RewardCtrl, rewardCtrl);
        return new StepResult(rewardDist + rewardCtrl, false, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel, xpos = Simulation.BodyPositions;
        observation[0] = (float)Math.Cos(qpos[0]);
        observation[1] = (float)Math.Cos(qpos[1]);
        observation[2] = (float)Math.Sin(qpos[0]);
        observation[3] = (float)Math.Sin(qpos[1]);
        observation[4] = (float)qpos[2];
        observation[5] = (float)qpos[3];
        observation[6] = (float)qvel[0];
        observation[7] = (float)qvel[1];
        int components = Version == MuJoCoVersion.V4 ? 3 : 2;
        for (int k = 0; k < components; k++)
            observation[8 + k] = (float)(xpos[3 * _fingertip + k] - xpos[3 * _target + k]);
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Above(bodyToTrack: 0, height: 0.9);
}
