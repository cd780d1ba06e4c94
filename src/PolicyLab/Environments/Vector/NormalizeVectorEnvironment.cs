using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Environments.Vector;

/// <summary>
/// The vector-level normalizer (SB3's VecNormalize): observations become
/// <c>clip((obs − mean) / sqrt(var + ε), ±clipObservation)</c> with running per-element statistics updated from every
/// batch of observations, and rewards are divided by the running standard deviation of each copy's discounted return
/// (<c>G ← γ·G + r</c>, restarted at 0 when the copy's episode ends) and clipped to ±clipReward.
/// </summary>
/// <remarks>
/// <para>Set <see cref="IsTraining"/> to false to freeze the statistics for evaluation. <see cref="Export"/> and
/// <see cref="Import"/> move the statistics to and from a model file.</para>
/// <para><see cref="FinalObservations"/> rows are normalized with the same statistics (so bootstrapping sees the
/// same scale as the policy). The raw values stay available in <see cref="OriginalObservations"/>,
/// <see cref="OriginalFinalObservations"/> and <see cref="OriginalRewards"/>.</para>
/// </remarks>
public sealed class NormalizeVectorEnvironment : VectorEnvironmentWrapper, IStatefulEnvironment
{
    private readonly double[] _returns;

    /// <summary>Wraps <paramref name="inner"/> (takes ownership).</summary>
    public NormalizeVectorEnvironment(
        IVectorEnvironment inner,
        bool normalizeObservations = true,
        bool normalizeRewards = true,
        double clipObservation = 10.0,
        double clipReward = 10.0,
        double gamma = 0.99,
        double epsilon = 1e-8)
        : base(inner)
    {
        if (!(clipObservation > 0) || !(clipReward > 0))
            throw new PolicyLabException($"Normalization clips must be positive; got observation clip {clipObservation} and reward clip {clipReward}.");
        if (!(gamma >= 0 && gamma <= 1))
            throw new PolicyLabException($"The discount factor gamma must be in [0, 1]; got {gamma}.");
        NormalizeObservations = normalizeObservations;
        NormalizeRewards = normalizeRewards;
        ClipObservation = clipObservation;
        ClipReward = clipReward;
        Gamma = gamma;
        Epsilon = epsilon;
        ObservationStatistics = new RunningMeanVariance(inner.ObservationSize);
        Observations = new float[inner.Observations.Length];
        FinalObservations = new float[inner.FinalObservations.Length];
        Rewards = new double[inner.Count];
        _returns = new double[inner.Count];
        SingleObservationSpace = normalizeObservations
            ? new Box((float)-clipObservation, (float)clipObservation, inner.ObservationSize)
            : inner.SingleObservationSpace;
    }

    /// <summary>Whether observations are normalized.</summary>
    public bool NormalizeObservations { get; }

    /// <summary>Whether rewards are scaled.</summary>
    public bool NormalizeRewards { get; }

    /// <summary>Normalized observations are clipped to ±this.</summary>
    public double ClipObservation { get; }

    /// <summary>Scaled rewards are clipped to ±this.</summary>
    public double ClipReward { get; }

    /// <summary>Discount of the running return.</summary>
    public double Gamma { get; }

    /// <summary>Added to variances before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>When false the statistics are frozen (evaluation).</summary>
    public bool IsTraining { get; set; } = true;

    /// <summary>Running statistics of the observations.</summary>
    public RunningMeanVariance ObservationStatistics { get; }

    /// <summary>Running statistics of the discounted returns.</summary>
    public RunningMeanVariance ReturnStatistics { get; } = new(1);

    /// <inheritdoc />
    public override Space SingleObservationSpace { get; }

    /// <inheritdoc />
    public override float[] Observations { get; }

    /// <inheritdoc />
    public override double[] Rewards { get; }

    /// <inheritdoc />
    public override float[] FinalObservations { get; }

    /// <summary>The unnormalized observations.</summary>
    public float[] OriginalObservations => Inner.Observations;

    /// <summary>The unnormalized final observations.</summary>
    public float[] OriginalFinalObservations => Inner.FinalObservations;

    /// <summary>The unscaled rewards.</summary>
    public double[] OriginalRewards => Inner.Rewards;

    /// <inheritdoc />
    public override void Reset(ulong? seed = null)
    {
        Inner.Reset(seed);
        Array.Clear(_returns);
        Array.Clear(Rewards);
        if (IsTraining && NormalizeObservations)
            ObservationStatistics.Update(Inner.Observations, Count);
        NormalizeRows(Inner.Observations, Observations, onlyFinished: false);
    }

    /// <inheritdoc />
    public override void Step(ReadOnlySpan<float> actions)
    {
        Inner.Step(actions);
        if (IsTraining && NormalizeObservations)
            ObservationStatistics.Update(Inner.Observations, Count);
        NormalizeRows(Inner.Observations, Observations, onlyFinished: false);
        NormalizeRows(Inner.FinalObservations, FinalObservations, onlyFinished: true);

        double[] raw = Inner.Rewards;
        bool[] terminated = Inner.Terminated, truncated = Inner.Truncated;
        if (!NormalizeRewards)
        {
            raw.CopyTo(Rewards, 0);
            return;
        }
        for (int i = 0; i < Count; i++)
            _returns[i] = _returns[i] * Gamma + raw[i];
        if (IsTraining)
            ReturnStatistics.Update(_returns);
        double scale = Normalization.RewardScale(ReturnStatistics, Epsilon);
        for (int i = 0; i < Count; i++)
        {
            Rewards[i] = Normalization.Reward(raw[i], scale, ClipReward);
            if (terminated[i] | truncated[i])
                _returns[i] = 0;
        }
    }

    /// <summary>Normalizes arbitrary observation rows (e.g. from an evaluation environment) with the current statistics.</summary>
    public void NormalizeObservation(Span<float> observation)
    {
        if (observation.Length % ObservationSize != 0)
            throw new ArgumentException($"Expected whole observation rows of {ObservationSize} floats; got {observation.Length}.", nameof(observation));
        if (!NormalizeObservations)
            return;
        for (int row = 0; row < observation.Length; row += ObservationSize)
            Normalization.Observation(ObservationStatistics, observation.Slice(row, ObservationSize), ClipObservation, Epsilon);
    }

    /// <summary>Snapshot of both statistics for saving with a model.</summary>
    public NormalizationState Export() => new(ObservationStatistics.Export(), ReturnStatistics.Export());

    /// <summary>Restores statistics saved with <see cref="Export"/>.</summary>
    public void Import(NormalizationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObservationStatistics.Import(state.Observations);
        ReturnStatistics.Import(state.Returns);
    }

    /// <inheritdoc />
    public bool CanSaveState => Inner is IStatefulEnvironment s && s.CanSaveState;

    /// <summary>Saves the statistics, the running discounted returns, the current (normalized) observations
    /// and, when it supports it, the wrapped environment.</summary>
    public void SaveState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.SaveState(state, $"{prefix}.inner");
        SaveStatistics(state, $"{prefix}.obs", ObservationStatistics);
        SaveStatistics(state, $"{prefix}.ret", ReturnStatistics);
        state.Set($"{prefix}.returns", _returns);
        state.Set($"{prefix}.observations", Observations);
    }

    /// <summary>Restores what <see cref="SaveState"/> saved.</summary>
    public void LoadState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        if (Inner is IStatefulEnvironment inner && inner.CanSaveState) inner.LoadState(state, $"{prefix}.inner");
        ObservationStatistics.Import(LoadStatistics(state, $"{prefix}.obs"));
        ReturnStatistics.Import(LoadStatistics(state, $"{prefix}.ret"));
        state.Read($"{prefix}.returns", _returns);
        state.Read($"{prefix}.observations", Observations);
    }

    private static void SaveStatistics(Numerics.Serialization.StateDictionary state, string prefix, RunningMeanVariance statistics)
    {
        RunningMeanVarianceState s = statistics.Export();
        state.Set($"{prefix}.mean", s.Mean);
        state.Set($"{prefix}.var", s.Variance);
        state.SetScalar($"{prefix}.count", s.Count);
    }

    private static RunningMeanVarianceState LoadStatistics(Numerics.Serialization.StateDictionary state, string prefix) =>
        new(state.ReadDoubles($"{prefix}.mean"), state.ReadDoubles($"{prefix}.var"), state.ReadScalarDouble($"{prefix}.count"));

    private void NormalizeRows(float[] source, float[] destination, bool onlyFinished)
    {
        int od = ObservationSize;
        bool[] terminated = Inner.Terminated, truncated = Inner.Truncated;
        for (int i = 0; i < Count; i++)
        {
            if (onlyFinished && !(terminated[i] | truncated[i]))
                continue;
            Span<float> row = destination.AsSpan(i * od, od);
            source.AsSpan(i * od, od).CopyTo(row);
            if (NormalizeObservations)
                Normalization.Observation(ObservationStatistics, row, ClipObservation, Epsilon);
        }
    }
}

/// <summary>Saved statistics of a <see cref="NormalizeVectorEnvironment"/>.</summary>
/// <param name="Observations">Observation statistics.</param>
/// <param name="Returns">Discounted-return statistics.</param>
public sealed record NormalizationState(RunningMeanVarianceState Observations, RunningMeanVarianceState Returns);
