using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.Discretization;

/// <summary>Exploration term of <see cref="CubePolicyGradient"/>.</summary>
public enum CubeRegularization
{
    /// <summary>None.</summary>
    None,
    /// <summary>An entropy bonus ent_coef·H(π(·|x)) in the preference update.</summary>
    Entropy,
    /// <summary>The annealing reward R′ = R − T·log π(c|x) (temperature T).</summary>
    Annealing,
}

/// <summary>Settings of <see cref="CubePolicyGradient"/>.</summary>
public sealed class CubePolicyGradientSettings : Hyperparameters, IDiscountedSettings
{
    /// <summary>Rollout length per copy.</summary>
    [Hyperparameter("n_steps", "steps of every copy per update")]
    public int RolloutSteps { get; set; } = 1024;

    /// <summary>Discount.</summary>
    [Hyperparameter("gamma", "discount factor γ")]
    public float Gamma { get; set; } = 0.99f;

    /// <summary>GAE λ.</summary>
    [Hyperparameter("gae_lambda", "λ of the generalized advantage estimate")]
    public float GaeLambda { get; set; } = 0.95f;

    /// <summary>Preference step.</summary>
    [Hyperparameter("preference_lr", "step size of the preference (logit) update, per sample")]
    public double PreferenceLearningRate { get; set; } = 0.05;

    /// <summary>Critic learning rate.</summary>
    [Hyperparameter("critic_lr", "learning rate of the critic V(s) (Adam)")]
    public float CriticLearningRate { get; set; } = 1e-3f;

    /// <summary>Critic epochs.</summary>
    [Hyperparameter("critic_epochs", "full-batch Adam steps of the critic per update")]
    public int CriticEpochs { get; set; } = 20;

    /// <summary>Critic widths.</summary>
    [Hyperparameter("critic_layers", "hidden layer widths of the critic")]
    public int[] CriticLayers { get; set; } = [64, 64];

    /// <summary>Softmax temperature.</summary>
    [Hyperparameter("temperature", "softmax temperature T of π(c|x) ∝ exp(preference/T) (also the annealing temperature)")]
    public double Temperature { get; set; } = 1;

    /// <summary>Exploration term.</summary>
    [Hyperparameter("regularization", "entropy (bonus ent_coef·H), annealing (R − T·log π) or none")]
    public CubeRegularization Regularization { get; set; } = CubeRegularization.Entropy;

    /// <summary>Entropy coefficient.</summary>
    [Hyperparameter("ent_coef", "entropy bonus coefficient (regularization=entropy)")]
    public double EntropyCoefficient { get; set; } = 0.01;

    /// <summary>Variance threshold of the split rule.</summary>
    [Hyperparameter("split_threshold", "a cube splits when the variance of the (standardized) advantages of its samples exceeds this")]
    public double SplitThreshold { get; set; } = 0.5;

    /// <summary>Minimum samples before a split.</summary>
    [Hyperparameter("min_visits", "samples a cube needs before its advantage variance is trusted")]
    public int MinVisits { get; set; } = 20;

    /// <summary>Split dimensions.</summary>
    [Hyperparameter("split_state", "cyclic splits go through the state dimensions too (false: action dimensions only)")]
    public bool SplitState { get; set; } = true;

    /// <summary>Budget.</summary>
    [Hyperparameter("cell_budget", "most cubes")]
    public int CellBudget { get; set; } = 4096;

    /// <summary>Deepest split.</summary>
    [Hyperparameter("max_depth", "most binary splits of a cube from the whole box")]
    public int MaxDepth { get; set; } = 20;

    /// <summary>Initial splits.</summary>
    [Hyperparameter("init_depth", "uniform binary splits at the start, cycling through the split dimensions (-1: one per dimension)")]
    public int InitialDepth { get; set; } = -1;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, RolloutSteps > 0, $"n_steps must be > 0 (got {RolloutSteps})");
        Require(errors, Gamma is >= 0 and <= 1 && GaeLambda is >= 0 and <= 1, "gamma and gae_lambda must lie in [0, 1]");
        Require(errors, PreferenceLearningRate >= 0 && CriticLearningRate >= 0, "preference_lr and critic_lr must be ≥ 0");
        Require(errors, CriticEpochs >= 0, $"critic_epochs must be ≥ 0 (got {CriticEpochs})");
        Require(errors, Temperature > 0, $"temperature must be > 0 (got {Temperature})");
        Require(errors, EntropyCoefficient >= 0, $"ent_coef must be ≥ 0 (got {EntropyCoefficient})");
        Require(errors, SplitThreshold >= 0, $"split_threshold must be ≥ 0 (got {SplitThreshold})");
        Require(errors, MinVisits >= 2, $"min_visits must be ≥ 2 (got {MinVisits})");
        Require(errors, CellBudget is >= 1 and <= DyadicCubeTree.MaxBudget, $"cell_budget must lie in [1, {DyadicCubeTree.MaxBudget}] (got {CellBudget})");
        Require(errors, MaxDepth is >= 0 and <= DyadicCubeTree.MaxDepthLimit, $"max_depth must lie in [0, {DyadicCubeTree.MaxDepthLimit}] (got {MaxDepth})");
        Require(errors, InitialDepth >= -1 && InitialDepth <= MaxDepth, $"init_depth must lie in [-1, max_depth] (got {InitialDepth})");
        Require(errors, CriticLayers.All(w => w > 0), "critic_layers widths must be > 0");
    }
}

/// <summary>
/// Policy gradient over adaptively split cubes (the adaptive-discretization research direction). A
/// <see cref="DyadicCubeTree"/> over state × action (cyclic binary splits) holds a preference per cube; at state x the
/// policy is a softmax over the relevant cubes, π(c|x) ∝ exp(p(c)/T), and the action is drawn uniformly inside the chosen
/// cube's action face (evaluation: the centre of the most preferred cube). After a rollout:
///   Â_t  = standardized GAE(γ, λ) from a learned critic V(s) (bootstrapping after truncation, not termination)
///   p(c′) += η·Σ_t [Â_t·(1[c′ = c_t] − π_t(c′)) − β·π_t(c′)(log π_t(c′) + H_t)] / T   for c′ relevant at x_t
/// (the exact log-softmax gradient, with the entropy bonus β = ent_coef; or R′ = R − T log π with annealing instead).
/// The chosen cube collects Â_t; a cube with ≥ min_visits samples whose advantage variance exceeds split_threshold
/// splits in two along its next dimension. Both children are leaves at once, so they are relevant, chosen and updated
/// from the next rollout on; each inherits p(parent) − T·ln 2, so the region keeps its probability mass, and starts
/// fresh advantage statistics.
/// </summary>
public sealed class CubePolicyGradient : IAlgorithm
{
    private static readonly string[] Names = ["cells", "splits", "critic_loss", "entropy", "advantage_variance"];
    private readonly CubePolicyGradientSettings _s;
    private readonly IVectorEnvironment _env;
    private readonly Rng _rng;
    private readonly DyadicCubeTree _tree;
    private readonly float[] _obsLow, _obsScale, _actLow, _actScale;
    private readonly ParameterStore _store = new();
    private readonly Mlp _critic;
    private readonly Adam _criticAdam;
    private readonly Tape _tape = new();
    private readonly int _n, _o, _a, _t;
    private readonly float[] _observations, _nextObservations, _values, _nextValues, _returns, _actions, _unit, _action;
    private readonly double[] _rewards, _advantages;
    private readonly bool[] _terminated, _ended;
    private readonly int[] _chosen;
    private readonly List<int> _relevant = [];
    private double[] _probabilities = new double[16];

    /// <summary>Builds the tree and the critic for the context's environments (already reset).</summary>
    /// <exception cref="PolicyLabException">A space is not a bounded Box.</exception>
    public CubePolicyGradient(AlgorithmContext context, CubePolicyGradientSettings settings, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid("cube_pg settings");
        (_s, _env, _rng) = (settings, context.Environment, rng);
        (_obsLow, _obsScale) = Bounds(_env.SingleObservationSpace, "observation");
        (_actLow, _actScale) = Bounds(_env.SingleActionSpace, "action");
        (_n, _o, _a, _t) = (_env.Count, _obsLow.Length, _actLow.Length, settings.RolloutSteps);
        int d = _o + _a;
        int[] cycle = settings.SplitState ? [.. Enumerable.Range(0, d)] : [.. Enumerable.Range(_o, _a)];
        int initial = settings.InitialDepth >= 0 ? settings.InitialDepth : Math.Min(cycle.Length, settings.MaxDepth);
        _tree = new DyadicCubeTree(_o, _a, settings.CellBudget, settings.MaxDepth, CubeSplit.Cyclic, initial, cycle);
        _critic = new Mlp(_store, "vf", _o, settings.CriticLayers, 1, Activation.Tanh);
        _critic.InitializeOrthogonal(rng, 1f);
        _criticAdam = new Adam(_store, settings.CriticLearningRate);
        int rows = _n * _t;
        _observations = new float[rows * _o];
        _nextObservations = new float[rows * _o];
        _values = new float[rows];
        _nextValues = new float[rows];
        _returns = new float[rows];
        _rewards = new double[rows];
        _advantages = new double[rows];
        _terminated = new bool[rows];
        _ended = new bool[rows];
        _chosen = new int[rows];
        _actions = new float[_n * _a];
        _unit = new float[_o];
        _action = new float[_a];
    }

    /// <summary>The partition and its preferences.</summary>
    public DyadicCubeTree Tree => _tree;

    /// <inheritdoc/>
    public Hyperparameters Settings => _s;

    /// <inheritdoc/>
    public ParameterStore Parameters => _store;

    private static (float[] Low, float[] Scale) Bounds(Space space, string what)
    {
        if (space is not Box box || !box.IsBounded)
            throw new PolicyLabException($"cube_pg partitions bounded continuous spaces; this environment's {what} space is {space}. Use a task with a bounded Box {what} space.");
        float[] low = (float[])box.Low.Clone();
        return (low, [.. box.High.Select((h, i) => h - low[i])]);
    }

    private void ToUnit(ReadOnlySpan<float> observation, Span<float> unit)
    {
        for (int k = 0; k < unit.Length; k++) unit[k] = Math.Clamp((observation[k] - _obsLow[k]) / _obsScale[k], 0f, 1f);
    }

    /// <summary>π(·|x) over the relevant cubes of <paramref name="unitState"/> (left in the relevant list and the probability buffer).</summary>
    private int Policy(ReadOnlySpan<float> unitState)
    {
        _tree.Relevant(unitState, _relevant);
        int m = _relevant.Count;
        if (_probabilities.Length < m) _probabilities = new double[Math.Max(m, 2 * _probabilities.Length)];
        double max = double.NegativeInfinity;
        for (int i = 0; i < m; i++) max = Math.Max(max, _tree.Stats(_relevant[i]).Preference / _s.Temperature);
        double sum = 0;
        for (int i = 0; i < m; i++) sum += _probabilities[i] = Math.Exp(_tree.Stats(_relevant[i]).Preference / _s.Temperature - max);
        for (int i = 0; i < m; i++) _probabilities[i] /= sum;
        return m;
    }

    /// <summary>
    /// The preference update for one sample: state <paramref name="unitState"/>, chosen cube <paramref name="chosen"/>,
    /// advantage <paramref name="advantage"/>. Returns the entropy of π(·|x).
    /// </summary>
    internal double UpdatePreferences(ReadOnlySpan<float> unitState, int chosen, double advantage)
    {
        int m = Policy(unitState);
        double entropy = 0;
        for (int i = 0; i < m; i++) entropy -= _probabilities[i] * Math.Log(Math.Max(_probabilities[i], 1e-300));
        double beta = _s.Regularization == CubeRegularization.Entropy ? _s.EntropyCoefficient : 0;
        for (int i = 0; i < m; i++)
        {
            double pi = _probabilities[i];
            double logPi = Math.Log(Math.Max(pi, 1e-300));
            double gradient = advantage * ((_relevant[i] == chosen ? 1 : 0) - pi) - beta * pi * (logPi + entropy);
            _tree.Stats(_relevant[i]).Preference += _s.PreferenceLearningRate * gradient / _s.Temperature;
        }
        return entropy;
    }

    /// <summary>Splits every cube with enough samples and an advantage variance above the threshold; returns the number of splits.</summary>
    internal int SplitByAdvantageVariance()
    {
        int splits = 0, leaves = _tree.LeafCount;
        for (int slot = 0; slot < leaves; slot++)
        {
            int node = _tree.LeafAtSlot(slot);
            CubeStatistics s = _tree.Stats(node);
            if (s.Samples < _s.MinVisits || s.SampleVariance <= _s.SplitThreshold || !_tree.CanSplit(node)) continue;
            int first = _tree.SplitCube(node);
            for (int j = 0; j < _tree.ChildrenPerSplit; j++)
            {
                ref CubeStatistics child = ref _tree.Stats(first + j);
                child.Preference = s.Preference - _s.Temperature * Math.Log(_tree.ChildrenPerSplit);
                child.Sum = 0;
                child.SumSquares = 0;
                child.Samples = 0;
                child.Visits = 0;
            }
            splits++;
        }
        return splits;
    }

    /// <summary>The relevant cubes of <paramref name="unitState"/> and their probabilities.</summary>
    internal (int[] Cubes, double[] Probabilities) PolicyAt(ReadOnlySpan<float> unitState)
    {
        int m = Policy(unitState);
        return ([.. _relevant], _probabilities[..m]);
    }

    /// <summary>Records the sample's advantage in the statistics of cube <paramref name="cube"/>.</summary>
    internal void RecordAdvantage(int cube, double advantage)
    {
        ref CubeStatistics s = ref _tree.Stats(cube);
        s.Sum += advantage;
        s.SumSquares += advantage * advantage;
        s.Samples++;
    }

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        // Collect n_steps per copy with the tree fixed.
        for (int t = 0; t < _t; t++)
        {
            _env.Observations.AsSpan(0, _n * _o).CopyTo(_observations.AsSpan(t * _n * _o));
            for (int i = 0; i < _n; i++)
            {
                ToUnit(_env.Observations.AsSpan(i * _o, _o), _unit);
                int m = Policy(_unit);
                double u = _rng.NextDouble(), c = 0;
                int pick = m - 1;
                for (int k = 0; k < m; k++)
                    if ((c += _probabilities[k]) > u) { pick = k; break; }
                int cube = _relevant[pick];
                _chosen[t * _n + i] = cube;
                _tree.Stats(cube).Visits++;
                if (_s.Regularization == CubeRegularization.Annealing)
                    _rewards[t * _n + i] = -_s.Temperature * Math.Log(_probabilities[pick]); // added to R below
                else _rewards[t * _n + i] = 0;
                _tree.SampleAction(cube, _rng, _action);
                for (int k = 0; k < _a; k++) _actions[i * _a + k] = _actLow[k] + _action[k] * _actScale[k];
            }
            _env.Step(_actions);
            for (int i = 0; i < _n; i++)
            {
                int row = t * _n + i;
                _rewards[row] += _env.Rewards[i];
                _terminated[row] = _env.Terminated[i];
                _ended[row] = _env.Terminated[i] || _env.Truncated[i];
                float[] next = _ended[row] ? _env.FinalObservations : _env.Observations;
                next.AsSpan(i * _o, _o).CopyTo(_nextObservations.AsSpan(row * _o, _o));
            }
        }

        // Critic values, GAE with bootstrap on truncation (and at the rollout's end), standardized.
        int rows = _n * _t;
        _critic.Forward(_observations, rows, _values);
        _critic.Forward(_nextObservations, rows, _nextValues);
        var last = new double[_n];
        for (int t = _t - 1; t >= 0; t--)
            for (int i = 0; i < _n; i++)
            {
                int row = t * _n + i;
                double bootstrap = _terminated[row] ? 0 : _nextValues[row];
                double delta = _rewards[row] + _s.Gamma * bootstrap - _values[row];
                double carry = _ended[row] || t == _t - 1 ? 0 : last[i];
                last[i] = delta + _s.Gamma * _s.GaeLambda * carry;
                _advantages[row] = last[i];
                _returns[row] = (float)(last[i] + _values[row]);
            }
        double mean = _advantages.Average(), std = Math.Sqrt(_advantages.Select(x => (x - mean) * (x - mean)).Average()) + 1e-8;

        // Preference updates and advantage statistics.
        double entropy = 0;
        for (int row = 0; row < rows; row++)
        {
            double advantage = (_advantages[row] - mean) / std;
            ToUnit(_observations.AsSpan(row * _o, _o), _unit);
            entropy += UpdatePreferences(_unit, _chosen[row], advantage);
            RecordAdvantage(_chosen[row], advantage);
        }
        int splits = SplitByAdvantageVariance();

        // Critic: full-batch Adam on ½ E[(V(s) − R̂)²].
        double criticLoss = 0;
        _criticAdam.LearningRate = _s.CriticLearningRate;
        for (int epoch = 0; epoch < _s.CriticEpochs; epoch++)
        {
            _tape.Reset();
            Tensor v = _critic.Forward(_tape, _tape.Constant(_observations, new Shape(rows, _o)));
            Tensor loss = 0.5f * (v - _tape.Constant(_returns, new Shape(rows, 1))).Square().Mean();
            criticLoss = loss.Item();
            NonFiniteValueException.ThrowIfNotFinite("cube_pg critic loss", criticLoss);
            _store.ZeroGradients();
            _tape.Backward(loss);
            _criticAdam.Step();
        }
        diagnostics.Set(Names[0], _tree.LeafCount);
        diagnostics.Set(Names[1], splits);
        diagnostics.Set(Names[2], criticLoss);
        diagnostics.Set(Names[3], entropy / rows);
        diagnostics.Set(Names[4], std * std);
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        for (int i = 0; i < batch; i++)
        {
            ToUnit(observations.Slice(i * _o, _o), _unit);
            int m = Policy(_unit), pick = 0;
            if (deterministic)
            {
                for (int k = 1; k < m; k++) if (_probabilities[k] > _probabilities[pick]) pick = k;
                _tree.ActionCentre(_relevant[pick], _action);
            }
            else
            {
                double u = rng.NextDouble(), c = 0;
                pick = m - 1;
                for (int k = 0; k < m; k++) if ((c += _probabilities[k]) > u) { pick = k; break; }
                _tree.SampleAction(_relevant[pick], rng, _action);
            }
            for (int k = 0; k < _a; k++) environmentActions[i * _a + k] = _actLow[k] + _action[k] * _actScale[k];
        }
    }

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetRng("rng", _rng);
        state.SetParameters("critic", _store);
        state.SetOptimizer("critic_optimizer", _criticAdam);
        _tree.SaveState(state, "cubes");
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        state.ReadRng("rng", _rng);
        state.ReadParameters("critic", _store);
        state.ReadOptimizer("critic_optimizer", _criticAdam);
        _tree.LoadState(state, "cubes");
    }

    /// <inheritdoc/>
    public void Dispose() => GC.SuppressFinalize(this);
}
