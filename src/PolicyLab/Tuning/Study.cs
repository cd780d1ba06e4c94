namespace PolicyLab.Tuning;

/// <summary>What an objective returns for one trial.</summary>
/// <param name="Value">The objective (larger is better); for a pruned trial, its last intermediate value.</param>
/// <param name="Pruned">Whether the trial stopped because the pruner said so.</param>
/// <param name="EnvironmentSteps">Environment steps the trial trained.</param>
public readonly record struct TrialOutcome(double Value, bool Pruned, long EnvironmentSteps);

/// <summary>A running trial as the objective sees it: its parameters, and where it reports intermediate values.</summary>
public sealed class Trial
{
    private readonly Study _study;
    private readonly List<IntermediateValue> _reported = [];

    internal Trial(Study study, TrialRecord record)
    {
        _study = study;
        Number = record.Number;
        Values = record.Parameters;
        Settings = study.Space.ToSettings(record.Parameters);
    }

    /// <summary>The trial's number in the study.</summary>
    public int Number { get; }

    /// <summary>Internal values of the active parameters (see <see cref="SearchParameter"/>).</summary>
    public IReadOnlyDictionary<string, double> Values { get; }

    /// <summary>The settings the parameters give (key → text).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>The intermediate values reported so far.</summary>
    public IReadOnlyList<IntermediateValue> Reported => _reported;

    /// <summary>
    /// Records an intermediate value (the next step: 1, 2, …) and asks the pruner; true means the trial should stop
    /// now and return its outcome with <see cref="TrialOutcome.Pruned"/> set.
    /// </summary>
    public bool Report(double value, long environmentSteps)
    {
        var v = new IntermediateValue(_reported.Count + 1, value, environmentSteps);
        _reported.Add(v);
        _study.Storage.Report(Number, v);
        var self = new TrialRecord(Number, TrialState.Running, null, Values, [.. _reported], environmentSteps, null);
        return _study.Pruner.ShouldPrune(self, _study.Storage.Trials());
    }
}

/// <summary>
/// Runs trials of a study until storage holds <see cref="TargetTrials"/> complete or pruned trials (several processes
/// may run the same study on one storage; each claims trials atomically). A trial whose objective throws is recorded
/// failed with the error and the study goes on; <see cref="MaxConsecutiveFailures"/> failures in a row stop it.
/// </summary>
/// <param name="storage">Where the trials live.</param>
/// <param name="space">The search space.</param>
/// <param name="sampler">Suggests each trial's parameters.</param>
/// <param name="pruner">Decides on intermediate values.</param>
/// <param name="targetTrials">Complete or pruned trials the study is to have.</param>
public sealed class Study(IStudyStorage storage, SearchSpace space, ISampler sampler, IPruner pruner, int targetTrials)
{
    /// <summary>Failures in a row (in this process) after which <see cref="Optimize"/> gives up.</summary>
    public const int MaxConsecutiveFailures = 5;

    /// <summary>The storage.</summary>
    public IStudyStorage Storage { get; } = storage;

    /// <summary>The search space.</summary>
    public SearchSpace Space { get; } = space;

    /// <summary>The pruner.</summary>
    public IPruner Pruner { get; } = pruner;

    /// <summary>Complete or pruned trials the study is to have.</summary>
    public int TargetTrials { get; } = targetTrials;

    /// <summary>
    /// Claims and runs trials until the study has its trials; returns the trials this process ran, as recorded.
    /// <paramref name="finished"/> is told about each one as it ends.
    /// </summary>
    /// <exception cref="PolicyLabException">Too many trials failed in a row (the last error is named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the running trial is recorded failed ("interrupted") and is re-sampled by the next run.</exception>
    public IReadOnlyList<TrialRecord> Optimize(Func<Trial, CancellationToken, TrialOutcome> objective, Action<TrialRecord>? finished = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var ran = new List<TrialRecord>();
        int failuresInARow = 0;
        while (!cancellation.IsCancellationRequested)
        {
            TrialRecord? record = Storage.StartTrial(TargetTrials, (history, number) => sampler.Sample(Space, history, number));
            if (record is null) break;
            var trial = new Trial(this, record);
            TrialOutcome outcome;
            try
            {
                outcome = objective(trial, cancellation);
            }
            catch (OperationCanceledException)
            {
                Storage.Finish(record.Number, TrialState.Failed, null, 0, "interrupted (the tune was stopped while it ran)");
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Any failure of one trial (a bad combination of settings, a non-finite loss, a bug it hits) is recorded
                // with the trial, and the study goes on, as Optuna does.
                string error = e is PolicyLabException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                Storage.Finish(record.Number, TrialState.Failed, null, 0, error);
                TrialRecord failed = Storage.Trials().First(t => t.Number == record.Number);
                ran.Add(failed);
                finished?.Invoke(failed);
                if (++failuresInARow >= MaxConsecutiveFailures)
                    throw new PolicyLabException($"{MaxConsecutiveFailures} trials in a row failed; the last (trial {record.Number}) with: {error} " +
                        "Fix the search space (or the settings it combines) and run the same command again: the study keeps its trials.", e);
                continue;
            }
            failuresInARow = 0;
            if (cancellation.IsCancellationRequested && !outcome.Pruned)
            {
                Storage.Finish(record.Number, TrialState.Failed, null, outcome.EnvironmentSteps, "interrupted (the tune was stopped while it ran)");
                cancellation.ThrowIfCancellationRequested();
            }
            Storage.Finish(record.Number, outcome.Pruned ? TrialState.Pruned : TrialState.Complete, outcome.Value, outcome.EnvironmentSteps, null);
            TrialRecord done = Storage.Trials().First(t => t.Number == record.Number);
            ran.Add(done);
            finished?.Invoke(done);
        }
        cancellation.ThrowIfCancellationRequested();
        return ran;
    }
}
