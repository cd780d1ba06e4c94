using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Environments.Box2D;

/// <summary>
/// The state of a Box2D-style episode as what determines it: the random stream at the start of the reset and the
/// actions stepped since. The physics is deterministic, so replaying them in a fresh environment rebuilds the world —
/// bodies, contacts with their warm-start impulses, sleep timers, listener flags — bit for bit, which a field-by-field
/// snapshot of the solver's internals could only approximate. Replay costs one episode's steps (at most a few thousand).
/// </summary>
internal sealed class EpisodeRecording(int actionSize)
{
    private readonly List<float> _actions = [];
    private ulong[]? _startState;

    /// <summary>Marks the start of a reset: remembers the stream's state before its first draw and forgets the actions.</summary>
    public void BeginEpisode(Rng random)
    {
        _startState ??= new ulong[4];
        random.CopyState(_startState);
        _actions.Clear();
    }

    /// <summary>Appends one step's action, as the caller passed it (so replay clips and validates it the same way).</summary>
    public void Record(ReadOnlySpan<float> action)
    {
        for (int i = 0; i < action.Length; i++)
            _actions.Add(action[i]);
    }

    /// <summary>Saves the start state and the actions under <paramref name="prefix"/>.</summary>
    public void Save(StateDictionary state, string prefix)
    {
        state.SetScalar($"{prefix}.episode_started", _startState is null ? 0L : 1L);
        if (_startState is null)
            return;
        state.Set($"{prefix}.episode_start_rng", _startState);
        state.Set($"{prefix}.episode_actions", (ReadOnlySpan<float>)[.. _actions]);
    }

    /// <summary>
    /// Rebuilds the saved episode: restores the start state into <paramref name="random"/>, calls <paramref name="reset"/>,
    /// steps every recorded action through <paramref name="step"/>, and checks that the stream ends where the saved one
    /// (<paramref name="expectedFinal"/>) did.
    /// </summary>
    public void Replay(StateDictionary state, string prefix, string id, Rng random, ReadOnlySpan<ulong> expectedFinal, Action reset, Action<ReadOnlySpan<float>> step)
    {
        if (state.ReadScalarInt64($"{prefix}.episode_started") == 0)
        {
            _startState = null;
            _actions.Clear();
            return;
        }
        ulong[] start = state.ReadWords($"{prefix}.episode_start_rng");
        float[] actions = state.ReadFloats($"{prefix}.episode_actions");
        if (actions.Length % actionSize != 0)
            throw new PolicyLabException($"{id}: the saved episode holds {actions.Length} action values, not a whole number of {actionSize}-value actions. The checkpoint belongs to a different environment; resume it with the environment it was trained on.");
        random.SetState(start);
        reset();
        for (int i = 0; i < actions.Length; i += actionSize)
            step(actions.AsSpan(i, actionSize));
        if (!random.GetState().AsSpan().SequenceEqual(expectedFinal))
            throw new PolicyLabException($"{id}: replaying the saved episode did not reach the saved random state, so the checkpoint was written by a different version of the environment or its physics. Start a new run instead of resuming this one.");
    }
}
