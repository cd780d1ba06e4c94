using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.Discretization;

/// <summary>Settings of <see cref="ZoomingQ"/>.</summary>
public sealed class ZoomingQSettings : Hyperparameters
{
    /// <summary>Horizon H.</summary>
    [Hyperparameter("horizon", "episode horizon H: one partition per step (0: the environment's time limit)")]
    public int Horizon { get; set; }

    /// <summary>Cubes per stage.</summary>
    [Hyperparameter("cell_budget", "most active cubes per stage")]
    public int CellBudget { get; set; } = 4096;

    /// <summary>Deepest split.</summary>
    [Hyperparameter("max_depth", "most splits of a cube from the whole state-action box")]
    public int MaxDepth { get; set; } = 10;

    /// <summary>Initial uniform depth.</summary>
    [Hyperparameter("init_depth", "uniform splits at the start (0: one cube per stage)")]
    public int InitialDepth { get; set; }

    /// <summary>Split rule.</summary>
    [Hyperparameter("split", "full (2^d children) or cyclic (binary, one dimension at a time)")]
    public CubeSplit Split { get; set; } = CubeSplit.Full;

    /// <summary>Whether cubes split.</summary>
    [Hyperparameter("splitting", "false: keep the initial (uniform) partition, the fixed-grid baseline")]
    public bool Splitting { get; set; } = true;

    /// <summary>Bonus scale.</summary>
    [Hyperparameter("bonus_scale", "c of the optimism bonus c/√t")]
    public double BonusScale { get; set; } = 0.5;

    /// <summary>Play the centre or a uniform point.</summary>
    [Hyperparameter("uniform_actions", "training plays a uniform action inside the chosen cube (false: its centre); evaluation plays the centre")]
    public bool UniformActions { get; set; } = true;

    /// <summary>Reward range lower end.</summary>
    [Hyperparameter("reward_low", "rewards are rescaled from [reward_low, reward_high] to [0, 1] (and clipped)")]
    public double RewardLow { get; set; }

    /// <summary>Reward range upper end.</summary>
    [Hyperparameter("reward_high", "upper end of the reward range")]
    public double RewardHigh { get; set; } = 1;

    /// <summary>Steps per iteration.</summary>
    [Hyperparameter("log_interval", "environment steps per training-loop iteration")]
    public int LogInterval { get; set; } = 1000;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, Horizon is >= 0 and <= 100_000, $"horizon must lie in [0, 100000] (got {Horizon})");
        Require(errors, CellBudget is >= 1 and <= DyadicCubeTree.MaxBudget, $"cell_budget must lie in [1, {DyadicCubeTree.MaxBudget}] (got {CellBudget})");
        Require(errors, MaxDepth is >= 0 and <= DyadicCubeTree.MaxDepthLimit, $"max_depth must lie in [0, {DyadicCubeTree.MaxDepthLimit}] (got {MaxDepth})");
        Require(errors, InitialDepth >= 0 && InitialDepth <= MaxDepth, $"init_depth must lie in [0, max_depth] (got {InitialDepth})");
        Require(errors, BonusScale >= 0, $"bonus_scale must be ≥ 0 (got {BonusScale})");
        Require(errors, RewardHigh > RewardLow, $"reward_high must exceed reward_low (got {RewardLow}, {RewardHigh})");
        Require(errors, LogInterval > 0, $"log_interval must be > 0 (got {LogInterval})");
    }
}

/// <summary>
/// <see cref="ZoomingQLearner"/> on a training environment with bounded Box observations and actions: observations and
/// actions are mapped affinely to the unit box, rewards from [reward_low, reward_high] to [0, 1]. Step h of an episode uses
/// stage min(h, H − 1); termination, and the last stage, do not bootstrap; truncation before H does. Evaluation (which
/// does not pass the step index) keeps a clock per copy that restarts after H steps, so it assumes episodes of exactly
/// H steps (the time limit, as on Pendulum-v1).
/// </summary>
public sealed class ZoomingQ : IAlgorithm
{
    private static readonly string[] Names = ["cells", "mean_q_root", "splits"];
    private readonly ZoomingQSettings _s;
    private readonly IVectorEnvironment _env;
    private readonly Rng _rng;
    private readonly ZoomingQLearner _learner;
    private readonly float[] _obsLow, _obsScale, _actLow, _actScale;
    private readonly int[] _step, _chosen, _evalClock;
    private readonly float[] _actions, _unit, _unitNext, _action;
    private readonly ParameterStore _store = new();
    private readonly AlgorithmContext _context;
    private long _steps, _splits;

    /// <summary>Builds the per-stage partitions for the context's environments.</summary>
    /// <exception cref="PolicyLabException">A space is not a bounded Box, or no horizon is known.</exception>
    public ZoomingQ(AlgorithmContext context, ZoomingQSettings settings, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid("zooming_q settings");
        _s = settings;
        _env = context.Environment;
        _rng = rng;
        _context = context;
        (_obsLow, _obsScale) = Bounds(_env.SingleObservationSpace, "observation");
        (_actLow, _actScale) = Bounds(_env.SingleActionSpace, "action");
        int horizon = settings.Horizon > 0 ? settings.Horizon
            : _env.Spec?.MaxEpisodeSteps ?? throw new PolicyLabException("zooming_q needs a horizon: this environment has no time limit, so set horizon=H.");
        _learner = new ZoomingQLearner(horizon, _obsLow.Length, _actLow.Length, settings.CellBudget, settings.MaxDepth, settings.BonusScale,
            settings.Split, settings.InitialDepth, settings.Splitting);
        int n = _env.Count;
        _step = new int[n];
        _chosen = new int[n];
        _evalClock = new int[n];
        _actions = new float[n * _actLow.Length];
        _unit = new float[_obsLow.Length];
        _unitNext = new float[_obsLow.Length];
        _action = new float[_actLow.Length];
        _store.Add("stage_cells", new Shape(horizon));
    }

    /// <summary>The learner (partitions and estimates).</summary>
    public ZoomingQLearner Learner => _learner;

    private static (float[] Low, float[] Scale) Bounds(Space space, string what)
    {
        if (space is not Box box || !box.IsBounded)
            throw new PolicyLabException($"zooming_q partitions bounded continuous spaces; this environment's {what} space is {space}. Use a task with a bounded Box {what} space.");
        float[] low = (float[])box.Low.Clone();
        float[] scale = [.. box.High.Select((h, i) => h - low[i])];
        return (low, scale);
    }

    /// <inheritdoc/>
    public Hyperparameters Settings => _s;

    /// <inheritdoc/>
    public ParameterStore Parameters => _store;

    private void ToUnit(ReadOnlySpan<float> observation, Span<float> unit)
    {
        for (int k = 0; k < unit.Length; k++) unit[k] = Math.Clamp((observation[k] - _obsLow[k]) / _obsScale[k], 0f, 1f);
    }

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        int n = _env.Count, o = _obsLow.Length, a = _actLow.Length, horizon = _learner.Horizon;
        long start = _steps, splits = 0;
        do
        {
            for (int i = 0; i < n; i++)
            {
                int h = Math.Min(_step[i], horizon - 1);
                ToUnit(_env.Observations.AsSpan(i * o, o), _unit);
                _chosen[i] = _learner.Select(h, _unit);
                _learner.Action(h, _chosen[i], _s.UniformActions ? _rng : null, _action);
                for (int k = 0; k < a; k++) _actions[i * a + k] = _actLow[k] + _action[k] * _actScale[k];
            }
            _env.Step(_actions);
            for (int i = 0; i < n; i++)
            {
                int h = Math.Min(_step[i], horizon - 1);
                bool ended = _env.Terminated[i] || _env.Truncated[i];
                float[] next = ended ? _env.FinalObservations : _env.Observations;
                ToUnit(next.AsSpan(i * o, o), _unitNext);
                double reward = Math.Clamp((_env.Rewards[i] - _s.RewardLow) / (_s.RewardHigh - _s.RewardLow), 0, 1);
                bool noBootstrap = _env.Terminated[i] || h == horizon - 1;
                if (_learner.Update(h, _chosen[i], reward, _unitNext, noBootstrap)) splits++;
                _step[i] = ended ? 0 : _step[i] + 1;
            }
            _steps += n;
        }
        while (_steps - start < _s.LogInterval && _steps < _context.TotalSteps);
        _splits += splits;
        diagnostics.Set(Names[0], _learner.TotalCells);
        diagnostics.Set(Names[1], _learner.Stage(0).Stats(0).Value);
        diagnostics.Set(Names[2], splits);
        RefreshExport();
    }

    private void RefreshExport()
    {
        Span<float> cells = _store.Parameters[0].Value;
        for (int h = 0; h < _learner.Horizon; h++) cells[h] = _learner.Stage(h).LeafCount;
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        int o = _obsLow.Length, a = _actLow.Length;
        for (int i = 0; i < batch; i++)
        {
            int copy = i % _evalClock.Length;
            int h = _evalClock[copy] % _learner.Horizon;
            _evalClock[copy] = h + 1;
            ToUnit(observations.Slice(i * o, o), _unit);
            int cube = _learner.Select(h, _unit);
            _learner.Action(h, cube, deterministic ? null : rng, _action);
            for (int k = 0; k < a; k++) environmentActions[i * a + k] = _actLow[k] + _action[k] * _actScale[k];
        }
    }

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetScalar("zooming_q.steps", _steps);
        state.SetScalar("zooming_q.splits", _splits);
        state.SetRng("rng", _rng);
        state.Set("zooming_q.episode_steps", [.. _step.Select(s => (long)s)]);
        _learner.SaveState(state, "zooming_q");
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        _steps = state.ReadScalarInt64("zooming_q.steps");
        _splits = state.ReadScalarInt64("zooming_q.splits");
        state.ReadRng("rng", _rng);
        var steps = new long[_step.Length];
        state.Read("zooming_q.episode_steps", steps);
        for (int i = 0; i < steps.Length; i++) _step[i] = (int)steps[i];
        _learner.LoadState(state, "zooming_q");
        RefreshExport();
    }

    /// <inheritdoc/>
    public void Dispose() => GC.SuppressFinalize(this);
}
