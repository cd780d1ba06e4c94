using System.Diagnostics;
using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
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
/// The one training loop every algorithm runs in: it builds the environments and the algorithm from
/// resolved settings, calls <see cref="IAlgorithm.Iterate"/> until the step budget is spent, records
/// episodes and diagnostics, evaluates the deterministic policy on separate environments, writes
/// checkpoints and the run folder, and stops with a clear message on a non-finite loss.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly RunSettings _run;
    private readonly Hyperparameters _algorithmSettings;
    private readonly RunFolder _folder;
    private readonly EpisodeSink _sink = new();
    private readonly EpisodeRecorder _recorder;
    private readonly NormalizeVectorEnvironment? _normalizer;
    private readonly IStatefulEnvironment _top;
    private readonly IAlgorithm _algorithm;
    private readonly Evaluator _evaluator;
    private readonly Rng _evaluationRng;
    private readonly ExperimentLog _log;
    private readonly string _version;
    private int _iteration;
    private long _nextEvaluation, _nextCheckpoint;

    private Trainer(RunSettings run, Hyperparameters algorithmSettings, RunFolder folder)
    {
        run.ThrowIfInvalid("run settings");
        algorithmSettings.ThrowIfInvalid($"{run.Algorithm} settings");
        (_run, _algorithmSettings, _folder) = (run, algorithmSettings, folder);
        AlgorithmInfo info = AlgorithmRegistry.Get(run.Algorithm);
        ulong seed = (ulong)run.Seed;

        IVectorEnvironment raw = MakeEnvironments(run.Environment, run.EnvironmentCount, run.VectorMode);
        CheckActionSpace(info, raw.SingleActionSpace, run.Environment);
        _recorder = new EpisodeRecorder(raw, _sink);
        IVectorEnvironment top = _recorder;
        if (run.NormalizeObservations || run.NormalizeReward)
        {
            double gamma = algorithmSettings.Has("gamma") ? double.Parse(algorithmSettings.Get("gamma"), CultureInfo.InvariantCulture) : 0.99;
            _normalizer = new NormalizeVectorEnvironment(_recorder, run.NormalizeObservations, run.NormalizeReward, gamma: gamma);
            top = _normalizer;
        }
        _top = (IStatefulEnvironment)top;
        top.Reset(Rng.DeriveSeed(seed, 1));
        var context = new AlgorithmContext
        {
            Environment = top,
            CreateEnvironments = (count, workerSeed) =>
            {
                var worker = new EpisodeRecorder(MakeEnvironments(run.Environment, count, VectorMode.Sync), _sink);
                worker.Reset(workerSeed);
                return worker;
            },
            TotalSteps = run.TotalSteps,
            StepsTaken = () => _sink.TotalSteps,
        };
        _algorithm = info.Create(context, algorithmSettings, new Rng(Rng.DeriveSeed(seed, 2)));
        int evalCopies = Math.Min(run.EvaluationEpisodes, 8);
        _evaluator = new Evaluator(MakeEnvironments(run.Environment, evalCopies, VectorMode.Sync), run.EvaluationEpisodes,
            Rng.DeriveSeed(seed, 3), run.NormalizeObservations);
        _evaluationRng = new Rng(Rng.DeriveSeed(seed, 4));
        _log = new ExperimentLog
        {
            Algorithm = info.Name,
            Environment = run.Environment,
            Seed = run.Seed,
            Parameters = [.. run.ToList(), .. algorithmSettings.ToList()],
        };
        _version = typeof(Trainer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        _nextEvaluation = run.EvaluationFrequency > 0 ? run.EvaluationFrequency : long.MaxValue;
        _nextCheckpoint = run.CheckpointFrequency > 0 ? run.CheckpointFrequency : long.MaxValue;
    }

    /// <summary>The run folder.</summary>
    public RunFolder Folder => _folder;

    /// <summary>The algorithm being trained.</summary>
    public IAlgorithm Algorithm => _algorithm;

    /// <summary>The experiment log so far.</summary>
    public ExperimentLog Log => _log;

    /// <summary>Starts a new run in <paramref name="folder"/> and writes its config.yaml.</summary>
    public static Trainer Start(RunSettings run, Hyperparameters algorithmSettings, RunFolder folder)
    {
        var trainer = new Trainer(run, algorithmSettings, folder);
        folder.WriteText(RunFolder.ConfigFileName, ConfigFile.Write(trainer._log.Parameters,
            $"PolicyLab run configuration ({trainer._version}).\nResume with: policylab train --resume <this folder>"));
        return trainer;
    }

    /// <summary>Loads exported weights (a checkpoint's model.safetensors, or a run or checkpoint folder holding one) into the algorithm.</summary>
    /// <exception cref="PolicyLabException">No weights file there, or one saved for another architecture.</exception>
    public void LoadWeights(string path)
    {
        string file = path;
        if (Directory.Exists(path))
        {
            file = Path.Combine(path, Checkpoint.ModelFileName);
            if (!File.Exists(file) && File.Exists(Path.Combine(path, RunFolder.ConfigFileName)))
            {
                IReadOnlyList<long> steps = RunFolder.Open(path).CheckpointSteps();
                if (steps.Count > 0) file = Path.Combine(RunFolder.Open(path).CheckpointPath(steps[^1]), Checkpoint.ModelFileName);
            }
        }
        if (!File.Exists(file))
            throw new PolicyLabException($"No weights found at '{path}': pass a run folder, a checkpoint folder or a {Checkpoint.ModelFileName} file.");
        Numerics.Serialization.ParameterFile.Load(file, _algorithm.Parameters);
    }

    /// <summary>Reopens a run from its latest (or the given) checkpoint.</summary>
    /// <exception cref="PolicyLabException">The folder or checkpoint is missing or damaged.</exception>
    public static Trainer Resume(RunFolder folder, long? checkpointStep = null, ITrainingObserver? observer = null)
    {
        (RunSettings run, Hyperparameters algorithmSettings) = SettingsResolver.FromRunFolder(folder);
        IReadOnlyList<long> steps = folder.CheckpointSteps();
        if (steps.Count == 0)
            throw new PolicyLabException($"The run '{folder.Path}' has no checkpoint to resume from; start it again instead.");
        long step = checkpointStep ?? steps[^1];
        if (!steps.Contains(step))
            throw new PolicyLabException($"The run has no checkpoint at step {step}; it has {string.Join(", ", steps)}.");
        var trainer = new Trainer(run, algorithmSettings, folder);
        (StateDictionary state, byte[] log) = Checkpoint.Read(folder.CheckpointPath(step));
        trainer.LoadState(state, ExperimentLog.FromJson(log), observer);
        return trainer;
    }

    /// <summary>
    /// Evaluates the policy of a run's checkpoint (the latest by default) on <paramref name="episodes"/>
    /// fresh episodes, with the observation statistics saved in the checkpoint.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="checkpointStep">The checkpoint (the latest when null).</param>
    /// <param name="episodes">Episodes to run.</param>
    /// <param name="deterministic">Act with the policy's mode.</param>
    /// <param name="seed">Seed of the evaluation episodes (the run's evaluation seed when null).</param>
    /// <param name="film">When set, the episodes run one after another on a single environment copy, each frame
    /// drawn before its step is passed here (so the returns can differ from an unfilmed evaluation, which spreads
    /// the episodes over up to 8 copies).</param>
    public static EvaluationResult EvaluateRun(RunFolder folder, long? checkpointStep, int episodes, bool deterministic, long? seed = null,
        Action<Environments.Rendering.RgbFrame>? film = null)
    {
        using Trainer trainer = Resume(folder, checkpointStep);
        ulong evalSeed = seed is long s ? (ulong)s : Rng.DeriveSeed((ulong)trainer._run.Seed, 3);
        using var evaluator = new Evaluator(MakeEnvironments(trainer._run.Environment, film is null ? Math.Min(episodes, 8) : 1, VectorMode.Sync),
            episodes, evalSeed, trainer._run.NormalizeObservations);
        return evaluator.Evaluate(trainer._algorithm, trainer._sink.TotalSteps, trainer._normalizer?.Export(), deterministic,
            new Rng(Rng.DeriveSeed(evalSeed, 1)), film: film);
    }

    /// <summary>Trains until the budget is spent, the reward threshold is reached (if asked) or cancellation.</summary>
    public TrainingResult Run(ITrainingObserver? observer = null, CancellationToken cancellation = default)
    {
        List<ITrainingObserver> trackers = Tracking.RunTrackers.Create(_run);
        try
        {
            return Run(new CompositeObserver([.. trackers, .. observer is null ? Array.Empty<ITrainingObserver>() : [observer]]), cancellation);
        }
        finally
        {
            foreach (IDisposable tracker in trackers.OfType<IDisposable>()) tracker.Dispose();
        }
    }

    private TrainingResult Run(CompositeObserver observer, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        long startSteps = _sink.TotalSteps;
        var diagnostics = new UpdateDiagnostics();
        string? endReason = null;
        double threshold = _run.RewardThreshold ?? _recorder.Spec?.RewardThreshold ?? double.PositiveInfinity;
        TrainingStatus Status() => new(_sink.TotalSteps, _run.TotalSteps, _iteration, _log.Episodes.Count, _log.RecentMeanReturn(),
            (_sink.TotalSteps - startSteps) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed);
        observer.OnRunStarted(new TrainingRunContext
        {
            Folder = _folder,
            Settings = _run,
            Log = _log,
            Algorithm = _algorithm,
            Spec = _recorder.Spec,
            RewardThreshold = threshold,
            Environments = _recorder,
            Notify = observer.OnNotice,
        });

        try
        {
            while (_sink.TotalSteps < _run.TotalSteps && endReason is null && !_algorithm.IsFinished)
            {
                cancellation.ThrowIfCancellationRequested();
                diagnostics.Clear();
                double progress = (double)_sink.TotalSteps / _run.TotalSteps;
                _algorithm.Iterate(progress, diagnostics);
                _iteration++;
                int episodesBefore = _log.Episodes.Count;
                _sink.Drain(_log.Episodes);
                var update = new UpdateRecord(_iteration, _sink.TotalSteps,
                    diagnostics.Names.Select(n => new KeyValuePair<string, double>(n, diagnostics[n])).ToList());
                _log.Updates.Add(update);
                TrainingStatus status = Status();
                observer.OnIteration(status, update, _log.Episodes.GetRange(episodesBefore, _log.Episodes.Count - episodesBefore));
                observer.OnUpdate(status);

                if (_sink.TotalSteps >= _nextEvaluation)
                {
                    while (_nextEvaluation <= _sink.TotalSteps) _nextEvaluation += _run.EvaluationFrequency;
                    EvaluationResult result = Evaluate();
                    observer.OnEvaluation(Status(), result);
                    if (_run.StopAtThreshold && result.MeanReturn >= threshold)
                        endReason = $"reward threshold {threshold.ToString(CultureInfo.InvariantCulture)} reached";
                }
                if (_sink.TotalSteps >= _nextCheckpoint)
                {
                    while (_nextCheckpoint <= _sink.TotalSteps) _nextCheckpoint += _run.CheckpointFrequency;
                    SaveCheckpoint();
                }
            }
            endReason ??= _algorithm.IsFinished ? "all iterations done" : "step budget spent";
        }
        catch (NonFiniteValueException e)
        {
            _log.EndReason = $"stopped at step {_sink.TotalSteps} (update {_iteration + 1}): {e.Message}";
            WriteLogFiles(clock);
            throw new PolicyLabException($"Training stopped at step {_sink.TotalSteps} (update {_iteration + 1}): a non-finite {e.Quantity}. " +
                $"The last good checkpoint in '{_folder.CheckpointsPath}' is intact. {e.Message}", e);
        }

        EvaluationResult final = _log.Evaluations.Count > 0 && _log.Evaluations[^1].Step == _sink.TotalSteps
            ? _log.Evaluations[^1] : Evaluate();
        if (final != (_log.Evaluations.Count > 0 ? _log.Evaluations[^1] : null)) observer.OnEvaluation(Status(), final);
        _log.EndReason = endReason;
        SaveCheckpoint();
        WriteLogFiles(clock);
        var outcome = new TrainingResult(_folder.Path, _sink.TotalSteps, _log.Episodes.Count, final, clock.Elapsed.TotalSeconds, endReason);
        observer.OnRunFinished(Status(), outcome);
        return outcome;
    }

    /// <summary>Evaluates the current policy deterministically and records the result.</summary>
    private EvaluationResult Evaluate()
    {
        EvaluationResult result = _evaluator.Evaluate(_algorithm, _sink.TotalSteps, _normalizer?.Export(), deterministic: true, _evaluationRng);
        _log.Evaluations.Add(result);
        return result;
    }

    private void SaveCheckpoint()
    {
        var state = new StateDictionary();
        _algorithm.SaveState(state);
        _top.SaveState(state, "env"); // the normalizer's statistics always; the environments when they can
        state.SetRng("evaluation_rng", _evaluationRng);
        state.SetScalar("trainer.iteration", _iteration);
        state.SetScalar("trainer.total_steps", _sink.TotalSteps);
        state.SetScalar("trainer.next_evaluation", _nextEvaluation);
        state.SetScalar("trainer.next_checkpoint", _nextCheckpoint);
        state.Metadata["algorithm"] = _log.Algorithm;
        state.Metadata["environment"] = _log.Environment;
        state.Metadata["environment_state"] = _recorder.CanSaveState ? "saved" : "not saved";
        var description = new Dictionary<string, object>
        {
            ["algorithm"] = _log.Algorithm,
            ["environment"] = _log.Environment,
            ["step"] = _sink.TotalSteps,
            ["iteration"] = _iteration,
            ["observation_space"] = _recorder.SingleObservationSpace.ToString() ?? "",
            ["action_space"] = _recorder.SingleActionSpace.ToString() ?? "",
            ["parameters"] = _algorithm.Parameters.Parameters.ToDictionary(p => p.Name,
                p => p.StoredTransposed ? (int[])[p.Shape[1], p.Shape[0]] : p.Shape.ToArray()),
            ["normalize_observations"] = _run.NormalizeObservations,
            ["version"] = _version,
        };
        Checkpoint.Write(_folder.CheckpointPath(_sink.TotalSteps), state, _algorithm.Parameters, description, _log.ToJson());
    }

    private void LoadState(StateDictionary state, ExperimentLog log, ITrainingObserver? observer)
    {
        _algorithm.LoadState(state);
        _top.LoadState(state, "env");
        if (state.Metadata.GetValueOrDefault("environment_state") != "saved" || !_recorder.CanSaveState)
        {
            ((IVectorEnvironment)_top).Reset(Rng.DeriveSeed((ulong)_run.Seed, 1000 + (ulong)state.ReadScalarInt64("trainer.iteration")));
            observer?.OnNotice($"The environment '{_run.Environment}' cannot save its state, so its episodes restart on resume; the run continues but not bit-identically.");
        }
        state.ReadRng("evaluation_rng", _evaluationRng);
        _iteration = (int)state.ReadScalarInt64("trainer.iteration");
        _sink.Restore(state.ReadScalarInt64("trainer.total_steps"));
        _nextEvaluation = state.ReadScalarInt64("trainer.next_evaluation");
        _nextCheckpoint = state.ReadScalarInt64("trainer.next_checkpoint");
        _log.Episodes.AddRange(log.Episodes);
        _log.Updates.AddRange(log.Updates);
        _log.Evaluations.AddRange(log.Evaluations);
    }

    private void WriteLogFiles(Stopwatch clock)
    {
        var provenance = new Dictionary<string, string> { ["version"] = _version };
        // Policy annealing records mean return per episode batch under `rewards`, as its reference tool does.
        string? rewards = _log.Algorithm == "annealing" ? "mean_return" : null;
        _folder.WriteBytes("experiment.json", _log.ToJson(provenance, GitInfo.Read(Environment.CurrentDirectory), rewards));
        _folder.WriteText("metrics.csv", _log.ToCsv());
        _folder.WriteText("timing.json",
            $"{{\n  \"wall_seconds\": {clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)},\n  \"steps\": {_sink.TotalSteps},\n  \"finished_utc\": \"{DateTime.UtcNow:O}\"\n}}\n");
    }

    /// <summary>Builds <paramref name="count"/> copies of a registered environment.</summary>
    public static IVectorEnvironment MakeEnvironments(string id, int count, VectorMode mode) => mode switch
    {
        VectorMode.Threaded => new ThreadedVectorEnvironment(id, count),
        _ => new SyncVectorEnvironment(id, count),
    };

    private static void CheckActionSpace(AlgorithmInfo info, Space actionSpace, string environment)
    {
        if (!info.Supports(actionSpace))
            throw new PolicyLabException($"{info.Name} does not support the action space {actionSpace} of {environment}; it supports {info.DescribeActionSpaces()} action spaces.");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _algorithm.Dispose();
        _evaluator.Dispose();
        ((IVectorEnvironment)_top).Dispose();
    }
}
