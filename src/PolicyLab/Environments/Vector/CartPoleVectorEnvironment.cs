using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// A specialised vector of CartPole copies with a built-in time limit, stored as structure-of-arrays and stepped in one
/// tight loop (no interface call per copy). It produces exactly the same numbers as a
/// <see cref="SyncVectorEnvironment"/> of <c>EnvironmentRegistry.Make("CartPole-v1")</c> copies with the same seed:
/// the same dynamics function, the same reset draws from a per-copy <see cref="Rng"/> seeded with <c>seed + i</c>, and
/// the same same-step autoreset semantics (see <see cref="IVectorEnvironment"/>).
/// </summary>
public sealed class CartPoleVectorEnvironment : IVectorEnvironment
{
    private readonly double[] _x, _xDot, _theta, _thetaDot;
    private readonly int[] _elapsed;
    private readonly Rng[] _random;
    private bool _everReset;

    /// <summary>Creates <paramref name="count"/> CartPole copies truncated after <paramref name="maxEpisodeSteps"/> steps (0: no limit).</summary>
    public CartPoleVectorEnvironment(int count, int maxEpisodeSteps = 500, bool suttonBartoReward = false)
    {
        if (count <= 0)
            throw new PolicyLabException($"A vector environment needs at least one copy; got {count}.");
        if (maxEpisodeSteps < 0)
            throw new PolicyLabException($"max episode steps must be positive, or 0 for no limit; got {maxEpisodeSteps}.");
        Count = count;
        MaxEpisodeSteps = maxEpisodeSteps;
        SuttonBartoReward = suttonBartoReward;
        using var prototype = new CartPole(suttonBartoReward);
        SingleObservationSpace = prototype.ObservationSpace;
        SingleActionSpace = prototype.ActionSpace;
        EnvironmentSpec registered = EnvironmentRegistry.Spec("CartPole-v1");
        Spec = registered with { MaxEpisodeSteps = maxEpisodeSteps == 0 ? null : maxEpisodeSteps };
        _x = new double[count];
        _xDot = new double[count];
        _theta = new double[count];
        _thetaDot = new double[count];
        _elapsed = new int[count];
        _random = new Rng[count];
        for (int i = 0; i < count; i++)
            _random[i] = new Rng(0UL);
        Observations = new float[count * 4];
        FinalObservations = new float[count * 4];
        Rewards = new double[count];
        Terminated = new bool[count];
        Truncated = new bool[count];
    }

    /// <summary>Steps after which each episode is truncated (0: never).</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>True when the Sutton–Barto reward is used.</summary>
    public bool SuttonBartoReward { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public Space SingleObservationSpace { get; }

    /// <inheritdoc />
    public Space SingleActionSpace { get; }

    /// <inheritdoc />
    public int ObservationSize => 4;

    /// <inheritdoc />
    public int ActionSize => 1;

    /// <inheritdoc />
    public EnvironmentSpec? Spec { get; }

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

    /// <inheritdoc />
    public void Reset(ulong? seed = null)
    {
        ulong? baseSeed = seed ?? (_everReset ? null : 0UL);
        _everReset = true;
        for (int i = 0; i < Count; i++)
        {
            if (baseSeed is ulong s)
                _random[i].Reseed(unchecked(s + (ulong)i));
            ResetCopy(i);
        }
        Array.Clear(Rewards);
        Array.Clear(Terminated);
        Array.Clear(Truncated);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(ReadOnlySpan<float> actions)
    {
        if (actions.Length != Count)
            ThrowActionsLength(actions.Length);
        if (!_everReset)
            ThrowNotReset();
        double[] x = _x, xDot = _xDot, theta = _theta, thetaDot = _thetaDot;
        int[] elapsed = _elapsed;
        float[] observations = Observations;
        double[] rewards = Rewards;
        bool[] terminated = Terminated, truncated = Truncated;
        int limit = MaxEpisodeSteps == 0 ? int.MaxValue : MaxEpisodeSteps;
        int n = Count;
        for (int i = 0; i < n; i++)
        {
            float a = actions[i];
            if (a != 0f && a != 1f)
                ThrowInvalidAction(i, a);
            bool done = CartPole.Advance(ref x[i], ref xDot[i], ref theta[i], ref thetaDot[i], a == 1f);
            int steps = ++elapsed[i];
            bool cut = steps >= limit;
            rewards[i] = SuttonBartoReward ? (done ? -1.0 : 0.0) : 1.0;
            terminated[i] = done;
            truncated[i] = cut;
            int row = 4 * i;
            observations[row] = (float)x[i];
            observations[row + 1] = (float)xDot[i];
            observations[row + 2] = (float)theta[i];
            observations[row + 3] = (float)thetaDot[i];
            if (done | cut)
            {
                observations.AsSpan(row, 4).CopyTo(FinalObservations.AsSpan(row, 4));
                ResetCopy(i);
            }
        }
    }

    /// <summary>The physical state (x, ẋ, θ, θ̇) of copy <paramref name="index"/>.</summary>
    public double[] GetState(int index) => [_x[index], _xDot[index], _theta[index], _thetaDot[index]];

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }

    private void ResetCopy(int i)
    {
        Rng random = _random[i];
        _x[i] = random.Uniform(-0.05, 0.05);
        _xDot[i] = random.Uniform(-0.05, 0.05);
        _theta[i] = random.Uniform(-0.05, 0.05);
        _thetaDot[i] = random.Uniform(-0.05, 0.05);
        _elapsed[i] = 0;
        int row = 4 * i;
        Observations[row] = (float)_x[i];
        Observations[row + 1] = (float)_xDot[i];
        Observations[row + 2] = (float)_theta[i];
        Observations[row + 3] = (float)_thetaDot[i];
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidAction(int copy, float value) =>
        throw new PolicyLabException($"CartPole-v1: the action {(float.IsNaN(value) ? "NaN" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture))} for copy {copy} is not in the action space Discrete(2). Pass 0 (push left) or 1 (push right) as a float.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowActionsLength(int length) =>
        throw new PolicyLabException($"CartPole-v1: the action batch has {length} floats but {Count} copies need {Count} (one action index per copy).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotReset() =>
        throw new PolicyLabException("CartPole-v1: Step was called before Reset. Call Reset once before the first step (later episodes reset automatically).");
}
