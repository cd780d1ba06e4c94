using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// N copies of an environment stepped together, with batched buffers laid out row by row (copy i occupies
/// <c>[i·size, (i+1)·size)</c>).
/// </summary>
/// <remarks>
/// <para><b>Autoreset ("same-step" mode, as Gymnasium's <c>AutoresetMode.SAME_STEP</c> and SB3's VecEnv):</b> when copy i
/// terminates or is truncated in a <see cref="Step"/>, the copy is reset within that same call. After the call,
/// <see cref="Rewards"/>[i], <see cref="Terminated"/>[i] and <see cref="Truncated"/>[i] describe the transition that
/// ended the episode, row i of <see cref="Observations"/> already holds the <em>first observation of the next
/// episode</em>, and row i of <see cref="FinalObservations"/> holds the last observation of the finished episode (SB3's
/// <c>terminal_observation</c>), which is what a truncated episode must be bootstrapped from. Rows of
/// <see cref="FinalObservations"/> for copies that did not finish in this step are stale and must not be read.</para>
/// <para><b>Seeding:</b> <c>Reset(seed: s)</c> resets copy i with seed <c>s + i</c>; <c>Reset()</c> continues each copy's
/// own stream, except that the very first reset of a vector environment without a seed uses seed 0 (copy i gets i).
/// Autoresets never reseed: they continue the copy's stream.</para>
/// <para>Buffers are owned by the vector environment and overwritten by every call; they never change identity.</para>
/// </remarks>
public interface IVectorEnvironment : IDisposable
{
    /// <summary>Number of copies N.</summary>
    int Count { get; }

    /// <summary>Observation space of one copy.</summary>
    Space SingleObservationSpace { get; }

    /// <summary>Action space of one copy.</summary>
    Space SingleActionSpace { get; }

    /// <summary>Floats per observation row.</summary>
    int ObservationSize { get; }

    /// <summary>Floats per action row.</summary>
    int ActionSize { get; }

    /// <summary>The registration of the copies, if made from the registry.</summary>
    EnvironmentSpec? Spec { get; }

    /// <summary>Current observations, N × <see cref="ObservationSize"/>.</summary>
    float[] Observations { get; }

    /// <summary>Rewards of the latest step, one per copy.</summary>
    double[] Rewards { get; }

    /// <summary>Whether each copy reached a terminal state in the latest step.</summary>
    bool[] Terminated { get; }

    /// <summary>Whether each copy was truncated (time limit) in the latest step.</summary>
    bool[] Truncated { get; }

    /// <summary>Last observations of episodes that ended in the latest step (row i valid only when copy i ended).</summary>
    float[] FinalObservations { get; }

    /// <summary>
    /// The valid actions of every copy's current observation, N × <c>ActionMasking.SizeFor(SingleActionSpace)</c> flags
    /// (row i for copy i, after an autoreset the first state of its next episode), or null when the copies provide no
    /// masks (<see cref="IActionMaskProvider"/>).
    /// </summary>
    bool[]? ActionMasks => null;

    /// <summary>The masks of the last states of episodes that ended in the latest step (row i valid only when copy i
    /// ended, as <see cref="FinalObservations"/>), or null without masks.</summary>
    bool[]? FinalActionMasks => null;

    /// <summary>Resets every copy (copy i with <c>seed + i</c> when a seed is given) and fills <see cref="Observations"/>.</summary>
    void Reset(ulong? seed = null);

    /// <summary>Steps every copy with its row of <paramref name="actions"/> (N × <see cref="ActionSize"/>), resetting finished copies.</summary>
    void Step(ReadOnlySpan<float> actions);
}
