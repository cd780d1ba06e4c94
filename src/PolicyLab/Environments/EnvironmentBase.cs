using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Environments;

/// <summary>
/// Shared plumbing for PolicyLab's built-in environments: the seeded random stream, the reset-before-step
/// lifecycle, buffer-length checks, the reusable <see cref="Info"/> and the one-time warning hook.
/// </summary>
/// <remarks>Subclasses implement <see cref="ResetState"/>, <see cref="StepState"/> and <see cref="WriteObservation"/>;
/// they validate action values themselves so that the check stays a couple of comparisons on the hot path.</remarks>
public abstract class EnvironmentBase : IEnvironment, IStatefulEnvironment
{
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private bool _episodeActive;

    /// <summary>Creates the environment with its spaces and a random stream seeded with 0.</summary>
    protected EnvironmentBase(Space observationSpace, Space actionSpace)
    {
        ObservationSpace = observationSpace ?? throw new ArgumentNullException(nameof(observationSpace));
        ActionSpace = actionSpace ?? throw new ArgumentNullException(nameof(actionSpace));
        ObservationSize = observationSpace.FlatSize;
        ActionSize = actionSpace.FlatSize;
        WarningSink = EnvironmentWarnings.DefaultSink;
    }

    /// <inheritdoc />
    public Space ObservationSpace { get; }

    /// <inheritdoc />
    public Space ActionSpace { get; }

    /// <summary>Number of floats in one observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Number of floats in one action.</summary>
    public int ActionSize { get; }

    /// <summary>The registration this environment was made from (assigned by <see cref="EnvironmentRegistry"/>).</summary>
    public EnvironmentSpec? Spec { get; set; }

    /// <inheritdoc />
    public EnvironmentInfo Info { get; } = new();

    /// <summary>The id used in error messages: the registered id, or the class name.</summary>
    public string Id => Spec?.Id ?? GetType().Name;

    /// <summary>
    /// Receives one-time warnings (e.g. "actions outside the bounds are clipped"). Each distinct warning is sent at
    /// most once per environment instance. Defaults to <see cref="EnvironmentWarnings.DefaultSink"/> at construction;
    /// set to null to silence.
    /// </summary>
    public Action<string>? WarningSink { get; set; }

    /// <summary>True between a reset (or a state assignment) and the step that ends the episode.</summary>
    public bool IsEpisodeActive => _episodeActive;

    /// <summary>The environment's random stream (reseeded by <c>Reset(seed)</c>).</summary>
    protected Rng Random { get; } = new(0UL);

    /// <inheritdoc />
    public void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
    {
        if (observation.Length != ObservationSize)
            ThrowObservationLength(observation.Length);
        if (seed is ulong s)
            Random.Reseed(s);
        Info.Clear();
        ResetState(options);
        WriteObservation(observation);
        _episodeActive = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_episodeActive)
            ThrowNotActive();
        if (action.Length != ActionSize)
            ThrowActionLength(action.Length);
        if (observation.Length != ObservationSize)
            ThrowObservationLength(observation.Length);
        Info.Clear();
        StepResult result = StepState(action);
        WriteObservation(observation);
        if (result.Terminated | result.Truncated)
            _episodeActive = false;
        return result;
    }

    /// <inheritdoc />
    public abstract RgbFrame Render();

    /// <summary>Whether <see cref="SaveOwnState"/> captures everything that changes while stepping
    /// (false by default: an environment opts in once it does).</summary>
    public virtual bool CanSaveState => false;

    /// <summary>Saves the random stream, the episode flag and the environment's own state.</summary>
    /// <exception cref="NotSupportedException">The environment does not support snapshots.</exception>
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (!CanSaveState)
            throw new NotSupportedException($"Environment '{Id}' cannot save its state.");
        state.Set($"{prefix}.rng", Random.GetState());
        state.SetScalar($"{prefix}.active", _episodeActive ? 1 : 0);
        SaveOwnState(state, prefix);
    }

    /// <summary>Restores what <see cref="SaveState"/> saved.</summary>
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (!CanSaveState)
            throw new NotSupportedException($"Environment '{Id}' cannot load a saved state.");
        Random.SetState(state.ReadWords($"{prefix}.rng"));
        LoadOwnState(state, prefix);
        _episodeActive = state.ReadScalarInt64($"{prefix}.active") != 0;
    }

    /// <summary>Saves the environment's physical state (override together with <see cref="CanSaveState"/>).</summary>
    protected virtual void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) { }

    /// <summary>Restores the physical state saved by <see cref="SaveOwnState"/>.</summary>
    protected virtual void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix) { }

    /// <summary>Releases nothing by default; environments holding resources override it.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources held by a subclass.</summary>
    protected virtual void Dispose(bool disposing) { }

    /// <summary>Draws a new initial state from <see cref="Random"/> (the info has been cleared).</summary>
    protected abstract void ResetState(ResetOptions? options);

    /// <summary>Validates the action value, advances the state and returns the reward and flags (the info has been cleared).</summary>
    protected abstract StepResult StepState(ReadOnlySpan<float> action);

    /// <summary>Writes the observation of the current state (length already checked).</summary>
    protected abstract void WriteObservation(Span<float> observation);

    /// <summary>Marks the episode as running, for state setters used to start from a chosen state.</summary>
    protected void MarkEpisodeActive() => _episodeActive = true;

    /// <summary>Sends <paramref name="message"/> to <see cref="WarningSink"/> unless this instance already sent it.</summary>
    protected void WarnOnce(string message)
    {
        if (WarningSink is { } sink && _warned.Add(message))
            sink($"{Id}: {message}");
    }

    /// <summary>Throws the error for a discrete action that is not an integer in [0, count).</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    protected void ThrowInvalidDiscreteAction(float value, int count)
    {
        string what = float.IsNaN(value) ? "NaN" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        throw new PolicyLabException($"{Id}: the action {what} is not in the action space {ActionSpace}. Pass the index of one of the {count} actions as a float (0 to {count - 1}).");
    }

    /// <summary>Throws the error for a continuous action containing NaN or an infinity.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    protected void ThrowNonFiniteAction(double value) =>
        throw new PolicyLabException($"{Id}: the action contains {(double.IsNaN(value) ? "NaN" : "an infinity")}, which has no meaning for {ActionSpace}. Check the policy output (e.g. a diverged network) before stepping; finite values outside the bounds are clipped.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotActive() =>
        throw new PolicyLabException($"{Id}: Step was called without an active episode (before the first Reset, or after a step reported terminated or truncated). Call Reset to start a new episode before stepping.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowActionLength(int length) =>
        throw new PolicyLabException($"{Id}: the action has {length} elements but the action space {ActionSpace} needs {ActionSize}. Pass exactly {ActionSize} float(s){(ActionSpace is Discrete ? " holding the action index" : "")}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowObservationLength(int length) =>
        throw new PolicyLabException($"{Id}: the observation buffer has {length} elements but the observation space {ObservationSpace} needs {ObservationSize}. Pass a buffer of exactly {ObservationSize} floats.");
}

/// <summary>Process-wide default for where environments send their one-time warnings.</summary>
public static class EnvironmentWarnings
{
    /// <summary>
    /// The warning sink given to each environment at construction (see <see cref="EnvironmentBase.WarningSink"/>).
    /// Defaults to <see cref="System.Diagnostics.Trace.TraceWarning(string)"/>; set to null to silence new environments.
    /// </summary>
    public static Action<string>? DefaultSink { get; set; } = message => System.Diagnostics.Trace.TraceWarning(message);
}
