using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// SAC's actor with gSDE (generalized state-dependent exploration, see <see cref="StateDependentNoise"/>), as SB3 builds
/// it: the actor outputs the pre-squash mean only, clipped to ±2 (a hard tanh), the features z are its last hidden layer,
/// and log σ is a learned [F, D] (or [F, 1]) matrix. The squashed action is ã = tanh(μ(s) + z(s)·W) with
/// log π(ã|s) = log N(u; μ, σ̂²) − Σ log(1 − tanh² u), σ̂_j² = Σ_i z_i² σ_ij² + 1e-6.
/// W is redrawn: for exploration, one per environment copy at the start of every collection round and every
/// sde_sample_freq collected steps; for training, one shared by the minibatch before every gradient step (for ã and ã′).
/// Every matrix comes from the algorithm's stream at those points, so runs and resumed runs draw the same ones.
/// </summary>
internal sealed class SacStateDependentNoise
{
    /// <summary>SB3's clip_mean: the mean is held in [−2, 2] before squashing.</summary>
    public const float MeanClip = 2f;

    private readonly StateDependentExploration _exploration;
    private readonly Mlp _actor;
    private readonly int _features, _dimension;
    private readonly float[] _std, _trainNoise, _trainMatrix;
    private float[] _matrices, _mean, _featureRows;
    private int _copies, _roundSteps;

    /// <summary>Adds log σ (<c>actor.log_std</c>, filled with <paramref name="logStdInit"/>) to <paramref name="store"/>, right
    /// after the actor so that the actor's optimizer range covers it.</summary>
    public SacStateDependentNoise(ParameterStore store, Mlp actor, StateDependentExploration exploration, float logStdInit)
    {
        (_actor, _exploration) = (actor, exploration);
        (_features, _dimension) = (actor.FeatureSize, actor.Outputs);
        int size = exploration.FullStd ? _features * _dimension : _features;
        LogStd = store.Add("actor.log_std", new Shape(size));
        LogStd.Value.Fill(logStdInit);
        _std = new float[size];
        _trainNoise = new float[_features * _dimension];
        _trainMatrix = new float[_features * _dimension];
        _matrices = new float[_features * _dimension];
        _mean = [];
        _featureRows = [];
        _copies = 1;
    }

    /// <summary>log σ of the exploration matrix's entries.</summary>
    public Parameter LogStd { get; }

    /// <summary>The current exploration matrices, [copies, F, D] (for tests).</summary>
    public ReadOnlySpan<float> Matrices => _matrices.AsSpan(0, _copies * _features * _dimension);

    /// <summary>New exploration matrices for <paramref name="copies"/> environment copies (a collection round starts).</summary>
    public void StartRound(int copies, Rng rng)
    {
        _roundSteps = 0;
        ResetExploration(copies, rng);
    }

    /// <summary>Called before each exploring step: every sde_sample_freq steps of a round, new matrices.</summary>
    public void BeforeExploring(int copies, Rng rng)
    {
        if (_exploration.SampleFrequency > 0 && _roundSteps > 0 && _roundSteps % _exploration.SampleFrequency == 0)
            ResetExploration(copies, rng);
    }

    /// <summary>Counts one collected step of the round.</summary>
    public void StepCollected() => _roundSteps++;

    /// <summary>Draws one exploration matrix per environment copy.</summary>
    public void ResetExploration(int copies, Rng rng)
    {
        int size = _features * _dimension;
        if (_matrices.Length < copies * size) _matrices = new float[copies * size];
        _copies = copies;
        StateDependentNoise.StdOf(LogStd.Value, _exploration.UseExpln, _std);
        for (int c = 0; c < copies; c++)
            StateDependentNoise.SampleMatrix(_std, _features, _dimension, rng, _matrices.AsSpan(c * size, size));
    }

    /// <summary>
    /// A new training matrix W = σ ⊙ E, then ã = tanh(μ + z·W) for the minibatch <paramref name="observations"/> on
    /// <paramref name="tape"/> (reparameterized: differentiable in the actor and log σ), and ã′ for
    /// <paramref name="nextObservations"/> with the same W and no tape.
    /// </summary>
    public TanhGaussianSample SampleStep(Tape tape, ReadOnlySpan<float> observations, ReadOnlySpan<float> nextObservations, int batch, Rng rng,
        Span<float> nextActions, Span<float> nextLogProbs)
    {
        int d = _dimension;
        rng.FillNormal(_trainNoise);
        (Tensor rawMean, Tensor features) = _actor.ForwardWithFeatures(tape, tape.Constant(observations[..(batch * _actor.Inputs)], new Shape(batch, _actor.Inputs)));
        if (!_exploration.LearnFeatures) features = features.Detach();
        var noise = new StateDependentNoise(rawMean.Clamp(-MeanClip, MeanClip), features,
            tape.Param(LogStd).Reshape(new Shape(_features, _exploration.FullStd ? d : 1)), _exploration.UseExpln);
        Tensor u = noise.Rsample(tape.Constant(_trainNoise, new Shape(_features, d)));
        Tensor logProb = noise.LogProb(u) - TanhGaussian.LogOneMinusTanhSquared(u);

        // W = σ ⊙ E as numbers, for ã′ ~ π(·|s′) without gradient.
        StateDependentNoise.StdOf(LogStd.Value, _exploration.UseExpln, _std);
        bool full = _exploration.FullStd;
        for (int i = 0; i < _features; i++)
            for (int j = 0; j < d; j++)
                _trainMatrix[i * d + j] = _trainNoise[i * d + j] * (full ? _std[i * d + j] : _std[i]);
        ActRows(nextObservations, batch, nextActions, nextLogProbs, _trainMatrix, perRow: false);
        return new TanhGaussianSample(u.Tanh(), logProb, u);
    }

    /// <summary>Actions in [−1, 1] for <paramref name="batch"/> observations: tanh(clip(μ)) when <paramref name="deterministic"/>,
    /// else tanh(clip(μ) + z·W) with row i's environment copy's matrix (the first when the batch is not one row per copy).</summary>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Span<float> actions)
    {
        int size = _features * _dimension;
        if (deterministic)
        {
            EnsureRows(batch);
            _actor.Forward(observations, batch, _mean);
            for (int i = 0; i < batch * _dimension; i++) actions[i] = MathF.Tanh(Math.Clamp(_mean[i], -MeanClip, MeanClip));
            return;
        }
        StateDependentNoise.StdOf(LogStd.Value, _exploration.UseExpln, _std);
        ActRows(observations, batch, actions, default, _matrices.AsSpan(0, _copies * size), perRow: batch == _copies);
    }

    // tanh(clip(μ) + z·W) per row with log π (when logProbs is not empty), W row r's matrix when perRow else the first;
    // σ must already be in _std.
    private void ActRows(ReadOnlySpan<float> observations, int batch, Span<float> actions, Span<float> logProbs, ReadOnlySpan<float> matrices, bool perRow)
    {
        int d = _dimension, f = _features, size = f * d;
        EnsureRows(batch);
        _actor.Forward(observations, batch, _mean, _featureRows);
        for (int r = 0; r < batch; r++)
        {
            Span<float> mean = _mean.AsSpan(r * d, d);
            for (int j = 0; j < d; j++) mean[j] = Math.Clamp(mean[j], -MeanClip, MeanClip);
            Span<float> action = actions.Slice(r * d, d);
            double logp = StateDependentNoise.Sample(mean, _featureRows.AsSpan(r * f, f), _std, matrices.Slice(perRow ? r * size : 0, size), action);
            for (int j = 0; j < d; j++)
            {
                logp -= DistributionMath.LogOneMinusTanhSquared(action[j]);
                action[j] = MathF.Tanh(action[j]);
            }
            if (!logProbs.IsEmpty) logProbs[r] = (float)logp;
        }
    }

    private void EnsureRows(int batch)
    {
        if (_mean.Length < batch * _dimension) _mean = new float[batch * _dimension];
        if (_featureRows.Length < batch * _features) _featureRows = new float[batch * _features];
    }
}
