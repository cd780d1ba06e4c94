using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>OpenAI-ES hyperparameters (Adam step 0.01, L2 0.005 and σ 0.02 as in Salimans et al.'s code).</summary>
public sealed class EvolutionStrategiesSettings : BlackBoxSettings
{
    /// <summary>Creates the settings with their defaults.</summary>
    public EvolutionStrategiesSettings() => InitStd = 0.1f;

    /// <summary>Noise vectors per iteration (each evaluated as θ + σε and θ − σε).</summary>
    [Hyperparameter("n_pairs", "antithetic pairs per iteration: 2·n_pairs candidates θ ± σεᵢ")]
    public int Pairs { get; set; } = 25;

    /// <summary>Noise standard deviation σ.</summary>
    [Hyperparameter("sigma", "standard deviation σ of the parameter noise")]
    public float Sigma { get; set; } = 0.02f;

    /// <summary>Adam's step size.</summary>
    [Hyperparameter("learning_rate", "Adam step size; a number, lin_X or linear(X, Y)")]
    public Schedule LearningRate { get; set; } = Schedule.Constant(0.01f);

    /// <summary>L2 coefficient.</summary>
    [Hyperparameter("l2_coeff", "weight decay: l2_coeff·θ is added to the ascent direction's negative")]
    public float L2Coefficient { get; set; } = 0.005f;

    /// <summary>Adam β₁.</summary>
    [Hyperparameter("adam_beta1", "Adam's first-moment decay β₁")]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Adam β₂.</summary>
    [Hyperparameter("adam_beta2", "Adam's second-moment decay β₂")]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Adam ε.</summary>
    [Hyperparameter("adam_eps", "Adam's ε")]
    public float AdamEpsilon { get; set; } = 1e-8f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, Pairs is > 0 and <= 500_000, $"n_pairs must lie in [1, 500000] (got {Pairs})");
        Require(errors, Sigma > 0, $"sigma must be > 0 (got {Sigma})");
        Require(errors, LearningRate.ValueAt(0) >= 0 && LearningRate.ValueAt(1) >= 0, $"learning_rate must be ≥ 0 (got {Get("learning_rate")})");
        Require(errors, L2Coefficient >= 0, $"l2_coeff must be ≥ 0 (got {L2Coefficient})");
        Require(errors, Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "adam_beta1 and adam_beta2 must lie in [0, 1)");
        Require(errors, AdamEpsilon > 0, $"adam_eps must be > 0 (got {AdamEpsilon})");
    }
}

/// <summary>
/// OpenAI evolution strategies (Salimans et al. 2017) over policy parameters θ. Each iteration:
/// <list type="number">
/// <item>draws one noise seed, derives εᵢ ~ N(0, I) for i = 1..n from it, and scores the antithetic pair θ + σεᵢ, θ − σεᵢ (returns Rᵢ⁺, Rᵢ⁻);</item>
/// <item>centred-rank fitness shaping over all 2n returns: uᵢ = rank(Rᵢ)/(2n − 1) − ½ ∈ [−½, ½], with rank 0 the
/// lowest and tied returns sharing their average rank;</item>
/// <item>the ascent direction g = (1/2n) Σᵢ (uᵢ⁺ − uᵢ⁻) εᵢ (as in the reference code, not divided by σ);</item>
/// <item>Adam on the loss gradient −g + λθ (λ = l2_coeff, an L2 term inside Adam).</item>
/// </list>
/// Acting, evaluation and the exported model use θ.
/// </summary>
public sealed class EvolutionStrategies : BlackBoxAlgorithm
{
    private readonly EvolutionStrategiesSettings _s;
    private readonly Adam _adam;
    private readonly float[] _noise, _center;
    private readonly Population _population;
    private readonly Rng _scratch = new(0);
    private readonly double[] _fitness, _shaped;
    private readonly int[] _order;

    /// <summary>Builds the policy, the evaluator and Adam.</summary>
    public EvolutionStrategies(AlgorithmContext context, EvolutionStrategiesSettings settings, Rng rng) : base(context, Validated(settings), rng)
    {
        _s = settings;
        _adam = new Adam(Policy.Store, settings.LearningRate.ValueAt(0), settings.Beta1, settings.Beta2, settings.AdamEpsilon,
            weightDecay: settings.L2Coefficient, decoupledWeightDecay: false);
        int n = settings.Pairs;
        _noise = new float[n * Dimension];
        _center = new float[Dimension];
        _population = new Population(Dimension);
        _fitness = new double[2 * n];
        _shaped = new double[2 * n];
        _order = new int[2 * n];
    }

    private static EvolutionStrategiesSettings Validated(EvolutionStrategiesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid("ES settings");
        return settings;
    }

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        int d = Dimension, n = _s.Pairs;
        float sigma = _s.Sigma;
        Span<float> theta = Policy.Store.Values;

        // Candidates 2i and 2i + 1 are θ + σεᵢ and θ − σεᵢ; εᵢ comes from the stream DeriveSeed(noise seed, i), so a
        // worker receives θ, σ and one seed instead of the perturbations (Salimans et al.'s common random numbers).
        theta.CopyTo(_center);
        _population.SetAntithetic(_center, sigma, Rng.NextUInt64(), n);
        EvaluateCandidates(_population, _fitness, diagnostics);
        for (int i = 0; i < n; i++) Population.Noise(_population.NoiseSeed, i, _noise.AsSpan(i * d, d), _scratch);
        CentredRanks(_fitness, _order, _shaped, 2 * n);

        // Adam minimizes, so the store's gradient is −g = −(1/2n) Σᵢ (uᵢ⁺ − uᵢ⁻) εᵢ.
        Span<float> gradient = Policy.Store.Gradients;
        gradient.Clear();
        for (int i = 0; i < n; i++)
        {
            float weight = (float)((_shaped[2 * i] - _shaped[2 * i + 1]) / (2.0 * n));
            ReadOnlySpan<float> eps = _noise.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) gradient[j] -= weight * eps[j];
        }
        double gradNorm = 0;
        foreach (float g in gradient) gradNorm += (double)g * g;
        _adam.LearningRate = _s.LearningRate.ValueAt(progress);
        _adam.Step();

        Iteration++;
        double thetaNorm = 0;
        foreach (float t in theta) thetaNorm += (double)t * t;
        NonFiniteValueException.ThrowIfNotFinite("parameter norm", thetaNorm);
        diagnostics.Set("sigma", sigma);
        diagnostics.Set("grad_norm", Math.Sqrt(gradNorm));
        diagnostics.Set("param_norm", Math.Sqrt(thetaNorm));
        diagnostics.Set("learning_rate", _adam.LearningRate);
    }

    /// <summary>
    /// Centred ranks: uᵢ = rᵢ/(N − 1) − ½ where rᵢ ∈ [0, N − 1] is the rank of values[i] from the lowest,
    /// tied values sharing the average of their ranks (so a flat batch gives all zeros). N = 1 gives 0.
    /// </summary>
    public static void CentredRanks(double[] values, int[] order, double[] shaped, int count)
    {
        ArgumentNullException.ThrowIfNull(shaped);
        SortDescending(values, order, count);
        double scale = count > 1 ? 1.0 / (count - 1) : 0;
        int start = 0;
        while (start < count)
        {
            int end = start + 1;
            while (end < count && values[order[end]] == values[order[start]]) end++;
            // Positions start..end−1 from the top are ranks count−1−start .. count−end from the bottom.
            double rank = (count - 1 - start + (count - end)) / 2.0;
            for (int p = start; p < end; p++) shaped[order[p]] = rank * scale - (count > 1 ? 0.5 : 0);
            start = end;
        }
    }

    /// <inheritdoc/>
    protected override void SaveMethodState(StateDictionary state) => state.SetOptimizer("es.adam", _adam);

    /// <inheritdoc/>
    protected override void LoadMethodState(StateDictionary state) => state.ReadOptimizer("es.adam", _adam);
}
