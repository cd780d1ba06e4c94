using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.Annealing;

/// <summary>Which policy-annealing loss to use.</summary>
public enum AnnealingVariant
{
    /// <summary>Grouped: trajectories from one start state are compared within their group.</summary>
    Grouped,
    /// <summary>Value-function ("direct"): a value network and the policy fit one residual together.</summary>
    Direct,
}

/// <summary>Policy-annealing settings, named and defaulted as in the reference tool.</summary>
public sealed class PolicyAnnealingSettings : Hyperparameters, IFixesEnvironmentCount
{
    /// <summary>One environment copy per episode of a batch.</summary>
    public int EnvironmentCount => BatchSize;

    /// <summary>The loss.</summary>
    [Hyperparameter("value_function", "grouped or direct (value-function annealing)")]
    public AnnealingVariant Variant { get; set; } = AnnealingVariant.Grouped;

    /// <summary>Episodes per batch.</summary>
    [Hyperparameter("batch_size", "episodes per batch (groups × group size)")]
    public int BatchSize { get; set; } = 32;

    /// <summary>Episodes per group.</summary>
    [Hyperparameter("group_size", "episodes per group sharing a start state (grouped only; direct uses 1)")]
    public int GroupSize { get; set; } = 8;

    /// <summary>Episode batches to train for.</summary>
    [Hyperparameter("num_episode_batches", "episode batches (outer iterations)")]
    public int EpisodeBatches { get; set; } = 100;

    /// <summary>Full-batch optimizer steps per episode batch.</summary>
    [Hyperparameter("num_optim_steps", "full-batch gradient steps per episode batch")]
    public int OptimizationSteps { get; set; } = 30;

    /// <summary>Initial temperature.</summary>
    [Hyperparameter("temp_start", "temperature T of the first batch (> 0)")]
    public float TemperatureStart { get; set; } = 2f;

    /// <summary>Final temperature.</summary>
    [Hyperparameter("temp_end", "temperature T of the last batch (> 0; reached exactly)")]
    public float TemperatureEnd { get; set; } = 2f;

    /// <summary>Adam learning rate.</summary>
    [Hyperparameter("learning_rate", "Adam learning rate (betas 0.5, 0.99)")]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Discount γ of the value-function variant.</summary>
    [Hyperparameter("discount_factor", "γ of the value-function variant, in [0, 1)")]
    public float DiscountFactor { get; set; } = 0.985f;

    /// <summary>Trust region on each trajectory's total log-probability (grouped only).</summary>
    [Hyperparameter("clip_eps", "clip each centred target within ±clip_eps of the current centred log-probability (grouped only; 1e5 = off)")]
    public float ClipEpsilon { get; set; } = 1e5f;

    /// <summary>Give every episode its own start state.</summary>
    [Hyperparameter("disable_group_initialization", "give every episode its own reset seed instead of one per group (the grouped loss then compares trajectories from different start states)")]
    public bool DisableGroupInitialization { get; set; }

    /// <summary>Hidden widths of the policy and value networks.</summary>
    [Hyperparameter("hidden_layers", "hidden layer widths of the policy and value networks (ReLU)")]
    public int[] HiddenLayers { get; set; } = [32, 32];

    /// <summary>Divisors applied to each observation component before the networks (empty: none). The tuned CartPole
    /// settings use the reference's (2.4, 24, 0.418, 4.18), which bring every component to roughly [−1, 1].</summary>
    [Hyperparameter("observation_scale", "divide observation component i by the i-th number before the networks ([]: no scaling; one number per component)")]
    public float[] ObservationScale { get; set; } = [];

    /// <summary>Validation mode: act by argmax, no updates.</summary>
    [Hyperparameter("validate", "run episodes with argmax actions and no updates")]
    public bool ValidationMode { get; set; }

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, BatchSize > 0 && GroupSize > 0, "batch_size and group_size must be > 0");
        Require(errors, Variant == AnnealingVariant.Direct || GroupSize <= 0 || BatchSize % GroupSize == 0, $"batch_size {BatchSize} must be a multiple of group_size {GroupSize}");
        Require(errors, Variant == AnnealingVariant.Direct || ValidationMode || GroupSize >= 2, "the grouped loss needs group_size ≥ 2 (with 1 every centred residual is 0)");
        Require(errors, EpisodeBatches > 0 && OptimizationSteps > 0, "num_episode_batches and num_optim_steps must be > 0");
        Require(errors, TemperatureStart > 0 && TemperatureEnd > 0, $"temperatures must be > 0 (got {TemperatureStart}, {TemperatureEnd})");
        Require(errors, LearningRate >= 0, $"learning_rate must be ≥ 0 (got {LearningRate})");
        Require(errors, DiscountFactor is >= 0 and < 1, $"discount_factor must lie in [0, 1) (got {DiscountFactor})");
        Require(errors, ClipEpsilon > 0, $"clip_eps must be > 0 (got {ClipEpsilon})");
    }
}

/// <summary>
/// Policy annealing: trains a policy so that the probability of a trajectory is proportional to
/// exp(return / T), by the grouped loss or the value-function loss (<see cref="AnnealingLosses"/>),
/// with full-batch Adam steps (betas 0.5, 0.99) on each batch of complete episodes and a geometric
/// temperature schedule. Output layers start at zero (a uniform policy and V ≡ 0).
/// </summary>
public sealed class PolicyAnnealing : IAlgorithm, IValueProbe
{
    private readonly PolicyAnnealingSettings _s;
    private readonly ParameterStore _store = new();
    private readonly Mlp _policy;
    private readonly Mlp? _value;
    private readonly Adam _adam;
    private readonly Rng _rng;
    private readonly EpisodeBatch _batch;
    private readonly Action<Span<float>>? _transform;
    private readonly int _actions;
    private readonly Tape _tape = new();
    private readonly float[] _scaled;
    private int _batchIndex;
    private ValueTrace? _trace;

    /// <summary>Builds the networks; the context's environment must have batch_size copies.</summary>
    public PolicyAnnealing(AlgorithmContext context, PolicyAnnealingSettings settings, Rng rng)
    {
        settings.ThrowIfInvalid("policy annealing settings");
        IVectorEnvironment env = context.Environment;
        if (env.SingleActionSpace is not Discrete discrete)
            throw new PolicyLabException($"Policy annealing needs a Discrete action space; {env.Spec?.Id} has {env.SingleActionSpace}.");
        (_s, _rng, _actions) = (settings, rng, discrete.Count);
        int obs = env.ObservationSize;
        _policy = new Mlp(_store, "pi", obs, settings.HiddenLayers, _actions, Activation.Relu);
        _policy.InitializeUniform(rng);
        _policy.Head.InitializeZero();
        if (settings.Variant == AnnealingVariant.Direct)
        {
            _value = new Mlp(_store, "vf", obs, settings.HiddenLayers, 1, Activation.Relu);
            _value.InitializeUniform(rng);
            _value.Head.InitializeZero();
        }
        _adam = new Adam(_store, settings.LearningRate, beta1: 0.5f, beta2: 0.99f);
        if (settings.ObservationScale.Length > 0)
        {
            if (settings.ObservationScale.Length != obs)
                throw new PolicyLabException($"observation_scale has {settings.ObservationScale.Length} numbers but {env.Spec?.Id ?? "the environment"} observes {obs} components; give one divisor per component or [] for none.");
            float[] scale = settings.ObservationScale;
            _transform = rows =>
            {
                for (int i = 0; i < rows.Length; i++) rows[i] /= scale[i % scale.Length];
            };
        }
        if (env.Count != settings.BatchSize)
            throw new PolicyLabException($"Policy annealing runs one environment copy per episode of a batch: n_envs ({env.Count}) must equal batch_size ({settings.BatchSize}).");
        _batch = new EpisodeBatch(env, _actions, _transform);
        _scaled = new float[obs * 64];
    }

    /// <inheritdoc/>
    public Hyperparameters Settings => _s;

    /// <inheritdoc/>
    public ParameterStore Parameters => _store;

    /// <inheritdoc/>
    public bool IsFinished => _batchIndex >= (_s.ValidationMode ? 1 : _s.EpisodeBatches);

    /// <inheritdoc/>
    /// <remarks>The mean return of each episode batch, as the reference tool records it.</remarks>
    public string? RewardsSeries => "mean_return";

    /// <summary>The policy network (observation → logits).</summary>
    public Mlp Policy => _policy;

    /// <summary>The value network of the direct variant.</summary>
    public Mlp? Value => _value;

    /// <summary>The latest batch of episodes.</summary>
    public EpisodeBatch LastBatch => _batch;

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        float temperature = AnnealingLosses.Temperature(_batchIndex, _s.EpisodeBatches, _s.TemperatureStart, _s.TemperatureEnd);
        int groupSize = _s.Variant == AnnealingVariant.Grouped && !_s.DisableGroupInitialization ? _s.GroupSize : 1;
        var seeds = new ulong[_s.BatchSize];
        for (int i = 0; i < seeds.Length; i++) seeds[i] = i % groupSize == 0 ? _rng.NextUInt64() : seeds[i - 1];
        _batch.Collect(_policy, seeds, _s.ValidationMode, _rng);

        if (_value is not null) _trace = FirstEpisodeTrace(temperature);
        double firstLoss = double.NaN, lastLoss = double.NaN;
        if (!_s.ValidationMode)
        {
            float[]? targets = _s.Variant == AnnealingVariant.Grouped ? GroupedTargets(temperature) : null;
            for (int step = 0; step < _s.OptimizationSteps; step++)
            {
                double loss = OptimizationStep(temperature, targets);
                if (step == 0) firstLoss = loss;
                lastLoss = loss;
            }
        }
        _batchIndex++;
        diagnostics.Set("mean_return", _batch.Returns.Average());
        diagnostics.Set("mean_length", _batch.Lengths.Average());
        diagnostics.Set("loss", firstLoss);
        diagnostics.Set("avg_diff", Math.Sqrt(firstLoss));
        diagnostics.Set("final_loss", lastLoss);
        diagnostics.Set("temperature", temperature);
        diagnostics.Set("episodes", _s.BatchSize);
    }

    /// <summary>Y_j = G_j/T, or with clip_eps the centred target clipped to ±eps around the current centred S_j.</summary>
    private float[] GroupedTargets(float temperature)
    {
        int b = _batch.Count, g = _s.GroupSize;
        var y = new float[b];
        for (int j = 0; j < b; j++) y[j] = (float)(_batch.Returns[j] / temperature);
        if (_s.ClipEpsilon >= 1e5f) return y;
        _tape.Reset();
        float[] s0 = TrajectoryLogProbs(_tape).Sum(1).ToArray();
        for (int start = 0; start < b; start += g)
        {
            float meanS = 0, meanY = 0;
            for (int j = start; j < start + g; j++) { meanS += s0[j] / g; meanY += y[j] / g; }
            for (int j = start; j < start + g; j++)
                y[j] = Math.Clamp(y[j] - meanY, s0[j] - meanS - _s.ClipEpsilon, s0[j] - meanS + _s.ClipEpsilon);
        }
        return y;
    }

    /// <summary>log π(a_t|s_t) over the padded batch, [B, L], with invalid cells filled with log 1/A.</summary>
    private Tensor TrajectoryLogProbs(Tape t)
    {
        int b = _batch.Count, l = _batch.Width, obs = _batch.ObservationSize;
        Tensor observations = t.Constant(_batch.PaddedObservations, new Shape(b * l, obs));
        Tensor logp = new Categorical(_policy.Forward(t, observations)).LogProb(t.Constant(_batch.PaddedActions)).Reshape(new Shape(b, l));
        Tensor valid = t.Constant(_batch.Valid, new Shape(b, l));
        return logp * valid + (1f - valid) * -MathF.Log(_actions);
    }

    private double OptimizationStep(float temperature, float[]? targets)
    {
        Tape t = _tape;
        t.Reset();
        _adam.ZeroGradients();
        int b = _batch.Count, l = _batch.Width, obs = _batch.ObservationSize;
        Tensor observations = t.Constant(_batch.PaddedObservations, new Shape(b * l, obs));
        Tensor logp = new Categorical(_policy.Forward(t, observations)).LogProb(t.Constant(_batch.PaddedActions)).Reshape(new Shape(b, l));
        Tensor valid = t.Constant(_batch.Valid, new Shape(b, l));
        Tensor loss;
        if (targets is not null)
        {
            loss = AnnealingLosses.Grouped(logp, valid, t.Constant(targets), _s.GroupSize, _actions);
        }
        else
        {
            (Tensor tail, Tensor bootstrap) = EpisodeEnds(t);
            Tensor values = _value!.Forward(t, observations).Reshape(new Shape(b, l));
            Tensor finalValues = _value.Forward(t, t.Constant(_batch.FinalObservations, new Shape(b, obs))).Reshape(new Shape(b));
            loss = AnnealingLosses.Direct(logp, values, finalValues, t.Constant(_batch.PaddedRewards, new Shape(b, l)), valid,
                tail, bootstrap, temperature, _s.DiscountFactor, _batch.TotalSteps);
        }
        double value = loss.Item();
        NonFiniteValueException.ThrowIfNotFinite("policy-annealing loss", value);
        t.Backward(loss);
        _adam.Step();
        return value;
    }

    /// <summary>The terminal-tail and bootstrap masks of the direct loss: log A / (1 − γ) at each terminated
    /// episode's first cell after its end, 1 at each truncated episode's, [B, L].</summary>
    private (Tensor Tail, Tensor Bootstrap) EpisodeEnds(Tape t)
    {
        int b = _batch.Count, l = _batch.Width;
        Tensor tail = t.Full(new Shape(b, l), 0f), bootstrap = t.Full(new Shape(b, l), 0f);
        for (int j = 0; j < b; j++)
        {
            int end = j * l + _batch.Lengths[j];
            if (_batch.Terminated[j]) tail.Data[end] = MathF.Log(_actions) / (1f - _s.DiscountFactor);
            else if (_batch.Truncated[j]) bootstrap.Data[end] = 1f;
        }
        return (tail, bootstrap);
    }

    /// <summary>Episode 0 of the batch as the critic saw it before this batch's updates (for value plots).</summary>
    private ValueTrace FirstEpisodeTrace(float temperature)
    {
        Tape t = _tape;
        t.Reset();
        int b = _batch.Count, l = _batch.Width, obs = _batch.ObservationSize, n = _batch.Lengths[0];
        Tensor observations = t.Constant(_batch.PaddedObservations, new Shape(b * l, obs));
        Tensor logp = new Categorical(_policy.Forward(t, observations)).LogProb(t.Constant(_batch.PaddedActions)).Reshape(new Shape(b, l));
        Tensor valid = t.Constant(_batch.Valid, new Shape(b, l));
        (Tensor tail, Tensor bootstrap) = EpisodeEnds(t);
        Tensor values = _value!.Forward(t, observations);
        Tensor finalValues = _value.Forward(t, t.Constant(_batch.FinalObservations, new Shape(b, obs))).Reshape(new Shape(b));
        Tensor target = AnnealingLosses.DirectTarget(logp, finalValues, t.Constant(_batch.PaddedRewards, new Shape(b, l)), valid,
            tail, bootstrap, temperature, _s.DiscountFactor);
        return new ValueTrace(values.Data[..n].ToArray(), target.Data[..n].ToArray(), _batch.PaddedRewards.AsSpan(0, n).ToArray(),
            logp.Data[..n].ToArray().Select(MathF.Exp).ToArray(), Continuous: false, EpisodeEnded: true);
    }

    /// <inheritdoc/>
    public ValueTrace? LatestTrace() => _trace;

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        int obs = _policy.Inputs;
        Span<float> row = _scaled.AsSpan(0, obs);
        Span<float> logits = stackalloc float[_actions];
        for (int i = 0; i < batch; i++)
        {
            observations.Slice(i * obs, obs).CopyTo(row);
            _transform?.Invoke(row);
            _policy.Forward(row, 1, logits);
            environmentActions[i] = deterministic ? Categorical.Mode(logits) : Categorical.Sample(logits, rng);
        }
    }

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetParameters("networks", _store);
        state.SetOptimizer("optimizer", _adam);
        state.SetRng("rng", _rng);
        state.SetScalar("batch_index", _batchIndex);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        state.ReadParameters("networks", _store);
        state.ReadOptimizer("optimizer", _adam);
        state.ReadRng("rng", _rng);
        _batchIndex = (int)state.ReadScalarInt64("batch_index");
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
