namespace PolicyLab.Tuning;

/// <summary>
/// Decides the parameters of a new trial from the study's finished trials (complete or pruned, in number order)
/// and the trial's number. Called inside storage's write transaction, so the history it sees is exactly the one the
/// new trial is recorded after.
/// </summary>
public delegate IReadOnlyDictionary<string, double> TrialSampling(IReadOnlyList<TrialRecord> finished, int number);

/// <summary>
/// Where a study's trials live. An implementation shared by several processes (SQLite) makes
/// <see cref="StartTrial"/> atomic, so that no trial is started twice or lost.
/// </summary>
public interface IStudyStorage : IDisposable
{
    /// <summary>
    /// Marks failed the running trials whose process has ended, then, if fewer than <paramref name="targetTrials"/>
    /// trials are complete, pruned or running, records a new running trial (owned by this process) with the next
    /// number and the parameters <paramref name="sample"/> gives; all in one transaction. Returns null when the study
    /// already has its trials.
    /// </summary>
    TrialRecord? StartTrial(int targetTrials, TrialSampling sample);

    /// <summary>Records an intermediate evaluation of a running trial.</summary>
    void Report(int number, IntermediateValue value);

    /// <summary>Ends a trial: complete or pruned with its value, or failed with its error.</summary>
    void Finish(int number, TrialState state, double? value, long environmentSteps, string? error);

    /// <summary>Every trial, in number order.</summary>
    IReadOnlyList<TrialRecord> Trials();

    /// <summary>Marks failed the running trials whose process has ended; returns how many.</summary>
    int FailOrphanedTrials();
}

/// <summary>A study held in memory (tests, synthetic objectives, a library user with one process).</summary>
public sealed class InMemoryStudyStorage : IStudyStorage
{
    private readonly List<TrialRecord> _trials = [];
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    public TrialRecord? StartTrial(int targetTrials, TrialSampling sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_gate)
        {
            if (_trials.Count(t => t.State != TrialState.Failed) >= targetTrials) return null;
            int number = _trials.Count;
            var trial = new TrialRecord(number, TrialState.Running, null, sample([.. _trials.Where(t => t.IsFinished)], number), [], 0, null);
            _trials.Add(trial);
            return trial;
        }
    }

    /// <inheritdoc/>
    public void Report(int number, IntermediateValue value)
    {
        lock (_gate) _trials[number] = _trials[number] with { Intermediate = [.. _trials[number].Intermediate, value] };
    }

    /// <inheritdoc/>
    public void Finish(int number, TrialState state, double? value, long environmentSteps, string? error)
    {
        lock (_gate) _trials[number] = _trials[number] with { State = state, Value = value, EnvironmentSteps = environmentSteps, Error = error };
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> Trials()
    {
        lock (_gate) return [.. _trials];
    }

    /// <inheritdoc/>
    public int FailOrphanedTrials() => 0;

    /// <inheritdoc/>
    public void Dispose() { }
}
