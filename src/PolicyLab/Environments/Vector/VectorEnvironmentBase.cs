using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// Shared storage and per-copy stepping for vector environments built from independent <see cref="IEnvironment"/>
/// copies. Subclasses decide which thread steps which range of copies.
/// </summary>
public abstract class VectorEnvironmentBase : IVectorEnvironment, IStatefulEnvironment, ISeededCopies, IRenderableVectorEnvironment
{
    private readonly IEnvironment[] _environments;
    private readonly IActionMaskProvider[]? _maskProviders;
    private readonly int _maskSize;
    private bool _everReset;
    private bool _disposed;

    /// <summary>Takes ownership of the copies (disposed with this object). All copies must have the same space sizes.</summary>
    protected VectorEnvironmentBase(IReadOnlyList<IEnvironment> environments)
    {
        ArgumentNullException.ThrowIfNull(environments);
        if (environments.Count == 0)
            throw new PolicyLabException("A vector environment needs at least one copy; pass one or more environments.");
        _environments = [.. environments];
        IEnvironment first = _environments[0];
        SingleObservationSpace = first.ObservationSpace;
        SingleActionSpace = first.ActionSpace;
        ObservationSize = first.ObservationSpace.FlatSize;
        ActionSize = first.ActionSpace.FlatSize;
        for (int i = 1; i < _environments.Length; i++)
        {
            if (_environments[i].ObservationSpace.FlatSize != ObservationSize || _environments[i].ActionSpace.FlatSize != ActionSize)
                throw new PolicyLabException($"All copies of a vector environment must have the same spaces, but copy {i} has {_environments[i].ObservationSpace} / {_environments[i].ActionSpace} while copy 0 has {SingleObservationSpace} / {SingleActionSpace}.");
            if (ReferenceEquals(_environments[i], _environments[0]))
                throw new PolicyLabException("The same environment instance was passed twice to a vector environment; pass a factory so that every copy is a separate instance.");
        }
        Count = _environments.Length;
        Observations = new float[Count * ObservationSize];
        FinalObservations = new float[Count * ObservationSize];
        Rewards = new double[Count];
        Terminated = new bool[Count];
        Truncated = new bool[Count];

        // Action masks: every copy provides them or none does.
        IActionMaskProvider?[] providers = [.. _environments.Select(ActionMasking.Find)];
        if (providers.Any(p => p is not null))
        {
            int missing = Array.FindIndex(providers, p => p is null);
            if (missing >= 0)
                throw new PolicyLabException($"Copy {missing} of the vector environment provides no action mask while copy {Array.FindIndex(providers, p => p is not null)} does; every copy must implement IActionMaskProvider, or none.");
            _maskProviders = providers!;
            _maskSize = ActionMasking.SizeFor(SingleActionSpace);
            ActionMasks = new bool[Count * _maskSize];
            FinalActionMasks = new bool[Count * _maskSize];
        }
    }

    /// <inheritdoc />
    public bool[]? ActionMasks { get; }

    /// <inheritdoc />
    public bool[]? FinalActionMasks { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public Space SingleObservationSpace { get; }

    /// <inheritdoc />
    public Space SingleActionSpace { get; }

    /// <inheritdoc />
    public int ObservationSize { get; }

    /// <inheritdoc />
    public int ActionSize { get; }

    /// <inheritdoc />
    public EnvironmentSpec? Spec => _environments[0].Spec;

    /// <inheritdoc />
    public float[] Observations { get; }

    /// <inheritdoc />
    public double[] Rewards { get; }

    /// <inheritdoc />
    public bool[] Terminated { get; }

    /// <inheritdoc />
    public bool[] Truncated { get; }

    /// <inheritdoc />
    public float[] FinalObservations { get; }

    /// <summary>The copies (e.g. to reach a wrapper of copy i, or its <see cref="IEnvironment.Info"/>; note that an
    /// autoreset clears the info of the finished copy).</summary>
    public IReadOnlyList<IEnvironment> Environments => _environments;

    /// <inheritdoc />
    public Rendering.RgbFrame Render(int copy)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _environments[copy].Render();
    }

    /// <inheritdoc />
    public void Reset(ulong? seed = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong? baseSeed = seed ?? (_everReset ? null : 0UL);
        _everReset = true;
        RunReset(baseSeed);
        Array.Clear(Rewards);
        Array.Clear(Terminated);
        Array.Clear(Truncated);
    }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> actions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (actions.Length != Count * ActionSize)
            ThrowActionsLength(actions.Length);
        if (!_everReset)
            ThrowNotReset();
        RunStep(actions);
    }

    /// <inheritdoc />
    public bool CanSaveState => _environments.All(e => e is IStatefulEnvironment s && s.CanSaveState);

    /// <summary>Saves every copy's state and the current observations.</summary>
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (!CanSaveState)
            throw new NotSupportedException("A copy of this vector environment cannot save its state.");
        for (int i = 0; i < _environments.Length; i++)
            ((IStatefulEnvironment)_environments[i]).SaveState(state, $"{prefix}.{i}");
        state.Set($"{prefix}.observations", Observations);
        state.SetScalar($"{prefix}.ever_reset", _everReset ? 1 : 0);
    }

    /// <summary>Restores what <see cref="SaveState"/> saved.</summary>
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (!CanSaveState)
            throw new NotSupportedException("A copy of this vector environment cannot load a saved state.");
        for (int i = 0; i < _environments.Length; i++)
            ((IStatefulEnvironment)_environments[i]).LoadState(state, $"{prefix}.{i}");
        state.Read($"{prefix}.observations", Observations);
        if (_maskProviders is not null)
            for (int i = 0; i < _environments.Length; i++) CopyMask(i, ActionMasks!, validate: true);
        _everReset = state.ReadScalarInt64($"{prefix}.ever_reset") != 0;
    }

    /// <summary>Whether copy <paramref name="copy"/> can save its state on its own (see <see cref="SaveCopyState"/>).</summary>
    public bool CanSaveCopyState(int copy) => _environments[copy] is IStatefulEnvironment s && s.CanSaveState;

    /// <summary>Saves copy <paramref name="copy"/>'s state and its current observation under <paramref name="prefix"/>, so the copy
    /// can be continued elsewhere (another vector environment of the same environment, e.g. in a cluster worker).</summary>
    /// <exception cref="NotSupportedException">The copy cannot save its state.</exception>
    public void SaveCopyState(int copy, Numerics.Serialization.StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!CanSaveCopyState(copy))
            throw new NotSupportedException($"Copy {copy} of this vector environment cannot save its state.");
        ((IStatefulEnvironment)_environments[copy]).SaveState(state, prefix);
        state.Set($"{prefix}.observation", Observations.AsSpan(copy * ObservationSize, ObservationSize));
    }

    /// <summary>Makes copy <paramref name="copy"/> continue from a state saved by <see cref="SaveCopyState"/> (of this or
    /// another vector environment of the same environment): its state, current observation and action mask.</summary>
    public void LoadCopyState(int copy, Numerics.Serialization.StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!CanSaveCopyState(copy))
            throw new NotSupportedException($"Copy {copy} of this vector environment cannot load a saved state.");
        ((IStatefulEnvironment)_environments[copy]).LoadState(state, prefix);
        state.Read($"{prefix}.observation", Observations.AsSpan(copy * ObservationSize, ObservationSize));
        if (_maskProviders is not null) CopyMask(copy, ActionMasks!, validate: true);
        _everReset = true;
    }

    /// <summary>Resets every copy, copy i with <c>seed + i</c> when a seed is given (must call <see cref="ResetRange"/> over all copies).</summary>
    protected abstract void RunReset(ulong? seed);

    /// <summary>Steps every copy (must call <see cref="StepRange"/> over all copies).</summary>
    protected abstract void RunStep(ReadOnlySpan<float> actions);

    /// <inheritdoc/>
    public void ResetCopies(ReadOnlySpan<ulong> seeds)
    {
        if (seeds.Length != Count)
            throw new ArgumentException($"ResetCopies needs one seed per copy ({Count}); got {seeds.Length}.", nameof(seeds));
        int od = ObservationSize;
        for (int i = 0; i < Count; i++)
        {
            _environments[i].Reset(Observations.AsSpan(i * od, od), seeds[i]);
            if (_maskProviders is not null) CopyMask(i, ActionMasks!, validate: true);
        }
        _everReset = true;
    }

    /// <summary>Resets copies [start, end) with seed + i (or their own streams when no seed is given).</summary>
    protected void ResetRange(int start, int end, ulong? seed)
    {
        int od = ObservationSize;
        for (int i = start; i < end; i++)
        {
            _environments[i].Reset(Observations.AsSpan(i * od, od), seed is ulong s ? unchecked(s + (ulong)i) : null);
            if (_maskProviders is not null) CopyMask(i, ActionMasks!, validate: true);
        }
    }

    /// <summary>Copies copy <paramref name="i"/>'s current mask into its row of <paramref name="target"/>, checking its
    /// length (and, for a state to act in, that it allows an action).</summary>
    private void CopyMask(int i, bool[] target, bool validate)
    {
        ReadOnlySpan<bool> mask = _maskProviders![i].ActionMask;
        if (mask.Length != _maskSize || validate)
            ActionMasking.Check(mask, SingleActionSpace, $"{Spec?.Id ?? _environments[i].Unwrapped().GetType().Name} (copy {i})");
        mask.CopyTo(target.AsSpan(i * _maskSize, _maskSize));
    }

    /// <summary>Steps copies [start, end) with their action rows, resetting finished copies (same-step autoreset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void StepRange(int start, int end, ReadOnlySpan<float> actions)
    {
        int od = ObservationSize, ad = ActionSize;
        IEnvironment[] environments = _environments;
        float[] observations = Observations;
        double[] rewards = Rewards;
        bool[] terminated = Terminated, truncated = Truncated;
        for (int i = start; i < end; i++)
        {
            IEnvironment environment = environments[i];
            Span<float> row = observations.AsSpan(i * od, od);
            StepResult result = environment.Step(actions.Slice(i * ad, ad), row);
            // Conditional stores: the flag arrays fit in one cache line, so unconditional stores from two
            // threads would bounce that line between cores on every step (false sharing).
            if (!rewards[i].Equals(result.Reward))
                rewards[i] = result.Reward;
            if (terminated[i] != result.Terminated)
                terminated[i] = result.Terminated;
            if (truncated[i] != result.Truncated)
                truncated[i] = result.Truncated;
            if (result.Terminated | result.Truncated)
            {
                row.CopyTo(FinalObservations.AsSpan(i * od, od));
                if (_maskProviders is not null) CopyMask(i, FinalActionMasks!, validate: false);
                environment.Reset(row);
            }
            if (_maskProviders is not null) CopyMask(i, ActionMasks!, validate: true);
        }
    }

    /// <summary>Disposes every copy.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the copies; subclasses also stop their threads.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (disposing)
        {
            foreach (IEnvironment environment in _environments)
                environment.Dispose();
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowActionsLength(int length) =>
        throw new PolicyLabException($"{Spec?.Id ?? "vector environment"}: the action batch has {length} floats but {Count} copies × {ActionSize} per action need {Count * ActionSize}. Pass one action row per copy.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotReset() =>
        throw new PolicyLabException($"{Spec?.Id ?? "vector environment"}: Step was called before Reset. Call Reset once before the first step (later episodes reset automatically).");
}
