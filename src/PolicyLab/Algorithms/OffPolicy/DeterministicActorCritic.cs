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
/// [s, a], target copies of all of them, and exploration a = clip(μ(s) + noise, −1, 1) with Gaussian
/// or Ornstein–Uhlenbeck noise (x ← x + θ(0 − x)dt + σ√dt·N(0, 1), SB3's discretization). The updates
/// themselves are in <see cref="Ddpg"/> and <see cref="Td3"/>.
/// </summary>
public abstract class DeterministicActorCritic : OffPolicyAlgorithm
{
    private readonly DeterministicActorCriticSettings _s;
    private readonly float[] _noise;
    private float[] _actOut;

    /// <summary>Builds <paramref name="critics"/> critics, the actor, their targets and optimizers.</summary>
    protected DeterministicActorCritic(AlgorithmContext context, DeterministicActorCriticSettings settings, Rng rng, string name, int critics)
        : base(context, settings, rng, name)
    {
        _s = settings;
        int o = ObservationSize, d = ActionSize, b = settings.BatchSize;
        (Actor, Critics) = Build(Store);
        (TargetActor, TargetCritics) = Build(TargetStore);
        Actor.InitializeUniform(rng);
        foreach (Mlp q in Critics) q.InitializeUniform(rng);
        TargetStore.CopyFrom(Store);
        float lr = settings.LearningRate.ValueAt(0);
        ActorRange = RangeOf(Actor);
        CriticRange = RangeOf(Critics);
        ActorAdam = new Adam(Store, lr, range: ActorRange);
        CriticAdam = new Adam(Store, lr, range: CriticRange);
        _noise = new float[Environment.Count * d];
        _actOut = new float[Environment.Count * d];
        NextActions = new float[b * d];
        CriticInputs = new float[b * (o + d)];
        TargetQ = [.. Enumerable.Range(0, critics).Select(_ => new float[b])];
        Targets = new float[b];

        (Mlp, Mlp[]) Build(ParameterStore store) => (
            new Mlp(store, "actor", o, settings.PolicyLayers, d, settings.Activation, Activation.Tanh),
            [.. Enumerable.Range(0, critics).Select(i => new Mlp(store, $"qf{i}", o + d, settings.CriticLayers, 1, settings.Activation))]);
    }

    /// <summary>Actor, critics and log values in one flat store.</summary>
    protected ParameterStore Store { get; } = new();

    /// <summary>The target networks (same layout as <see cref="Store"/>).</summary>
    protected ParameterStore TargetStore { get; } = new();

    /// <summary>μ(s).</summary>
    protected Mlp Actor { get; }

    /// <summary>μ′(s).</summary>
    protected Mlp TargetActor { get; }

    /// <summary>Qᵢ(s, a).</summary>
    protected Mlp[] Critics { get; }

    /// <summary>Q′ᵢ(s, a).</summary>
    protected Mlp[] TargetCritics { get; }

    /// <summary>The actor's parameters in the stores.</summary>
    protected Range ActorRange { get; }

    /// <summary>The critics' parameters in the stores.</summary>
    protected Range CriticRange { get; }

    /// <summary>The actor's optimizer.</summary>
    protected Adam ActorAdam { get; }

    /// <summary>The critics' optimizer (all critics together).</summary>
    protected Adam CriticAdam { get; }

    /// <summary>Tape of the critic loss.</summary>
    protected Tape CriticTape { get; } = new();

    /// <summary>Tape of the actor loss.</summary>
    protected Tape ActorTape { get; } = new();

    /// <summary>Scratch: target actions ã′, [batch × D].</summary>
    protected float[] NextActions { get; }

    /// <summary>Scratch: critic inputs [s, a], [batch × (obs + D)].</summary>
    protected float[] CriticInputs { get; }

    /// <summary>Scratch: each target critic's values, [batch].</summary>
    protected float[][] TargetQ { get; }

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
        int n = Batch.Size;
        CriticInput(Batch.NextObservations, NextActions, n, CriticInputs);
        for (int i = 0; i < TargetCritics.Length; i++) TargetCritics[i].Forward(CriticInputs, n, TargetQ[i]);
        for (int r = 0; r < n; r++)
        {
            float q = TargetQ[0][r];
            for (int i = 1; i < TargetQ.Length; i++) q = MathF.Min(q, TargetQ[i][r]);
            Targets[r] = Batch.Rewards[r] + Batch.Discounts[r] * q;
        }
    }

    /// <summary>Records J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²] on <see cref="CriticTape"/>, back-propagates and steps the critics.</summary>
    protected (double Loss, double MeanQ) UpdateCritics(float learningRate)
    {
        int n = Batch.Size, w = ObservationSize + ActionSize;
        Tape t = CriticTape;
        t.Reset();
        CriticInput(Batch.Observations, Batch.Actions, n, CriticInputs);
        Tensor sa = t.Constant(CriticInputs, new Shape(n, w));
        Tensor y = t.Constant(Targets, new Shape(n, 1));
        Tensor? loss = null, q0 = null;
        foreach (Mlp critic in Critics)
        {
            Tensor q = critic.Forward(t, sa);
            q0 ??= q;
            Tensor l = (q - y).Square().Mean();
            loss = loss is null ? l : loss + l;
        }
        NonFiniteValueException.ThrowIfNotFinite("critic loss", loss!.Value.Item());
        Store.ZeroGradients();
        t.Backward(loss.Value);
        CriticAdam.LearningRate = learningRate;
        CriticAdam.Step();
        double mean = 0;
        foreach (float v in q0!.Value.Data) mean += v;
        return (loss.Value.Item(), mean / n);
    }

    /// <summary>Records J(μ) = −E[Q₀(s, μ(s))] on <see cref="ActorTape"/> (critic fixed), back-propagates and steps the actor.</summary>
    protected double UpdateActor(float learningRate)
    {
        int n = Batch.Size;
        Tape t = ActorTape;
        t.Reset();
        Tensor obs = t.Constant(Batch.Observations, new Shape(n, ObservationSize));
        Tensor sa = t.Concat(obs, Actor.Forward(t, obs));
        Tensor loss = -FrozenForward(t, Critics[0], sa).Mean();
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
        Polyak(Store.Values[CriticRange], TargetStore.Values[CriticRange], _s.Tau);
    }

    /// <inheritdoc/>
    protected override void SaveAlgorithmState(StateDictionary state)
    {
        state.SetParameters("networks", Store);
        state.SetParameters("target_networks", TargetStore);
        state.SetOptimizer("actor_optimizer", ActorAdam);
        state.SetOptimizer("critic_optimizer", CriticAdam);
        state.Set("exploration_noise", _noise);
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(StateDictionary state)
    {
        state.ReadParameters("networks", Store);
        state.ReadParameters("target_networks", TargetStore);
        state.ReadOptimizer("actor_optimizer", ActorAdam);
        state.ReadOptimizer("critic_optimizer", CriticAdam);
        state.Read("exploration_noise", _noise);
    }
}
