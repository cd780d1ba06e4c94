using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>Cross-entropy-method hyperparameters (population 50, elite fraction 0.2 and σ 0.5 as in the
/// widely used CEM notebook).</summary>
public sealed class CrossEntropyMethodSettings : BlackBoxSettings
{
    /// <summary>Creates the settings with their defaults.</summary>
    public CrossEntropyMethodSettings() => InitStd = 0.5f;

    /// <summary>Candidates per iteration.</summary>
    [Hyperparameter("population", "candidates sampled per iteration")]
    public int Population { get; set; } = 50;

    /// <summary>Fraction of the population kept as elites.</summary>
    [Hyperparameter("elite_frac", "fraction of the population refitted to (at least one candidate)")]
    public float EliteFraction { get; set; } = 0.2f;

    /// <summary>Initial standard deviation of the search distribution.</summary>
    [Hyperparameter("sigma", "initial standard deviation of every parameter in the search distribution")]
    public float Sigma { get; set; } = 0.5f;

    /// <summary>Refit the standard deviations to the elites (false: keep σ fixed).</summary>
    [Hyperparameter("adapt_std", "refit the diagonal standard deviation to the elites (false: σ stays fixed, as in the notebook)")]
    public bool AdaptStd { get; set; } = true;

    /// <summary>Extra noise added to the refitted variance.</summary>
    [Hyperparameter("extra_std", "extra noise: σ² ← Var(elites) + (extra_std·(1 − progress))², decaying linearly to 0 over the budget")]
    public float ExtraStd { get; set; }

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, Population is >= 2 and <= 1_000_000, $"population must lie in [2, 1000000] (got {Population})");
        Require(errors, EliteFraction is > 0 and <= 1, $"elite_frac must lie in (0, 1] (got {EliteFraction})");
        Require(errors, Sigma > 0, $"sigma must be > 0 (got {Sigma})");
        Require(errors, ExtraStd >= 0, $"extra_std must be ≥ 0 (got {ExtraStd})");
    }
}

/// <summary>
/// The cross-entropy method over policy parameters. The search distribution is a diagonal Gaussian
/// N(μ, diag σ²); μ starts from N(0, init_std²) and σ at sigma. Each iteration:
/// <list type="number">
/// <item>samples θᵢ = μ + σ ⊙ εᵢ, εᵢ ~ N(0, I), for i = 1..N (the population) and scores each by its mean return;</item>
/// <item>takes the elites E, the ⌈elite_frac·N⌉ best (ties in sampling order);</item>
/// <item>refits μ ← (1/|E|) Σ_{i∈E} θᵢ and, when adapt_std, σⱼ² ← (1/|E|) Σ_{i∈E} (θᵢⱼ − μⱼ)² + z², where the
/// extra noise z = extra_std·(1 − progress) decays linearly over the step budget.</item>
/// </list>
/// Acting, evaluation and the exported model use μ.
/// </summary>
public sealed class CrossEntropyMethod : BlackBoxAlgorithm
{
    private readonly CrossEntropyMethodSettings _s;
    private readonly float[] _std, _candidates;
    private readonly double[] _fitness;
    private readonly int[] _order;
    private readonly int _elites;

    /// <summary>Builds the policy, the evaluator and the search distribution.</summary>
    public CrossEntropyMethod(AlgorithmContext context, CrossEntropyMethodSettings settings, Rng rng) : base(context, Validated(settings), rng)
    {
        _s = settings;
        _std = new float[Dimension];
        Array.Fill(_std, settings.Sigma);
        _candidates = new float[settings.Population * Dimension];
        _fitness = new double[settings.Population];
        _order = new int[settings.Population];
        _elites = Math.Clamp((int)Math.Ceiling(settings.EliteFraction * settings.Population - 1e-9), 1, settings.Population);
    }

    private static CrossEntropyMethodSettings Validated(CrossEntropyMethodSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid("CEM settings");
        return settings;
    }

    /// <summary>The search distribution's standard deviations.</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        int d = Dimension, n = _s.Population;
        Span<float> mean = Policy.Store.Values;

        // θᵢ = μ + σ ⊙ εᵢ
        for (int i = 0; i < n; i++)
        {
            Span<float> theta = _candidates.AsSpan(i * d, d);
            Rng.FillNormal(theta);
            for (int j = 0; j < d; j++) theta[j] = mean[j] + _std[j] * theta[j];
        }
        EvaluateCandidates(_candidates, n, _fitness, diagnostics);
        SortDescending(_fitness, _order, n);

        // μ ← mean of the elites
        mean.Clear();
        double eliteReturn = 0;
        for (int e = 0; e < _elites; e++)
        {
            ReadOnlySpan<float> theta = _candidates.AsSpan(_order[e] * d, d);
            for (int j = 0; j < d; j++) mean[j] += theta[j];
            eliteReturn += _fitness[_order[e]];
        }
        for (int j = 0; j < d; j++) mean[j] /= _elites;

        // σ² ← variance of the elites about the new mean + z²
        double extra = _s.ExtraStd * Math.Max(0, 1 - progress);
        if (_s.AdaptStd)
        {
            for (int j = 0; j < d; j++)
            {
                double variance = 0;
                for (int e = 0; e < _elites; e++)
                {
                    double deviation = _candidates[_order[e] * d + j] - mean[j];
                    variance += deviation * deviation;
                }
                _std[j] = (float)Math.Sqrt(variance / _elites + extra * extra);
            }
        }

        Iteration++;
        diagnostics.Set("elite_mean_return", eliteReturn / _elites);
        diagnostics.Set("elite_min_return", _fitness[_order[_elites - 1]]);
        double stdSum = 0;
        foreach (float s in _std) stdSum += s;
        diagnostics.Set("std_mean", stdSum / d);
        diagnostics.Set("extra_std", _s.AdaptStd ? extra : 0);
    }

    /// <inheritdoc/>
    protected override void SaveMethodState(StateDictionary state) => state.Set("cem.std", _std);

    /// <inheritdoc/>
    protected override void LoadMethodState(StateDictionary state) => state.Read("cem.std", _std);
}
