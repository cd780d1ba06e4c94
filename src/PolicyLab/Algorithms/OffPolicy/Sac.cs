using System.Globalization;
using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>SAC hyperparameters (defaults as published for SB3's SAC).</summary>
public sealed class SacSettings : OffPolicySettings
{
    /// <summary>SB3's learning rate.</summary>
    public SacSettings() => LearningRate = Schedule.Constant(3e-4f);

    /// <summary>Entropy coefficient α: "auto" (learned, α₀ = 1), "auto_X" (learned from α₀ = X) or a fixed number.</summary>
    [Hyperparameter("ent_coef", "entropy coefficient α: auto (learned from 1), auto_X (learned from X) or a fixed number")]
    public string EntropyCoefficient { get; set; } = "auto";

    /// <summary>Target entropy of the automatic tuning (−|A| when null).</summary>
    [Hyperparameter("target_entropy", "target entropy H̄ of the automatic α tuning (null: −dim(A))")]
    public float? TargetEntropy { get; set; }

    /// <summary>Gradient steps between target-network updates.</summary>
    [Hyperparameter("target_update_interval", "gradient steps between Polyak updates of the target critics")]
    public int TargetUpdateInterval { get; set; } = 1;

    /// <summary>Explore with gSDE instead of independent per-step noise.</summary>
    [Hyperparameter("use_sde", "generalized state-dependent exploration (gSDE): ã = tanh(μ(s) + z(s)·W), W redrawn every sde_sample_freq steps")]
    public bool UseSde { get; set; }

    /// <summary>gSDE: collected steps between exploration matrices (≤ 0: one per collection round).</summary>
    [Hyperparameter("sde_sample_freq", "gSDE: collected steps between new exploration matrices (-1: only at the start of each train_freq round)")]
    public int SdeSampleFrequency { get; set; } = -1;

    /// <summary>gSDE: one σ per feature and action dimension (true) or per feature.</summary>
    [Hyperparameter("full_std", "gSDE: one σ per (feature, action dimension) pair (true) or one per feature (false)")]
    public bool FullStd { get; set; } = true;

    /// <summary>gSDE: σ = log(1 + log σ) + 1 above 0 instead of exp.</summary>
    [Hyperparameter("use_expln", "gSDE: σ = exp(log σ) below 0 and log1p(log σ) + 1 above (grows slowly) instead of exp(log σ)")]
    public bool UseExpln { get; set; }

    /// <summary>gSDE: initial log σ of the exploration matrix's entries.</summary>
    [Hyperparameter("log_std_init", "gSDE: initial log σ of the exploration matrix's entries (SB3's SAC default: -3)")]
    public float LogStdInit { get; set; } = -3f;

    /// <summary>gSDE: explore with the policy's gSDE before learning_starts instead of uniform actions.</summary>
    [Hyperparameter("use_sde_at_warmup", "gSDE: act with gSDE instead of uniformly random actions before learning_starts")]
    public bool UseSdeAtWarmup { get; set; }

    /// <summary>gSDE: the noise's gradient also trains the actor's last hidden layer (SB3's SAC: true).</summary>
    [Hyperparameter("sde_learn_features", "gSDE: let the noise's gradient flow into the actor's last hidden layer (SB3's SAC: true)")]
    public bool SdeLearnFeatures { get; set; } = true;

    /// <summary>Whether α is learned, and its initial value.</summary>
    public (bool Learned, float Initial) ParseEntropyCoefficient()
    {
        string text = EntropyCoefficient.Trim();
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return (true, 1f);
        if (text.StartsWith("auto_", StringComparison.OrdinalIgnoreCase)
            && float.TryParse(text.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out float start)) return (true, start);
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float fixedValue)) return (false, fixedValue);
        return (false, float.NaN);
    }

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        (bool learned, float initial) = ParseEntropyCoefficient();
        Require(errors, initial > 0 && float.IsFinite(initial), $"ent_coef must be auto, auto_X with X > 0, or a number > 0 (got '{EntropyCoefficient}')");
        Require(errors, TargetUpdateInterval > 0, $"target_update_interval must be > 0 (got {TargetUpdateInterval})");
        Require(errors, SdeSampleFrequency >= -1, $"sde_sample_freq must be ≥ -1 (got {SdeSampleFrequency})");
        Require(errors, !UseSdeAtWarmup || UseSde, "use_sde_at_warmup needs use_sde=true");
        _ = learned;
    }
}

/// <summary>
/// Soft Actor-Critic (Haarnoja et al. 2018, with the automatic temperature of the 2018 follow-up), as
/// SB3 implements it. The actor is a tanh-squashed Gaussian whose mean and log σ (clamped to
/// [−20, 2]) come from one network; ã = tanh(μ(s) + σ(s)·ε). Per gradient step, on a minibatch (the losses as
/// written are in <see cref="SacLosses"/>):
///   J(α)  = E[−log α · (log π(ã|s) + H̄)]                         (temperature, H̄ = −dim A)
///   y     = r + γᵏ(1 − d)·(minᵢ Q′ᵢ(s′, ã′) − α·log π(ã′|s′)),  ã′ ~ π(·|s′)
///   J(Q)  = Σᵢ ½ E[(Qᵢ(s, a) − y)²]                               (twin critics)
///   J(π)  = E[α·log π(ã|s) − minᵢ Qᵢ(s, ã)]                       (reparameterized through the critics)
///   θ′ᵢ  ← τθᵢ + (1 − τ)θ′ᵢ
/// Everything done per critic (target values, J(Q)'s gradients, Qᵢ(s, ã) and ∂Qᵢ/∂ã) is done by
/// <see cref="TwinCritic"/>, critic by critic, on two cores when <see cref="Gemm.Threads"/> is 2 or more, with the
/// same bits on one thread or two. With use_sde the actor explores with gSDE instead (<see cref="SacStateDependentNoise"/>):
/// ã = tanh(μ(s) + z(s)·W), the same losses.
/// </summary>
public sealed class Sac : OffPolicyAlgorithm
{
    private const float LogStdMin = -20f, LogStdMax = 2f;
    private static readonly string[] Names = ["actor_loss", "critic_loss", "ent_coef", "ent_coef_loss", "entropy", "q_mean"];

    /// <summary>One critic's term of J(Q) (<see cref="SacLosses.Critic"/> with that critic alone).</summary>
    private static readonly Func<Tensor, Tensor, Tensor> CriticTerm = static (q, y) => SacLosses.Critic(y, q);

    private readonly SacSettings _s;
    private readonly ParameterStore _store = new(), _targetStore = new();
    private readonly Mlp _actor;
    private readonly TwinCritic _critics;
    private readonly Parameter _logAlpha;
    private readonly Adam _actorAdam;
    private readonly Adam? _alphaAdam;
    private readonly float _targetEntropy, _fixedAlpha;
    private readonly Tape _actorTape = new();
    private readonly float[] _head, _noise, _nextActions, _nextLogProbs, _minQ, _targets, _actionGradient, _logStd;
    private float[] _actHead;
    private readonly SacStateDependentNoise? _sde;

    /// <summary>Builds the networks and optimizers for the context's environments (already reset).</summary>
    public Sac(AlgorithmContext context, SacSettings settings, Rng rng) : base(context, settings, rng, "SAC")
    {
        _s = settings;
        int o = ObservationSize, d = ActionSize, b = settings.BatchSize;
        int actorOutputs = settings.UseSde ? d : 2 * d; // gSDE: the mean only; log σ is the exploration matrix's
        _actor = new Mlp(_store, "actor", o, settings.PolicyLayers, actorOutputs, settings.Activation);
        Mlp targetActor = new(_targetStore, "actor", o, settings.PolicyLayers, actorOutputs, settings.Activation); // same layout as _store
        var exploration = new Policies.Distributions.StateDependentExploration(settings.SdeSampleFrequency, settings.FullStd, settings.UseExpln,
            settings.SdeLearnFeatures);
        if (settings.UseSde)
        {
            _sde = new SacStateDependentNoise(_store, _actor, exploration, settings.LogStdInit);
            _ = new SacStateDependentNoise(_targetStore, targetActor, exploration, settings.LogStdInit);
        }
        _critics = new TwinCritic(_store, _targetStore, 2, o, d, settings);
        _logAlpha = _store.Add("log_ent_coef", new Shape(1));
        _targetStore.Add("log_ent_coef", new Shape(1));
        _actor.InitializeUniform(rng);
        _critics.Initialize(rng);
        (bool learned, float alpha0) = settings.ParseEntropyCoefficient();
        _logAlpha.Value[0] = MathF.Log(alpha0);
        _fixedAlpha = alpha0;
        _targetStore.CopyFrom(_store);
        _targetEntropy = settings.TargetEntropy ?? -d;

        float lr = settings.LearningRate.ValueAt(0);
        Range actorRange = RangeOf(_actor);
        if (_sde is not null) actorRange = actorRange.Start..(_sde.LogStd.Offset + _sde.LogStd.Length);
        _actorAdam = new Adam(_store, lr, range: actorRange);
        if (learned) _alphaAdam = new Adam(_store, lr, range: _logAlpha.Offset..(_logAlpha.Offset + 1));

        _head = new float[b * 2 * d];
        _noise = new float[b * d];
        _nextActions = new float[b * d];
        _nextLogProbs = new float[b];
        _minQ = new float[b];
        _targets = new float[b];
        _actionGradient = new float[b * d];
        _actHead = new float[Environment.Count * 2 * d];
        _logStd = new float[d];
        _sde?.ResetExploration(Environment.Count, rng); // a first matrix, so that acting works before any round
    }

    /// <inheritdoc/>
    public override ParameterStore Parameters => _store;

    /// <summary>The current entropy coefficient α.</summary>
    public float Alpha => _alphaAdam is null ? _fixedAlpha : MathF.Exp(_logAlpha.Value[0]);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> DiagnosticNames => Names;

    /// <inheritdoc/>
    protected override void Train(double progress, Span<double> sums)
    {
        float lr = _s.LearningRate.ValueAt(progress);
        TanhGaussianSample sample = SampleStep();
        float alpha = Alpha; // α of this step is its value before the update below
        double meanLogProb = Mean(sample.LogProb.Data);

        // J(α) = E[−log α · (log π(ã|s) + H̄)]                                   (eq. 18, SacLosses.Temperature)
        double alphaLoss = 0;
        if (_alphaAdam is not null)
        {
            alphaLoss = TemperatureGradient(meanLogProb);
            _alphaAdam.LearningRate = lr;
            _alphaAdam.Step();
        }

        // J(Q) = Σᵢ ½ E[(Qᵢ(s, a) − y)²],  y = r + γᵏ(1 − d)(minᵢ Q′ᵢ(s′, ã′) − α log π(ã′|s′))   (eqs. 5, 3, SacLosses.Critic)
        double criticLoss = CriticGradients(alpha);
        NonFiniteValueException.ThrowIfNotFinite("SAC critic loss", criticLoss);
        _critics.Step(lr);

        // J(π) = E[α log π(ã|s) − minᵢ Qᵢ(s, ã)], through the updated critics held fixed   (eqs. 7–9, SacLosses.Actor)
        double actorLoss = ActorGradient(alpha, sample);
        _actorAdam.LearningRate = lr;
        _actorAdam.Step();

        // θ′ ← τθ + (1 − τ)θ′ for the critics.
        if ((Updates + 1) % _s.TargetUpdateInterval == 0) _critics.UpdateTargets(_s.Tau);

        sums[0] += actorLoss;
        sums[1] += criticLoss;
        sums[2] += alpha;
        sums[3] += alphaLoss;
        sums[4] += -meanLogProb;
        sums[5] += _critics.MeanQ(0);
    }

    /// <summary>π(·|s) from the actor's output [B, 2D]: the pre-squash mean, then log σ clamped to [−20, 2].</summary>
    internal static TanhGaussian Policy(Tensor head, int actionSize) =>
        new(head.Slice(-1, 0, actionSize), head.Slice(-1, actionSize, actionSize).Clamp(LogStdMin, LogStdMax));

    /// <summary>Samples the step's minibatch, ã ~ π(·|s) reparameterized on the actor's tape (returned, with its noise
    /// ε kept in <see cref="Noise"/>), and ã′ ~ π(·|s′) without gradient (<see cref="NextActions"/>, <see cref="NextLogProbs"/>).</summary>
    internal TanhGaussianSample SampleStep()
    {
        int o = ObservationSize, d = ActionSize, n = _s.BatchSize;
        Buffer.Sample(Rng, Batch, _s.Gamma, _s.NSteps);
        Tape ta = _actorTape;
        ta.Reset();
        if (_sde is not null)
            return _sde.SampleStep(ta, Batch.Observations, Batch.NextObservations, n, Rng, _nextActions, _nextLogProbs);
        Rng.FillNormal(_noise);
        TanhGaussianSample sample = Policy(_actor.Forward(ta, ta.Constant(Batch.Observations, new Shape(n, o))), d)
            .Rsample(ta.Constant(_noise, new Shape(n, d)));

        _actor.Forward(Batch.NextObservations, n, _head);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = _head.AsSpan(r * 2 * d, 2 * d);
            for (int j = 0; j < d; j++) _logStd[j] = Math.Clamp(row[d + j], LogStdMin, LogStdMax);
            _nextLogProbs[r] = TanhGaussian.Sample(row[..d], _logStd, Rng, _nextActions.AsSpan(r * d, d));
        }
        return sample;
    }

    /// <summary>∂J(α)/∂log α = −(E[log π(ã|s)] + H̄) into log α's gradient (the store's others zeroed); returns J(α).</summary>
    internal double TemperatureGradient(double meanLogProb)
    {
        _store.ZeroGradients();
        _logAlpha.Gradient[0] = -(float)(meanLogProb + _targetEntropy);
        return -_logAlpha.Value[0] * (meanLogProb + _targetEntropy);
    }

    /// <summary>The critics' gradients of J(Q) (see <see cref="SacLosses.Critic"/>), critic by critic; returns J(Q).</summary>
    internal double CriticGradients(float alpha)
    {
        _critics.MinimumTargetValues(Batch.NextObservations, _nextActions, _minQ);
        for (int r = 0; r < _s.BatchSize; r++)
            _targets[r] = Batch.Rewards[r] + Batch.Discounts[r] * (_minQ[r] - alpha * _nextLogProbs[r]);
        _critics.LossGradients(Batch.Observations, Batch.Actions, _targets, CriticTerm);
        return (double)_critics.Loss(0) + _critics.Loss(1);
    }

    /// <summary>
    /// The actor's gradient of J(π) (see <see cref="SacLosses.Actor"/>) into the store (zeroed first); returns J(π). The
    /// critics give minᵢ Qᵢ(s, ã) and its gradient G′ = ∂/∂ã, critic by critic; the actor's tape then back-propagates
    /// E[α log π] + Σ G ⊙ ã with the constant G = −G′/B, which has the same gradient as J(π).
    /// </summary>
    internal double ActorGradient(float alpha, TanhGaussianSample sample)
    {
        int n = _s.BatchSize, d = ActionSize;
        _critics.MinimumActionValues(Batch.Observations, sample.Action.Data, _minQ, _actionGradient);
        double loss = 0;
        for (int r = 0; r < n; r++) loss += alpha * sample.LogProb.Data[r] - _minQ[r];
        loss /= n;
        NonFiniteValueException.ThrowIfNotFinite("SAC actor loss", loss);
        for (int i = 0; i < _actionGradient.Length; i++) _actionGradient[i] = -_actionGradient[i] / n;
        Tape ta = _actorTape;
        Tensor surrogate = (alpha * sample.LogProb).Mean() + (ta.Constant(_actionGradient, new Shape(n, d)) * sample.Action).Sum();
        _store.ZeroGradients();
        ta.Backward(surrogate);
        return loss;
    }

    // The step's inputs and networks, for the test that compares the gradients above with SacLosses.
    internal TransitionBatch StepBatch => Batch;
    internal ReadOnlySpan<float> Noise => _noise;
    internal ReadOnlySpan<float> NextActions => _nextActions;
    internal ReadOnlySpan<float> NextLogProbs => _nextLogProbs;
    internal Mlp Actor => _actor;
    internal float? MeanClip => _sde is null ? null : SacStateDependentNoise.MeanClip;
    internal TwinCritic Critics => _critics;
    internal Parameter LogAlpha => _logAlpha;
    internal float TargetEntropy => _targetEntropy;

    private static double Mean(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s / values.Length;
    }

    /// <inheritdoc/>
    protected override void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions)
    {
        _sde?.BeforeExploring(batch, Rng);
        PolicyActions(observations, batch, deterministic: false, Rng, actions);
    }

    /// <inheritdoc/>
    protected override void OnRoundStart() => _sde?.StartRound(Environment.Count, Rng);

    /// <inheritdoc/>
    protected override void OnCollected(ReadOnlySpan<float> storedActions) => _sde?.StepCollected();

    /// <inheritdoc/>
    protected override bool ExploresDuringWarmup => _s.UseSdeAtWarmup;

    /// <inheritdoc/>
    protected override void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions)
    {
        if (_sde is not null)
        {
            _sde.Act(observations, batch, deterministic, actions);
            return;
        }
        int d = ActionSize;
        if (_actHead.Length < batch * 2 * d) _actHead = new float[batch * 2 * d];
        float[] head = _actHead;
        _actor.Forward(observations, batch, head);
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<float> row = head.AsSpan(r * 2 * d, 2 * d);
            if (deterministic)
            {
                TanhGaussian.Mode(row[..d], actions.Slice(r * d, d));
                continue;
            }
            for (int j = 0; j < d; j++) _logStd[j] = Math.Clamp(row[d + j], LogStdMin, LogStdMax);
            TanhGaussian.Sample(row[..d], _logStd, rng, actions.Slice(r * d, d));
        }
    }

    /// <inheritdoc/>
    protected override void SaveAlgorithmState(StateDictionary state)
    {
        state.SetParameters("networks", _store);
        state.SetParameters("target_networks", _targetStore);
        state.SetOptimizer("actor_optimizer", _actorAdam);
        state.SetOptimizer("critic_optimizer", _critics.Optimizer);
        if (_alphaAdam is not null) state.SetOptimizer("ent_coef_optimizer", _alphaAdam);
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(StateDictionary state)
    {
        state.ReadParameters("networks", _store);
        state.ReadParameters("target_networks", _targetStore);
        state.ReadOptimizer("actor_optimizer", _actorAdam);
        state.ReadOptimizer("critic_optimizer", _critics.Optimizer);
        if (_alphaAdam is not null) state.ReadOptimizer("ent_coef_optimizer", _alphaAdam);
    }
}
