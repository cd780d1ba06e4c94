using System.Runtime.CompilerServices;
using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using StepResult = PolicyLab.Environments.StepResult;
using PolicyLab.MuJoCo.Rendering;

namespace PolicyLab.MuJoCo;

/// <summary>Which Gymnasium release of a MuJoCo task an environment follows.</summary>
public enum MuJoCoVersion
{
    /// <summary>The <c>-v4</c> environments (Gymnasium 0.26–0.29, mujoco bindings).</summary>
    V4 = 4,
    /// <summary>The <c>-v5</c> environments (Gymnasium 1.0).</summary>
    V5 = 5,
}

/// <summary>
/// Gymnasium's <c>MujocoEnv</c> mechanics on the system's MuJoCo 2.2.2: the action is written to <c>ctrl</c> unclipped
/// (MuJoCo clamps it to the control range internally), <c>mj_step</c> runs <see cref="FrameSkip"/> times, then
/// <c>mj_rnePostConstraint</c> fills the contact forces; a reset is <c>mj_resetData</c>, task-specific noise on qpos and
/// qvel, then <c>mj_forward</c>. Observations are Gymnasium's float64 values rounded to float32.
/// </summary>
/// <remarks>Every copy owns its own <see cref="MuJoCoSimulation"/> (<c>mjData</c>) and shares the compiled model of
/// its task with all other copies in the process, so vector environments of N copies hold one <c>mjModel</c>.</remarks>
public abstract class MuJoCoEnvironment : EnvironmentBase
{
    private readonly double[] _resetQpos, _resetQvel, _action;
    private readonly float[] _roundedAction;
    private bool _doubleActionPending;
    private readonly bool _ownsModel;
    private MuJoCoRenderer? _renderer;
    private long _steps;

    /// <summary>Creates the environment on a model with Gymnasium's observation size and frame skip.</summary>
    /// <param name="model">The compiled model (shared built-in models are not disposed with the environment).</param>
    /// <param name="observationSize">Number of observation components.</param>
    /// <param name="frameSkip">MuJoCo steps per environment step.</param>
    /// <param name="ownsModel">Dispose the model with the environment (a model loaded from a user's file).</param>
    protected MuJoCoEnvironment(MuJoCoModel model, int observationSize, int frameSkip, bool ownsModel = false)
        : base(new Box(float.NegativeInfinity, float.PositiveInfinity, observationSize), ActionBox(model))
    {
        ArgumentNullException.ThrowIfNull(model);
        if (frameSkip <= 0)
            throw new PolicyLabException($"A MuJoCo environment needs a frame skip of at least 1; got {frameSkip}.");
        Model = model;
        _ownsModel = ownsModel;
        Simulation = new MuJoCoSimulation(model);
        FrameSkip = frameSkip;
        _resetQpos = new double[model.Nq];
        _resetQvel = new double[model.Nv];
        _action = new double[model.Nu];
        _roundedAction = new float[model.Nu];
        ControlLow = new double[model.Nu];
        ControlHigh = new double[model.Nu];
        ReadOnlySpan<double> range = model.ActuatorControlRange;
        for (int i = 0; i < model.Nu; i++)
        {
            ControlLow[i] = range[2 * i];
            ControlHigh[i] = range[2 * i + 1];
        }
    }

    /// <summary>The compiled model.</summary>
    public MuJoCoModel Model { get; }

    /// <summary>The simulation state (qpos, qvel, forces, …).</summary>
    public MuJoCoSimulation Simulation { get; }

    /// <summary>MuJoCo steps per environment step.</summary>
    public int FrameSkip { get; }

    /// <summary>Duration of one environment step: timestep × frame skip.</summary>
    public double Dt => Model.Timestep * FrameSkip;

    /// <summary>Environment steps taken since this instance was created (named in instability errors).</summary>
    public long StepCount => _steps;

    /// <summary>Lower ends of the actuators' control ranges.</summary>
    protected double[] ControlLow { get; }

    /// <summary>Upper ends of the actuators' control ranges.</summary>
    protected double[] ControlHigh { get; }

    /// <summary>Positions (a copy).</summary>
    public double[] Qpos => Simulation.Qpos.ToArray();

    /// <summary>Velocities (a copy).</summary>
    public double[] Qvel => Simulation.Qvel.ToArray();

    /// <summary>
    /// Starts an episode from a given state: <c>mj_resetData</c> (so the solver's warm start does not carry over), then
    /// qpos and qvel, then <c>mj_forward</c> — Gymnasium's <c>set_state</c> after a reset. The next observation is that
    /// of this state.
    /// </summary>
    public void SetState(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel)
    {
        if (qpos.Length != Model.Nq || qvel.Length != Model.Nv)
            throw new PolicyLabException($"{Id}: a state has {Model.Nq} positions and {Model.Nv} velocities; got {qpos.Length} and {qvel.Length}. Pass qpos and qvel of exactly those lengths.");
        foreach (double v in qpos) if (!double.IsFinite(v)) ThrowNonFiniteState("the given qpos");
        foreach (double v in qvel) if (!double.IsFinite(v)) ThrowNonFiniteState("the given qvel");
        Simulation.SetState(qpos, qvel);
        OnStateSet();
        MarkEpisodeActive();
    }

    /// <summary>Writes the current observation into a new array (after <see cref="SetState"/>).</summary>
    public float[] CurrentObservation()
    {
        var observation = new float[ObservationSize];
        WriteObservation(observation);
        return observation;
    }

    /// <summary>Called after every state assignment (reset or <see cref="SetState"/>), e.g. to record positions.</summary>
    protected virtual void OnStateSet() { }

    /// <summary>The noise added to qpos0 and to zero velocities at reset (task specific).</summary>
    protected abstract void DrawResetState(Span<double> qpos, Span<double> qvel);

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        Simulation.Reset();
        Model.Qpos0.CopyTo(_resetQpos);
        Array.Clear(_resetQvel);
        DrawResetState(_resetQpos, _resetQvel);
        Simulation.SetState(_resetQpos, _resetQvel);
        OnStateSet();
        WriteResetInfo();
    }

    /// <summary>Sets the info of a reset (v5 reports positions at reset).</summary>
    protected virtual void WriteResetInfo() { }

    /// <summary>Adds U(−scale, scale) to every element.</summary>
    protected void AddUniformNoise(Span<double> values, double scale)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] += Random.Uniform(-scale, scale);
    }

    /// <summary>Adds scale·N(0, 1) to every element.</summary>
    protected void AddGaussianNoise(Span<double> values, double scale)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] += scale * Random.Normal();
    }

    /// <summary>
    /// <see cref="IEnvironment.Step"/> with a double-precision action, written to ctrl as given (a float action is
    /// widened exactly). For replays of recorded float64 actions and for checks against float64 reference rollouts.
    /// </summary>
    public StepResult StepDouble(ReadOnlySpan<double> action, Span<float> observation)
    {
        if (action.Length != ActionSize)
            throw new PolicyLabException($"{Id}: the action has {action.Length} elements but the action space {ActionSpace} needs {ActionSize}. Pass exactly {ActionSize} values.");
        action.CopyTo(_action);
        for (int i = 0; i < action.Length; i++)
            _roundedAction[i] = (float)action[i];
        _doubleActionPending = true;
        try
        {
            return Step(_roundedAction, observation);
        }
        finally
        {
            _doubleActionPending = false;
        }
    }

    /// <inheritdoc />
    protected sealed override StepResult StepState(ReadOnlySpan<float> action)
    {
        if (!_doubleActionPending)
        {
            for (int i = 0; i < action.Length; i++)
                _action[i] = action[i];
        }
        return StepTask(_action);
    }

    /// <summary>Advances the task by one step with the (validated-length) action: typically <see cref="Simulate"/>,
    /// then the reward, termination and info.</summary>
    protected abstract StepResult StepTask(ReadOnlySpan<double> action);

    /// <summary>
    /// Validates the action, writes it to ctrl and advances <see cref="FrameSkip"/> MuJoCo steps followed by
    /// <c>mj_rnePostConstraint</c>. Throws when MuJoCo flags NaN, infinite or huge values in the state.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Simulate(ReadOnlySpan<double> action)
    {
        Span<double> ctrl = Simulation.Ctrl;
        for (int i = 0; i < action.Length; i++)
        {
            double a = action[i];
            if (!double.IsFinite(a))
                ThrowNonFiniteAction(a);
            ctrl[i] = a;
        }
        int warningsBefore = Simulation.InstabilityWarnings;
        for (int k = 0; k < FrameSkip; k++)
            Simulation.Step();
        Simulation.ComputeContactForces();
        _steps++;
        if (Simulation.InstabilityWarnings != warningsBefore)
            ThrowUnstable();
    }

    /// <summary>The sum of squares of the action (the control cost's ‖a‖²).</summary>
    protected static double SquaredNorm(ReadOnlySpan<double> action)
    {
        double sum = 0;
        foreach (double a in action)
            sum += a * a;
        return sum;
    }

    /// <summary>True when every value is finite.</summary>
    protected static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (!double.IsFinite(v))
                return false;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowUnstable()
    {
        string detail = Native.MuJoCoLibrary.TakeWarning() is { } text ? $" MuJoCo says: \"{text.Trim()}\"" : "";
        throw new PolicyLabException($"{Id}: the simulation became unstable at environment step {_steps} (simulation time {Simulation.Time:G6} s): MuJoCo found NaN, infinite or huge values in the state and reset it.{detail} Check the actions and any state set with SetState; reset the environment to continue.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNonFiniteState(string what) =>
        throw new PolicyLabException($"{Id}: {what} contains NaN or infinity. Pass finite positions and velocities.");

    private static Box ActionBox(MuJoCoModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ReadOnlySpan<double> range = model.ActuatorControlRange;
        var low = new float[model.Nu];
        var high = new float[model.Nu];
        for (int i = 0; i < model.Nu; i++)
        {
            low[i] = (float)range[2 * i];
            high[i] = (float)range[2 * i + 1];
        }
        return new Box(low, high);
    }

    /// <summary>The camera that follows the robot (override per task).</summary>
    protected virtual TrackingCamera Camera => TrackingCamera.Side(bodyToTrack: 1, distance: 4.0, elevation: 1.0);

    /// <summary>Draws the model's geoms (planes, spheres, capsules, cylinders, boxes) from a camera tracking the robot.</summary>
    public override RgbFrame Render()
    {
        _renderer ??= new MuJoCoRenderer(Model, 480, 480);
        return _renderer.Render(Simulation, Camera);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Simulation.Dispose();
            if (_ownsModel)
                Model.Dispose();
        }
        base.Dispose(disposing);
    }
}
