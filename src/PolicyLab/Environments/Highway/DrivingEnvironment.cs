using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Highway;

/// <summary>
/// The common part of the driving environments (highway-env's AbstractEnv): configuration, the road and the agent's
/// vehicle, the observation and action types, and the step: time advances by 1/policy_frequency, then
/// simulation_frequency/policy_frequency frames run (the action applied on the first; every frame all vehicles act,
/// integrate over 1/simulation_frequency and are checked for collisions). Subclasses build the scene and define the
/// reward, termination and truncation. Deterministic given the seed; a step allocates nothing.
/// </summary>
public abstract class DrivingEnvironment : EnvironmentBase
{
    private readonly KinematicsObservation? _kinematics;
    private readonly OccupancyGridObservation? _grid;
    private readonly MetaAction[] _metaActions;
    private readonly string _name;

    /// <summary>Creates the environment from a validated configuration.</summary>
    protected DrivingEnvironment(string name, HighwayConfig config)
        : this(name, config ?? throw new ArgumentNullException(nameof(config)), Build(config.Validate(name)))
    {
    }

    private DrivingEnvironment(string name, HighwayConfig config, (Space Observation, Space Action, KinematicsObservation? Kinematics, OccupancyGridObservation? Grid) parts)
        : base(parts.Observation, parts.Action)
    {
        _name = name;
        Config = config;
        _kinematics = parts.Kinematics;
        _grid = parts.Grid;
        _metaActions = DrivingActions.MetaActions(config.Action);
        Road = new Road(new RoadNetwork(), Random);
    }

    private static (Space, Space, KinematicsObservation?, OccupancyGridObservation?) Build(HighwayConfig config)
    {
        Space action = config.Action.Type == DrivingActionType.DiscreteMetaAction
            ? new Discrete(DrivingActions.MetaActions(config.Action).Length)
            : new Box(-1f, 1f, (config.Action.Longitudinal ? 1 : 0) + (config.Action.Lateral ? 1 : 0));
        if (config.Observation.Type == DrivingObservationType.Kinematics)
        {
            var k = new KinematicsObservation(config.Observation);
            return (k.Space, action, k, null);
        }
        var g = new OccupancyGridObservation(config.Observation);
        return (g.Space, action, null, g);
    }

    /// <summary>The configuration.</summary>
    public HighwayConfig Config { get; }

    /// <summary>The simulated road.</summary>
    public Road Road { get; }

    /// <summary>The agent's vehicle.</summary>
    public Vehicle Ego { get; private set; } = new();

    /// <summary>The agent's vehicle's slot on the road.</summary>
    public int EgoSlot { get; private set; }

    /// <summary>Simulated time since the reset (s), advanced by 1/policy_frequency per step.</summary>
    public double Time { get; private set; }

    /// <summary>Agent steps since the reset.</summary>
    public int Steps { get; private set; }

    /// <summary>The meta-actions by index (DiscreteMetaAction), or empty.</summary>
    public ReadOnlySpan<MetaAction> MetaActions => _metaActions;

    /// <summary>The ego vehicle kind the action type needs.</summary>
    protected VehicleKind EgoKind => Config.Action.Type == DrivingActionType.DiscreteMetaAction ? VehicleKind.MetaControlled : VehicleKind.DirectControlled;

    /// <summary>The available meta-actions now (all true for a continuous action space).</summary>
    public void AvailableActions(Span<bool> mask)
    {
        if (Config.Action.Type != DrivingActionType.DiscreteMetaAction)
        {
            mask.Fill(true);
            return;
        }
        DrivingActions.Available(Road, Ego, _metaActions, Config.Action.TargetSpeeds.Count, mask);
    }

    /// <inheritdoc />
    protected sealed override void ResetState(ResetOptions? options)
    {
        Time = 0;
        Steps = 0;
        Road.Clear();
        Ego = CreateScene();
        EgoSlot = Road.SlotOf(Ego);
        Ego.IsEgo = true;
        _kinematics?.BeginEpisode(Road, Ego);
        LastAction = -1;
        Info.Set("speed", Ego.Speed);
        Info.Set("crashed", Ego.Crashed ? 1 : 0);
    }

    /// <summary>
    /// Builds the road network (via <see cref="Road"/>.Clear(network)) and adds the vehicles for a new episode with
    /// <see cref="EnvironmentBase.Random"/>; returns the agent's vehicle.
    /// </summary>
    protected abstract Vehicle CreateScene();

    /// <summary>Creates the agent's vehicle of the configured kind, with the meta-controller's target speed snapped to the speed grid.</summary>
    protected Vehicle AddEgo(double x, double y, double heading, double speed)
    {
        Vehicle ego = Road.AddVehicle(EgoKind, x, y, heading, speed);
        if (ego.Kind == VehicleKind.MetaControlled)
        {
            IReadOnlyList<double> speeds = Config.Action.TargetSpeeds;
            ego.SpeedIndex = DrivingActions.SpeedToIndex(speeds, speed);
            ego.TargetSpeed = speeds[ego.SpeedIndex];
        }
        return ego;
    }

    /// <summary>Adds an IDM vehicle with highway-env's decision timer ((x + y)·π mod 1 s).</summary>
    protected Vehicle AddIdm(double x, double y, double heading, double speed, double? targetSpeed = null)
    {
        Vehicle v = Road.AddVehicle(VehicleKind.Idm, x, y, heading, speed);
        v.TargetSpeed = targetSpeed ?? speed;
        double timer = (x + y) * Math.PI % DrivingBehavior.LaneChangeDelay;
        v.Timer = timer < 0 ? timer + DrivingBehavior.LaneChangeDelay : timer;
        return v;
    }

    /// <summary>Draws the IDM exponent δ ~ U(3.5, 4.5) (highway-env's randomize_behavior).</summary>
    protected void RandomizeBehavior(Vehicle v) => v.Delta = Random.Uniform(DrivingBehavior.DeltaLow, DrivingBehavior.DeltaHigh);

    /// <summary>The discrete action of the last step (−1 after a reset or for continuous actions).</summary>
    protected int LastAction { get; private set; }

    /// <summary>The continuous action of the last step (as given, before clipping).</summary>
    protected float[] LastContinuousAction { get; } = new float[2];

    /// <inheritdoc />
    protected sealed override StepResult StepState(ReadOnlySpan<float> action)
    {
        bool discrete = Config.Action.Type == DrivingActionType.DiscreteMetaAction;
        int index = -1;
        if (discrete)
        {
            float a = action[0];
            index = (int)a;
            if (index != a || (uint)index >= (uint)_metaActions.Length)
                ThrowInvalidDiscreteAction(a, _metaActions.Length);
        }
        else
        {
            for (int i = 0; i < action.Length; i++)
            {
                if (!float.IsFinite(action[i]))
                    ThrowNonFiniteAction(action[i]);
                LastContinuousAction[i] = action[i];
            }
        }
        LastAction = index;
        Time += 1.0 / Config.PolicyFrequency;
        int frames = Config.FramesPerStep;
        double dt = 1.0 / Config.SimulationFrequency;
        for (int frame = 0; frame < frames; frame++)
        {
            if (frame == 0)
            {
                if (discrete)
                    DrivingActions.Apply(Road, Ego, _metaActions[index], Config.Action.TargetSpeeds);
                else
                    DrivingActions.Apply(Ego, action, Config.Action);
            }
            Road.Act();
            Road.Step(dt);
        }
        Steps++;
        double reward = Reward(action);
        bool terminated = IsTerminated();
        bool truncated = !terminated && IsTruncated();
        Info.Set("speed", Ego.Speed);
        Info.Set("crashed", Ego.Crashed ? 1 : 0);
        Info.Set("action", discrete ? index : 0);
        return new StepResult(reward, terminated, truncated);
    }

    /// <summary>The reward of the step just simulated (also writes its components to the info).</summary>
    protected abstract double Reward(ReadOnlySpan<float> action);

    /// <summary>Whether the episode reached a terminal state.</summary>
    protected abstract bool IsTerminated();

    /// <summary>Whether the episode is cut by its duration (default: time ≥ duration, when the duration is positive).</summary>
    protected virtual bool IsTruncated() => Config.Duration > 0 && Time >= Config.Duration;

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        if (_kinematics is not null)
            _kinematics.Write(Road, EgoSlot, observation, Random);
        else
            _grid!.Write(Road, EgoSlot, observation);
    }

    /// <summary>Whether the ego is on its lane.</summary>
    protected bool EgoOnRoad => Road.OnRoad(Ego);

    /// <summary>The rendered view's settings: frame size (pixels), pixels per metre and where the ego sits (fractions of the frame).</summary>
    protected virtual (int Width, int Height, double Scaling, double CenterX, double CenterY) View => (600, 150, 5.5, 0.3, 0.5);

    /// <inheritdoc />
    public override RgbFrame Render()
    {
        var (width, height, scaling, cx, cy) = View;
        return RoadRenderer.Draw(Road, EgoSlot, width, height, scaling, cx, cy);
    }

    /// <summary>The name used in messages.</summary>
    protected string Name => _name;
}
