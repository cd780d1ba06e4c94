using PolicyLab.Environments;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo.Tasks;

/// <summary>
/// HalfCheetah-v4/-v5: run forward. Observation: qpos[1:] and qvel (unclipped). Reward: forward_reward_weight·ẋ −
/// ctrl_cost_weight·‖a‖² (defaults 1 and 0.1). Never terminates. Reset: qpos0 + U(±0.1), qvel = 0.1·N(0, 1).
/// </summary>
public sealed class HalfCheetah : MuJoCoEnvironment
{
    private readonly bool _excludeX;

    /// <summary>Creates the task with Gymnasium's defaults unless overridden.</summary>
    public HalfCheetah(MuJoCoVersion version = MuJoCoVersion.V5, MuJoCoModel? model = null, int frameSkip = 5,
        double forwardRewardWeight = 1.0, double ctrlCostWeight = 0.1, double resetNoiseScale = 0.1,
        bool excludeCurrentPositionsFromObservation = true, bool ownsModel = false)
        : this(version, model ?? MuJoCoModel.Embedded("half_cheetah.xml"), frameSkip, forwardRewardWeight, ctrlCostWeight, resetNoiseScale,
            excludeCurrentPositionsFromObservation, ownsModel, 0)
    {
    }

    private HalfCheetah(MuJoCoVersion version, MuJoCoModel model, int frameSkip, double forwardRewardWeight, double ctrlCostWeight,
        double resetNoiseScale, bool exclude, bool ownsModel, int _)
        : base(model, model.Nq + model.Nv - (exclude ? 1 : 0), frameSkip, ownsModel)
    {
        Version = version;
        ForwardRewardWeight = forwardRewardWeight;
        CtrlCostWeight = ctrlCostWeight;
        ResetNoiseScale = resetNoiseScale;
        _excludeX = exclude;
    }

    /// <summary>v4 or v5 rules.</summary>
    public MuJoCoVersion Version { get; }
    /// <summary>Weight of the forward velocity.</summary>
    public double ForwardRewardWeight { get; }
    /// <summary>Weight of ‖a‖².</summary>
    public double CtrlCostWeight { get; }
    /// <summary>Half-width of the uniform qpos noise and std of the Gaussian qvel noise at reset.</summary>
    public double ResetNoiseScale { get; }

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
            Info.Set(MuJoCoInfoKeys.XPosition, Simulation.Qpos[0]);
    }

    /// <inheritdoc />
    protected override StepResult StepTask(ReadOnlySpan<double> action)
    {
        double xBefore = Simulation.Qpos[0];
        Simulate(action);
        double xAfter = Simulation.Qpos[0];
        double xVelocity = (xAfter - xBefore) / Dt;
        double ctrlCost = CtrlCostWeight * SquaredNorm(action);
        double forward = ForwardRewardWeight * xVelocity;
        Info.Set(MuJoCoInfoKeys.XPosition, xAfter);
        Info.Set(MuJoCoInfoKeys.XVelocity, xVelocity);
        Info.Set(Version == MuJoCoVersion.V4 ? MuJoCoInfoKeys.RewardRun : MuJoCoInfoKeys.RewardForward, forward);
        Info.Set(MuJoCoInfoKeys.RewardCtrl, -ctrlCost);
        return new StepResult(forward - ctrlCost, false, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<double> qpos = Simulation.Qpos, qvel = Simulation.Qvel;
        int o = 0;
        for (int i = _excludeX ? 1 : 0; i < qpos.Length; i++)
            observation[o++] = (float)qpos[i];
        foreach (double v in qvel)
            observation[o++] = (float)v;
    }

    /// <inheritdoc />
    protected override TrackingCamera Camera => TrackingCamera.Side(bodyToTrack: 1, distance: 3.5, elevation: 0.5);
}
