using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>Which hill-climbing rule <see cref="HillClimbing"/> follows.</summary>
public enum HillClimbingVariant
{
    /// <summary>One neighbour per iteration with a fixed radius; keep it if its return is at least the best.</summary>
    Plain,
    /// <summary>Several neighbours per iteration; keep the best of them if it is at least the best so far.</summary>
    SteepestAscent,
    /// <summary>One neighbour; accept a worse one with probability exp(Δ/T) under a decaying temperature T.</summary>
    SimulatedAnnealing,
    /// <summary>One neighbour; halve the radius on improvement and double it otherwise, within bounds.</summary>
    AdaptiveNoise,
}

/// <summary>Hill-climbing hyperparameters (the adaptive-noise defaults follow the widely used
/// hill-climbing notebook, with zero-mean Gaussian perturbations).</summary>
public sealed class HillClimbingSettings : BlackBoxSettings
{
    /// <summary>Creates the settings with their defaults.</summary>
    public HillClimbingSettings() => InitStd = 1e-4f;

    /// <summary>The rule.</summary>
    [Hyperparameter("variant", "plain, steepest_ascent, simulated_annealing or adaptive_noise")]
    public HillClimbingVariant Variant { get; set; } = HillClimbingVariant.AdaptiveNoise;

    /// <summary>Neighbours per iteration for steepest ascent.</summary>
    [Hyperparameter("neighbours", "neighbours evaluated per iteration by steepest_ascent (the other variants evaluate one)")]
    public int Neighbours { get; set; } = 8;

    /// <summary>Initial perturbation radius σ.</summary>
    [Hyperparameter("noise_scale", "standard deviation σ of the Gaussian perturbation θ' = θ + σ·ε (initial value for adaptive_noise)")]
    public float NoiseScale { get; set; } = 1e-2f;

    /// <summary>Lower bound of the adaptive radius.</summary>
    [Hyperparameter("noise_min", "adaptive_noise: smallest radius")]
    public float NoiseMin { get; set; } = 1e-3f;

    /// <summary>Upper bound of the adaptive radius.</summary>
    [Hyperparameter("noise_max", "adaptive_noise: largest radius")]
    public float NoiseMax { get; set; } = 2f;

    /// <summary>Initial temperature.</summary>
    [Hyperparameter("temperature", "simulated_annealing: initial temperature T₀ (in return units)")]
    public float Temperature { get; set; } = 10f;

    /// <summary>Geometric cooling factor per iteration.</summary>
    [Hyperparameter("temperature_decay", "simulated_annealing: T ← max(temperature_min, T·temperature_decay) after every iteration")]
    public float TemperatureDecay { get; set; } = 0.99f;

    /// <summary>Smallest temperature.</summary>
    [Hyperparameter("temperature_min", "simulated_annealing: smallest temperature")]
    public float TemperatureMin { get; set; } = 1e-3f;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, Neighbours is > 0 and <= 100_000, $"neighbours must lie in [1, 100000] (got {Neighbours})");
        Require(errors, NoiseScale > 0, $"noise_scale must be > 0 (got {NoiseScale})");
        Require(errors, NoiseMin > 0 && NoiseMin <= NoiseMax, $"need 0 < noise_min ≤ noise_max (got {NoiseMin}, {NoiseMax})");
        Require(errors, Temperature > 0 && TemperatureMin > 0, "temperature and temperature_min must be > 0");
        Require(errors, TemperatureDecay is > 0 and <= 1, $"temperature_decay must lie in (0, 1] (got {TemperatureDecay})");
    }
}

/// <summary>
/// Hill climbing in parameter space. The search keeps a current point θ with its estimated return R(θ)
/// (the mean over episodes_per_candidate episodes) and the best point seen, θ*, which acting, evaluation
/// and the exported model use. The first iteration only scores the initial point. After that, each
/// iteration draws neighbours θᵢ = θ + σ·εᵢ with εᵢ ~ N(0, I) (zero-mean Gaussian), scores them, and takes
/// the best one, θₖ:
/// <list type="bullet">
/// <item><b>plain</b> (one neighbour, fixed σ) and <b>steepest_ascent</b> (n neighbours): θ ← θₖ if R(θₖ) ≥ R(θ).</item>
/// <item><b>adaptive_noise</b> (one neighbour): if R(θₖ) ≥ R(θ) then θ ← θₖ and σ ← max(σ_min, σ/2),
/// else σ ← min(σ_max, 2σ).</item>
/// <item><b>simulated_annealing</b> (one neighbour): with Δ = R(θₖ) − R(θ), θ ← θₖ if Δ ≥ 0, or else with
/// probability exp(Δ/T); then T ← max(T_min, T·decay).</item>
/// </list>
/// Except under simulated annealing the current point is the best point. A point's return is the
/// estimate made when it was scored (it is not re-evaluated).
/// </summary>
public sealed class HillClimbing : BlackBoxAlgorithm
{
    private readonly HillClimbingSettings _s;
    private readonly float[] _current, _candidates;
    private readonly double[] _fitness;
    private double _currentReturn = double.NegativeInfinity, _bestReturn = double.NegativeInfinity;
    private double _noise, _temperature;
    private long _accepted;

    /// <summary>Builds the policy, the evaluator and the initial point.</summary>
    public HillClimbing(AlgorithmContext context, HillClimbingSettings settings, Rng rng) : base(context, Validated(settings), rng)
    {
        _s = settings;
        _current = Policy.Store.Values.ToArray();
        int neighbours = settings.Variant == HillClimbingVariant.SteepestAscent ? settings.Neighbours : 1;
        _candidates = new float[neighbours * Dimension];
        _fitness = new double[neighbours];
        _noise = settings.NoiseScale;
        _temperature = settings.Temperature;
    }

    private static HillClimbingSettings Validated(HillClimbingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid("hill-climbing settings");
        return settings;
    }

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        int d = Dimension;
        bool first = double.IsNegativeInfinity(_currentReturn);
        int n = first ? 1 : _fitness.Length;

        // θᵢ = θ + σ·εᵢ (the first iteration scores θ itself).
        for (int i = 0; i < n; i++)
        {
            Span<float> candidate = _candidates.AsSpan(i * d, d);
            if (first)
            {
                _current.CopyTo(candidate);
                continue;
            }
            Rng.FillNormal(candidate);
            for (int j = 0; j < d; j++) candidate[j] = _current[j] + (float)_noise * candidate[j];
        }
        EvaluateCandidates(_candidates, n, _fitness, diagnostics);

        int k = 0;
        for (int i = 1; i < n; i++)
            if (_fitness[i] > _fitness[k]) k = i;
        double candidateReturn = _fitness[k];
        double delta = candidateReturn - _currentReturn;

        bool accept = _s.Variant == HillClimbingVariant.SimulatedAnnealing
            ? first || delta >= 0 || Rng.NextDouble() < Math.Exp(delta / _temperature)
            : first || delta >= 0;
        if (accept)
        {
            _candidates.AsSpan(k * d, d).CopyTo(_current);
            _currentReturn = candidateReturn;
            _accepted++;
        }
        if (_s.Variant == HillClimbingVariant.AdaptiveNoise && !first)
            _noise = delta >= 0 ? Math.Max(_s.NoiseMin, _noise / 2) : Math.Min(_s.NoiseMax, 2 * _noise);
        if (candidateReturn >= _bestReturn)
        {
            _bestReturn = candidateReturn;
            _candidates.AsSpan(k * d, d).CopyTo(Policy.Store.Values);
        }
        if (_s.Variant == HillClimbingVariant.SimulatedAnnealing && !first)
            _temperature = Math.Max(_s.TemperatureMin, _temperature * _s.TemperatureDecay);

        Iteration++;
        diagnostics.Set("accepted", accept ? 1 : 0);
        diagnostics.Set("acceptance_rate", (double)_accepted / Iteration);
        diagnostics.Set("current_return", _currentReturn);
        diagnostics.Set("best_so_far", _bestReturn);
        diagnostics.Set("noise_scale", _noise);
        if (_s.Variant == HillClimbingVariant.SimulatedAnnealing) diagnostics.Set("temperature", _temperature);
    }

    /// <inheritdoc/>
    protected override void SaveMethodState(StateDictionary state)
    {
        state.Set("hc.current", _current);
        state.Set("hc.scalars", [_currentReturn, _bestReturn, _noise, _temperature, _accepted]);
    }

    /// <inheritdoc/>
    protected override void LoadMethodState(StateDictionary state)
    {
        state.Read("hc.current", _current);
        double[] scalars = state.ReadDoubles("hc.scalars");
        (_currentReturn, _bestReturn, _noise, _temperature, _accepted) = (scalars[0], scalars[1], scalars[2], scalars[3], (long)scalars[4]);
    }
}
