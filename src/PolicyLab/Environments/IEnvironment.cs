using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments;

/// <summary>
/// A reinforcement-learning environment with Gymnasium semantics, exchanging observations and actions through
/// caller-owned float buffers so that stepping never allocates.
/// </summary>
/// <remarks>
/// <para>Lifecycle: call <see cref="Reset"/> before the first <see cref="Step"/> and again after a step reports
/// <see cref="StepResult.Terminated"/> or <see cref="StepResult.Truncated"/>; stepping a finished episode throws.</para>
/// <para>Seeding: <c>Reset(seed: s)</c> restarts the environment's random stream from <c>s</c>, so the same seed always
/// gives the same initial state. <c>Reset()</c> without a seed continues the current stream. An environment that was
/// never seeded behaves as if it had been seeded with 0.</para>
/// <para>Actions: a discrete action is passed as the float value of its index (one element); a box action as its
/// flat elements.</para>
/// </remarks>
public interface IEnvironment : IDisposable
{
    /// <summary>The space every observation belongs to; observation buffers have its <see cref="Space.FlatSize"/>.</summary>
    Space ObservationSpace { get; }

    /// <summary>The space of valid actions; action buffers have its <see cref="Space.FlatSize"/>.</summary>
    Space ActionSpace { get; }

    /// <summary>The registration this environment was made from, or null for an environment constructed directly.</summary>
    EnvironmentSpec? Spec { get; }

    /// <summary>
    /// Named diagnostic values of the latest <see cref="Reset"/> or <see cref="Step"/> (Gymnasium's <c>info</c>). The
    /// same object is reused and cleared at every reset and step; copy values out before the next call.
    /// </summary>
    EnvironmentInfo Info { get; }

    /// <summary>Starts a new episode and writes its first observation.</summary>
    /// <param name="observation">Receives the observation; length <c>ObservationSpace.FlatSize</c>.</param>
    /// <param name="seed">When given, restarts the random stream from this seed; otherwise the stream continues.</param>
    /// <param name="options">Optional per-reset settings such as the initial-state interval.</param>
    void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null);

    /// <summary>Applies one action and writes the next observation.</summary>
    /// <param name="action">The action; length <c>ActionSpace.FlatSize</c>.</param>
    /// <param name="observation">Receives the next observation; length <c>ObservationSpace.FlatSize</c>.</param>
    /// <returns>The reward and whether the episode terminated (a terminal state) or was truncated (a time limit).</returns>
    StepResult Step(ReadOnlySpan<float> action, Span<float> observation);

    /// <summary>Draws the current state as an RGB image.</summary>
    RgbFrame Render();
}
