using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using PolicyLab.Configuration;
using PolicyLab.Environments;
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
        Policies.ObservationFeatures.Check(Environment.SingleObservationSpace, name);
        _hyperparameters = hyperparameters;
        _settings = settings;
        Rng = rng;
        _context = context;
        Scaler = createCodec(Environment.SingleActionSpace);
        int n = Environment.Count;
        ObservationSize = Environment.ObservationSize;
        ActionSize = Scaler.Size;
        if (Environment.ActionMasks is not null) MaskSize = ActionMasking.SizeFor(Environment.SingleActionSpace);
        Buffer = new ReplayBuffer(Math.Max(settings.BufferSize, n), n, ObservationSize, ActionSize, MaskSize,
            compactObservations: Environment.SingleObservationSpace is Environments.Spaces.Box { ElementType: Environments.Spaces.BoxElementType.UInt8 });
        Batch = new TransitionBatch(settings.BatchSize, ObservationSize, ActionSize, MaskSize);
        _actingMasks = new bool[n * MaskSize];
        _nextMasks = new bool[n * MaskSize];
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

    /// <summary>Flags per action mask when the environments provide masks, else 0 (the buffer then keeps s′'s masks).</summary>
    protected int MaskSize { get; }

    /// <summary>The masks of the observations being acted on in <see cref="Explore"/> and <see cref="PolicyActions"/>
    /// ([batch, <see cref="MaskSize"/>]), empty when there are none.</summary>
    protected ReadOnlySpan<bool> ActingMasks => _actingMasks.AsSpan(0, _actingMaskLength);

    private bool[] _actingMasks, _nextMasks;
    private int _actingMaskLength;

    /// <inheritdoc/>
    public virtual bool HonoursActionMasks => false;

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

    /// <summary>One gradient step exactly as <see cref="Iterate"/> takes it (counted in <see cref="Updates"/>), without
    /// collecting: for benchmarks that time the update alone. The buffer must already hold transitions.</summary>
    internal void GradientStep(double progress)
    {
        Train(progress, _diagnosticSums);
        _updates++;
    }

    /// <summary>Exploration actions in [−1, 1] for <paramref name="batch"/> observations.</summary>
    protected abstract void Explore(ReadOnlySpan<float> observations, int batch, Span<float> actions);

    /// <summary>Policy actions in [−1, 1]: the mode when <paramref name="deterministic"/>, a sample otherwise.</summary>
    protected abstract void PolicyActions(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions);

    /// <summary>Called at the start of every collection round of train_freq steps (e.g. new gSDE exploration matrices).</summary>
    protected virtual void OnRoundStart() { }

    /// <summary>True when <see cref="Explore"/> also acts before learning_starts instead of uniformly random actions
    /// (SAC's use_sde_at_warmup).</summary>
    protected virtual bool ExploresDuringWarmup => false;

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
            OnRoundStart();
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
        SetActingMasks(Environment.ActionMasks, n);
        if (_steps < _settings.LearningStarts && !ExploresDuringWarmup)
        {
            if (MaskSize > 0) SampleUniformAllowed(_scaledActions, n);
            else Scaler.SampleUniform(Rng, _scaledActions);
        }
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
        bool[]? masks = MaskSize > 0 ? Environment.ActionMasks : null;
        if (masks is not null) masks.AsSpan(0, n * MaskSize).CopyTo(_nextMasks);
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
                    if (masks is not null) Environment.FinalActionMasks.AsSpan(i * MaskSize, MaskSize).CopyTo(_nextMasks.AsSpan(i * MaskSize));
                    OnEpisodeEnd(i);
                }
            next = merged;
        }
        Buffer.Add(_observations, _scaledActions, Environment.Rewards, next, terminated, truncated, _nextMasks);
        _steps += n;
        OnCollected(_scaledActions);
    }

    private float[]? _mergedNext;

    private void SetActingMasks(ReadOnlySpan<bool> masks, int batch)
    {
        if (masks.IsEmpty || MaskSize == 0)
        {
            _actingMaskLength = 0;
            return;
        }
        if (_actingMasks.Length < batch * MaskSize) _actingMasks = new bool[batch * MaskSize];
        masks[..(batch * MaskSize)].CopyTo(_actingMasks);
        _actingMaskLength = batch * MaskSize;
    }

    // The warm-up's uniform actions, each drawn among its state's allowed actions (Discrete: one index per copy).
    private void SampleUniformAllowed(Span<float> stored, int batch)
    {
        for (int i = 0; i < batch; i++)
            stored[i] = UniformAllowed(ActingMasks.Slice(i * MaskSize, MaskSize), Rng);
    }

    /// <summary>An index drawn uniformly among the allowed entries of <paramref name="mask"/> (one draw).</summary>
    protected static int UniformAllowed(ReadOnlySpan<bool> mask, Rng rng)
    {
        int allowed = 0;
        foreach (bool m in mask) allowed += m ? 1 : 0;
        int pick = rng.NextInt(allowed);
        for (int k = 0; k < mask.Length; k++)
            if (mask[k] && pick-- == 0) return k;
        throw new PolicyLabException("The action mask allows no action.");
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        float[] actions = _actScratch is { } s && s.Length >= batch * ActionSize ? s : (_actScratch = new float[batch * ActionSize]);
        _actingMaskLength = 0;
        PolicyActions(observations, batch, deterministic, rng, actions);
        Scaler.ToEnvironment(actions, batch, environmentActions);
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, ReadOnlySpan<bool> actionMasks, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        if (actionMasks.IsEmpty)
        {
            Act(observations, batch, deterministic, rng, environmentActions);
            return;
        }
        if (!HonoursActionMasks)
            throw new PolicyLabException($"{GetType().Name} does not honour action masks; use ppo, a2c, vpg, reinforce or dqn for an environment with masks.");
        int size = ActionMasking.SizeFor(Environment.SingleActionSpace);
        if (actionMasks.Length != batch * size)
            throw new PolicyLabException($"The action masks have {actionMasks.Length} flags but {batch} observation(s) of {Environment.SingleActionSpace} need {batch * size}. Pass one mask of {size} flags per observation.");
        for (int i = 0; i < batch; i++)
            ActionMasking.Check(actionMasks.Slice(i * size, size), Environment.SingleActionSpace, $"row {i} of the action masks");
        float[] actions = _actScratch is { } s && s.Length >= batch * ActionSize ? s : (_actScratch = new float[batch * ActionSize]);
        if (_actingMasks.Length < batch * size) _actingMasks = new bool[batch * size];
        actionMasks.CopyTo(_actingMasks);
        _actingMaskLength = batch * size;
        PolicyActions(observations, batch, deterministic, rng, actions);
        _actingMaskLength = 0;
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
