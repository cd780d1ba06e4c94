using PolicyLab.Configuration;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>TD3 hyperparameters (defaults as published for SB3's TD3, with N(0, 0.1) exploration as in the paper).</summary>
public sealed class Td3Settings : DeterministicActorCriticSettings
{
    /// <summary>Critic updates per actor and target update.</summary>
    [Hyperparameter("policy_delay", "critic updates per actor and target-network update")]
    public int PolicyDelay { get; set; } = 2;

    /// <summary>σ̃ of the target policy smoothing noise.</summary>
    [Hyperparameter("target_policy_noise", "σ of the noise added to target actions (target policy smoothing)")]
    public float TargetPolicyNoise { get; set; } = 0.2f;

    /// <summary>c, the clip of the smoothing noise.</summary>
    [Hyperparameter("target_noise_clip", "the smoothing noise is clipped to ±this")]
    public float TargetNoiseClip { get; set; } = 0.5f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, PolicyDelay > 0, $"policy_delay must be > 0 (got {PolicyDelay})");
        Require(errors, TargetPolicyNoise >= 0 && TargetNoiseClip >= 0, "target_policy_noise and target_noise_clip must be ≥ 0");
    }
}

/// <summary>
/// Twin Delayed DDPG (Fujimoto et al. 2018). Per gradient step, on a minibatch:
///   ã′ = clip(μ′(s′) + clip(ε, −c, c), −1, 1),  ε ~ N(0, σ̃²)       (target policy smoothing)
///   y  = r + γᵏ(1 − d)·min(Q′₁(s′, ã′), Q′₂(s′, ã′))                 (clipped double Q)
///   J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²]
/// and every policy_delay steps:
///   J(μ) = −E[Q₁(s, μ(s))],  then θ′ ← τθ + (1 − τ)θ′ for the actor and both critics.
/// The twin critics' target values and J(Q)'s gradients are computed critic by critic (<see cref="TwinCritic"/>), on two
/// cores when <see cref="Numerics.Kernels.Gemm.Threads"/> is 2 or more, with the same bits on one thread or two.
/// </summary>
public sealed class Td3 : DeterministicActorCritic
{
    private static readonly string[] Names = ["critic_loss", "actor_loss", "q_mean"];
    private readonly Td3Settings _s;
    private readonly float[] _smoothing;
    private double _lastActorLoss;

    /// <summary>Builds the networks for the context's environments (already reset).</summary>
    public Td3(AlgorithmContext context, Td3Settings settings, Rng rng) : base(context, settings, rng, "TD3", critics: 2)
    {
        _s = settings;
        _smoothing = new float[settings.BatchSize * ActionSize];
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> DiagnosticNames => Names;

    /// <inheritdoc/>
    protected override void Train(double progress, Span<double> sums)
    {
        float lr = _s.LearningRate.ValueAt(progress);
        int n = _s.BatchSize, d = ActionSize;
        Buffer.Sample(Rng, Batch, _s.Gamma, _s.NSteps);

        // ã′ = clip(μ′(s′) + clip(ε, −c, c), −1, 1)
        TargetActor.Forward(Batch.NextObservations, n, NextActions);
        Rng.FillNormal(_smoothing);
        for (int i = 0; i < n * d; i++)
            NextActions[i] = Math.Clamp(NextActions[i] + Math.Clamp(_s.TargetPolicyNoise * _smoothing[i], -_s.TargetNoiseClip, _s.TargetNoiseClip), -1f, 1f);
        // y = r + γᵏ(1 − d) min Q′ᵢ(s′, ã′);  J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²]
        ComputeTargets();
        (double criticLoss, double meanQ) = UpdateCritics(lr);

        // Delayed: J(μ) = −E[Q₁(s, μ(s))], then the targets.
        if ((Updates + 1) % _s.PolicyDelay == 0)
        {
            _lastActorLoss = UpdateActor(lr);
            UpdateTargets();
        }
        sums[0] += criticLoss;
        sums[1] += _lastActorLoss;
        sums[2] += meanQ;
    }

    /// <inheritdoc/>
    protected override void SaveAlgorithmState(Numerics.Serialization.StateDictionary state)
    {
        base.SaveAlgorithmState(state);
        state.SetScalar("td3.last_actor_loss", _lastActorLoss);
    }

    /// <inheritdoc/>
    protected override void LoadAlgorithmState(Numerics.Serialization.StateDictionary state)
    {
        base.LoadAlgorithmState(state);
        _lastActorLoss = state.ReadScalarDouble("td3.last_actor_loss");
    }
}
