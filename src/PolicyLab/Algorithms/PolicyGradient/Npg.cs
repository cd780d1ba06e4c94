using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Curvature;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>
/// NPG hyperparameters (defaults as published: δ 0.01, 10 CG iterations with damping 0.1, a value
/// function trained by Adam at 1e-3). <c>learning_rate</c> is the critic's; the actor has no learning
/// rate (its step length follows from δ). <c>vf_coef</c> and <c>max_grad_norm</c> are not used.
/// </summary>
public class NpgSettings : OnPolicySettings
{
    /// <summary>Sets the natural-gradient defaults that differ from the shared on-policy ones.</summary>
    public NpgSettings() => LearningRate = Schedule.Constant(1e-3f);

    /// <summary>Trust-region size δ: the step is scaled so that ½ sᵀFs = δ.</summary>
    [Hyperparameter("max_kl", "trust-region size δ: target mean KL(π_old ‖ π_new) of a step (> 0)")]
    public float MaxKl { get; set; } = 0.01f;

    /// <summary>Conjugate-gradient iterations for x ≈ (F + damping·I)⁻¹ g.</summary>
    [Hyperparameter("cg_iters", "conjugate-gradient iterations (Fisher-vector products) per update")]
    public int CgIterations { get; set; } = 10;

    /// <summary>Damping added to the Fisher matrix inside conjugate gradient.</summary>
    [Hyperparameter("cg_damping", "damping δ_cg of the conjugate-gradient system (F + δ_cg·I)x = g (≥ 0)")]
    public float CgDamping { get; set; } = 0.1f;

    /// <summary>Passes of the value function over each rollout.</summary>
    [Hyperparameter("n_critic_updates", "passes of the value-function regression over each rollout")]
    public int CriticEpochs { get; set; } = 10;

    /// <summary>Minibatch size of the value-function regression.</summary>
    [Hyperparameter("batch_size", "minibatch size of the value-function updates (≤ n_steps × n_envs)")]
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam's ε (critic).</summary>
    [Hyperparameter("adam_eps", "Adam's ε for the value function")]
    public float AdamEpsilon { get; set; } = 1e-5f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, MaxKl > 0, $"max_kl must be > 0 (got {MaxKl})");
        Require(errors, CgIterations > 0, $"cg_iters must be > 0 (got {CgIterations})");
        Require(errors, CgDamping >= 0, $"cg_damping must be ≥ 0 (got {CgDamping})");
        Require(errors, CriticEpochs >= 0, $"n_critic_updates must be ≥ 0 (got {CriticEpochs})");
        Require(errors, BatchSize > 0, $"batch_size must be > 0 (got {BatchSize})");
        Require(errors, AdamEpsilon > 0, $"adam_eps must be > 0 (got {AdamEpsilon})");
    }
}

/// <summary>
/// The machinery NPG and TRPO share. Each iteration collects n_steps from every environment,
/// computes GAE advantages (normalized over the rollout when asked), and with
/// L(θ) = E[π_θ(a_t|s_t) / π_old(a_t|s_t) · Â_t] + c_e·E[H(π_θ(·|s_t))]:
///   g = ∇θ L(θ_old)                                          (policy gradient, on the actor only)
///   x ≈ (F + δ_cg·I)⁻¹ g by conjugate gradient, F·v by the Gauss–Newton Fisher-vector product
///   s = √(2δ / xᵀFx) · x                                       (½ sᵀFs = δ: the natural step of KL δ)
/// then lets the derived algorithm take the step, and regresses V(s) on the GAE returns with Adam
/// over the critic's part of the store. Diagnostics: surrogate_improvement, kl (both measured after
/// the step), value_loss, entropy, explained_variance, step_size (√(2δ / xᵀFx)), cg_residual.
/// </summary>
public abstract class NaturalGradientAlgorithm : IAlgorithm
{
    private readonly IVectorEnvironment _env;
    private readonly NpgSettings _s;
    private readonly ActorCriticPolicy _policy;
    private readonly Adam _critic;
    private readonly Rng _rng;
    private readonly RolloutBuffer _buffer;
    private readonly RolloutCollector _collector;
    private readonly Minibatch _minibatch;
    private readonly ConjugateGradient _cg = new();
    private readonly Tape _tape = new(), _fisherTape = new();
    private readonly int[] _indices;
    private readonly float[] _advantages, _oldLogStd, _gradient, _direction, _fisherDirection, _oldActor, _fisherScratch;
    private readonly LinearOperator _fisher;
    private float _stepSize;

    /// <summary>Builds the policy and the critic's optimizer for <paramref name="env"/> (already reset).</summary>
    protected NaturalGradientAlgorithm(IVectorEnvironment env, NpgSettings settings, Rng rng, string name)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid($"{name} settings");
        int rollout = settings.Steps * env.Count;
        if (settings.BatchSize > rollout)
            throw new PolicyLabException($"batch_size {settings.BatchSize} is larger than the rollout (n_steps {settings.Steps} × n_envs {env.Count} = {rollout}); lower batch_size or raise n_steps.");
        (_env, _s, _rng) = (env, settings, rng);
        _policy = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, settings.Networks, rng);
        int actor = _policy.ActorParameterCount;
        _critic = new Adam(_policy.Store, settings.LearningRate.ValueAt(0), epsilon: settings.AdamEpsilon,
            range: actor.._policy.Store.Count);
        _buffer = new RolloutBuffer(settings.Steps, env.Count, _policy.ObservationSize, _policy.ActionSize, _policy.HeadSize);
        _collector = new RolloutCollector(env, _policy);
        _minibatch = new Minibatch(_buffer, settings.BatchSize);
        _indices = new int[rollout];
        _advantages = new float[rollout];
        _oldLogStd = new float[_policy.LogStd?.Length ?? 0];
        (_gradient, _direction, _fisherDirection, _oldActor) = (new float[actor], new float[actor], new float[actor], new float[actor]);
        _fisherScratch = new float[_policy.Store.Count];
        _fisher = FisherProduct;
    }

    /// <inheritdoc/>
    public Hyperparameters Settings => _s;

    /// <inheritdoc/>
    public ParameterStore Parameters => _policy.Store;

    /// <summary>The policy being trained.</summary>
    public ActorCriticPolicy Policy => _policy;

    /// <summary>Trust-region size δ.</summary>
    protected float MaxKl => _s.MaxKl;

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        _collector.Collect(_buffer, _s.Gamma, _rng, _s.RewardTemperature);
        _policy.LogStd?.Value.CopyTo(_oldLogStd);
        _buffer.ComputeAdvantages(_s.Gamma, _s.GaeLambda);
        _buffer.Advantages.CopyTo(_advantages, 0);
        if (_s.NormalizeAdvantage) Minibatch.Normalize(_advantages);

        Span<float> actor = _policy.Store.Values[.._policy.ActorParameterCount];
        actor.CopyTo(_oldActor);
        (double surrogateOld, double entropy) = SurrogateGradient(_gradient);                    // g = ∇θ L(θ_old)
        ConjugateGradientResult cg = _cg.Solve(_fisher, _gradient, _direction, _s.CgIterations, _s.CgDamping); // x ≈ (F + δ_cg I)⁻¹ g
        FisherProduct(_direction, _fisherDirection);
        double xFx = ConjugateGradient.Dot(_direction, _fisherDirection);
        _stepSize = xFx > 0 ? (float)Math.Sqrt(2 * _s.MaxKl / xFx) : 0f;                       // √(2δ / xᵀFx)
        NonFiniteValueException.ThrowIfNotFinite("natural step size", _stepSize);

        StepOutcome step = TakeStep(surrogateOld, diagnostics);

        double valueLoss = FitValueFunction(progress);
        diagnostics.Set("surrogate_improvement", step.Improvement);
        diagnostics.Set("kl", step.Kl);
        diagnostics.Set("value_loss", valueLoss);
        diagnostics.Set("entropy", entropy);
        diagnostics.Set("explained_variance", _buffer.ExplainedVariance());
        diagnostics.Set("step_size", _stepSize);
        diagnostics.Set("cg_residual", cg.ResidualNorm);
        diagnostics.Set("learning_rate", _critic.LearningRate);
        if (_policy.LogStd is { } logStd) diagnostics.Set("std", Math.Exp(logStd.Value.ToArray().Average()));
    }

    /// <summary>The surrogate improvement L(θ_new) − L(θ_old) and the mean KL(π_old ‖ π_new) of the step taken.</summary>
    protected readonly record struct StepOutcome(double Improvement, double Kl);

    /// <summary>
    /// Moves the actor from θ_old along the natural step (see <see cref="SetActor"/> and
    /// <see cref="EvaluateActor"/>) and reports what the step did. <paramref name="surrogateOld"/> is L(θ_old).
    /// </summary>
    protected abstract StepOutcome TakeStep(double surrogateOld, UpdateDiagnostics diagnostics);

    /// <summary>Sets the actor to θ_old + <paramref name="fraction"/>·s, with s the full natural step (0 restores θ_old).</summary>
    protected void SetActor(double fraction)
    {
        Span<float> actor = _policy.Store.Values[.._policy.ActorParameterCount];
        float c = (float)(fraction * _stepSize);
        for (int i = 0; i < actor.Length; i++) actor[i] = _oldActor[i] + c * _direction[i];
    }

    /// <summary>The surrogate L(θ) and the mean KL(π_old ‖ π_θ) over the rollout at the current actor.</summary>
    protected (double Surrogate, double Kl) EvaluateActor()
    {
        Tape t = _tape;
        t.Reset();
        (Tensor obs, Tensor actions) = RolloutTensors(t);
        Tensor surrogate = Surrogate(t, obs, actions, out _);
        Tensor? oldLogStd = _policy.LogStd is null ? null : t.Constant(_oldLogStd);
        Tensor oldHeads = t.Constant(_buffer.Heads, new Shape(_buffer.Count, _policy.HeadSize));
        double kl = _policy.KlFromOld(t, obs, oldHeads, oldLogStd).Mean().Item();
        double l = surrogate.Item();
        t.Reset();
        return (l, kl);
    }

    private (Tensor Observations, Tensor Actions) RolloutTensors(Tape t)
    {
        int n = _buffer.Count;
        Tensor obs = t.Constant(_buffer.Observations, new Shape(n, _policy.ObservationSize));
        Tensor actions = _policy.IsDiscrete ? t.Constant(_buffer.Actions) : t.Constant(_buffer.Actions, new Shape(n, _policy.ActionSize));
        return (obs, actions);
    }

    // L(θ) = E[r_t(θ)·Â_t] + c_e·E[H], r_t(θ) = π_θ(a_t|s_t) / π_old(a_t|s_t)   (TRPO paper eq. 14, sampled)
    private Tensor Surrogate(Tape t, Tensor obs, Tensor actions, out Tensor entropyMean)
    {
        (Tensor logp, Tensor entropy) = _policy.Evaluate(t, obs, actions);
        Tensor ratio = (logp - t.Constant(_buffer.LogProbs)).Exp();
        entropyMean = entropy.Mean();
        Tensor surrogate = (ratio * t.Constant(_advantages)).Mean();
        return _s.EffectiveEntropyCoefficient > 0 ? surrogate + _s.EffectiveEntropyCoefficient * entropyMean : surrogate;
    }

    private (double Surrogate, double Entropy) SurrogateGradient(Span<float> gradient)
    {
        Tape t = _tape;
        t.Reset();
        _policy.Store.ZeroGradients();
        (Tensor obs, Tensor actions) = RolloutTensors(t);
        Tensor surrogate = Surrogate(t, obs, actions, out Tensor entropy);
        NonFiniteValueException.ThrowIfNotFinite("surrogate", surrogate.Item());
        t.Backward(surrogate);
        _policy.Store.Gradients[.._policy.ActorParameterCount].CopyTo(gradient);
        (double l, double h) = (surrogate.Item(), entropy.Item());
        t.Reset();
        _policy.Store.ZeroGradients();
        return (l, h);
    }

    // F·v on the actor's prefix of the store, F the Fisher of π at the rollout's states (Gauss–Newton form).
    private void FisherProduct(ReadOnlySpan<float> vector, Span<float> result)
    {
        int n = _buffer.Count;
        if (_policy.IsDiscrete)
            FisherVectorProduct.Categorical(_policy.Actor, _policy.Store, _buffer.Observations, n, vector, _fisherScratch, _fisherTape);
        else
            FisherVectorProduct.DiagonalGaussian(_policy.Actor, _policy.LogStd!, _policy.Store, _buffer.Observations, n, vector, _fisherScratch, _fisherTape);
        _fisherScratch.AsSpan(0, result.Length).CopyTo(result);
    }

    // min_φ E[(V_φ(s_t) − R_t)²] over minibatches, n_critic_updates passes, Adam on the critic's range.
    private double FitValueFunction(double progress)
    {
        _critic.LearningRate = _s.LearningRate.ValueAt(progress);
        double total = 0;
        int count = 0;
        for (int epoch = 0; epoch < _s.CriticEpochs; epoch++)
        {
            for (int i = 0; i < _indices.Length; i++) _indices[i] = i;
            _rng.Shuffle(_indices.AsSpan());
            for (int start = 0; start < _indices.Length; start += _s.BatchSize)
            {
                int size = Math.Min(_s.BatchSize, _indices.Length - start);
                _minibatch.Fill(_buffer, _indices.AsSpan(start, size), normalizeAdvantages: false);
                Tape t = _tape;
                t.Reset();
                _critic.ZeroGradients();
                Tensor obs = t.Constant(_minibatch.Observations.AsSpan(0, size * _policy.ObservationSize), new Shape(size, _policy.ObservationSize));
                Tensor loss = (_policy.Value(t, obs) - t.Constant(_minibatch.Returns.AsSpan(0, size))).Square().Mean();
                double value = loss.Item();
                NonFiniteValueException.ThrowIfNotFinite("value loss", value);
                t.Backward(loss);
                _critic.Step();
                total += value;
                count++;
            }
        }
        _tape.Reset();
        return count > 0 ? total / count : 0;
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        _policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions);

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SetParameters("policy", _policy.Store);
        state.SetOptimizer("critic_optimizer", _critic);
        state.SetRng("rng", _rng);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ReadParameters("policy", _policy.Store);
        state.ReadOptimizer("critic_optimizer", _critic);
        state.ReadRng("rng", _rng);
    }

    /// <inheritdoc/>
    public void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>
/// Natural Policy Gradient (Kakade 2001), in the form of Spinning Up's 'npg': one step
/// θ ← θ_old + √(2δ / xᵀFx)·x with x ≈ F⁻¹g from conjugate gradient, no line search, so the
/// step's KL is δ to second order. The value function is fitted separately (see
/// <see cref="NaturalGradientAlgorithm"/>).
/// </summary>
public sealed class Npg : NaturalGradientAlgorithm
{
    /// <summary>Builds the policy and the critic's optimizer for <paramref name="env"/> (already reset).</summary>
    public Npg(IVectorEnvironment env, NpgSettings settings, Rng rng) : base(env, settings, rng, "NPG") { }

    /// <inheritdoc/>
    protected override StepOutcome TakeStep(double surrogateOld, UpdateDiagnostics diagnostics)
    {
        SetActor(1.0);                                                                            // θ ← θ_old + s
        (double surrogate, double kl) = EvaluateActor();
        return new StepOutcome(surrogate - surrogateOld, kl);
    }
}
