using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms;

/// <summary>
/// A reinforcement-learning algorithm as the training loop sees it: it owns its networks, its
/// optimizers and its way of gathering experience from the environments it was built with, and
/// nothing else. The training loop calls <see cref="Iterate"/> until the step budget is spent and
/// handles evaluation, checkpoints and logging for every algorithm alike.
/// </summary>
public interface IAlgorithm : IDisposable
{
    /// <summary>The algorithm's hyperparameters (resolved).</summary>
    Hyperparameters Settings { get; }

    /// <summary>
    /// Gathers experience and performs one update (one rollout and its epochs, one generation, …).
    /// </summary>
    /// <param name="progress">Fraction of the step budget already used, in [0, 1] (for schedules).</param>
    /// <param name="diagnostics">Receives the update's losses and diagnostics.</param>
    void Iterate(double progress, UpdateDiagnostics diagnostics);

    /// <summary>
    /// Environment actions for <paramref name="batch"/> observations (normalized as the training
    /// environments normalize them): the mode of the policy when <paramref name="deterministic"/>, a sample otherwise.
    /// </summary>
    void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions);

    /// <summary>True when the algorithm acts and learns within action masks (<see cref="Environments.IActionMaskProvider"/>):
    /// it never takes a forbidden action and its update uses the masks it acted under.</summary>
    bool HonoursActionMasks => false;

    /// <summary>
    /// <see cref="Act(ReadOnlySpan{float}, int, bool, Rng, Span{float})"/> restricted to the actions
    /// <paramref name="actionMasks"/> allows (one mask of <c>ActionMasking.SizeFor(actionSpace)</c> flags per observation;
    /// empty for no masks).
    /// </summary>
    /// <exception cref="PolicyLabException">Masks were given to an algorithm that does not honour them, or they are malformed.</exception>
    void Act(ReadOnlySpan<float> observations, ReadOnlySpan<bool> actionMasks, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        if (!actionMasks.IsEmpty)
            throw new PolicyLabException($"{GetType().Name} does not honour action masks; use ppo, a2c, vpg, reinforce or dqn for an environment with masks.");
        Act(observations, batch, deterministic, rng, environmentActions);
    }

    /// <summary>Adds everything needed to continue training bit-identically (weights, optimizer state,
    /// random streams, counters) to <paramref name="state"/>.</summary>
    void SaveState(StateDictionary state);

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    void LoadState(StateDictionary state);

    /// <summary>The parameters to export as the model's weights.</summary>
    ParameterStore Parameters { get; }

    /// <summary>True once the algorithm has done all the iterations it was configured for (e.g. a fixed
    /// number of episode batches); the training loop then stops even if steps remain.</summary>
    bool IsFinished => false;

    /// <summary>The per-update diagnostic that experiment.json also writes as its <c>rewards</c> series (as some
    /// reference tools record one value per update), or null for none.</summary>
    string? RewardsSeries => null;
}

/// <summary>Settings of an algorithm that discounts rewards (the training loop's reward normalization uses the same γ).</summary>
public interface IDiscountedSettings
{
    /// <summary>The discount γ.</summary>
    float Gamma { get; }
}
