using System.Diagnostics;
using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="RunFolder">The run folder's path.</param>
/// <param name="Steps">Environment steps taken.</param>
/// <param name="Episodes">Training episodes finished.</param>
/// <param name="FinalEvaluation">The last evaluation.</param>
/// <param name="WallSeconds">Wall-clock seconds of this process's part of the run.</param>
/// <param name="EndReason">Why it ended.</param>
public sealed record TrainingResult(string RunFolder, long Steps, long Episodes, EvaluationResult? FinalEvaluation, double WallSeconds, string EndReason);

/// <summary>
/// The one training loop every algorithm runs in: it calls <see cref="IAlgorithm.Iterate"/> until the step budget
/// is spent, records episodes and diagnostics, evaluates the deterministic policy on separate environments, writes
/// checkpoints and the run folder's log files, and stops with a clear message on a non-finite loss. The environment
/// stack is <see cref="TrainingEnvironments"/>'s, the checkpoint schema <see cref="TrainingCheckpoint"/>'s; what
/// the run leaves to look at (TensorBoard, report.html, videos) comes from the observers passed to <see cref="Run(IEnumerable{ITrainingObserver}, CancellationToken)"/>.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly RunSettings _run;
    private readonly RunFolder _folder;
    private readonly TrainingEnvironments _environments;
    private readonly IAlgorithm _algorithm;
    private readonly Evaluator _evaluator;
    private readonly Rng _evaluationRng;
    private readonly ExperimentLog _log;
    private readonly string _version;
    private RunLock? _lock;
    private int _iteration;
    private long _nextEvaluation, _nextCheckpoint;
    private string? _stopRequest;

    private Trainer(RunSettings run, Hyperparameters algorithmSettings, RunFolder folder, IScaleOut? scaleOut = null)
    {
        run.ThrowIfInvalid("run settings");
        algorithmSettings.ThrowIfInvalid($"{run.Algorithm} settings");
        MemoryEstimate.ThrowIfTooLarge(run, algorithmSettings, run.MaxMemoryBytes); // before anything big is allocated
        (_run, _folder) = (run, folder);
        AlgorithmInfo info = AlgorithmRegistry.Get(run.Algorithm);
        ulong seed = (ulong)run.Seed;
        double gamma = algorithmSettings is IDiscountedSettings discounted ? discounted.Gamma : 0.99;
        string savedProjector = Path.Combine(folder.Path, ProjectorFileName);
        _environments = new TrainingEnvironments(run, info, gamma, File.Exists(savedProjector) ? savedProjector : null);
        _algorithm = info.Create(_environments.Context(scaleOut), algorithmSettings, new Rng(Rng.DeriveSeed(seed, 2)));
        if (_environments.Top.ActionMasks is not null && !_algorithm.HonoursActionMasks)
        {
            _algorithm.Dispose();
            _environments.Dispose();
            throw new PolicyLabException($"{run.Environment} provides action masks (IActionMaskProvider) but {info.Name} does not honour them and would take invalid actions. Train with ppo, a2c, vpg, reinforce or dqn, which act and learn within the masks.");
        }
        int evalCopies = Math.Min(run.EvaluationEpisodes, 8);
        _evaluator = new Evaluator(_environments.MakeCopies(evalCopies, VectorMode.Sync), run.EvaluationEpisodes,
            Rng.DeriveSeed(seed, 3), run.NormalizeObservations);
        _evaluationRng = new Rng(Rng.DeriveSeed(seed, 4));
        _log = new ExperimentLog
        {
            Algorithm = info.Name,
            Environment = run.Environment,
            Seed = run.Seed,
            Parameters = [.. run.ToList(), .. algorithmSettings.ToList()],
        };
        _version = PolicyLabVersion.Current;
        _nextEvaluation = run.EvaluationFrequency > 0 ? run.EvaluationFrequency : long.MaxValue;
        _nextCheckpoint = run.CheckpointFrequency > 0 ? run.CheckpointFrequency : long.MaxValue;
    }

    /// <summary>Where a run with latent actions keeps its projector's weights (loadable with <c>--set projector=…</c>).</summary>
    public const string ProjectorFileName = "projector.safetensors";

    /// <summary>The run folder.</summary>
    public RunFolder Folder => _folder;

    /// <summary>The run's settings.</summary>
    public RunSettings Settings => _run;

    /// <summary>The algorithm being trained.</summary>
    public IAlgorithm Algorithm => _algorithm;

    /// <summary>The environment stack the algorithm trains on.</summary>
    public TrainingEnvironments Environments => _environments;

    /// <summary>The experiment log so far.</summary>
    public ExperimentLog Log => _log;

    /// <summary>Environment steps taken so far.</summary>
    public long Steps => _environments.Sink.TotalSteps;

    /// <summary>Starts a new run in <paramref name="folder"/> and writes its config.yaml.</summary>
    /// <param name="run">The run's settings.</param>
    /// <param name="algorithmSettings">The algorithm's settings.</param>
    /// <param name="folder">The new run folder.</param>
    /// <param name="scaleOut">Where parallel work goes (a cluster of workers); null: in-process. Not a setting of the run:
    /// results are the same either way.</param>
    /// <exception cref="PolicyLabException">Another command holds the folder, or it already holds a run.</exception>
    public static Trainer Start(RunSettings run, Hyperparameters algorithmSettings, RunFolder folder, IScaleOut? scaleOut = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        RunLock held = folder.Lock("train");
        try
        {
            if (File.Exists(Path.Combine(folder.Path, RunFolder.ConfigFileName)))
                throw new PolicyLabException($"The run folder '{folder.Path}' already holds a run; choose another --out or resume it with --resume.");
            var trainer = new Trainer(run, algorithmSettings, folder, scaleOut) { _lock = held };
            if (trainer._environments.Projector is { } projector) folder.WriteBytes(ProjectorFileName, projector.Serialize());
            trainer.WriteConfig();
            return trainer;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets the run's total step budget (e.g. to train a finished run for more steps) and rewrites config.yaml with
    /// it, so a later resume trains to the same budget.
    /// </summary>
    /// <exception cref="PolicyLabException">The budget is not positive.</exception>
    public void SetBudget(long totalSteps)
    {
        if (totalSteps <= 0)
            throw new PolicyLabException($"The step budget must be positive; got {totalSteps}.");
        _run.TotalSteps = totalSteps;
        _log.Parameters = [.. _run.ToList(), .. _algorithm.Settings.ToList()];
        WriteConfig();
    }

    /// <summary>
    /// Asks a running <see cref="Run(IEnumerable{ITrainingObserver}, CancellationToken)"/> to stop after the current
    /// update; it then ends normally, with a final evaluation and checkpoint, and <paramref name="reason"/> as its end
    /// reason. Observers call it through <see cref="TrainingRunContext.RequestStop"/>.
    /// </summary>
    public void RequestStop(string reason) => _stopRequest ??= reason;

    /// <summary>
    /// Reopens a run to train on: takes the folder's lock, removes what a killed process left, picks the checkpoint
    /// (<see cref="RunFolder.ResolveCheckpoint"/>), checks config.yaml against the checkpoint's recorded settings,
    /// applies the changes a resumed run may make (a new total budget, evaluation and checkpoint frequency, logging,
    /// learning rates) and records them in config.yaml and the experiment log.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="checkpoint">null/"latest", "latest-intact" or a step.</param>
    /// <param name="overrides">--set key=value changes.</param>
    /// <param name="steps">The new total budget (--steps), if given.</param>
    /// <param name="observer">Told about notices while loading.</param>
    /// <param name="maxMemoryBytes">The memory limit of <see cref="RunSettings.MaxMemoryBytes"/> (null: the machine's).</param>
    /// <param name="scaleOut">Where parallel work goes (a cluster of workers); null: in-process.</param>
    /// <exception cref="PolicyLabException">The folder is in use, the checkpoint is missing or damaged, config.yaml disagrees with it, or a change is not allowed.</exception>
    public static Trainer ResumeTraining(RunFolder folder, string? checkpoint = null, IReadOnlyList<string>? overrides = null, long? steps = null,
        ITrainingObserver? observer = null, long? maxMemoryBytes = null, IScaleOut? scaleOut = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        RunLock held = folder.Lock("train --resume");
        try
        {
            long step = folder.ResolveCheckpoint(checkpoint);
            (StateDictionary state, byte[] log) = Checkpoint.Read(folder.CheckpointPath(step));
            ExperimentLog saved = ExperimentLog.FromJson(log, Path.Combine(folder.CheckpointPath(step), Checkpoint.LogFileName));
            (RunSettings run, Hyperparameters algorithmSettings, IReadOnlyList<KeyValuePair<string, string>> changes) =
                SettingsResolver.ForResume(folder, saved.Parameters, step, overrides ?? [], steps);
            run.MaxMemoryBytes = maxMemoryBytes;
            Trainer trainer = Restore(new Trainer(run, algorithmSettings, folder, scaleOut) { _lock = held }, state, saved, observer, folder.CheckpointPath(step), step);
            if (changes.Count > 0)
            {
                trainer._log.Resumes.Add(new ResumeRecord(step, changes));
                trainer.WriteConfig();
            }
            return trainer;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private void WriteConfig() => _folder.WriteText(RunFolder.ConfigFileName, ConfigFile.Write(_log.Parameters,
        $"PolicyLab run configuration ({_version}).\nResume with: policylab train --resume <this folder>"));

    /// <summary>Loads exported weights (a checkpoint's model.safetensors, or a run or checkpoint folder holding one) into the algorithm.</summary>
    /// <exception cref="PolicyLabException">No weights file there, or one saved for another architecture.</exception>
    public void LoadWeights(string path) => ParameterFile.Load(Checkpoint.ResolveModelFile(path), _algorithm.Parameters);

    /// <summary>Reopens a run from its latest (or the given) checkpoint.</summary>
    /// <exception cref="PolicyLabException">The folder or checkpoint is missing or damaged.</exception>
    public static Trainer Resume(RunFolder folder, long? checkpointStep = null, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        IReadOnlyList<long> steps = folder.CheckpointSteps();
        if (steps.Count == 0)
            throw new PolicyLabException($"The run '{folder.Path}' has no checkpoint to resume from; start it again instead.");
        long step = checkpointStep ?? steps[^1];
        if (!steps.Contains(step))
            throw new PolicyLabException($"The run has no checkpoint at step {step}; it has {string.Join(", ", steps)}.");
        return OpenCheckpoint(folder, folder.CheckpointPath(step), observer);
    }

    /// <summary>
    /// Reopens a run from one of its checkpoint folders (<c>checkpoints/&lt;step&gt;</c> or <see cref="RunFolder.BestPath"/>,
    /// e.g. from <see cref="RunFolder.ResolveCheckpointFolder"/>) without taking its lock: to evaluate or export it.
    /// </summary>
    /// <exception cref="PolicyLabException">The folder or checkpoint is missing or damaged.</exception>
    public static Trainer OpenCheckpoint(RunFolder folder, string checkpointFolder, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(checkpointFolder);
        (RunSettings run, Hyperparameters algorithmSettings) = SettingsResolver.FromRunFolder(folder);
        (StateDictionary state, byte[] log) = Checkpoint.Read(checkpointFolder);
        ExperimentLog saved = ExperimentLog.FromJson(log, Path.Combine(checkpointFolder, Checkpoint.LogFileName));
        long? step = long.TryParse(Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpointFolder)), NumberStyles.None, CultureInfo.InvariantCulture, out long s)
            ? s : null;
        return Restore(new Trainer(run, algorithmSettings, folder), state, saved, observer, checkpointFolder, step);
    }

    private static Trainer Restore(Trainer trainer, StateDictionary state, ExperimentLog saved, ITrainingObserver? observer,
        string checkpointFolder, long? expectedStep)
    {
        LoopPosition position;
        try
        {
            position = TrainingCheckpoint.Load(state, trainer._algorithm, trainer._environments, trainer._evaluationRng,
                observer is null ? null : observer.OnNotice);
            if (expectedStep is long expected && position.TotalSteps != expected)
                throw new InvalidDataException($"its step counter trainer.total_steps is {position.TotalSteps}, not the folder's step {expected}");
        }
        catch (Exception e) when (e is PolicyLabException or ArgumentException or InvalidDataException or InvalidOperationException
            or IndexOutOfRangeException or OverflowException or KeyNotFoundException or FormatException)
        {
            trainer.Dispose();
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpointFolder));
            throw new PolicyLabException($"checkpoint {name} cannot be restored: {Path.Combine(checkpointFolder, Checkpoint.StateFileName)} is damaged or " +
                $"was saved by an incompatible run ({e.Message.TrimEnd('.')}). Pick another checkpoint with --checkpoint STEP or --checkpoint latest-intact, " +
                "or start the run again.", e);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
        trainer._iteration = position.Iteration;
        trainer._environments.Sink.Restore(position.TotalSteps);
        (trainer._nextEvaluation, trainer._nextCheckpoint) = (position.NextEvaluation, position.NextCheckpoint);
        // A frequency changed on resume takes effect from the checkpoint on (unchanged ones keep the saved schedule).
        trainer._nextEvaluation = NextDue(trainer._nextEvaluation, position.TotalSteps, trainer._run.EvaluationFrequency);
        trainer._nextCheckpoint = NextDue(trainer._nextCheckpoint, position.TotalSteps, trainer._run.CheckpointFrequency);
        trainer.ResumedFrom = position.TotalSteps;
        trainer._log.Episodes.AddRange(saved.Episodes);
        trainer._log.Updates.AddRange(saved.Updates);
        trainer._log.Evaluations.AddRange(saved.Evaluations);
        trainer._log.Resumes.AddRange(saved.Resumes);
        trainer._log.Best = saved.Best;
        return trainer;
    }

    private static long NextDue(long saved, long step, long frequency) =>
        frequency <= 0 ? long.MaxValue : saved - step > frequency ? step + frequency : saved;

    /// <summary>The step of the checkpoint the run was restored from (null for a new run).</summary>
    public long? ResumedFrom { get; private set; }

    /// <summary>
    /// Evaluates the current policy on <paramref name="evaluator"/>'s episodes with the training run's observation
    /// statistics (the mode when <paramref name="deterministic"/>).
    /// </summary>
    public EvaluationResult Evaluate(Evaluator evaluator, bool deterministic, Rng rng,
        Action<Environments.Rendering.RgbFrame>? film = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        return evaluator.Evaluate(_algorithm, Steps, _environments.Normalizer?.Export(), deterministic, rng, film: film);
    }

    /// <summary>Trains until the budget is spent, the reward threshold is reached (if asked) or cancellation,
    /// telling <paramref name="observers"/> (trackers, progress reporters) as it goes.</summary>
    public TrainingResult Run(IEnumerable<ITrainingObserver>? observers = null, CancellationToken cancellation = default) =>
        Run(new CompositeObserver([.. observers ?? []]), cancellation);

    /// <summary>Trains as <see cref="Run(IEnumerable{ITrainingObserver}, CancellationToken)"/> with one observer.</summary>
    public TrainingResult Run(ITrainingObserver observer, CancellationToken cancellation = default) =>
        Run(new CompositeObserver([observer]), cancellation);

    private TrainingResult Run(CompositeObserver observer, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        EpisodeSink sink = _environments.Sink;
        long startSteps = sink.TotalSteps;
        var diagnostics = new UpdateDiagnostics();
        string? endReason = null;
        double threshold = _run.RewardThreshold ?? _environments.Statistics.Spec?.RewardThreshold ?? double.PositiveInfinity;
        TrainingStatus Status() => new(sink.TotalSteps, _run.TotalSteps, _iteration, _log.Episodes.Count, _log.RecentMeanReturn(),
            (sink.TotalSteps - startSteps) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed);
        observer.OnRunStarted(new TrainingRunContext
        {
            Folder = _folder,
            Settings = _run,
            Log = _log,
            Algorithm = _algorithm,
            Spec = _environments.Statistics.Spec,
            RewardThreshold = threshold,
            Environments = _environments.Statistics,
            Notify = observer.OnNotice,
            RequestStop = RequestStop,
        });

        EvaluationResult final;
        try
        {
            _stopRequest = null;
            int stalled = 0;
            while (sink.TotalSteps < _run.TotalSteps && endReason is null && !_algorithm.IsFinished)
            {
                if (cancellation.IsCancellationRequested) RequestStop("cancelled");
                if (_stopRequest is not null)
                {
                    endReason = $"{_stopRequest} at step {sink.TotalSteps}";
                    break;
                }
                if (_lock is not null) _folder.ThrowIfGone();
                diagnostics.Clear();
                double progress = (double)sink.TotalSteps / _run.TotalSteps;
                long stepsBefore = sink.TotalSteps;
                _algorithm.Iterate(progress, diagnostics);
                _iteration++;
                // A finite loss can still step the weights to NaN or overflow; stop here, before acting or evaluating on them.
                ThrowIfWeightsUnusable();
                stalled = sink.TotalSteps > stepsBefore ? 0 : stalled + 1;
                if (stalled >= MaxStalledUpdates && !_algorithm.IsFinished)
                    throw new PolicyLabException($"Training made no progress: {MaxStalledUpdates} updates in a row took no environment step (at step {sink.TotalSteps} " +
                        $"of {_run.TotalSteps}). The algorithm's own step counter disagrees with the run's, which happens when the checkpoint it resumed from " +
                        $"was edited or damaged; resume from another checkpoint (--checkpoint STEP or latest-intact) or start the run again.");
                int episodesBefore = _log.Episodes.Count;
                sink.Drain(_log.Episodes);
                var update = new UpdateRecord(_iteration, sink.TotalSteps,
                    diagnostics.Names.Select(n => new KeyValuePair<string, double>(n, diagnostics[n])).ToList());
                _log.Updates.Add(update);
                TrainingStatus status = Status();
                observer.OnIteration(status, update, _log.Episodes.GetRange(episodesBefore, _log.Episodes.Count - episodesBefore));
                observer.OnUpdate(status);

                if (sink.TotalSteps >= _nextEvaluation)
                {
                    while (_nextEvaluation <= sink.TotalSteps) _nextEvaluation += _run.EvaluationFrequency;
                    EvaluationResult result = Evaluate();
                    observer.OnEvaluation(Status(), result);
                    if (_run.StopAtThreshold && result.MeanReturn >= threshold)
                        endReason = $"reward threshold {threshold.ToString(CultureInfo.InvariantCulture)} reached";
                }
                if (sink.TotalSteps >= _nextCheckpoint)
                {
                    while (_nextCheckpoint <= sink.TotalSteps) _nextCheckpoint += _run.CheckpointFrequency;
                    SaveCheckpoint();
                }
                if (_stopRequest is not null) endReason = $"{_stopRequest} at step {sink.TotalSteps}";
            }
            endReason ??= _algorithm.IsFinished ? "all iterations done" : "step budget spent";

            bool evaluatedNow = _log.Evaluations.Count > 0 && _log.Evaluations[^1].Step == sink.TotalSteps;
            final = evaluatedNow ? _log.Evaluations[^1] : Evaluate();
            if (!evaluatedNow) observer.OnEvaluation(Status(), final);
            _log.EndReason = endReason;
            SaveCheckpoint();
            WriteLogFiles(clock);
        }
        catch (IOException e) when (IsDiskFull(e) || RunLock.IsReadOnlyFileSystem(e))
        {
            IReadOnlyList<long> saved = _folder.CheckpointSteps();
            throw new PolicyLabException($"Training stopped at step {sink.TotalSteps}: {(IsDiskFull(e) ? "the disk is full" : "the file system is read-only")} " +
                $"({e.Message.TrimEnd('.')}). Files are published atomically, so nothing half-written was left in '{_folder.Path}'; " +
                (saved.Count > 0
                    ? $"its last checkpoint, step {saved[^1]}, is intact: free some space and continue with `policylab train --resume {_folder.Path}`."
                    : "no checkpoint had been written yet, so free some space (or pick an --out on another disk) and start the run again."), e);
        }
        catch (NonFiniteValueException e)
        {
            // The update counter has not advanced when an update throws; when the weights are found unusable while
            // publishing a checkpoint, the update that produced them was the last one counted.
            string where = e.Quantity.StartsWith("weight", StringComparison.Ordinal)
                ? $"step {sink.TotalSteps} (after update {_iteration})" : $"step {sink.TotalSteps} (update {_iteration + 1})";
            _log.EndReason = $"stopped at {where}: {e.Message}";
            WriteLogFiles(clock);
            IReadOnlyList<long> saved = _folder.CheckpointSteps();
            throw new PolicyLabException($"Training stopped at {where}: a non-finite {e.Quantity} ({e.Value}); no checkpoint holds it. " +
                (saved.Count > 0
                    ? $"The last checkpoint, step {saved[^1]} in '{_folder.CheckpointsPath}', is intact. {DivergenceAdvice(resumable: true)}"
                    : $"No checkpoint was written before this point, so the run cannot be resumed. {DivergenceAdvice(resumable: false)}"), e);
        }
        var outcome = new TrainingResult(_folder.Path, sink.TotalSteps, _log.Episodes.Count, final, clock.Elapsed.TotalSeconds, endReason);
        observer.OnRunFinished(Status(), outcome);
        return outcome;
    }

    /// <summary>Whether <paramref name="e"/> says the disk is full (ENOSPC, or Windows' ERROR_DISK_FULL).</summary>
    internal static bool IsDiskFull(IOException e) =>
        e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) || e.HResult == 28 || e.HResult == unchecked((int)0x80070070);

    /// <summary>Updates in a row that take no environment step before the loop stops (a damaged counter would spin forever).</summary>
    public const int MaxStalledUpdates = 100;

    /// <summary>
    /// Evaluates the current policy deterministically and records the result; one with a higher mean return than every
    /// earlier evaluation becomes the run's <c>best/</c> checkpoint (RL Zoo's EvalCallback best_model).
    /// </summary>
    private EvaluationResult Evaluate()
    {
        EvaluationResult result = Evaluate(_evaluator, deterministic: true, _evaluationRng);
        _log.Evaluations.Add(result);
        if (double.IsFinite(result.MeanReturn) && (_log.Best is null || result.MeanReturn > _log.Best.MeanReturn))
        {
            _log.Best = new BestRecord(result.Step, result.MeanReturn);
            SaveCheckpoint(_log.Best);
        }
        return result;
    }

    /// <summary>Publishes the checkpoint of the current step (or <c>best/</c>), after checking that every weight is usable:
    /// a diverged network is never published.</summary>
    /// <exception cref="NonFiniteValueException">A weight is NaN, infinite or beyond <see cref="ParameterStore.MaxUsableMagnitude"/>.</exception>
    private void SaveCheckpoint(BestRecord? best = null)
    {
        ThrowIfWeightsUnusable();
        TrainingCheckpoint.Save(_folder, _algorithm, _environments, _evaluationRng,
            new LoopPosition(_iteration, Steps, _nextEvaluation, _nextCheckpoint), _log, _version, best);
    }

    private void ThrowIfWeightsUnusable()
    {
        if (_algorithm.Parameters.FindUnusableValue() is string weight)
            throw new NonFiniteValueException($"weight after the update ({weight})", double.NaN);
    }

    /// <summary>A learning rate or schedule (0.0003, lin_0.001, linear(0.001, 0)) with every number divided by 4, or null
    /// when it holds no positive number.</summary>
    private static string? Quartered(string value)
    {
        bool any = false;
        string lower = System.Text.RegularExpressions.Regex.Replace(value, "[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?", m =>
        {
            double x = double.Parse(m.Value, CultureInfo.InvariantCulture);
            any |= x > 0;
            return (x / 4).ToString("G3", CultureInfo.InvariantCulture);
        });
        return any ? lower.Replace(" ", "", StringComparison.Ordinal) : null; // one shell word
    }

    /// <summary>What to change after a divergence, naming only settings this algorithm has, and how to continue.</summary>
    private string DivergenceAdvice(bool resumable)
    {
        var settings = _algorithm.Settings.ToList().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var onResume = new List<string>();
        foreach (string rate in new[] { "learning_rate", "vf_learning_rate" })
            if (settings.TryGetValue(rate, out string? value) && Quartered(value) is string lower) onResume.Add($"{rate}={lower}");
        if (settings.TryGetValue("max_grad_norm", out string? clip))
            onResume.Add(double.TryParse(clip, NumberStyles.Float, CultureInfo.InvariantCulture, out double c) && double.IsFinite(c)
                ? string.Create(CultureInfo.InvariantCulture, $"max_grad_norm={c / 2:G3}") : "max_grad_norm=0.5");
        string sets = string.Join(" ", onResume.Select(o => $"--set {o}"));
        string fresh = _run.NormalizeObservations ? "" : " Normalizing observations (normalize: true, in a new run) also often helps.";
        if (onResume.Count == 0)
            return $"Start a new run with other settings (`policylab train --algo {_run.Algorithm} --list-settings` lists them).{fresh}";
        return resumable
            ? $"Resume from it with a lower step size: policylab train --resume {_folder.Path} {sets}.{fresh}"
            : $"Start it again with a lower step size ({sets}).{fresh}";
    }

    private void WriteLogFiles(Stopwatch clock)
    {
        var provenance = new Dictionary<string, string> { ["version"] = _version };
        _folder.WriteBytes("experiment.json", _log.ToJson(provenance, GitInfo.Read(Environment.CurrentDirectory), _algorithm.RewardsSeries));
        _folder.WriteText("metrics.csv", _log.ToCsv());
        _folder.WriteText("timing.json",
            $"{{\n  \"wall_seconds\": {clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)},\n  \"steps\": {Steps},\n  \"finished_utc\": \"{DateTime.UtcNow:O}\"\n}}\n");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _algorithm.Dispose();
        _evaluator.Dispose();
        _environments.Dispose();
        _lock?.Dispose();
    }
}
