using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>How REINFORCE weights log π(a_t|s_t).</summary>
public enum ReinforceReturns
{
    /// <summary>Every step of an episode by the episode's whole discounted return G_0 (Williams 1992).</summary>
    Total,
    /// <summary>Each step by its discounted reward-to-go G_t = Σ_{k≥t} γ^{k−t} r_k.</summary>
    Future,
}

/// <summary>The baseline REINFORCE subtracts from its return weights.</summary>
public enum ReinforceBaseline
{
    /// <summary>No baseline.</summary>
    None,
    /// <summary>The mean of the weights over the batch.</summary>
    Mean,
    /// <summary>A learned state value V(s_t), trained by MSE on the reward-to-go.</summary>
    Value,
}

/// <summary>REINFORCE hyperparameters.</summary>
public sealed class ReinforceSettings : PolicyGradientSettings, IDiscountedSettings
{
    /// <summary>Creates the settings with REINFORCE's defaults (no gradient clipping).</summary>
    public ReinforceSettings() => MaxGradNorm = float.PositiveInfinity;

    /// <summary>Policy learning rate.</summary>
    [Hyperparameter("learning_rate", "Adam learning rate of the policy; a number, lin_X or linear(X, Y)")]
    public Schedule LearningRate { get; set; } = Schedule.Constant(1e-3f);

    /// <summary>Discount γ.</summary>
    [Hyperparameter("gamma", "discount factor γ in [0, 1]")]
    public float Gamma { get; set; } = 0.99f;

    /// <summary>Complete episodes each environment copy runs per update.</summary>
    [Hyperparameter("episodes_per_env", "complete episodes each environment copy runs per update (batch = n_envs × this)")]
    public int EpisodesPerEnvironment { get; set; } = 1;

    /// <summary>Return weighting.</summary>
    [Hyperparameter("returns", "weighting of log π: total (the episode's whole return) or future (reward-to-go)")]
    public ReinforceReturns Returns { get; set; } = ReinforceReturns.Future;

    /// <summary>Baseline.</summary>
    [Hyperparameter("baseline", "baseline subtracted from the returns: none, mean (batch mean) or value (learned V(s))")]
    public ReinforceBaseline Baseline { get; set; } = ReinforceBaseline.Value;

    /// <summary>Normalize the weights.</summary>
    [Hyperparameter("normalize_returns", "scale the weights (after the baseline) to zero mean and unit std over the batch")]
    public bool NormalizeReturns { get; set; } = true;

    /// <summary>Value learning rate.</summary>
    [Hyperparameter("vf_learning_rate", "Adam learning rate of the value baseline (baseline=value)")]
    public Schedule ValueLearningRate { get; set; } = Schedule.Constant(1e-3f);

    /// <summary>Value steps per update.</summary>
    [Hyperparameter("train_v_iters", "full-batch gradient steps on the value baseline per update (baseline=value)")]
    public int ValueIterations { get; set; } = 20;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, LearningRate.ValueAt(0) >= 0 && LearningRate.ValueAt(1) >= 0, $"learning_rate must be ≥ 0 (got {Get("learning_rate")})");
        Require(errors, ValueLearningRate.ValueAt(0) >= 0 && ValueLearningRate.ValueAt(1) >= 0, $"vf_learning_rate must be ≥ 0 (got {Get("vf_learning_rate")})");
        Require(errors, Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Require(errors, EpisodesPerEnvironment > 0, $"episodes_per_env must be > 0 (got {EpisodesPerEnvironment})");
        Require(errors, Returns is ReinforceReturns.Total or ReinforceReturns.Future, "returns must be total or future");
        Require(errors, Baseline is ReinforceBaseline.None or ReinforceBaseline.Mean or ReinforceBaseline.Value, "baseline must be none, mean or value");
        Require(errors, ValueIterations >= 0, $"train_v_iters must be ≥ 0 (got {ValueIterations})");
    }
}

/// <summary>
/// REINFORCE (Williams 1992): Monte-Carlo policy gradient over whole episodes. Each update minimizes
///   L = −mean_t(ψ_t · log π(a_t|s_t)) − c_e·mean_t(H)
/// over every step of the batch, with ψ_t the episode's discounted return G_0 (returns=total) or the
/// reward-to-go G_t = Σ_{k≥t} γ^{k−t} r_k (returns=future), minus a baseline b (none; the batch mean of the
/// weights; or a learned V(s_t), trained by train_v_iters full-batch MSE steps on G_t after the policy step),
/// optionally normalized to zero mean and unit std over the batch (all zeros when every weight is equal).
/// </summary>
/// <remarks>
/// <para><b>Unbiased episode collection.</b> Stopping after a fixed number of steps would keep more short
/// episodes than long ones (episodes still running at the cut are dropped or cut), biasing the gradient
/// towards failures. Instead, each update lets every one of the n_envs copies run exactly episodes_per_env
/// complete episodes; a copy that finished its quota keeps being stepped (the vector environment steps
/// all copies together) but its data is ignored. An episode is kept exactly when it starts while its copy
/// is still short of its quota in the current round, a decision taken before the episode starts, so the kept
/// episodes are fresh independent episodes of the current policy with no preference for short or long ones.
/// The ignored episode a copy is in when a round ends is finished (still ignored) at the start of the next
/// round before that copy collects again: a batch never holds the tail of an episode whose start was not
/// kept. The steps spent on ignored data count against the step budget. An environment whose episodes
/// never end cannot be trained with REINFORCE.</para>
/// <para><b>Truncated episodes</b> (time limit, not a terminal state): with baseline=value the last reward
/// is bootstrapped with γ·V(final observation), as the on-policy collector does; otherwise the episode is
/// treated as if it had ended there (its return is cut, which under-weights the end of long episodes).</para>
/// </remarks>
public sealed class Reinforce : OnPolicyAlgorithm
{
    private readonly ReinforceSettings _s;
    private readonly Adam _policyAdam, _valueAdam;
    private readonly Tape _tape = new();
    private readonly CopyTrace[] _traces;
    private readonly float[] _actions, _envActions, _logProbs, _finalValue = new float[1];
    private readonly int[] _episodesDone;
    private readonly float[] _ignoring;   // 1 while a copy is inside an episode that started after its quota was met
    private readonly bool[] _fresh;       // the ignored episode has not been stepped yet
    private int _batchCount;
    private readonly bool[]? _masks;        // the environments' masks (null: none)
    private readonly int _maskSize;
    private float[] _obs = [], _act = [], _mask = [], _rewards = [], _ends = [], _rewardToGo = [], _weights = [], _values = [];

    /// <summary>Builds the policy (and value baseline) and optimizers for the context's environments (already reset).</summary>
    public Reinforce(AlgorithmContext context, ReinforceSettings settings, Rng rng) : base(context, settings, rng, "REINFORCE")
    {
        _s = settings;
        int actor = Policy.ActorParameterCount, copies = Environment.Count;
        _policyAdam = AddOptimizer("policy_optimizer", new Adam(Policy.Store, settings.LearningRate.ValueAt(0), range: ..actor));
        _valueAdam = AddOptimizer("value_optimizer", new Adam(Policy.Store, settings.ValueLearningRate.ValueAt(0), range: actor..));
        _traces = new CopyTrace[copies];
        _masks = Environment.ActionMasks;
        _maskSize = _masks is null ? 0 : Policy.MaskSize;
        for (int i = 0; i < _traces.Length; i++) _traces[i] = new CopyTrace(Policy.ObservationSize, Policy.ActionSize, _maskSize);
        _actions = new float[copies * Policy.ActionSize];
        _envActions = new float[copies * Environment.ActionSize];
        _logProbs = new float[copies];
        _episodesDone = new int[copies];
        _ignoring = new float[copies];
        _fresh = new bool[copies];
    }

    /// <inheritdoc/>
    public override bool HonoursActionMasks => true;

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        int n = Collect();
        int obsSize = Policy.ObservationSize;
        ComputeReturns(_rewards.AsSpan(0, n), _ends.AsSpan(0, n), _s.Gamma, _s.Returns, _rewardToGo.AsSpan(0, n), _weights.AsSpan(0, n));
        Span<float> values = _values.AsSpan(0, n);
        if (_s.Baseline == ReinforceBaseline.Value) Policy.PredictValues(_obs.AsSpan(0, n * obsSize), n, values);
        ApplyBaseline(_weights.AsSpan(0, n), _s.Baseline, values, _s.NormalizeReturns);
        _policyAdam.LearningRate = _s.LearningRate.ValueAt(progress);
        _valueAdam.LearningRate = _s.ValueLearningRate.ValueAt(progress);

        // Policy step on −mean(ψ·log π) − c_e·mean(H).
        Tape t = _tape;
        t.Reset();
        Policy.Store.ZeroGradients();
        Tensor obs = t.Constant(_obs.AsSpan(0, n * obsSize), new Shape(n, obsSize));
        (_, Tensor logp, Tensor entropy) = Policy.Evaluate(t, obs, Policy.Actions(t, _act, n), Policy.Masks(t, _mask.AsSpan(0, n * _maskSize), n));
        Tensor policyLoss = -(logp * t.Constant(_weights.AsSpan(0, n))).Mean();
        Tensor entropyMean = entropy.Mean();
        Tensor loss = policyLoss - _s.EffectiveEntropyCoefficient * entropyMean;
        NonFiniteValueException.ThrowIfNotFinite("REINFORCE loss", loss.Item());
        t.Backward(loss);
        float norm = GradientClipping.ClipGlobalNorm(Policy.Store.Gradients[..Policy.ActorParameterCount], _s.MaxGradNorm);
        NonFiniteValueException.ThrowIfNotFinite("policy gradient norm", norm);
        _policyAdam.Step();
        diagnostics.Set("policy_loss", policyLoss.Item());
        diagnostics.Set("entropy", entropyMean.Item());
        diagnostics.Set("policy_grad_norm", norm);
        diagnostics.Set("batch_steps", n);

        // Value baseline: full-batch MSE steps on the reward-to-go.
        if (_s.Baseline == ReinforceBaseline.Value && _s.ValueIterations > 0)
        {
            double first = 0, last = 0;
            for (int k = 0; k < _s.ValueIterations; k++)
            {
                t.Reset();
                Policy.Store.ZeroGradients();
                Tensor o = t.Constant(_obs.AsSpan(0, n * obsSize), new Shape(n, obsSize));
                Tensor valueLoss = (Policy.Value(t, o) - t.Constant(_rewardToGo.AsSpan(0, n))).Square().Mean();
                last = valueLoss.Item();
                NonFiniteValueException.ThrowIfNotFinite("REINFORCE value loss", last);
                if (k == 0) first = last;
                t.Backward(valueLoss);
                NonFiniteValueException.ThrowIfNotFinite("value gradient norm",
                    GradientClipping.ClipGlobalNorm(Policy.Store.Gradients[Policy.ActorParameterCount..], _s.MaxGradNorm));
                _valueAdam.Step();
            }
            diagnostics.Set("value_loss", first);
            diagnostics.Set("value_loss_after", last);
        }
        AddCommonDiagnostics(diagnostics, _policyAdam.LearningRate);
    }

    /// <summary>
    /// Discounted returns of a batch of complete episodes laid end to end (<paramref name="episodeEnds"/>[t] = 1
    /// on each episode's last step, which the last step must be): <paramref name="rewardToGo"/>[t] = G_t, and
    /// <paramref name="weights"/>[t] = G_t (future) or the return G_0 of t's episode (total).
    /// </summary>
    public static void ComputeReturns(ReadOnlySpan<float> rewards, ReadOnlySpan<float> episodeEnds, float gamma, ReinforceReturns mode,
        Span<float> rewardToGo, Span<float> weights)
    {
        int n = rewards.Length;
        float g = 0f;
        for (int t = n - 1; t >= 0; t--)
        {
            g = rewards[t] + gamma * (1f - episodeEnds[t]) * g;   // G_t = r_t + γ·G_{t+1}, cut at episode ends
            rewardToGo[t] = g;
        }
        if (mode == ReinforceReturns.Future)
        {
            rewardToGo.CopyTo(weights);
            return;
        }
        int start = 0;
        for (int t = 0; t < n; t++)
        {
            if (episodeEnds[t] == 0f && t < n - 1) continue;
            weights[start..(t + 1)].Fill(rewardToGo[start]);     // G_0 of the episode [start, t]
            start = t + 1;
        }
    }

    /// <summary>
    /// Subtracts the baseline from <paramref name="weights"/> in place (the batch mean, or
    /// <paramref name="values"/> for a learned baseline), then normalizes them when asked (<see cref="AdvantageNormalization"/>;
    /// equal weights become all zeros).
    /// </summary>
    public static void ApplyBaseline(Span<float> weights, ReinforceBaseline baseline, ReadOnlySpan<float> values, bool normalize)
    {
        int n = weights.Length;
        if (n == 0) return;
        if (baseline == ReinforceBaseline.Mean)
        {
            float mean = (float)Mean(weights);
            for (int i = 0; i < n; i++) weights[i] -= mean;
        }
        else if (baseline == ReinforceBaseline.Value)
        {
            for (int i = 0; i < n; i++) weights[i] -= values[i];
        }
        if (normalize) AdvantageNormalization.Normalize(weights);
    }

    private static double Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return sum / values.Length;
    }

    /// <summary>Runs every copy for exactly episodes_per_env complete episodes and lays them end to end
    /// (copy 0's episodes, then copy 1's, …) in the batch arrays; returns the number of steps kept.</summary>
    private int Collect()
    {
        int copies = Environment.Count, obsSize = Policy.ObservationSize, act = Policy.ActionSize;
        int quota = _s.EpisodesPerEnvironment;
        bool bootstrap = _s.Baseline == ReinforceBaseline.Value;
        foreach (CopyTrace trace in _traces) trace.Count = 0;
        Array.Clear(_episodesDone);
        int active = copies, steps = 0;
        while (active > 0)
        {
            // gSDE: new exploration matrices at the start of each batch and every sde_sample_freq steps (no-op otherwise).
            if (steps == 0 || (Policy.NoiseSampleFrequency > 0 && steps % Policy.NoiseSampleFrequency == 0)) Policy.ResetNoise(copies, Rng);
            steps++;
            ReadOnlySpan<float> observations = Environment.Observations;
            Policy.Act(observations, copies, deterministic: false, Rng, _actions, _logProbs, default, _masks);
            for (int i = 0; i < copies; i++)
                if (_ignoring[i] == 0f && _episodesDone[i] < quota)
                    _traces[i].Add(observations.Slice(i * obsSize, obsSize), _actions.AsSpan(i * act, act),
                        _masks is null ? default : _masks.AsSpan(i * _maskSize, _maskSize));
            Policy.ToEnvironmentActions(_actions, copies, _envActions);
            Environment.Step(_envActions);
            double[] rewards = Environment.Rewards;
            bool[] terminated = Environment.Terminated, truncated = Environment.Truncated;
            for (int i = 0; i < copies; i++)
            {
                bool done = terminated[i] || truncated[i];
                if (_ignoring[i] != 0f || _episodesDone[i] >= quota)
                {
                    _fresh[i] = false;
                    // An ignored episode ended: the next one is kept only if the copy still needs episodes.
                    if (done) (_ignoring[i], _fresh[i]) = _episodesDone[i] >= quota ? (1f, true) : (0f, false);
                    continue;
                }
                float r = (float)rewards[i] - _s.RewardTemperature * _logProbs[i];   // R′ = R − T·log π(a|s) (0 unless annealing)
                if (bootstrap && truncated[i] && !terminated[i])
                {
                    Policy.PredictValues(Environment.FinalObservations.AsSpan(i * obsSize, obsSize), 1, _finalValue);
                    r += _s.Gamma * _finalValue[0];
                }
                _traces[i].SetOutcome(r, done);
                if (done && ++_episodesDone[i] == quota)
                {
                    active--;
                    _ignoring[i] = 1f;   // the episode the automatic reset just started begins after the quota
                    _fresh[i] = true;
                }
            }
        }
        // A copy whose ignored episode has not taken a step yet stands at an episode start: keep its next one.
        for (int i = 0; i < copies; i++)
            if (_fresh[i]) (_ignoring[i], _fresh[i]) = (0f, false);

        int total = 0;
        foreach (CopyTrace trace in _traces) total += trace.Count;
        if (_rewards.Length < total)
        {
            int capacity = Math.Max(total, _rewards.Length * 2);
            _obs = new float[capacity * obsSize];
            _act = new float[capacity * act];
            _mask = new float[capacity * _maskSize];
            _rewards = new float[capacity];
            _ends = new float[capacity];
            _rewardToGo = new float[capacity];
            _weights = new float[capacity];
            _values = new float[capacity];
        }
        int row = 0;
        foreach (CopyTrace trace in _traces)
        {
            int c = trace.Count;
            trace.Observations.AsSpan(0, c * obsSize).CopyTo(_obs.AsSpan(row * obsSize));
            trace.Actions.AsSpan(0, c * act).CopyTo(_act.AsSpan(row * act));
            trace.Masks.AsSpan(0, c * _maskSize).CopyTo(_mask.AsSpan(row * _maskSize));
            trace.Rewards.AsSpan(0, c).CopyTo(_rewards.AsSpan(row));
            trace.Ends.AsSpan(0, c).CopyTo(_ends.AsSpan(row));
            row += c;
        }
        _batchCount = total;
        return total;
    }

    /// <summary>Observations of the last batch, [steps, obs] (for tests).</summary>
    internal ReadOnlySpan<float> BatchObservations => _obs.AsSpan(0, _batchCount * Policy.ObservationSize);

    /// <summary>The steps one copy contributes to the current batch (grown as needed, reused across updates).</summary>
    private sealed class CopyTrace(int observationSize, int actionSize, int maskSize)
    {
        public float[] Observations = new float[256 * observationSize];
        public float[] Actions = new float[256 * actionSize];
        public float[] Masks = new float[256 * maskSize];
        public float[] Rewards = new float[256];
        public float[] Ends = new float[256];
        public int Count;

        public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, ReadOnlySpan<bool> mask)
        {
            if (Count == Rewards.Length)
            {
                int capacity = Count * 2;
                Array.Resize(ref Observations, capacity * observationSize);
                Array.Resize(ref Actions, capacity * actionSize);
                Array.Resize(ref Masks, capacity * maskSize);
                Array.Resize(ref Rewards, capacity);
                Array.Resize(ref Ends, capacity);
            }
            observation.CopyTo(Observations.AsSpan(Count * observationSize));
            action.CopyTo(Actions.AsSpan(Count * actionSize));
            OnPolicy.RolloutCollector.StoreMasks(mask, Masks.AsSpan(Count * maskSize, maskSize));
            Count++;
        }

        public void SetOutcome(float reward, bool episodeEnded)
        {
            Rewards[Count - 1] = reward;
            Ends[Count - 1] = episodeEnded ? 1f : 0f;
        }
    }

    /// <inheritdoc/>
    protected override void SaveExtraState(StateDictionary state) => state.Set("ignoring", _ignoring);

    /// <inheritdoc/>
    protected override void LoadExtraState(StateDictionary state) => state.Read("ignoring", _ignoring);
}
