using PolicyLab.Environments;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// Swimmer-v4/-v5: swim forward through a viscous medium. Observation: qpos[2:] (body angle, two joint angles) and
/// qvel. Reward: forward_reward_weight·ẋ − ctrl_cost_weight·‖a‖² (defaults 1 and 1e-4), x = qpos[0]. Never
/// terminates. Reset: qpos0 + U(±0.1), qvel = U(±0.1).
/// </summary>
public sealed class Swimmer : MuJoCoEnvironment
{
    private readonly bool _excludeXy;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public Swimmer(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 4,
        double forwardRewardWeight = 1.0, double ctrlCostWeight = 1e-4, double resetNoiseScale = 0.1,
        bool excludeCurrentPositionsFromObservation = true, bool ownsModel = false)
        : this(version, model ?? MuJoCoModel.Embedded("swimmer.xml"), frameSkip, forwardRewardWeight, ctrlCostWeight, resetNoiseScale,
            excludeCurrentPositionsFromObservation, ownsModel, 0)
    {
    }

    private Swimmer(MuJoCoVersion version, MuJoCoModel model, int frameSkip, double forwardRewardWeight, double ctrlCostWeight,
        double resetNoiseScale, bool exclude, bool ownsModel, int _)
        : base(model, model.Nq + model.Nv - (exclude ? 2 : 0), frameSkip, ownsModel)
    {
        Version = version;
        ForwardRewardWeight = forwardRewardWeight;
        CtrlCostWeight = ctrlCostWeight;
        ResetNoiseScale = resetNoiseScale;
        _excludeXy = exclude;
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Weight of the forward velocity.</summary>
    public double ForwardRewardWeight { get; }
    /// <summary>Weight of ‖a‖².</summary>
    public double CtrlCostWeight { get; }
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
        double xBefore = Simulation.Qpos[0], yBefore = Simulation.Qpos[1];
        Simulate(action);
        double xAfter = Simulation.Qpos[0], yAfter = Simulation.Qpos[1];
        double xVelocity = (xAfter - xBefore) / Dt, yVelocity = (yAfter - yBefore) / Dt;
        double forward = ForwardRewardWeight * xVelocity;
        double ctrlCost = CtrlCostWeight * SquaredNorm(action);
        Info.Set(Version == MuJoCoVersion.V4 ? MuJoCoInfoKeys.RewardForwardSwimmer : MuJoCoInfoKeys.RewardForward, forward);
        Info.Set(MuJoCoInfoKeys.RewardCtrl, -ctrlCost);
        Info.Set(MuJoCoInfoKeys.XPosition, xAfter);
        Info.Set(MuJoCoInfoKeys.YPosition, yAfter);
        Info.Set(MuJoCoInfoKeys.DistanceFromOrigin, Math.Sqrt(xAfter * xAfter + yAfter * yAfter));
        Info.Set(MuJoCoInfoKeys.XVelocity, xVelocity);
        Info.Set(MuJoCoInfoKeys.YVelocity, yVelocity);
        if (Version == MuJoCoVersion.V4)
            Info.Set(MuJoCoInfoKeys.ForwardReward, forward);
        return new StepResult(forward - ctrlCost, false, false);
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
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Above(bodyToTrack: 2, height: 5.0);
}
