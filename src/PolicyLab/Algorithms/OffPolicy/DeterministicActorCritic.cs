using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>Exploration noise of a deterministic actor.</summary>
public enum ActionNoise
{
    /// <summary>No noise.</summary>
    None,
    /// <summary>Independent N(0, σ²) per step.</summary>
    Normal,
    /// <summary>A temporally correlated Ornstein–Uhlenbeck process, reset at every episode start.</summary>
    OrnsteinUhlenbeck,
}

/// <summary>Settings shared by DDPG and TD3.</summary>
public abstract class DeterministicActorCriticSettings : OffPolicySettings
{
    /// <summary>Exploration noise type.</summary>
    [Hyperparameter("action_noise", "exploration noise: normal, ornstein_uhlenbeck or none")]
    public ActionNoise ActionNoise { get; set; } = ActionNoise.Normal;

    /// <summary>σ of the exploration noise, in [−1, 1] action units.</summary>
    [Hyperparameter("noise_std", "σ of the exploration noise in the actor's [-1, 1] action units")]
    public float NoiseStd { get; set; } = 0.1f;

    /// <summary>θ of the Ornstein–Uhlenbeck process.</summary>
    [Hyperparameter("ou_theta", "mean-reversion rate θ of the Ornstein-Uhlenbeck noise")]
    public float OuTheta { get; set; } = 0.15f;

    /// <summary>Time step of the Ornstein–Uhlenbeck process.</summary>
    [Hyperparameter("ou_dt", "time step dt of the Ornstein-Uhlenbeck noise")]
    public float OuDt { get; set; } = 0.01f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, NoiseStd >= 0, $"noise_std must be ≥ 0 (got {NoiseStd})");
        Require(errors, OuTheta >= 0 && OuDt > 0, $"ou_theta must be ≥ 0 and ou_dt > 0 (got {OuTheta}, {OuDt})");
    }
}

/// <summary>
/// What DDPG and TD3 share: a deterministic actor μ(s) = tanh(·) ∈ [−1, 1]ᴰ, one or two Q critics on
/// [s, a] (a <see cref="TwinCritic"/>: per-critic work on two cores when there are two), target copies of all of them,
/// and exploration a = clip(μ(s) + noise, −1, 1) with Gaussian or Ornstein–Uhlenbeck noise
/// (x ← x + θ(0 − x)dt + σ√dt·N(0, 1), SB3's discretization). The updates themselves are in <see cref="Ddpg"/> and
/// <see cref="Td3"/>.
/// </summary>
public abstract class DeterministicActorCritic : OffPolicyAlgorithm
{
    /// <summary>One critic's term of J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²] (no ½, as in SB3's DDPG and TD3).</summary>
    private static readonly Func<Tensor, Tensor, Tensor> CriticTerm = static (q, y) => (q - y).Square().Mean();

    private readonly DeterministicActorCriticSettings _s;
    private readonly TwinCritic _critics;
    private readonly float[] _noise, _minQ;
    private float[] _actOut;

    /// <summary>Builds <paramref name="critics"/> critics, the actor, their targets and optimizers.</summary>
    protected DeterministicActorCritic(AlgorithmContext context, DeterministicActorCriticSettings settings, Rng rng, string name, int critics)
        : base(context, settings, rng, name)
    {
        _s = settings;
        int o = ObservationSize, d = ActionSize, b = settings.BatchSize;
        Actor = new Mlp(Store, "actor", o, settings.PolicyLayers, d, settings.Activation, Activation.Tanh);
        TargetActor = new Mlp(TargetStore, "actor", o, settings.PolicyLayers, d, settings.Activation, Activation.Tanh);
        _critics = new TwinCritic(Store, TargetStore, critics, o, d, settings);
        Actor.InitializeUniform(rng);
        _critics.Initialize(rng);
        TargetStore.CopyFrom(Store);
        ActorRange = RangeOf(Actor);
        ActorAdam = new Adam(Store, settings.LearningRate.ValueAt(0), range: ActorRange);
        _noise = new float[Environment.Count * d];
        _actOut = new float[Environment.Count * d];
        NextActions = new float[b * d];
        _minQ = new float[b];
        Targets = new float[b];
    }

    /// <summary>Actor, critics and log values in one flat store.</summary>
    protected ParameterStore Store { get; } = new();

    /// <summary>The target networks (same layout as <see cref="Store"/>).</summary>
    protected ParameterStore TargetStore { get; } = new();

    /// <summary>μ(s).</summary>
    protected internal Mlp Actor { get; }

    /// <summary>μ′(s).</summary>
    protected Mlp TargetActor { get; }

    /// <summary>The actor's parameters in the stores.</summary>
    protected Range ActorRange { get; }

    /// <summary>The actor's optimizer.</summary>
    protected Adam ActorAdam { get; }

    /// <summary>Tape of the actor loss.</summary>
    protected Tape ActorTape { get; } = new();

    /// <summary>Scratch: target actions ã′, [batch × D].</summary>
    protected float[] NextActions { get; }

    /// <summary>Scratch: the TD targets y, [batch].</summary>
    protected float[] Targets { get; }

    /// <inheritdoc/>
    public override ParameterStore Parameters => Store;

    /// <inheritdoc/>
    protected override void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions)
    {
        Actor.Forward(observations, batch, actions);
        int count = batch * ActionSize;
        switch (_s.ActionNoise)
        {
            case ActionNoise.Normal:
                Rng.FillNormal(_noise.AsSpan(0, count));
                for (int i = 0; i < count; i++) actions[i] = Math.Clamp(actions[i] + _s.NoiseStd * _noise[i], -1f, 1f);
                break;
            case ActionNoise.OrnsteinUhlenbeck:
            {
                Span<float> z = stackalloc float[count];
                Rng.FillNormal(z);
                float dt = _s.OuDt, sqrtDt = MathF.Sqrt(dt);
                for (int i = 0; i < count; i++)
                {
                    // x ← x + θ(μ − x)dt + σ√dt·z, μ = 0
                    _noise[i] += _s.OuTheta * -_noise[i] * dt + _s.NoiseStd * sqrtDt * z[i];
                    actions[i] = Math.Clamp(actions[i] + _noise[i], -1f, 1f);
                }
                break;
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnEpisodeEnd(int copy)
    {
        if (_s.ActionNoise == ActionNoise.OrnsteinUhlenbeck) _noise.AsSpan(copy * ActionSize, ActionSize).Clear();
    }

    /// <inheritdoc/>
    protected override void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions)
    {
        // A deterministic actor: the stochastic policy of evaluation is the deterministic one too.
        if (_actOut.Length < batch * ActionSize) _actOut = new float[batch * ActionSize];
        Actor.Forward(observations, batch, _actOut);
        _actOut.AsSpan(0, batch * ActionSize).CopyTo(actions);
    }

    /// <summary>y = r + γᵏ(1 − d)·minᵢ Q′ᵢ(s′, ã′) with ã′ already in <see cref="NextActions"/>.</summary>
    protected void ComputeTargets()
    {
        _critics.MinimumTargetValues(Batch.NextObservations, NextActions, _minQ);
        for (int r = 0; r < Batch.Size; r++) Targets[r] = Batch.Rewards[r] + Batch.Discounts[r] * _minQ[r];
    }

    /// <summary>J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²]: its gradient critic by critic, then a step of the critics; returns J(Q)
    /// (summed in float, as one tape would) and critic 0's mean Q(s, a).</summary>
    protected (double Loss, double MeanQ) UpdateCritics(float learningRate)
    {
        _critics.LossGradients(Batch.Observations, Batch.Actions, Targets, CriticTerm);
        float loss = _critics.Loss(0);
        for (int i = 1; i < _critics.Count; i++) loss += _critics.Loss(i);
        NonFiniteValueException.ThrowIfNotFinite("critic loss", loss);
        _critics.Step(learningRate);
        return (loss, _critics.MeanQ(0));
    }

    /// <summary>Records J(μ) = −E[Q₀(s, μ(s))] on <see cref="ActorTape"/> (critic fixed), back-propagates and steps the actor.</summary>
    protected double UpdateActor(float learningRate)
    {
        int n = Batch.Size;
        Tape t = ActorTape;
        t.Reset();
        Tensor obs = t.Constant(Batch.Observations, new Shape(n, ObservationSize));
        Tensor sa = t.Concat(obs, Actor.Forward(t, obs));
        Tensor loss = -_critics.FrozenForward(0, t, sa).Mean();
        NonFiniteValueException.ThrowIfNotFinite("actor loss", loss.Item());
        Store.ZeroGradients();
        t.Backward(loss);
        ActorAdam.LearningRate = learningRate;
        ActorAdam.Step();
        return loss.Item();
    }

    /// <summary>θ′ ← τθ + (1 − τ)θ′ for the actor and the critics.</summary>
    protected void UpdateTargets()
    {
        Polyak(Store.Values[ActorRange], TargetStore.Values[ActorRange], _s.Tau);
        _critics.UpdateTargets(_s.Tau);
    }

    /// <inheritdoc/>
    protected override void SaveAlgorithmState(StateDictionary state)
    {
        state.SetParameters("networks", Store);
        state.SetParameters("target_networks", TargetStore);
        state.SetOptimizer("actor_optimizer", ActorAdam);
        state.SetOptimizer("critic_optimizer", _critics.Optimizer);
        state.Set("exploration_noise", _noise);
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(StateDictionary state)
    {
        state.ReadParameters("networks", Store);
        state.ReadParameters("target_networks", TargetStore);
        state.ReadOptimizer("actor_optimizer", ActorAdam);
        state.ReadOptimizer("critic_optimizer", _critics.Optimizer);
        state.Read("exploration_noise", _noise);
    }
}
