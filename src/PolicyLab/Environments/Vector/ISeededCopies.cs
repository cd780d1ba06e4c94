namespace PolicyLab.Environments.Vector;

/// <summary>
/// A vector environment whose copies can be reset each with a seed of its own — e.g. so that groups of
/// copies start from identical states, as grouped policy annealing needs.
/// </summary>
public interface ISeededCopies
{
    /// <summary>Resets copy i with <paramref name="seeds"/>[i]; the observations hold the new first observations.</summary>
    void ResetCopies(ReadOnlySpan<ulong> seeds);
}
