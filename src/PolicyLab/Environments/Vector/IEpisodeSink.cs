namespace PolicyLab.Environments.Vector;

/// <summary>
/// Where environment steps and finished episodes are counted (e.g. a training run's totals, shared by every
/// environment the run steps). Implementations must be thread-safe when several environments report to one.
/// </summary>
public interface IEpisodeSink
{
    /// <summary>Environment steps counted so far.</summary>
    long TotalSteps { get; }

    /// <summary>Counts <paramref name="steps"/> more steps and returns the new total.</summary>
    long AddSteps(int steps);

    /// <summary>Records a finished episode (undiscounted return, length) at the current step count.</summary>
    void AddEpisode(double episodeReturn, int length);
}

/// <summary>Watches every step of a <see cref="VectorEpisodeStatistics"/> (e.g. to film the parallel environments).</summary>
public interface IVectorStepListener
{
    /// <summary>Before the copies are stepped (their current states are the ones the actions are taken in).</summary>
    void BeforeStep(VectorEpisodeStatistics environments);

    /// <summary>After the step: <paramref name="returns"/>[i] is copy i's episode return including this step
    /// (for a copy whose episode ended in this step, the finished episode's return).</summary>
    void AfterStep(VectorEpisodeStatistics environments, ReadOnlySpan<double> returns);
}
