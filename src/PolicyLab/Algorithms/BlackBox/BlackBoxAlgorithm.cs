using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// What the black-box methods share: the policy whose flat parameters are the search's current point
/// (what <see cref="Act"/>, evaluation and the exported model use), the candidate evaluator, the
/// method's random stream and the iteration counter that seeds each iteration's episodes.
/// </summary>
public abstract class BlackBoxAlgorithm : IAlgorithm
{
    private readonly BlackBoxSettings _settings;

    /// <summary>Builds the policy (initial parameters from N(0, init_std²)) and the evaluator.</summary>
    protected BlackBoxAlgorithm(AlgorithmContext context, BlackBoxSettings settings, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rng);
        _settings = settings;
        Rng = rng;
        Policy = new BlackBoxPolicy(context.Environment.SingleObservationSpace, context.Environment.SingleActionSpace,
            settings.PolicyLayers, settings.Activation, settings.ScaleObservations);
        Span<float> theta = Policy.Store.Values;
        for (int j = 0; j < theta.Length; j++) theta[j] = (float)(settings.InitStd * rng.Normal());
        Evaluator = new CandidateEvaluator(context, settings, rng.NextUInt64());
    }

    /// <inheritdoc/>
    public Hyperparameters Settings => _settings;

    /// <inheritdoc/>
    public ParameterStore Parameters => Policy.Store;

    /// <summary>The policy holding the current point of the search.</summary>
    public BlackBoxPolicy Policy { get; }

    /// <summary>Number of policy parameters.</summary>
    public int Dimension => Policy.Dimension;

    /// <summary>Iterations completed.</summary>
    public long Iteration { get; protected set; }

    /// <summary>The method's random stream (perturbations, acceptance draws).</summary>
    protected Rng Rng { get; }

    /// <summary>Scores candidates.</summary>
    protected CandidateEvaluator Evaluator { get; }

    /// <inheritdoc/>
    public abstract void Iterate(double progress, UpdateDiagnostics diagnostics);

    /// <summary>Evaluates this iteration's candidates and records the common diagnostics
    /// (best and mean candidate return, candidate episodes, environment steps).</summary>
    protected void EvaluateCandidates(float[] candidates, int count, double[] fitness, UpdateDiagnostics diagnostics) =>
        Record(Evaluator.Evaluate(candidates, count, Iteration, fitness), count, fitness, diagnostics);

    /// <summary>Evaluates this iteration's <paramref name="population"/> and records the common diagnostics.</summary>
    protected void EvaluateCandidates(Population population, double[] fitness, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(population);
        Record(Evaluator.Evaluate(population, Iteration, fitness), population.Count, fitness, diagnostics);
    }

    private void Record(long steps, int count, double[] fitness, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(fitness);
        ArgumentNullException.ThrowIfNull(diagnostics);
        double best = double.NegativeInfinity, sum = 0;
        for (int i = 0; i < count; i++)
        {
            best = Math.Max(best, fitness[i]);
            sum += fitness[i];
        }
        diagnostics.Set("best_return", best);
        diagnostics.Set("mean_return", sum / count);
        diagnostics.Set("candidate_episodes", count * (double)_settings.EpisodesPerCandidate);
        diagnostics.Set("env_steps", steps);
    }

    /// <summary>
    /// Acts with the current point: discrete actions are the argmax of the scores when
    /// <paramref name="deterministic"/>, a softmax sample otherwise; Box actions are deterministic either way.
    /// </summary>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        Policy.Act(observations, batch, sample: !deterministic, rng, environmentActions);

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SetParameters("policy", Policy.Store);
        state.SetRng("rng", Rng);
        state.SetScalar("iteration", Iteration);
        SaveMethodState(state);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ReadParameters("policy", Policy.Store);
        state.ReadRng("rng", Rng);
        Iteration = state.ReadScalarInt64("iteration");
        LoadMethodState(state);
    }

    /// <summary>Adds the method's own state (search distribution, optimizer, …).</summary>
    protected abstract void SaveMethodState(StateDictionary state);

    /// <summary>Restores what <see cref="SaveMethodState"/> wrote.</summary>
    protected abstract void LoadMethodState(StateDictionary state);

    /// <summary>Indices of <paramref name="values"/> from largest to smallest, ties in index order.</summary>
    public static void SortDescending(double[] values, int[] order, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(order);
        for (int i = 0; i < count; i++) order[i] = i;
        Array.Sort(order, 0, count, Comparer<int>.Create((a, b) =>
        {
            int c = values[b].CompareTo(values[a]);
            return c != 0 ? c : a.CompareTo(b);
        }));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Evaluator.Dispose();
        GC.SuppressFinalize(this);
    }
}
