using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Curvature;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// The machinery NPG and TRPO share. Each iteration collects n_steps from every environment,
/// computes GAE advantages (normalized over the rollout when asked), and with
/// L(θ) = E[π_θ(a_t|s_t) / π_old(a_t|s_t) · Â_t] + c_e·E[H(π_θ(·|s_t))]:
///   g = ∇θ L(θ_old)                                          (policy gradient, on the actor only)
///   x ≈ (F + δ_cg·I)⁻¹ g by conjugate gradient, F·v by the Gauss–Newton Fisher-vector product
///   s = √(2δ / xᵀFx) · x                                       (½ sᵀFs = δ: the natural step of KL δ)
/// then lets the derived algorithm take the step, and regresses V(s) on the GAE returns with Adam
/// over the critic's part of the store. Diagnostics: surrogate_improvement, kl (both measured after
/// the step), value_loss, entropy, step_size (√(2δ / xᵀFx)), cg_residual and the common ones.
/// </summary>
public abstract class NaturalGradientAlgorithm : OnPolicyAlgorithm
{
    private readonly NpgSettings _s;
    private readonly Adam _critic;
    private readonly RolloutBuffer _buffer;
    private readonly Minibatch _minibatch;
    private readonly ConjugateGradient _cg = new();
    private readonly Tape _tape = new(), _fisherTape = new();
    private readonly int[] _indices;
    private readonly float[] _advantages, _oldLogStd, _gradient, _direction, _fisherDirection, _oldActor, _fisherScratch;
    private readonly LinearOperator _fisher;
    private float _stepSize;

    /// <summary>Builds the policy and the critic's optimizer for the context's environments (already reset).</summary>
    protected NaturalGradientAlgorithm(AlgorithmContext context, NpgSettings settings, Rng rng, string name) : base(context, settings, rng, name)
    {
        _s = settings;
        int rollout = settings.Steps * Environment.Count;
        if (settings.BatchSize > rollout)
            throw new PolicyLabException($"batch_size {settings.BatchSize} is larger than the rollout (n_steps {settings.Steps} × n_envs {Environment.Count} = {rollout}); lower batch_size or raise n_steps.");
        int actor = Policy.ActorParameterCount;
        _critic = AddOptimizer("critic_optimizer", new Adam(Policy.Store, settings.LearningRate.ValueAt(0), epsilon: settings.AdamEpsilon,
            range: actor..Policy.Store.Count));
        _buffer = CreateRollout(settings.Steps, keepHeads: true);
        _minibatch = new Minibatch(_buffer, settings.BatchSize);
        _indices = new int[rollout];
        _advantages = new float[rollout];
        _oldLogStd = new float[Policy.LogStd?.Length ?? 0];
        (_gradient, _direction, _fisherDirection, _oldActor) = (new float[actor], new float[actor], new float[actor], new float[actor]);
        _fisherScratch = new float[Policy.Store.Count];
        _fisher = FisherProduct;
    }

    /// <summary>Trust-region size δ.</summary>
    protected float MaxKl => _s.MaxKl;

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        CollectRollout(_s.Gamma, _s.GaeLambda, _s.RewardTemperature);
        Policy.LogStd?.Value.CopyTo(_oldLogStd);
        _buffer.Advantages.CopyTo(_advantages, 0);
        if (_s.NormalizeAdvantage) AdvantageNormalization.Normalize(_advantages);

        Span<float> actor = Policy.Store.Values[..Policy.ActorParameterCount];
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
        diagnostics.Set("step_size", _stepSize);
        diagnostics.Set("cg_residual", cg.ResidualNorm);
        AddCommonDiagnostics(diagnostics, _critic.LearningRate);
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
        Span<float> actor = Policy.Store.Values[..Policy.ActorParameterCount];
        float c = (float)(fraction * _stepSize);
        for (int i = 0; i < actor.Length; i++) actor[i] = _oldActor[i] + c * _direction[i];
    }

    /// <summary>The surrogate L(θ) and the mean KL(π_old ‖ π_θ) over the rollout at the current actor.</summary>
    protected (double Surrogate, double Kl) EvaluateActor()
    {
        Tape t = _tape;
        t.Reset();
        Tensor surrogate = Surrogate(t, out _, out PolicyDistribution pi);
        double kl = Policy.OldDistribution(t, _buffer.Heads, _buffer.Count, _oldLogStd).Kl(pi).Mean().Item();   // KL(π_old ‖ π_θ)
        double l = surrogate.Item();
        t.Reset();
        return (l, kl);
    }

    // L(θ) = E[r_t(θ)·Â_t] + c_e·E[H], r_t(θ) = π_θ(a_t|s_t) / π_old(a_t|s_t)   (TRPO paper eq. 14, sampled)
    private Tensor Surrogate(Tape t, out Tensor entropyMean, out PolicyDistribution pi)
    {
        int n = _buffer.Count;
        Tensor obs = t.Constant(_buffer.Observations, new Shape(n, Policy.ObservationSize));
        (pi, Tensor logp, Tensor entropy) = Policy.Evaluate(t, obs, Policy.Actions(t, _buffer.Actions, n));
        Tensor ratio = (logp - t.Constant(_buffer.LogProbs)).Exp();
        entropyMean = entropy.Mean();
        Tensor surrogate = (ratio * t.Constant(_advantages)).Mean();
        return _s.EffectiveEntropyCoefficient > 0 ? surrogate + _s.EffectiveEntropyCoefficient * entropyMean : surrogate;
    }

    private (double Surrogate, double Entropy) SurrogateGradient(Span<float> gradient)
    {
        Tape t = _tape;
        t.Reset();
        Policy.Store.ZeroGradients();
        Tensor surrogate = Surrogate(t, out Tensor entropy, out _);
        NonFiniteValueException.ThrowIfNotFinite("surrogate", surrogate.Item());
        t.Backward(surrogate);
        Policy.Store.Gradients[..Policy.ActorParameterCount].CopyTo(gradient);
        (double l, double h) = (surrogate.Item(), entropy.Item());
        t.Reset();
        Policy.Store.ZeroGradients();
        return (l, h);
    }

    // F·v on the actor's prefix of the store, F the Fisher of π at the rollout's states (Gauss–Newton form).
    private void FisherProduct(ReadOnlySpan<float> vector, Span<float> result)
    {
        Policy.FisherVectorProduct(_buffer.Observations, _buffer.Count, vector, _fisherScratch, _fisherTape);
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
            Rng.Shuffle(_indices.AsSpan());
            for (int start = 0; start < _indices.Length; start += _s.BatchSize)
            {
                int size = Math.Min(_s.BatchSize, _indices.Length - start);
                _minibatch.Fill(_buffer, _indices.AsSpan(start, size), normalizeAdvantages: false);
                Tape t = _tape;
                t.Reset();
                _critic.ZeroGradients();
                Tensor obs = t.Constant(_minibatch.Observations.AsSpan(0, size * Policy.ObservationSize), new Shape(size, Policy.ObservationSize));
                Tensor loss = (Policy.Value(t, obs) - t.Constant(_minibatch.Returns.AsSpan(0, size))).Square().Mean();
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
}
