
namespace PolicyLab.Environments.Vector;

/// <summary>One finished training episode.</summary>
/// <param name="Step">Total environment steps (all copies) when it ended.</param>
/// <param name="Return">Undiscounted return with the environment's own rewards.</param>
/// <param name="Length">Steps in the episode.</param>
public readonly record struct EpisodeRecord(long Step, double Return, int Length);

/// <summary>
/// The step counter and finished-episode list of a run, shared by every environment the run steps
/// (several when asynchronous workers have environments of their own). Thread-safe.
/// </summary>
public sealed class EpisodeSink : IEpisodeSink
{
    private readonly List<EpisodeRecord> _finished = [];
    private readonly Lock _gate = new();
    private long _totalSteps;

    /// <summary>Environment steps taken, summed over every copy.</summary>
    public long TotalSteps => Interlocked.Read(ref _totalSteps);

    /// <summary>Adds <paramref name="steps"/> and returns the new total.</summary>
    public long AddSteps(int steps) => Interlocked.Add(ref _totalSteps, steps);

    /// <summary>Records a finished episode at the current step count.</summary>
    public void AddEpisode(double episodeReturn, int length)
    {
        lock (_gate) _finished.Add(new EpisodeRecord(TotalSteps, episodeReturn, length));
    }

    /// <summary>Moves the finished episodes into <paramref name="destination"/>.</summary>
    public void Drain(List<EpisodeRecord> destination)
    {
        lock (_gate)
        {
            destination.AddRange(_finished);
            _finished.Clear();
        }
    }

    /// <summary>Restores the step count (when resuming) and forgets pending episodes.</summary>
    public void Restore(long totalSteps)
    {
        Interlocked.Exchange(ref _totalSteps, totalSteps);
        lock (_gate) _finished.Clear();
    }
}
