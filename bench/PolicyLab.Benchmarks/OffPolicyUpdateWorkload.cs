using PolicyLab.Algorithms;
using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Training;

namespace PolicyLab.Benchmarks;

/// <summary>
/// One gradient step of an off-policy actor-critic (SAC, TD3, DDPG) on a minibatch of 256 from a replay buffer of
/// random transitions, with the given actor and critic hidden layers: the environment's tuned settings otherwise
/// (LunarLanderContinuous-v3: 8 observations, 2 actions). No collecting, acting or evaluation is timed.
/// </summary>
internal sealed class OffPolicyUpdateWorkload : IDisposable
{
    private readonly SyncVectorEnvironment _environment;
    private readonly OffPolicyAlgorithm _algorithm;

    public OffPolicyUpdateWorkload(string algorithm, string environment, int[] layers, int batch = 256)
    {
        string widths = $"[{string.Join(", ", layers)}]";
        (_, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algorithm, environment, null,
            [$"policy_layers={widths}", $"critic_layers={widths}", $"batch_size={batch}", "learning_starts=1000000",
             "log_interval=2000"], 0, 10_000_000));
        _environment = new SyncVectorEnvironment(environment, 1);
        _environment.Reset(1);
        AlgorithmContext context = AlgorithmContext.For(_environment, totalSteps: 10_000_000);
        _algorithm = (OffPolicyAlgorithm)AlgorithmRegistry.Get(algorithm).Create(context, settings, new Rng(7));
        _algorithm.Iterate(0, new UpdateDiagnostics()); // 2,000 random transitions, no update yet
    }

    /// <summary>One gradient step (critics, actor, targets as the algorithm's schedule has them).</summary>
    public void Update() => _algorithm.GradientStep(0.5);

    /// <summary>All parameters of the algorithm's networks.</summary>
    public ReadOnlySpan<float> Parameters => _algorithm.Parameters.Values;

    public void Dispose()
    {
        _algorithm.Dispose();
        _environment.Dispose();
    }
}
