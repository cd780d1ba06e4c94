using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// How an off-policy algorithm stores actions in its replay buffer and turns them into environment actions:
/// [−1, 1]ᴰ for a Box (<see cref="ActionScaler"/>), the 0-based index for a Discrete space (<see cref="DiscreteActionCodec"/>).
/// </summary>
public interface IActionCodec
{
    /// <summary>Floats per stored action.</summary>
    int Size { get; }

    /// <summary>Maps <paramref name="batch"/> stored actions to environment actions.</summary>
    void ToEnvironment(ReadOnlySpan<float> stored, int batch, Span<float> environment);

    /// <summary>Maps environment actions back to the stored encoding (what was actually applied).</summary>
    void FromEnvironment(ReadOnlySpan<float> environment, int batch, Span<float> stored);

    /// <summary>Uniformly random stored actions (the warm-up before learning starts) filling <paramref name="stored"/>.</summary>
    void SampleUniform(Rng rng, Span<float> stored);
}

/// <summary>The stored action of a Discrete(n, start) space is its 0-based index; the environment's is start + index.</summary>
public sealed class DiscreteActionCodec : IActionCodec
{
    private readonly int _start;

    /// <summary>Creates the codec for <paramref name="space"/>, which must be Discrete.</summary>
    /// <exception cref="PolicyLabException">The action space is not Discrete.</exception>
    public DiscreteActionCodec(Space space, string algorithm)
    {
        if (space is not Discrete discrete)
            throw new PolicyLabException($"{algorithm} needs a Discrete action space here; this environment has {space}.");
        _start = discrete.Start;
        Count = discrete.Count;
    }

    /// <summary>Number of actions n.</summary>
    public int Count { get; }

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void ToEnvironment(ReadOnlySpan<float> stored, int batch, Span<float> environment)
    {
        for (int i = 0; i < batch; i++) environment[i] = _start + stored[i];
    }

    /// <inheritdoc/>
    public void FromEnvironment(ReadOnlySpan<float> environment, int batch, Span<float> stored)
    {
        for (int i = 0; i < batch; i++) stored[i] = environment[i] - _start;
    }

    /// <inheritdoc/>
    public void SampleUniform(Rng rng, Span<float> stored)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < stored.Length; i++) stored[i] = rng.NextInt(Count);
    }
}

/// <summary>What <see cref="OffPolicyAlgorithm"/>'s collection loop reads from an algorithm's settings.</summary>
public interface IReplayLoopSettings
{
    /// <summary>Learning rate schedule (reported per iteration).</summary>
    Numerics.Optimizers.Schedule LearningRate { get; }

    /// <summary>Replay capacity in transitions.</summary>
    int BufferSize { get; }

    /// <summary>Steps of uniformly random actions before learning starts.</summary>
    int LearningStarts { get; }

    /// <summary>Minibatch size.</summary>
    int BatchSize { get; }

    /// <summary>Environment steps (per copy) between rounds of gradient steps.</summary>
    int TrainFrequency { get; }

    /// <summary>Gradient steps per round (−1: as many as transitions collected).</summary>
    int GradientSteps { get; }

    /// <summary>Save the replay buffer in checkpoints.</summary>
    bool SaveReplayBuffer { get; }

    /// <summary>Environment steps per training-loop iteration.</summary>
    int LogInterval { get; }
}
