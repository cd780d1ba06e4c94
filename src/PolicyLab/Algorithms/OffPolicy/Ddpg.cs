using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>DDPG hyperparameters (SB3's defaults, with N(0, 0.1) exploration; action_noise=ornstein_uhlenbeck gives the paper's).</summary>
public sealed class DdpgSettings : DeterministicActorCriticSettings;

/// <summary>
/// Deep Deterministic Policy Gradient (Lillicrap et al. 2016). Per gradient step, on a minibatch:
///   y    = r + γᵏ(1 − d)·Q′(s′, μ′(s′))
///   J(Q) = E[(Q(s, a) − y)²]
///   J(μ) = −E[Q(s, μ(s))]                      (deterministic policy gradient through the critic)
///   θ′   ← τθ + (1 − τ)θ′                      (actor and critic targets)
/// </summary>
public sealed class Ddpg : DeterministicActorCritic
{
    private static readonly string[] Names = ["critic_loss", "actor_loss", "q_mean"];
    private readonly DdpgSettings _s;

    /// <summary>Builds the networks for the context's environments (already reset).</summary>
    public Ddpg(AlgorithmContext context, DdpgSettings settings, Rng rng) : base(context, settings, rng, "DDPG", critics: 1) => _s = settings;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> DiagnosticNames => Names;

    /// <inheritdoc/>
    protected override void Train(double progress, Span<double> sums)
    {
        float lr = _s.LearningRate.ValueAt(progress);
        Buffer.Sample(Rng, Batch, _s.Gamma, _s.NSteps);
        // y = r + γᵏ(1 − d) Q′(s′, μ′(s′))
        TargetActor.Forward(Batch.NextObservations, Batch.Size, NextActions);
        ComputeTargets();
        // J(Q) = E[(Q(s, a) − y)²]
        (double criticLoss, double meanQ) = UpdateCritics(lr);
        // J(μ) = −E[Q(s, μ(s))]
        double actorLoss = UpdateActor(lr);
        UpdateTargets();
        sums[0] += criticLoss;
        sums[1] += actorLoss;
        sums[2] += meanQ;
    }
}
