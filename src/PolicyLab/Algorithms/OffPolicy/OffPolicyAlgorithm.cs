using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// The collection loop shared by DDPG, TD3 and SAC. One <see cref="Iterate"/> runs rounds of
/// <c>train_freq</c> steps of every copy (uniformly random actions before <c>learning_starts</c>, the
/// algorithm's exploration afterwards), storing each transition in the replay buffer with the episode's
/// final observation as s′ when it ended, then <c>gradient_steps</c> updates, until <c>log_interval</c>
/// steps were taken; the diagnostics are the means over its updates. Nothing is allocated per step.
/// </summary>
public abstract class OffPolicyAlgorithm : IAlgorithm
{
    private readonly Hyperparameters _hyperparameters;
    private readonly IReplayLoopSettings _settings;
    private readonly AlgorithmContext _context;
    private readonly float[] _scaledActions, _environmentActions, _observations;
    private readonly double[] _diagnosticSums;
    private long _steps, _updates;

    /// <summary>Sets up the buffer and scaler for the context's environments (already reset).</summary>
    protected OffPolicyAlgorithm(AlgorithmContext context, OffPolicySettings settings, Rng rng, string name)
        : this(context, settings, settings, rng, name, space => new ActionScaler(space, name)) { }

    /// <summary>
    /// Sets up the buffer for the context's environments (already reset), with the stored actions in the
    /// encoding of the codec <paramref name="createCodec"/> makes for the action space.
    /// </summary>
    protected OffPolicyAlgorithm(AlgorithmContext context, Hyperparameters hyperparameters, IReplayLoopSettings settings, Rng rng, string name,
        Func<Space, IActionCodec> createCodec)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(createCodec);
        hyperparameters.ThrowIfInvalid($"{name} settings");
        Environment = context.Environment;
        if (Environment.SingleObservationSpace is not Box)
            throw new PolicyLabException($"{name} needs a Box observation space; this environment observes {Environment.SingleObservationSpace}.");
        _hyperparameters = hyperparameters;
        _settings = settings;
        Rng = rng;
        _context = context;
        Scaler = createCodec(Environment.SingleActionSpace);
        int n = Environment.Count;
        ObservationSize = Environment.ObservationSize;
        ActionSize = Scaler.Size;
        Buffer = new ReplayBuffer(Math.Max(settings.BufferSize, n), n, ObservationSize, ActionSize);
        Batch = new TransitionBatch(settings.BatchSize, ObservationSize, ActionSize);
        _scaledActions = new float[n * ActionSize];
        _environmentActions = new float[n * ActionSize];
        _observations = new float[n * ObservationSize];
        _diagnosticSums = new double[DiagnosticNames.Count];
    }

    /// <summary>The training environments.</summary>
    protected IVectorEnvironment Environment { get; }

    /// <summary>The algorithm's random stream (sampling, exploration, target noise).</summary>
    protected Rng Rng { get; }

    /// <summary>Maps between the stored actions ([−1, 1] for a Box) and the environment's actions.</summary>
    protected IActionCodec Scaler { get; }

    /// <summary>Environment steps taken so far (summed over copies).</summary>
    protected long Steps => _steps;

    /// <summary>The run's step budget.</summary>
    protected long TotalSteps => _context.TotalSteps;

    /// <summary>The replay buffer.</summary>
    protected ReplayBuffer Buffer { get; }

    /// <summary>The minibatch refilled by every update.</summary>
    protected TransitionBatch Batch { get; }

    /// <summary>Floats per observation.</summary>
    protected int ObservationSize { get; }

    /// <summary>Action dimension D.</summary>
    protected int ActionSize { get; }

    /// <summary>Gradient steps taken so far.</summary>
    protected long Updates => _updates;

    /// <inheritdoc/>
    public Hyperparameters Settings => _hyperparameters;

    /// <inheritdoc/>
    public abstract ParameterStore Parameters { get; }

    /// <summary>Names of the values <see cref="Train"/> adds to its sums (reported as means per iteration).</summary>
    protected abstract IReadOnlyList<string> DiagnosticNames { get; }

    /// <summary>One gradient step on a minibatch sampled from <see cref="Buffer"/>; adds its diagnostics to <paramref name="sums"/>.</summary>
    protected abstract void Train(double progress, Span<double> sums);

    /// <summary>Exploration actions in [−1, 1] for <paramref name="batch"/> observations.</summary>
    protected abstract void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions);

    /// <summary>Policy actions in [−1, 1]: the mode when <paramref name="deterministic"/>, a sample otherwise.</summary>
    protected abstract void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions);

    /// <summary>Called when copy <paramref name="copy"/> finished an episode (resets per-episode noise).</summary>
    protected virtual void OnEpisodeEnd(int copy) { }

    /// <summary>Called after every collection step with the actions stored for it (target updates and splits counted in environment steps).</summary>
    protected virtual void OnCollected(ReadOnlySpan<float> storedActions) { }

    /// <summary>Adds the algorithm's own state (networks, optimizers, noise) to <paramref name="state"/>.</summary>
    protected abstract void SaveAlgorithmState(StateDictionary state);

    /// <summary>Restores what <see cref="SaveAlgorithmState"/> wrote.</summary>
    protected abstract void LoadAlgorithmState(StateDictionary state);

    /// <inheritdoc/>
    public void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        int n = Environment.Count;
        long start = _steps;
        int updates = 0;
        Array.Clear(_diagnosticSums);
        do
        {
            int collected = 0;
            for (int t = 0; t < _settings.TrainFrequency && _steps < _context.TotalSteps; t++)
            {
                CollectStep();
                collected += n;
            }
            if (_steps >= _settings.LearningStarts && Buffer.Count > 0)
            {
                int gradientSteps = _settings.GradientSteps >= 0 ? _settings.GradientSteps : collected;
                for (int g = 0; g < gradientSteps; g++)
                {
                    Train(progress, _diagnosticSums);
                    _updates++;
                    updates++;
                }
            }
        }
        while (_steps - start < _settings.LogInterval && _steps < _context.TotalSteps);

        if (updates > 0)
            for (int i = 0; i < _diagnosticSums.Length; i++)
                diagnostics.Set(DiagnosticNames[i], _diagnosticSums[i] / updates);
        diagnostics.Set("gradient_steps", updates);
        diagnostics.Set("learning_rate", _settings.LearningRate.ValueAt(progress));
    }

    private void CollectStep()
    {
        int n = Environment.Count;
        Environment.Observations.AsSpan(0, n * ObservationSize).CopyTo(_observations);
        if (_steps < _settings.LearningStarts)
            Scaler.SampleUniform(Rng, _scaledActions);
        else
            Explore(_observations, n, _scaledActions);
        Scaler.ToEnvironment(_scaledActions, n, _environmentActions);
        Environment.Step(_environmentActions);
        // The stored action is the one applied, in [−1, 1] units (exploration noise may have been clipped).
        Scaler.FromEnvironment(_environmentActions, n, _scaledActions);
        bool[] terminated = Environment.Terminated, truncated = Environment.Truncated;
        float[] next = Environment.Observations;
        bool anyEnded = false;
        for (int i = 0; i < n; i++) anyEnded |= terminated[i] || truncated[i];
        if (anyEnded)
        {
            // s′ of a finished episode is its final observation, not the next episode's first one.
            float[] final = Environment.FinalObservations;
            float[] merged = _mergedNext ??= new float[n * ObservationSize];
            next.AsSpan(0, n * ObservationSize).CopyTo(merged);
            for (int i = 0; i < n; i++)
                if (terminated[i] || truncated[i])
                {
                    final.AsSpan(i * ObservationSize, ObservationSize).CopyTo(merged.AsSpan(i * ObservationSize));
                    OnEpisodeEnd(i);
                }
            next = merged;
        }
        Buffer.Add(_observations, _scaledActions, Environment.Rewards, next, terminated, truncated);
        _steps += n;
        OnCollected(_scaledActions);
    }

    private float[]? _mergedNext;

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        float[] actions = _actScratch is { } s && s.Length >= batch * ActionSize ? s : (_actScratch = new float[batch * ActionSize]);
        PolicyActions(observations, batch, deterministic, rng, actions);
        Scaler.ToEnvironment(actions, batch, environmentActions);
    }

    private float[]? _actScratch;

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        state.SetScalar("offpolicy.steps", _steps);
        state.SetScalar("offpolicy.updates", _updates);
        state.SetRng("rng", Rng);
        if (_settings.SaveReplayBuffer) Buffer.SaveState(state, "replay");
        SaveAlgorithmState(state);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        _steps = state.ReadScalarInt64("offpolicy.steps");
        _updates = state.ReadScalarInt64("offpolicy.updates");
        if (_steps < 0 || _updates < 0)
            throw new InvalidDataException($"its counters offpolicy.steps ({_steps}) and offpolicy.updates ({_updates}) must not be negative");
        state.ReadRng("rng", Rng);
        if (state.Contains("replay.rows_written")) Buffer.LoadState(state, "replay");
        LoadAlgorithmState(state);
    }

    /// <inheritdoc/>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    // ------------------------------------------------------------------ helpers for the updates

    /// <summary>Polyak averaging θ′ ← τθ + (1 − τ)θ′ over matching flat ranges.</summary>
    protected internal static void Polyak(ReadOnlySpan<float> online, Span<float> target, float tau) =>
        TensorPrimitives.Lerp(target, online, tau, target);

    /// <summary>The [start, end) range of the parameters of <paramref name="networks"/> in their store (contiguous).</summary>
    protected internal static Range RangeOf(params Mlp[] networks)
    {
        int start = int.MaxValue, end = 0;
        foreach (Mlp m in networks)
            foreach (LinearLayer l in m.Layers)
            {
                start = Math.Min(start, Math.Min(l.Weight.Offset, l.Bias.Offset));
                end = Math.Max(end, Math.Max(l.Weight.Offset + l.Weight.Length, l.Bias.Offset + l.Bias.Length));
            }
        return start..end;
    }
}
