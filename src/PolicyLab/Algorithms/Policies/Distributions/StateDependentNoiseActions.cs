using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>
/// How a policy explores with generalized state-dependent exploration (gSDE, see <see cref="StateDependentNoise"/>).
/// </summary>
/// <param name="SampleFrequency">Steps between new exploration matrices (≤ 0: only at the start of each rollout / collection round).</param>
/// <param name="FullStd">One σ per feature and action dimension ([F, D]) instead of one per feature ([F, 1]).</param>
/// <param name="UseExpln">σ grows as log(1 + log σ) + 1 above log σ = 0 instead of exponentially.</param>
/// <param name="LearnFeatures">Let the noise's gradient flow into the features (the actor's last hidden layer).</param>
public sealed record StateDependentExploration(int SampleFrequency = -1, bool FullStd = true, bool UseExpln = false, bool LearnFeatures = false);

/// <summary>
/// Box actions explored with gSDE: a = μ(s) + z(s)·W, μ the actor's output, z its last hidden layer (the observation
/// when it has none) and W [F, D] an exploration matrix per environment copy, redrawn by <see cref="ResetNoise"/>. The
/// head this family receives is [μ | z] (D + F values per row); its learned log σ is the [F, D] (or [F, 1]) matrix of
/// W's entries. Log-probabilities, entropies and KL are those of N(μ, σ̂²), σ̂_j² = Σ_i z_i² σ_ij² + 1e-6. Actions are
/// stored as sampled and clipped to the Box only for the environment, as with <see cref="GaussianActions"/>.
/// </summary>
public sealed class StateDependentNoiseActions : ActionDistribution
{
    private readonly Box _space;
    private readonly int _dimension, _features;
    private readonly float[] _std;
    private float[] _matrices;
    private int _copies;

    /// <summary>The family for <paramref name="actionSpace"/> with <paramref name="features"/> features per state.</summary>
    /// <exception cref="PolicyLabException">The action space is not a Box.</exception>
    public StateDependentNoiseActions(Space actionSpace, int features, StateDependentExploration exploration)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(exploration);
        if (actionSpace is not Box box)
            throw new PolicyLabException($"use_sde needs a Box (continuous) action space; this environment's actions are {actionSpace}. " +
                "gSDE perturbs continuous actions with state-dependent noise and has no discrete counterpart: set use_sde=false.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        (_space, _dimension, _features, Exploration) = (box, box.FlatSize, features, exploration);
        _std = new float[LogStdSize];
        _matrices = new float[_features * _dimension];
        _copies = 1;
    }

    /// <summary>The exploration settings.</summary>
    public StateDependentExploration Exploration { get; }

    /// <summary>Features per state, F.</summary>
    public int FeatureSize => _features;

    /// <summary>Width of the actor's own output (the mean), D.</summary>
    public int MeanSize => _dimension;

    /// <inheritdoc/>
    public override int HeadSize => _dimension + _features;

    /// <inheritdoc/>
    public override int ActionSize => _dimension;

    /// <inheritdoc/>
    public override int LogStdSize => Exploration.FullStd ? _features * _dimension : _features;

    /// <inheritdoc/>
    public override bool IsContinuous => true;

    /// <summary>The current exploration matrices, [copies, F, D] (for tests).</summary>
    public ReadOnlySpan<float> Matrices => _matrices.AsSpan(0, _copies * _features * _dimension);

    /// <summary>Draws a new exploration matrix for each of <paramref name="copies"/> environment copies from the current
    /// <paramref name="logStd"/>.</summary>
    public void ResetNoise(int copies, ReadOnlySpan<float> logStd, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        int size = _features * _dimension;
        if (_matrices.Length < copies * size) _matrices = new float[copies * size];
        _copies = copies;
        StateDependentNoise.StdOf(logStd, Exploration.UseExpln, _std);
        for (int c = 0; c < copies; c++)
            StateDependentNoise.SampleMatrix(_std, _features, _dimension, rng, _matrices.AsSpan(c * size, size));
    }

    /// <inheritdoc/>
    public override PolicyDistribution OnTape(Tensor head, Tensor? logStd)
    {
        Tensor std = logStd ?? throw new ArgumentNullException(nameof(logStd));
        Tensor mean = head.Slice(1, 0, _dimension);
        Tensor features = head.Slice(1, _dimension, _features);
        if (!Exploration.LearnFeatures) features = features.Detach();
        Tensor matrix = std.Reshape(new Shape(_features, Exploration.FullStd ? _dimension : 1));
        return new(new StateDependentNoise(mean, features, matrix, Exploration.UseExpln).Gaussian);
    }

    /// <summary>Samples row <paramref name="row"/> of a batch with that environment copy's matrix (the first one when the
    /// batch is not one row per copy) and returns its log-probability.</summary>
    public float Sample(int row, int batch, ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        int size = _features * _dimension;
        int copy = batch == _copies ? row : 0;
        StateDependentNoise.StdOf(logStd, Exploration.UseExpln, _std);
        return StateDependentNoise.Sample(head[.._dimension], head.Slice(_dimension, _features), _std,
            _matrices.AsSpan(copy * size, size), action[.._dimension]);
    }

    /// <inheritdoc/>
    /// <remarks>Uses the first copy's exploration matrix; the exploration matrix is drawn by <see cref="ResetNoise"/>, not here.</remarks>
    public override float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action) =>
        Sample(0, 1, head, logStd, action);

    /// <inheritdoc/>
    public override float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action)
    {
        head[.._dimension].CopyTo(action);
        StateDependentNoise.StdOf(logStd, Exploration.UseExpln, _std);
        return StateDependentNoise.LogProb(head[.._dimension], head.Slice(_dimension, _features), _std, action[.._dimension]);
    }

    /// <inheritdoc/>
    public override void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction)
    {
        action[.._dimension].CopyTo(environmentAction);
        _space.Clip(environmentAction[.._dimension]);
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyLabException">Always: the natural-gradient methods have no Fisher for gSDE policies.</exception>
    public override void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape) =>
        throw new PolicyLabException("use_sde is not supported by the natural-gradient methods (NPG, TRPO); use it with PPO or A2C, or set use_sde=false.");
}
