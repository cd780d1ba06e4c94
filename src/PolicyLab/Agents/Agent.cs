using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;
using PolicyLab.Tracking;
using PolicyLab.Training;

namespace PolicyLab.Agents;

/// <summary>
/// PolicyLab from a .NET program: create an agent for an algorithm and an environment, train it, save its policy,
/// load it anywhere and act.
/// <code>
/// using var agent = Agent.Create("ppo", "CartPole-v1", seed: 0);
/// agent.Learn(100_000);
/// agent.Save("cartpole.policylab");
/// using var loaded = Agent.Load("cartpole.policylab");
/// float[] action = loaded.Predict(observation);
/// </code>
/// <para>An agent made by <see cref="Create(string, string, long, Hyperparameters?, RunSettings?, string?)"/> or loaded
/// from a run folder trains in a run folder of its own (the same one <c>policylab train</c> writes: config, logs,
/// checkpoints, report), so <c>policylab eval</c>, <c>plot</c> and <c>train --resume</c> work on it. An agent loaded
/// from a policy file only acts.</para>
/// <para>Thread safety: <see cref="Predict(ReadOnlySpan{float}, Span{float}, bool)"/> and <see cref="Evaluate"/> may be
/// called from several threads at once (calls are serialized on the agent; load the file once per thread for
/// parallel inference). Do not call them while <see cref="Learn"/> runs on another thread.</para>
/// </summary>
public sealed class Agent : IDisposable
{
    private readonly Trainer? _trainer;
    private readonly IAlgorithm _algorithm;
    private readonly PolicyDescription? _policy;
    private readonly RunningMeanVariance? _frozenStatistics;
    private readonly Lock _gate = new();
    private readonly Rng _sampling;
    private readonly Environments.Latent.ActionProjector? _projector;
    private readonly double[] _projectorScratch = [];
    private float[] _input = [], _latent = [];
    private readonly bool _actsOnly;

    private Agent(Trainer trainer, bool actsOnly = false)
    {
        _trainer = trainer;
        _actsOnly = actsOnly;
        _algorithm = trainer.Algorithm;
        ObservationSpace = trainer.Environments.Statistics.SingleObservationSpace;
        // A latent-action run's policy acts in the latent box; Predict maps its actions through the run's projector.
        _projector = trainer.Environments.Projector;
        ActionSpace = _projector?.ActionSpace ?? trainer.Environments.Statistics.SingleActionSpace;
        if (_projector is not null) _projectorScratch = new double[_projector.ScratchSize];
        _sampling = new Rng(Rng.DeriveSeed((ulong)trainer.Settings.Seed, 5));
    }

    private Agent(PolicyDescription policy, IAlgorithm algorithm)
    {
        _policy = policy;
        _algorithm = algorithm;
        ObservationSpace = policy.ObservationSpace;
        ActionSpace = policy.ActionSpace;
        if (policy.Normalization is { } n)
        {
            _frozenStatistics = new RunningMeanVariance(ObservationSpace.FlatSize);
            _frozenStatistics.Import(new RunningMeanVarianceState((double[])n.Mean.Clone(), (double[])n.Variance.Clone(), 1.0));
        }
        _sampling = new Rng(5);
    }

    /// <summary>The algorithm's registry name (e.g. <c>ppo</c>).</summary>
    public string AlgorithmName => _trainer?.Settings.Algorithm ?? _policy!.Algorithm;

    /// <summary>The environment id the agent trains (or was trained) on.</summary>
    public string Environment => _trainer?.Settings.Environment ?? _policy!.Environment;

    /// <summary>The raw observation space <see cref="Predict(ReadOnlySpan{float}, bool)"/> takes.</summary>
    public Space ObservationSpace { get; }

    /// <summary>The action space <see cref="Predict(ReadOnlySpan{float}, bool)"/> returns actions of.</summary>
    public Space ActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize => ObservationSpace.FlatSize;

    /// <summary>Floats per action (1 for a discrete action, its index).</summary>
    public int ActionSize => ActionSpace.FlatSize;

    /// <summary>Environment steps trained so far.</summary>
    public long Steps => _trainer?.Steps ?? _policy!.Step;

    /// <summary>The run folder the agent trains in, or null for an agent loaded from a policy file.</summary>
    public string? RunFolder => _trainer?.Folder.Path;

    /// <summary>Whether <see cref="Learn"/> can train this agent (false when it was loaded from a policy file or a run's <c>best/</c> checkpoint).</summary>
    public bool CanLearn => _trainer is not null && !_actsOnly;

    /// <summary>The algorithm's resolved settings.</summary>
    public Hyperparameters Settings => _algorithm.Settings;

    /// <summary>The algorithm itself (its networks and update), for advanced use.</summary>
    public IAlgorithm Algorithm => _algorithm;

    /// <summary>
    /// Creates an agent for a registered environment.
    /// </summary>
    /// <param name="algorithm">An algorithm name (<c>policylab list algos</c>): ppo, a2c, sac, td3, …</param>
    /// <param name="environment">A registered environment id (<c>policylab list envs</c> or your own registration).</param>
    /// <param name="seed">The seed of every random stream (same seed, same machine, same threads → same results).</param>
    /// <param name="settings">The algorithm's settings, typed (e.g. <c>new PpoSettings { NSteps = 32 }</c>), used as
    /// given; null takes the tuned defaults <c>policylab train</c> uses (<c>configs/&lt;algo&gt;.yaml</c>).</param>
    /// <param name="run">Run settings (n_envs, normalize, evaluation and checkpoint frequency, …), used as given except
    /// that algorithm, environment and seed come from the arguments above; null takes the tuned defaults.</param>
    /// <param name="runFolder">Where the run folder goes; null makes a new one under <c>runs/</c>, named as
    /// <c>policylab train</c> names them.</param>
    /// <exception cref="PolicyLabException">An unknown algorithm or environment, settings of another algorithm, or a value out of range.</exception>
    public static Agent Create(string algorithm, string environment, long seed = 0, Hyperparameters? settings = null,
        RunSettings? run = null, string? runFolder = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(algorithm);
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        (RunSettings tunedRun, Hyperparameters tunedSettings) = SettingsResolver.Resolve(new SettingsRequest(algorithm, environment, null, [], seed, null));
        RunSettings resolvedRun = run ?? tunedRun;
        resolvedRun.Algorithm = tunedRun.Algorithm;
        resolvedRun.Environment = environment;
        resolvedRun.Seed = seed;
        Hyperparameters resolvedSettings = settings ?? tunedSettings;
        if (resolvedSettings.GetType() != tunedSettings.GetType())
            throw new PolicyLabException($"The settings given are {resolvedSettings.GetType().Name}, but {tunedRun.Algorithm} takes {tunedSettings.GetType().Name}.");
        RunFolder folder = runFolder is null
            ? Training.RunFolder.Create("runs", resolvedRun.Algorithm, environment, seed, DateTime.Now)
            : Training.RunFolder.CreateAt(runFolder);
        return new Agent(Trainer.Start(resolvedRun, resolvedSettings, folder));
    }

    /// <summary>
    /// Creates an agent for an environment of your own, registered for this process under <paramref name="id"/> (or,
    /// when null, under the environment class's name with <c>-v0</c>). To use it from the CLI as well, register it in an
    /// assembly (<see cref="IEnvironmentRegistration"/>) and pass <c>--env-assembly</c>.
    /// </summary>
    /// <exception cref="PolicyLabException">The id is taken by another environment, or as for the other overload.</exception>
    public static Agent Create(string algorithm, Func<IEnvironment> environment, long seed = 0, Hyperparameters? settings = null,
        RunSettings? run = null, string? runFolder = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (id is null)
        {
            using IEnvironment probe = environment();
            id = probe.Spec?.Id ?? $"{probe.GetType().Name}-v0";
        }
        if (!EnvironmentRegistry.Contains(id)) EnvironmentRegistry.Register(id, environment);
        return Create(algorithm, id, seed, settings, run, runFolder);
    }

    /// <summary>
    /// Loads an agent: from a policy file (<see cref="Save"/>; it only acts), from a run folder (its latest checkpoint;
    /// it can train on with <see cref="Learn"/>, and holds the run folder's lock until disposed), from one checkpoint
    /// folder of a run, or from a run's <c>best/</c> folder (the best evaluation's checkpoint; it only acts).
    /// </summary>
    /// <exception cref="PolicyLabException">Nothing loadable there, or a damaged or incompatible file.</exception>
    public static Agent Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
            if (File.Exists(Path.Combine(full, Training.RunFolder.ConfigFileName)))
                return new Agent(Trainer.ResumeTraining(Training.RunFolder.Open(full)));
            if (Path.GetFileName(full) == Training.RunFolder.BestChoice && Path.GetDirectoryName(full) is string parent
                && File.Exists(Path.Combine(parent, Training.RunFolder.ConfigFileName)))
                return Load(parent, Training.RunFolder.BestChoice);
            if (File.Exists(Path.Combine(full, "checkpoint.json")) && long.TryParse(Path.GetFileName(full), out long step)
                && Path.GetDirectoryName(Path.GetDirectoryName(full)) is string run)
                return new Agent(Trainer.ResumeTraining(Training.RunFolder.Open(run), step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            throw new PolicyLabException($"'{full}' is a folder but neither a run folder (no {Training.RunFolder.ConfigFileName}) nor a checkpoint of one. " +
                "Pass a run folder, one of its checkpoints/<step> folders, or a policy file.");
        }
        (PolicyDescription description, IAlgorithm algorithm) = PolicyFile.Read(path);
        return new Agent(description, algorithm);
    }

    /// <summary>
    /// Loads one checkpoint of a run folder, chosen as <c>--checkpoint</c> chooses: a step, <c>latest</c>,
    /// <c>latest-intact</c> (these can train on, holding the run's lock until disposed) or <c>best</c> (the best
    /// evaluation's checkpoint, <c>best/</c>; it only acts and evaluates, without locking the run).
    /// </summary>
    /// <exception cref="PolicyLabException">Not a run folder, no such checkpoint, or a damaged one.</exception>
    public static Agent Load(string runFolder, string checkpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        RunFolder folder = Training.RunFolder.Open(runFolder);
        if (checkpoint.Trim() == Training.RunFolder.BestChoice)
            return new Agent(Trainer.OpenCheckpoint(folder, folder.ResolveCheckpointFolder(checkpoint)), actsOnly: true);
        return new Agent(Trainer.ResumeTraining(folder, checkpoint));
    }

    /// <summary>
    /// Trains for <paramref name="steps"/> more environment steps (from where the agent is: a loaded run continues), with
    /// the run's evaluations, checkpoints and logs. Stopping early — a callback returning false, a cancelled
    /// <paramref name="cancellation"/>, the reward threshold with <c>stop_at_threshold</c> — ends normally with a final
    /// evaluation and a checkpoint written; the result's end reason says why it ended.
    /// </summary>
    /// <param name="steps">Environment steps to add to the budget (summed over copies).</param>
    /// <param name="callbacks">Observers of the run (e.g. <see cref="TrainingCallback"/>s); they can stop it.</param>
    /// <param name="cancellation">Stops the run after the current update.</param>
    /// <exception cref="PolicyLabException">The agent was loaded from a policy file, or training diverged.</exception>
    public TrainingResult Learn(long steps, IEnumerable<ITrainingObserver>? callbacks = null, CancellationToken cancellation = default)
    {
        if (_trainer is null)
            throw new PolicyLabException("This agent was loaded from a policy file, which carries what acting needs but not the optimizer state or training environments. " +
                "Load its run folder (Agent.Load(runFolder)) to train on.");
        if (_actsOnly)
            throw new PolicyLabException("This agent was loaded from the run's best/ checkpoint, which is for acting and evaluating: it holds no replay buffer " +
                "and is not the run's latest state. Load the run folder (Agent.Load(runFolder)) to train on.");
        if (steps <= 0) throw new PolicyLabException($"Learn needs a positive number of steps; got {steps}.");
        _trainer.SetBudget(checked(_trainer.Steps + steps));
        ITrainingObserver[] observers = [.. callbacks ?? []];
        return _trainer.RunWithTrackers(observers.Length == 1 ? observers[0] : new CompositeObserver(observers), cancellation);
    }

    /// <summary>
    /// Saves the policy file: weights, settings (which fix the architecture), spaces, frozen observation statistics and
    /// the versions — everything <see cref="Load(string)"/> needs to act, without the environment or the optimizer.
    /// </summary>
    public void Save(string path)
    {
        lock (_gate) PolicyFile.Write(path, Describe(), _algorithm.Parameters);
    }

    /// <summary>What the policy file says about this agent's policy.</summary>
    public PolicyDescription Describe()
    {
        if (_policy is not null) return _policy;
        Trainer t = _trainer!;
        if (t.Environments.Projector is not null)
            throw new PolicyLabException("This run acts through a latent-action projector (latent_dim / projector), which policy files do not carry yet, " +
                "so a saved policy would return latent actions. Act through the run folder instead (Agent.Load(runFolder)), whose projector.safetensors is applied.");
        NormalizeVectorEnvironment? n = t.Environments.Normalizer;
        return new PolicyDescription(t.Settings.Algorithm, t.Settings.Environment, t.Settings.EnvironmentArguments, t.Steps,
            ObservationSpace, ActionSpace, t.Settings.EnvironmentCount, _algorithm.Settings.ToList(),
            n is { NormalizeObservations: true } ? ObservationNormalization.From(n) : null,
            PolicyLabVersion.Current);
    }

    /// <summary>
    /// Writes the deterministic policy as an ONNX model that maps raw observations to environment actions (normalization
    /// and action scaling inside the graph; see docs/export.md).
    /// </summary>
    /// <exception cref="PolicyLabException">The policy cannot be exported (the message says why), or the path is not writable.</exception>
    public Export.OnnxPolicySignature ExportOnnx(string path)
    {
        if (_trainer is not null) Export.OnnxExport.RefuseActionMasks(_trainer.Environments.Top.ActionMasks is not null, Environment);
        lock (_gate)
            return Export.OnnxExport.Write(path, _algorithm, ObservationSpace, ActionSpace, Describe().Normalization,
                new Dictionary<string, string> { ["policylab.algorithm"] = AlgorithmName, ["policylab.environment"] = Environment });
    }

    /// <summary>The action(s) for raw observation(s): one row of <see cref="ObservationSize"/> floats per observation.</summary>
    /// <param name="observations">One or more observations, row after row, as the environment gives them.</param>
    /// <param name="deterministic">The policy's mode (true) or a sample from it.</param>
    /// <returns>The environment action(s), <see cref="ActionSize"/> floats per observation.</returns>
    public float[] Predict(ReadOnlySpan<float> observations, bool deterministic = true)
    {
        var actions = new float[observations.Length / Math.Max(ObservationSize, 1) * ActionSize];
        Predict(observations, actions, deterministic);
        return actions;
    }

    /// <summary>
    /// Writes the environment actions for a batch of raw observations into <paramref name="actions"/>: observation
    /// normalization (frozen, as in training) and action scaling happen inside, exactly as <c>policylab eval</c> does them.
    /// Allocates nothing once it has seen a batch of this size.
    /// </summary>
    /// <exception cref="PolicyLabException">The observations are not whole rows, the action span has the wrong length, or a value is NaN or infinite.</exception>
    public void Predict(ReadOnlySpan<float> observations, Span<float> actions, bool deterministic = true) =>
        Predict(observations, default, actions, deterministic);

    /// <summary>
    /// <see cref="Predict(ReadOnlySpan{float}, Span{float}, bool)"/> within action masks (sb3-contrib's
    /// <c>predict(obs, action_masks=…)</c>): one mask of <c>ActionMasking.SizeFor(ActionSpace)</c> flags per observation,
    /// true for an allowed action; an empty span means no masks.
    /// </summary>
    /// <exception cref="PolicyLabException">As the overload without masks; also masks of the wrong length, a mask that allows
    /// no action, or masks given to an algorithm that does not honour them.</exception>
    public void Predict(ReadOnlySpan<float> observations, ReadOnlySpan<bool> actionMasks, Span<float> actions, bool deterministic = true)
    {
        int size = ObservationSize;
        if (observations.Length == 0 || observations.Length % size != 0)
            throw new PolicyLabException($"Predict takes whole observations of {size} floats ({ObservationSpace}); got {observations.Length} floats. " +
                "Pass one observation, or several one after another.");
        int batch = observations.Length / size;
        if (actions.Length != batch * ActionSize)
            throw new PolicyLabException($"Predict writes {ActionSize} floats per observation ({ActionSpace}), {batch * ActionSize} for these {batch}; the action span has {actions.Length}.");
        for (int i = 0; i < observations.Length; i++)
            if (!float.IsFinite(observations[i]))
                throw new PolicyLabException($"Observation {i / size}, component {i % size}, is {observations[i]}: a policy cannot act on NaN or infinite inputs. Check the environment's state.");
        lock (_gate)
        {
            if (_input.Length < observations.Length) _input = new float[observations.Length];
            Span<float> input = _input.AsSpan(0, observations.Length);
            observations.CopyTo(input);
            Normalize(input);
            if (!actionMasks.IsEmpty)
            {
                if (_projector is not null)
                    throw new PolicyLabException("Action masks apply to Discrete and MultiDiscrete actions; this agent acts through a latent projector (Box actions).");
                _algorithm.Act(input, actionMasks, batch, deterministic, _sampling, actions);
                return;
            }
            if (_projector is null)
            {
                _algorithm.Act(input, batch, deterministic, _sampling, actions);
                return;
            }
            int latentSize = _projector.LatentSize;
            if (_latent.Length < batch * latentSize) _latent = new float[batch * latentSize];
            _algorithm.Act(input, batch, deterministic, _sampling, _latent.AsSpan(0, batch * latentSize));
            for (int row = 0; row < batch; row++)
                _projector.Project(_latent.AsSpan(row * latentSize, latentSize), actions.Slice(row * ActionSize, ActionSize), _projectorScratch);
        }
    }

    /// <summary>
    /// Runs <paramref name="episodes"/> episodes with the agent's policy and returns their returns and lengths (SB3's
    /// <c>evaluate_policy</c>). Episodes are spread over up to 8 copies seeded from <paramref name="seed"/>, as
    /// <c>policylab eval --seed</c> spreads them, so the same seed gives the same returns.
    /// </summary>
    /// <param name="agent">The agent.</param>
    /// <param name="environment">The environment id (null: the one the agent was trained on, with its arguments).</param>
    /// <param name="episodes">Episodes to run.</param>
    /// <param name="deterministic">Act with the policy's mode.</param>
    /// <param name="seed">Seed of the episodes.</param>
    public static EvaluationResult Evaluate(Agent agent, string? environment = null, int episodes = 10, bool deterministic = true, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (episodes <= 0) throw new PolicyLabException($"Evaluate needs at least one episode; got {episodes}.");
        string id = environment ?? agent.Environment;
        IReadOnlyDictionary<string, object>? arguments = environment is null
            ? EnvironmentArguments.Parse(agent._trainer?.Settings.EnvironmentArguments ?? agent._policy!.EnvironmentArguments, "env_kwargs") is { Count: > 0 } a ? a : null
            : null;
        NormalizationState? statistics = agent.ObservationStatistics() is { } s
            ? new NormalizationState(s, new RunningMeanVarianceState([0.0], [1.0], 1.0)) : null;
        // A training agent's own copies carry the run's projector and preprocessing (frame skip, resize, …).
        IVectorEnvironment copies = environment is null && agent._trainer is not null
            ? agent._trainer.Environments.MakeCopies(Math.Min(episodes, 8), VectorMode.Sync)
            : TrainingEnvironments.Make(id, Math.Min(episodes, 8), VectorMode.Sync, arguments);
        using var evaluator = new Evaluator(copies, episodes, (ulong)seed, statistics is not null);
        lock (agent._gate)
            return evaluator.Evaluate(agent._algorithm, agent.Steps, statistics, deterministic, new Rng(Rng.DeriveSeed((ulong)seed, 1)));
    }

    private RunningMeanVarianceState? ObservationStatistics() =>
        _frozenStatistics?.Export()
        ?? (_trainer?.Environments.Normalizer is { NormalizeObservations: true } n ? n.ObservationStatistics.Export() : null);

    private void Normalize(Span<float> rows)
    {
        if (_frozenStatistics is not null && _policy!.Normalization is { } frozen)
        {
            int size = ObservationSize;
            for (int row = 0; row < rows.Length; row += size)
                Normalization.Observation(_frozenStatistics, rows.Slice(row, size), frozen.Clip, frozen.Epsilon);
        }
        else if (_trainer?.Environments.Normalizer is { NormalizeObservations: true } live)
        {
            live.NormalizeObservation(rows);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_trainer is not null) _trainer.Dispose();
        else _algorithm.Dispose();
    }
}
