using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Environments;

/// <summary>
/// An environment (or wrapper, or vector environment) whose complete state — physical state,
/// random stream, step counters — can be saved and restored, so a training run resumed from a
/// checkpoint continues bit-identically to an uninterrupted one.
/// </summary>
public interface IStatefulEnvironment
{
    /// <summary>Whether the whole state can be saved (false when a wrapped part cannot).</summary>
    bool CanSaveState { get; }

    /// <summary>Adds the state to <paramref name="state"/> under names starting with <paramref name="prefix"/>.</summary>
    void SaveState(StateDictionary state, string prefix);

    /// <summary>Restores the state saved by <see cref="SaveState"/> under the same prefix.</summary>
    void LoadState(StateDictionary state, string prefix);
}
