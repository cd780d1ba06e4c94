using PolicyLab.Algorithms.Discretization;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// Deep Q-learning (Mnih et al. 2015) with Double DQN targets (van Hasselt et al. 2016), on the off-policy
/// family's collection loop and replay buffer. The Q network scores one or several groups of cells
/// (<see cref="ActionCells"/>): the n actions of a Discrete space; for a Box, a joint grid over [−1, 1]ᴰ or one
/// head per axis (action branching, Tavakoli et al. 2018), each uniform or zooming. Per gradient step:
///   a′_g = argmax_c Q_g(s′, c)                                     (online network; target network without double_q)
///   y    = r + γᵏ(1 − d)·(1/G) Σ_g Q′_g(s′, a′_g)                  (d = 1 only on termination: truncation bootstraps)
///   J(θ) = Σ_g (1/B) Σ_b Huber(Q_g(s_b, a_{b,g}) − y_b)            (Huber with δ = 1, SB3's smooth L1)
/// then the gradient is clipped to max_grad_norm and Adam steps. Every target_update_interval environment
/// steps θ′ ← τθ + (1 − τ)θ′. With action zooming, cells played ⌈(1/s)²⌉ times split (most played first,
/// within the global budget); the new rows copy the parent's row plus N(0, split_noise²), the target rows are
/// set to the new online rows and their Adam moments start at zero.
/// </summary>
public sealed class Dqn : OffPolicyAlgorithm
{
    private static readonly string[] Names = ["loss", "q_mean", "grad_norm", "epsilon", "cells"];

    private readonly DqnSettings _s;
    private readonly ParameterStore _store = new(), _targetStore = new();
    private readonly FeatureNetwork _q, _targetQ;
    private readonly Adam _adam;
    private readonly Tape _tape = new();
    private readonly ActionCells[] _groups;
    private readonly ZoomingCells[] _zooming;
    private readonly int[] _offset, _axisOffset;
    private readonly int _outputs, _globalBudget;
    private readonly float[] _next, _nextTarget, _targets, _outputGradient;
    private readonly int[] _cells;
    private float[] _actValues;
    private long _calls;

    /// <summary>Builds the Q network and its cells for the context's environments (already reset).</summary>
    /// <exception cref="PolicyLabException">The action space is neither Discrete nor a bounded Box, zooming or branching was
    /// asked for a Discrete space, or a zooming budget cannot hold the initial grid.</exception>
    public Dqn(AlgorithmContext context, DqnSettings settings, Rng rng)
        : base(context, settings, settings, rng, "DQN", space => CreateCodec(space, settings))
    {
        _s = settings;
        (_groups, _globalBudget) = CreateGroups(Environment.SingleActionSpace, settings);
        _zooming = [.. _groups.OfType<ZoomingCells>()];
        _offset = new int[_groups.Length];
        _axisOffset = new int[_groups.Length];
        for (int g = 1; g < _groups.Length; g++)
        {
            _offset[g] = _offset[g - 1] + _groups[g - 1].Capacity;
            _axisOffset[g] = _axisOffset[g - 1] + _groups[g - 1].Dimensions;
        }
        _outputs = _offset[^1] + _groups[^1].Capacity;
        _q = QNetwork(_store, settings);
        _targetQ = QNetwork(_targetStore, settings);
        _q.InitializeUniform(rng);
        _targetStore.CopyFrom(_store);
        _adam = new Adam(_store, settings.LearningRate.ValueAt(0));
        int b = settings.BatchSize;
        _next = new float[b * _outputs];
        _nextTarget = new float[b * _outputs];
        _outputGradient = new float[b * _outputs];
        _targets = new float[b];
        _cells = new int[b * _groups.Length];
        _actValues = new float[Environment.Count * _outputs];
    }

    /// <summary>The Q network: a CNN torso for image observations (policy=auto|cnn, named <c>q.features.*</c>), then the MLP.</summary>
    private FeatureNetwork QNetwork(ParameterStore store, DqnSettings settings)
    {
        IFeatureExtractor? features = Policies.FeatureExtractors.For(Environment.SingleObservationSpace, settings.Policy, store, "q.features");
        return new FeatureNetwork(features, new Mlp(store, "q", features?.Features ?? ObservationSize, settings.QLayers, _outputs, settings.Activation));
    }

    /// <summary>The cell groups scored by the head (one, or one per action axis with branching).</summary>
    public IReadOnlyList<ActionCells> Groups => _groups;

    /// <summary>Cells in use over all groups.</summary>
    public int ActiveCells => _groups.Sum(g => g.Active);

    /// <inheritdoc/>
    public override ParameterStore Parameters => _store;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> DiagnosticNames => Names;

    private static IActionCodec CreateCodec(Space space, DqnSettings s) => space switch
    {
        Discrete when s.ActionZooming => throw new PolicyLabException($"action_zooming needs a continuous (Box) action space to split; this environment has {space}. Drop action_zooming=true (DQN uses the discrete actions as they are)."),
        Discrete when s.Branching => throw new PolicyLabException($"branching (one head per action axis) needs a Box action space; this environment has {space}. Drop branching=true."),
        Discrete => new DiscreteActionCodec(space, "DQN"),
        Box => new ActionScaler(space, "DQN"),
        _ => throw new PolicyLabException($"DQN acts in Discrete or (discretized) Box action spaces; this environment has {space}."),
    };

    private static (ActionCells[] Groups, int Budget) CreateGroups(Space space, DqnSettings s)
    {
        if (space is Discrete discrete) return ([new DiscreteCells(discrete.Count)], discrete.Count);
        int d = ((Box)space).Shape.Aggregate(1, (a, b) => a * b);
        int bins = s.ActionBins;
        if (!s.ActionZooming)
            return s.Branching
                ? ([.. Enumerable.Range(0, d).Select(_ => new UniformGridCells(1, bins))], bins * d)
                : ([new UniformGridCells(d, bins)], (int)Math.Min(Math.Pow(bins, d), int.MaxValue));
        if (s.Branching)
        {
            int budget = s.ZoomBudget > 0 ? s.ZoomBudget : bins * d;
            int initial = 1 << s.ZoomInitialDepth;
            if ((long)initial * d > budget)
                throw new PolicyLabException($"The initial zooming grid ({d} axes × {initial} cells at zoom_init_depth={s.ZoomInitialDepth}) is larger than the cell budget {budget}; lower zoom_init_depth or raise zoom_budget.");
            // One axis may take every cell the others do not need: its tree's own budget.
            int perAxis = (int)Math.Min(budget - (long)(d - 1) * initial, 1L << s.ZoomMaxDepth);
            return ([.. Enumerable.Range(0, d).Select(_ => new ZoomingCells(1, s.ZoomInitialDepth, s.ZoomMaxDepth, perAxis))], budget);
        }
        double grid = Math.Pow(bins, d);
        if (s.ZoomBudget == 0 && grid > 1 << 20)
            throw new PolicyLabException($"The default zooming budget (action_bins^{d} = {grid:0} cells) is too large; set zoom_budget or use branching=true.");
        int joint = s.ZoomBudget > 0 ? s.ZoomBudget : (int)grid;
        double initialJoint = Math.Pow(2, d * s.ZoomInitialDepth);
        if (initialJoint > joint)
            throw new PolicyLabException($"The initial zooming grid (2^({d}·{s.ZoomInitialDepth}) = {initialJoint:0} cells) is larger than the cell budget {joint}; lower zoom_init_depth or raise zoom_budget.");
        int capped = (int)Math.Min(joint, Math.Pow(2, d * s.ZoomMaxDepth));
        return ([new ZoomingCells(d, s.ZoomInitialDepth, s.ZoomMaxDepth, capped)], capped);
    }

    /// <summary>Huber loss with δ = 1: ½x² for |x| ≤ 1, |x| − ½ beyond.</summary>
    public static float Huber(float x) => MathF.Abs(x) <= 1f ? 0.5f * x * x : MathF.Abs(x) - 0.5f;

    /// <summary>dHuber/dx = clip(x, −1, 1).</summary>
    public static float HuberDerivative(float x) => Math.Clamp(x, -1f, 1f);

    private double ExplorationProgress() =>
        _s.ExplorationFraction <= 0 ? 1 : Math.Min(1, Steps / (_s.ExplorationFraction * (double)TotalSteps));

    private float Epsilon() => (float)(_s.ExplorationInitialEpsilon + (_s.ExplorationFinalEpsilon - _s.ExplorationInitialEpsilon) * ExplorationProgress());

    private int Greedy(ReadOnlySpan<float> values, int group, ReadOnlySpan<bool> mask = default)
    {
        ReadOnlySpan<float> row = values.Slice(_offset[group], _groups[group].Active);
        if (!mask.IsEmpty) return GreedyAllowed(row, mask);
        int best = 0;
        for (int c = 1; c < row.Length; c++)
            if (row[c] > row[best]) best = c;
        return best;
    }

    // argmax over the allowed actions only (a Discrete space: one group whose cells are the actions); −1 when none is allowed.
    private static int GreedyAllowed(ReadOnlySpan<float> row, ReadOnlySpan<bool> mask)
    {
        int best = -1;
        for (int c = 0; c < row.Length; c++)
            if (mask[c] && (best < 0 || row[c] > row[best])) best = c;
        return best;
    }

    /// <inheritdoc/>
    public override bool HonoursActionMasks => true;

    // Masks apply to a Discrete space only: one flag per action (= cell).
    private ReadOnlySpan<bool> MaskRow(ReadOnlySpan<bool> masks, int row)
    {
        int width = _groups[0].Capacity;
        return masks.IsEmpty ? default : masks.Slice(row * width, width);
    }

    /// <inheritdoc/>
    protected override void Train(double progress, Span<double> sums)
    {
        int b = _s.BatchSize, o = _outputs, groups = _groups.Length, a = ActionSize;
        Buffer.Sample(Rng, Batch, _s.Gamma, _s.NSteps);

        // y = r + γᵏ(1 − d)·(1/G) Σ_g Q′_g(s′, argmax_c Q_g(s′, c))
        _targetQ.Forward(Batch.NextObservations, b, _nextTarget);
        if (_s.DoubleQ) _q.Forward(Batch.NextObservations, b, _next);
        float[] chooser = _s.DoubleQ ? _next : _nextTarget;
        ReadOnlySpan<bool> nextMasks = Batch.NextActionMasks;
        for (int r = 0; r < b; r++)
        {
            double value = 0;
            // With masks, a′ is the best action allowed in s′ (the mask stored with the transition); a terminated s′ is not bootstrapped.
            ReadOnlySpan<bool> mask = Batch.Discounts[r] == 0f ? default : MaskRow(nextMasks, r);
            for (int g = 0; g < groups; g++)
            {
                int next = Greedy(chooser.AsSpan(r * o, o), g, mask);
                if (next < 0)
                    throw new PolicyLabException("DQN: an episode was truncated in a state whose action mask allows no action, so its value cannot be bootstrapped. Allow at least one action in every non-terminal state.");
                value += _nextTarget[r * o + _offset[g] + next];
            }
            _targets[r] = Batch.Rewards[r] + Batch.Discounts[r] * (float)(value / groups);
            for (int g = 0; g < groups; g++)
                _cells[r * groups + g] = _groups[g].CellOf(Batch.Actions.AsSpan(r * a + _axisOffset[g], _groups[g].Dimensions));
        }

        // J(θ) = Σ_g (1/B) Σ_b Huber(Q_g(s_b, a_b,g) − y_b): its gradient with respect to the Q outputs, then back-propagated.
        _tape.Reset();
        Tensor q = _q.Forward(_tape, _tape.Constant(Batch.Observations, new Shape(b, ObservationSize)));
        ReadOnlySpan<float> values = q.Data;
        Array.Clear(_outputGradient);
        double loss = 0, meanQ = 0;
        for (int r = 0; r < b; r++)
            for (int g = 0; g < groups; g++)
            {
                int index = r * o + _offset[g] + _cells[r * groups + g];
                float delta = values[index] - _targets[r];
                loss += Huber(delta);
                meanQ += values[index];
                _outputGradient[index] = HuberDerivative(delta) / b;
            }
        loss /= b;
        NonFiniteValueException.ThrowIfNotFinite("DQN loss", loss);
        _store.ZeroGradients();
        _tape.Backward(q, _outputGradient);
        float norm = GradientClipping.ClipGlobalNorm(_store.Gradients, _s.MaxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("DQN gradient norm", norm);
        _adam.LearningRate = _s.LearningRate.ValueAt(progress);
        _adam.Step();
        sums[0] += loss;
        sums[1] += meanQ / (b * groups);
        sums[2] += norm;
        sums[3] += _s.Exploration == DqnExploration.EpsilonGreedy ? Epsilon() : 0;
        sums[4] += ActiveCells;
    }

    /// <inheritdoc/>
    protected override void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions)
    {
        EnsureActRoom(batch);
        _q.Forward(observations, batch, _actValues);
        float epsilon = Epsilon();
        float c = (float)(_s.UcbStart + (_s.UcbEnd - _s.UcbStart) * ExplorationProgress());
        ReadOnlySpan<bool> masks = ActingMasks;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = _actValues.AsSpan(i * _outputs, _outputs);
            ReadOnlySpan<bool> mask = MaskRow(masks, i);
            bool random = _s.Exploration == DqnExploration.EpsilonGreedy && Rng.NextDouble() < epsilon;
            for (int g = 0; g < _groups.Length; g++)
            {
                ActionCells cells = _groups[g];
                int cell = random ? (mask.IsEmpty ? Rng.NextInt(cells.Active) : UniformAllowed(mask, Rng))
                    : _s.Exploration == DqnExploration.Ucb ? UpperConfidence(row, g, c, mask)
                    : Greedy(row, g, mask);
                cells.ActionOf(cell, actions.Slice(i * ActionSize + _axisOffset[g], cells.Dimensions));
            }
        }
    }

    /// <summary>argmax_c Q_g(s, c) + c·√(ln max(2, Σn) / max(1, n_c)).</summary>
    private int UpperConfidence(ReadOnlySpan<float> row, int group, float c, ReadOnlySpan<bool> mask)
    {
        ActionCells cells = _groups[group];
        long total = 0;
        for (int k = 0; k < cells.Active; k++) total += cells.Plays[k];
        double log = Math.Log(Math.Max(2, total));
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int k = 0; k < cells.Active; k++)
        {
            if (!mask.IsEmpty && !mask[k]) continue;
            double score = row[_offset[group] + k] + c * Math.Sqrt(log / Math.Max(1, cells.Plays[k]));
            if (score > bestScore) (best, bestScore) = (k, score);
        }
        return best;
    }

    /// <inheritdoc/>
    protected override void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions)
    {
        EnsureActRoom(batch);
        _q.Forward(observations, batch, _actValues);
        ReadOnlySpan<bool> masks = ActingMasks;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<bool> mask = MaskRow(masks, i);
            bool random = !deterministic && rng.NextDouble() < _s.ExplorationFinalEpsilon;
            for (int g = 0; g < _groups.Length; g++)
            {
                ActionCells cells = _groups[g];
                int cell = random ? (mask.IsEmpty ? rng.NextInt(cells.Active) : UniformAllowed(mask, rng))
                    : Greedy(_actValues.AsSpan(i * _outputs, _outputs), g, mask);
                cells.ActionOf(cell, actions.Slice(i * ActionSize + _axisOffset[g], cells.Dimensions));
            }
        }
    }

    private void EnsureActRoom(int batch)
    {
        if (_actValues.Length < batch * _outputs) _actValues = new float[batch * _outputs];
    }

    /// <inheritdoc/>
    protected override void OnCollected(ReadOnlySpan<float> storedActions)
    {
        int n = Environment.Count;
        for (int i = 0; i < n; i++)
            for (int g = 0; g < _groups.Length; g++)
                _groups[g].Plays[_groups[g].CellOf(storedActions.Slice(i * ActionSize + _axisOffset[g], _groups[g].Dimensions))]++;

        // Target updates every target_update_interval environment steps (SB3 counts calls of n copies).
        _calls++;
        if (_calls % Math.Max(_s.TargetUpdateInterval / n, 1) == 0)
        {
            if (_s.Tau >= 1f) _store.Values.CopyTo(_targetStore.Values);
            else Polyak(_store.Values, _targetStore.Values, _s.Tau);
        }

        if (_zooming.Length > 0 && Steps >= Math.Max(_s.LearningStarts, _s.SplitDelay)
            && Steps / _s.SplitCheckFrequency != (Steps - n) / _s.SplitCheckFrequency)
            foreach (CellSplit split in ActionZooming.SplitMostPlayed(_zooming, _globalBudget))
                InheritParentRow(Array.IndexOf(_groups, _zooming[split.Group]), split);
    }

    /// <summary>New rows copy the parent's row (+ N(0, σ²)); the target's new rows equal the online ones; their Adam moments restart.</summary>
    internal void InheritParentRow(int group, CellSplit split)
    {
        LinearLayer head = _q.Head, targetHead = _targetQ.Head;
        int o = _outputs, inputs = head.Inputs, parent = _offset[group] + split.ParentRow;
        Span<float> w = head.Weight.Value, bias = head.Bias.Value, tw = targetHead.Weight.Value, tb = targetHead.Bias.Value;
        IReadOnlyList<(string Name, float[] Values)> moments = _adam.StateBuffers();
        for (int k = 0; k < split.NewRows; k++)
        {
            int column = _offset[group] + split.FirstNewRow + k;
            for (int i = 0; i < inputs; i++)
            {
                w[i * o + column] = w[i * o + parent] + _s.SplitNoise * (float)Rng.Normal();
                tw[i * o + column] = w[i * o + column];
                foreach ((_, float[] m) in moments) m[head.Weight.Offset + i * o + column] = 0f;
            }
            bias[column] = bias[parent] + _s.SplitNoise * (float)Rng.Normal();
            tb[column] = bias[column];
            foreach ((_, float[] m) in moments) m[head.Bias.Offset + column] = 0f;
        }
    }

    /// <summary>The online network's Q outputs for one observation (every reserved row).</summary>
    internal void QValues(ReadOnlySpan<float> observation, Span<float> values) => _q.Forward(observation, 1, values);

    /// <inheritdoc/>
    protected override void SaveAlgorithmState(StateDictionary state)
    {
        state.SetParameters("networks", _store);
        state.SetParameters("target_networks", _targetStore);
        state.SetOptimizer("optimizer", _adam);
        state.SetScalar("dqn.calls", _calls);
        for (int g = 0; g < _groups.Length; g++)
        {
            state.Set($"dqn.plays{g}", _groups[g].Plays);
            if (_groups[g] is ZoomingCells z) z.Tree.SaveState(state, $"dqn.cells{g}");
        }
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(StateDictionary state)
    {
        state.ReadParameters("networks", _store);
        state.ReadParameters("target_networks", _targetStore);
        state.ReadOptimizer("optimizer", _adam);
        _calls = state.ReadScalarInt64("dqn.calls");
        for (int g = 0; g < _groups.Length; g++)
        {
            if (_groups[g] is ZoomingCells z) z.Tree.LoadState(state, $"dqn.cells{g}");
            state.Read($"dqn.plays{g}", _groups[g].Plays);
        }
    }
}
