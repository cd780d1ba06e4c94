using System.Globalization;
using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tuning;

/// <summary>What a study fixes for every trial (stored with the study; reopening it with other values is refused).</summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Environment">The environment id.</param>
/// <param name="StepsPerTrial">Each trial's training budget (n_timesteps).</param>
/// <param name="EvaluateEvery">Environment steps between intermediate evaluations (eval_freq).</param>
/// <param name="EvaluationEpisodes">Episodes per evaluation (RL Zoo: 5).</param>
/// <param name="Seed">The training seed of every trial and the sampler's seed.</param>
/// <param name="Sampler">tpe or random.</param>
/// <param name="Pruner">median, halving or none.</param>
/// <param name="Objective">last (the final evaluation's mean return, as RL Zoo) or mean (the mean over all evaluations: rewards learning fast).</param>
/// <param name="StartupTrials">Random trials before TPE, and complete trials before the median rule prunes (RL Zoo: 10 for both).</param>
public sealed record TuneSettings(string Algorithm, string Environment, long StepsPerTrial, long EvaluateEvery, int EvaluationEpisodes,
    long Seed, string Sampler, string Pruner, string Objective, int StartupTrials)
{
    /// <summary>Evaluations per trial (the last at the end of the budget).</summary>
    public int Evaluations => (int)Math.Max(1, (StepsPerTrial + EvaluateEvery - 1) / EvaluateEvery);

    /// <summary>Checks the values.</summary>
    /// <exception cref="PolicyLabException">A value is out of range (named).</exception>
    public void ThrowIfInvalid()
    {
        var errors = new List<string>();
        if (StepsPerTrial <= 0) errors.Add($"--steps-per-trial must be > 0 (got {StepsPerTrial})");
        if (EvaluateEvery <= 0) errors.Add($"--eval-every must be > 0 (got {EvaluateEvery})");
        if (EvaluationEpisodes <= 0) errors.Add($"--eval-episodes must be > 0 (got {EvaluationEpisodes})");
        if (Seed < 0) errors.Add($"--seed must be ≥ 0 (got {Seed})");
        if (Sampler is not ("tpe" or "random")) errors.Add($"--sampler must be tpe or random (got '{Sampler}')");
        if (Pruner is not ("median" or "halving" or "none")) errors.Add($"--pruner must be median, halving or none (got '{Pruner}')");
        if (Objective is not ("last" or "mean")) errors.Add($"--objective must be last or mean (got '{Objective}')");
        if (StartupTrials < 0) errors.Add($"--startup-trials must be ≥ 0 (got {StartupTrials})");
        if (errors.Count > 0) throw new PolicyLabException(string.Join("; ", errors) + ".");
    }

    /// <summary>The sampler these settings name.</summary>
    public ISampler CreateSampler() => Sampler == "random" ? new RandomSampler(Seed) : new TpeSampler(Seed, StartupTrials);

    /// <summary>The pruner these settings name, configured as RL Zoo does (median: warm-up of a third of the evaluations).</summary>
    public IPruner CreatePruner() => Pruner switch
    {
        "median" => new MedianPruner(StartupTrials, Evaluations / 3),
        "halving" => new SuccessiveHalvingPruner(1, 4, 0),
        _ => new NoPruner(),
    };
}

/// <summary>
/// A trial as an ordinary training run: the algorithm's defaults and the tuned defaults of <c>configs/</c> (as
/// <c>policylab train</c> resolves them), the trial's settings on top, the study's budget and evaluation schedule;
/// every evaluation is reported to the pruner through a training observer, which stops the run when it says so.
/// </summary>
public static class TrialTraining
{
    /// <summary>
    /// The resolved settings of a trial with settings <paramref name="tuned"/>. As in RL Zoo, an on-policy
    /// <c>batch_size</c> larger than the rollout (n_steps × n_envs) is lowered to the rollout.
    /// </summary>
    /// <exception cref="PolicyLabException">A setting is invalid.</exception>
    public static (RunSettings Run, Hyperparameters Algorithm) Resolve(TuneSettings study, IReadOnlyList<KeyValuePair<string, string>> tuned)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(tuned);
        List<string> overrides = [.. tuned.Select(kv => $"{kv.Key}={kv.Value}"),
            Invariant($"eval_freq={study.EvaluateEvery}"), Invariant($"eval_episodes={study.EvaluationEpisodes}"),
            "checkpoint_freq=0", "tensorboard=false", "stop_at_threshold=false"];
        var request = new SettingsRequest(study.Algorithm, study.Environment, null, overrides, study.Seed, study.StepsPerTrial);
        (RunSettings run, Hyperparameters algorithm) = SettingsResolver.Resolve(request);
        if (algorithm.Has("batch_size") && algorithm.Has("n_steps"))
        {
            long rollout = long.Parse(algorithm.Get("n_steps"), CultureInfo.InvariantCulture) * run.EnvironmentCount;
            if (long.Parse(algorithm.Get("batch_size"), CultureInfo.InvariantCulture) > rollout)
                (run, algorithm) = SettingsResolver.Resolve(request with { Overrides = [.. overrides, Invariant($"batch_size={rollout}")] });
        }
        return (run, algorithm);
    }

    /// <summary>Trains trial <paramref name="trial"/> in <c>trialsFolder/trial-NNNN</c> and returns its outcome.</summary>
    public static TrialOutcome Run(TuneSettings study, Trial trial, string trialsFolder, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        (RunSettings run, Hyperparameters algorithm) = Resolve(study, trial.Settings);
        string path = Path.Combine(trialsFolder, Invariant($"trial-{trial.Number:D4}"));
        // Trial numbers are never reused within a study, so a folder already there is left from a deleted study file.
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        var observer = new PruningObserver(trial);
        using Trainer trainer = Trainer.Start(run, algorithm, RunFolder.CreateAt(path));
        TrainingResult result = trainer.Run(observer, cancellation);
        double[] values = [.. trial.Reported.Select(v => v.Value)];
        // A pruned trial's value is the same function of the evaluations it reached.
        double objective = values.Length == 0 ? result.FinalEvaluation?.MeanReturn ?? double.NaN
            : study.Objective == "last" ? values[^1] : values.Average();
        return new TrialOutcome(objective, observer.Pruned, result.Steps);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reports every evaluation to the trial and stops the run when the pruner says so.</summary>
    private sealed class PruningObserver(Trial trial) : ITrainingObserver
    {
        private TrainingRunContext? _run;

        public bool Pruned { get; private set; }

        public void OnRunStarted(TrainingRunContext run) => _run = run;

        public void OnUpdate(TrainingStatus status) { }

        public void OnNotice(string message) { }

        public void OnEvaluation(TrainingStatus status, EvaluationResult result)
        {
            bool prune = trial.Report(result.MeanReturn, status.Steps);
            // The evaluation at the end of the budget finishes the trial whatever the pruner says.
            if (prune && status.Steps < status.TotalSteps && !Pruned)
            {
                Pruned = true;
                _run?.RequestStop("pruned");
            }
        }
    }
}
