namespace PolicyLab.Training;

/// <summary>A snapshot of a run's progress.</summary>
/// <param name="Steps">Environment steps so far.</param>
/// <param name="TotalSteps">Step budget.</param>
/// <param name="Iteration">Updates so far.</param>
/// <param name="Episodes">Training episodes finished so far.</param>
/// <param name="RecentMeanReturn">Mean return of the last 10 training episodes (NaN before any).</param>
/// <param name="StepsPerSecond">Environment steps per wall-clock second since the start (or resume).</param>
/// <param name="Elapsed">Wall-clock time since the start (or resume).</param>
public readonly record struct TrainingStatus(long Steps, long TotalSteps, int Iteration, long Episodes,
    double RecentMeanReturn, double StepsPerSecond, TimeSpan Elapsed);

/// <summary>Receives a run's progress (a progress bar, log lines, a test).</summary>
public interface ITrainingObserver
{
    /// <summary>After every update.</summary>
    void OnUpdate(TrainingStatus status);

    /// <summary>After every evaluation.</summary>
    void OnEvaluation(TrainingStatus status, EvaluationResult result);

    /// <summary>A notice for the user (e.g. a resume that cannot be bit-identical).</summary>
    void OnNotice(string message);
}
