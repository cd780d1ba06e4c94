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
        _ = learned;
    }
}

/// <summary>
/// Soft Actor-Critic (Haarnoja et al. 2018, with the automatic temperature of the 2018 follow-up), as
/// SB3 implements it. The actor is a tanh-squashed Gaussian whose mean and log σ (clamped to
/// [−20, 2]) come from one network; ã = tanh(μ(s) + σ(s)·ε). Per gradient step, on a minibatch:
///   J(α)  = −E[log α · (log π(ã|s) + H̄)]                        (temperature, H̄ = −dim A)
///   y     = r + γᵏ(1 − d)·(minᵢ Q′ᵢ(s′, ã′) − α·log π(ã′|s′)),  ã′ ~ π(·|s′)
///   J(Q)  = ½ Σᵢ E[(Qᵢ(s, a) − y)²]                               (twin critics)
///   J(π)  = E[α·log π(ã|s) − minᵢ Qᵢ(s, ã)]                       (reparameterized through the critics)
///   θ′ᵢ  ← τθᵢ + (1 − τ)θ′ᵢ
/// The twin critics share no parameters, so everything done per critic (target values, J(Q)'s gradients, Qᵢ(s, ã)
/// and ∂Qᵢ/∂ã) is done critic by critic, on two cores when <see cref="Gemm.Threads"/> is 2 or more; each critic is
/// computed whole by one thread, so the result is the same bits on one thread or two.
/// </summary>
public sealed class Sac : OffPolicyAlgorithm
{
    private const float LogStdMin = -20f, LogStdMax = 2f;
    private static readonly string[] Names = ["actor_loss", "critic_loss", "ent_coef", "ent_coef_loss", "entropy", "q_mean"];

    private readonly SacSettings _s;
    private readonly ParameterStore _store = new(), _targetStore = new();
    private readonly Mlp _actor, _q0, _q1, _targetQ0, _targetQ1;
    private readonly Parameter _logAlpha;
    private readonly Adam _actorAdam, _criticAdam;
    private readonly Adam? _alphaAdam;
    private readonly Range _criticRange;
    private readonly float _targetEntropy, _fixedAlpha;
    private readonly Tape _actorTape = new();
    private readonly Critic[] _critics;
    private readonly CriticParts _targetValues, _criticGradients, _actionValues, _actionGradients;
    private readonly int[] _minCritic;
    private readonly float[] _head, _nextActions, _nextLogProbs, _criticInput, _targets, _actionGradient, _logStd;
    private float[] _actHead;

    /// <summary>Builds the networks and optimizers for the context's environments (already reset).</summary>
    public Sac(AlgorithmContext context, SacSettings settings, Rng rng) : base(context, settings, rng, "SAC")
    {
        _s = settings;
        int o = ObservationSize, d = ActionSize, b = settings.BatchSize;
        (_actor, _q0, _q1, _logAlpha) = Build(_store);
        (_, _targetQ0, _targetQ1, _) = Build(_targetStore);
        _actor.InitializeUniform(rng);
        _q0.InitializeUniform(rng);
        _q1.InitializeUniform(rng);
        (bool learned, float alpha0) = settings.ParseEntropyCoefficient();
        _logAlpha.Value[0] = MathF.Log(alpha0);
        _fixedAlpha = alpha0;
        _targetStore.CopyFrom(_store);
        _targetEntropy = settings.TargetEntropy ?? -d;

        float lr = settings.LearningRate.ValueAt(0);
        _actorAdam = new Adam(_store, lr, range: RangeOf(_actor));
        _criticRange = RangeOf(_q0, _q1);
        _criticAdam = new Adam(_store, lr, range: _criticRange);
        if (learned) _alphaAdam = new Adam(_store, lr, range: _logAlpha.Offset..(_logAlpha.Offset + 1));

        _head = new float[b * 2 * d];
        _nextActions = new float[b * d];
        _nextLogProbs = new float[b];
        _criticInput = new float[b * (o + d)];
        _targets = new float[b];
        _actHead = new float[Environment.Count * 2 * d];
        _logStd = new float[d];
        _targetValues = new CriticParts(TargetValue);
        _criticGradients = new CriticParts(CriticGradient);
        _actionValues = new CriticParts(ActionValue);
        _actionGradients = new CriticParts(ActionGradient);
        _critics = [new Critic(_q0, _targetQ0, b, o + d), new Critic(_q1, _targetQ1, b, o + d)];
        _minCritic = new int[b];
        _actionGradient = new float[b * d];

        (Mlp, Mlp, Mlp, Parameter) Build(ParameterStore store) => (
            new Mlp(store, "actor", o, settings.PolicyLayers, 2 * d, settings.Activation),
            new Mlp(store, "qf0", o + d, settings.CriticLayers, 1, settings.Activation),
            new Mlp(store, "qf1", o + d, settings.CriticLayers, 1, settings.Activation),
            store.Add("log_ent_coef", new Shape(1)));
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
        int o = ObservationSize, d = ActionSize, n = _s.BatchSize;
        float lr = _s.LearningRate.ValueAt(progress);
        Buffer.Sample(Rng, Batch, _s.Gamma, _s.NSteps);

        // ã ~ π(·|s), reparameterized: recorded now, used by the temperature and actor losses.
        Tape ta = _actorTape;
        ta.Reset();
        Tensor obs = ta.Constant(Batch.Observations, new Shape(n, o));
        Tensor head = _actor.Forward(ta, obs);
        Tensor noise = ta.Full(new Shape(n, d), 0f);
        Rng.FillNormal(noise.Data);
        var pi = new TanhGaussian(head.Slice(-1, 0, d), head.Slice(-1, d, d).Clamp(LogStdMin, LogStdMax));
        TanhGaussianSample sample = pi.Rsample(noise);
        double meanLogProb = Mean(sample.LogProb.Data);

        // J(α) = −E[log α · (log π + H̄)]: ∂J/∂log α = −E[log π + H̄]. α of this step is the value before its update.
        float alpha = Alpha;
        double alphaLoss = 0;
        if (_alphaAdam is not null)
        {
            alphaLoss = -_logAlpha.Value[0] * (meanLogProb + _targetEntropy);
            _store.ZeroGradients();
            _logAlpha.Gradient[0] = -(float)(meanLogProb + _targetEntropy);
            _alphaAdam.LearningRate = lr;
            _alphaAdam.Step();
        }

        // y = r + γᵏ(1 − d)(min Q′(s′, ã′) − α log π(ã′|s′)), ã′ from the current policy, no gradient.
        _actor.Forward(Batch.NextObservations, n, _head);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = _head.AsSpan(r * 2 * d, 2 * d);
            for (int j = 0; j < d; j++) _logStd[j] = Math.Clamp(row[d + j], LogStdMin, LogStdMax);
            _nextLogProbs[r] = TanhGaussian.Sample(row[..d], _logStd, Rng, _nextActions.AsSpan(r * d, d));
        }
        CriticInput(Batch.NextObservations, _nextActions, n, _criticInput);
        HelperThreads.Run(_targetValues, Gemm.Threads);
        for (int r = 0; r < n; r++)
            _targets[r] = Batch.Rewards[r] + Batch.Discounts[r] * (MathF.Min(_critics[0].TargetValues[r], _critics[1].TargetValues[r]) - alpha * _nextLogProbs[r]);

        // J(Q) = ½ Σᵢ E[(Qᵢ(s, a) − y)²]: each critic's term and gradient on its own tape (see CriticGradient).
        CriticInput(Batch.Observations, Batch.Actions, n, _criticInput);
        _store.ZeroGradients();
        HelperThreads.Run(_criticGradients, Gemm.Threads);
        double criticLoss = _critics[0].Loss + _critics[1].Loss;
        NonFiniteValueException.ThrowIfNotFinite("SAC critic loss", criticLoss);
        _criticAdam.LearningRate = lr;
        _criticAdam.Step();

        // J(π) = E[α log π(ã|s) − minᵢ Qᵢ(s, ã)], through the updated critics held fixed. Each critic's Qᵢ(s, ã) and
        // ∂Qᵢ/∂ã come from its own tape (see ActionValue, ActionGradient); the actor's tape then back-propagates
        // E[α log π] + Σ G ⊙ ã with the constant G = ∂(−E[minᵢ Qᵢ])/∂ã, which has the same gradient as J(π).
        CriticInput(Batch.Observations, sample.Action.Data, n, _criticInput);
        HelperThreads.Run(_actionValues, Gemm.Threads);
        double actorLossValue = 0;
        for (int r = 0; r < n; r++)
        {
            int low = _critics[0].ActionValues[r] <= _critics[1].ActionValues[r] ? 0 : 1;
            _minCritic[r] = low;
            actorLossValue += alpha * sample.LogProb.Data[r] - _critics[low].ActionValues[r];
        }
        actorLossValue /= n;
        NonFiniteValueException.ThrowIfNotFinite("SAC actor loss", actorLossValue);
        HelperThreads.Run(_actionGradients, Gemm.Threads);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> g = _critics[_minCritic[r]].InputGradient.AsSpan(r * (o + d) + o, d);
            for (int j = 0; j < d; j++) _actionGradient[r * d + j] = -g[j] / n;
        }
        Tensor surrogate = (alpha * sample.LogProb).Mean() + (ta.Constant(_actionGradient, new Shape(n, d)) * sample.Action).Sum();
        _store.ZeroGradients();
        ta.Backward(surrogate);
        _actorAdam.LearningRate = lr;
        _actorAdam.Step();

        // θ′ ← τθ + (1 − τ)θ′ for the critics.
        if ((Updates + 1) % _s.TargetUpdateInterval == 0)
            Polyak(_store.Values[_criticRange], _targetStore.Values[_criticRange], _s.Tau);

        sums[0] += actorLossValue;
        sums[1] += criticLoss;
        sums[2] += alpha;
        sums[3] += alphaLoss;
        sums[4] += -meanLogProb;
        sums[5] += _critics[0].QMean;
    }

    /// <summary>Critic <paramref name="i"/>'s target network on the next state–action pairs (for the target y).</summary>
    private void TargetValue(int i) => _critics[i].Target.Forward(_criticInput, _s.BatchSize, _critics[i].TargetValues);

    /// <summary>½ E[(Qᵢ(s, a) − y)²] and its gradient for critic <paramref name="i"/> alone. The critics share no
    /// parameters, so their gradients land in disjoint parts of the store and the two can run on two cores.</summary>
    private void CriticGradient(int i)
    {
        Critic critic = _critics[i];
        Tape tape = critic.LossTape;
        tape.Reset();
        Tensor sa = tape.Constant(_criticInput, new Shape(_s.BatchSize, critic.InputWidth));
        Tensor y = tape.Constant(_targets, new Shape(_s.BatchSize, 1));
        Tensor q = critic.Online.Forward(tape, sa);
        Tensor loss = 0.5f * (q - y).Square().Mean();
        tape.Backward(loss);
        critic.Loss = loss.Item();
        critic.QMean = Mean(q.Data);
    }

    /// <summary>Qᵢ(s, ã) for critic <paramref name="i"/>, recorded on its own tape with its parameters held fixed and
    /// the input (s, ã) as a leaf whose gradient is wanted.</summary>
    private void ActionValue(int i)
    {
        Critic critic = _critics[i];
        Tape tape = critic.ActionTape;
        tape.Reset();
        critic.Input = tape.Variable(_criticInput, new Shape(_s.BatchSize, critic.InputWidth));
        critic.Q = FrozenForward(tape, critic.Online, critic.Input);
        critic.Q.Data.CopyTo(critic.ActionValues);
    }

    /// <summary>∂Qᵢ(s, ã)/∂(s, ã) for critic <paramref name="i"/> on the rows where it is the smaller critic (zero on
    /// the others), from the tape <see cref="ActionValue"/> recorded.</summary>
    private void ActionGradient(int i)
    {
        Critic critic = _critics[i];
        float[] seed = critic.Seed;
        for (int r = 0; r < seed.Length; r++) seed[r] = _minCritic[r] == i ? 1f : 0f;
        critic.ActionTape.Backward(critic.Q, seed);
        critic.Input.Grad.CopyTo(critic.InputGradient);
    }

    /// <summary>What SAC keeps per critic: its networks, tapes and buffers, so each critic's work can run on its own core.</summary>
    private sealed class Critic(Mlp online, Mlp target, int batch, int inputWidth)
    {
        public Mlp Online { get; } = online;
        public Mlp Target { get; } = target;
        public int InputWidth { get; } = inputWidth;

        /// <summary>Q′ᵢ(s′, ã′) of the target network, for y.</summary>
        public float[] TargetValues { get; } = new float[batch];

        /// <summary>The tape of J(Q)'s term for this critic, its value and the critic's mean Q(s, a).</summary>
        public Tape LossTape { get; } = new();
        public double Loss { get; set; }
        public double QMean { get; set; }

        /// <summary>The tape of Qᵢ(s, ã) inside J(π), its input leaf and output, and the values and input gradient
        /// read from it.</summary>
        public Tape ActionTape { get; } = new();
        public Tensor Input { get; set; }
        public Tensor Q { get; set; }
        public float[] ActionValues { get; } = new float[batch];
        public float[] Seed { get; } = new float[batch];
        public float[] InputGradient { get; } = new float[batch * inputWidth];
    }

    /// <summary>The two critics' share of a step, as blocks that <see cref="HelperThreads"/> may run on two cores; each
    /// critic is computed whole by one thread, so the result is the same on one thread or two.</summary>
    private sealed class CriticParts(Action<int> part) : IBlockWork
    {
        public int Blocks => 2;

        public void RunBlock(int index) => part(index);
    }

    private static double Mean(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s / values.Length;
    }

    /// <inheritdoc/>
    protected override void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions) =>
        PolicyActions(observations, batch, deterministic: false, Rng, actions);

    /// <inheritdoc/>
    protected override void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions)
    {
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
        state.SetOptimizer("critic_optimizer", _criticAdam);
        if (_alphaAdam is not null) state.SetOptimizer("ent_coef_optimizer", _alphaAdam);
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(StateDictionary state)
    {
        state.ReadParameters("networks", _store);
        state.ReadParameters("target_networks", _targetStore);
        state.ReadOptimizer("actor_optimizer", _actorAdam);
        state.ReadOptimizer("critic_optimizer", _criticAdam);
        if (_alphaAdam is not null) state.ReadOptimizer("ent_coef_optimizer", _alphaAdam);
    }
}
