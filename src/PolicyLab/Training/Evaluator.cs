using PolicyLab.Algorithms;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Training;

/// <summary>The result of an evaluation.</summary>
/// <param name="Step">Training steps when it ran.</param>
/// <param name="Returns">Return of every episode, in the order the copies were assigned.</param>
/// <param name="Lengths">Length of every episode.</param>
public sealed record EvaluationResult(long Step, double[] Returns, int[] Lengths)
{
    /// <summary>Mean return.</summary>
    public double MeanReturn => Returns.Average();

    /// <summary>Population standard deviation of the returns.</summary>
    public double StdReturn
    {
        get
        {
            double mean = MeanReturn;
            return Math.Sqrt(Returns.Average(r => (r - mean) * (r - mean)));
        }
    }

    /// <summary>Mean episode length.</summary>
    public double MeanLength => Lengths.Average();
}

/// <summary>
/// Runs a fixed number of evaluation episodes on environments separate from training, seeded the same
/// way every time so evaluations are comparable. Copy i of n runs ⌊(N + i) / n⌋ of the N episodes, which
/// avoids favouring short episodes. Returns are in the task's own reward units.
/// </summary>
public sealed class Evaluator : IDisposable
{
    private readonly IVectorEnvironment _raw;
    private readonly NormalizeVectorEnvironment? _normalizer;
    private readonly IVectorEnvironment _top;
    private readonly int _episodes;
    private readonly ulong _seed;
    private readonly float[] _actions;

    /// <summary>Creates the evaluation environments.</summary>
    /// <param name="raw">Fresh raw environments (owned by the evaluator).</param>
    /// <param name="episodes">Episodes per evaluation.</param>
    /// <param name="seed">Reset seed used for every evaluation.</param>
    /// <param name="normalizeObservations">Whether the policy expects normalized observations.</param>
    public Evaluator(IVectorEnvironment raw, int episodes, ulong seed, bool normalizeObservations)
    {
        _raw = raw;
        _episodes = episodes;
        _seed = seed;
        if (normalizeObservations)
        {
            _normalizer = new NormalizeVectorEnvironment(raw, normalizeObservations: true, normalizeRewards: false) { IsTraining = false };
            _top = _normalizer;
        }
        else
        {
            _top = raw;
        }
        _actions = new float[raw.Count * raw.ActionSize];
    }

    /// <summary>Evaluates <paramref name="algorithm"/>; <paramref name="statistics"/> are the training normalizer's.</summary>
    /// <param name="algorithm">The policy.</param>
    /// <param name="step">Training steps (recorded in the result).</param>
    /// <param name="statistics">Observation statistics of training, if normalized.</param>
    /// <param name="deterministic">Act with the policy's mode.</param>
    /// <param name="rng">Sampling stream (stochastic evaluation).</param>
    /// <param name="onStep">Called after every step with the number of copies stepped.</param>
    /// <param name="film">When set, receives a drawing of copy 0 before each of its steps while it still has episodes to run.</param>
    public EvaluationResult Evaluate(IAlgorithm algorithm, long step, NormalizationState? statistics, bool deterministic, Rng rng,
        Action<int>? onStep = null, Action<Environments.Rendering.RgbFrame>? film = null)
    {
        if (film is not null && _raw is not Environments.Vector.IRenderableVectorEnvironment)
            throw new PolicyLabException("These evaluation environments cannot be drawn, so the evaluation cannot be filmed.");
        if (_normalizer is not null && statistics is not null) _normalizer.Import(statistics);
        int n = _top.Count;
        var targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = (_episodes + i) / n;
        var done = new int[n];
        var running = new double[n];
        var lengths = new int[n];
        var returns = new List<double>[n];
        var episodeLengths = new List<int>[n];
        for (int i = 0; i < n; i++) { returns[i] = []; episodeLengths[i] = []; }
        _top.Reset(_seed);
        int remaining = _episodes;
        while (remaining > 0)
        {
            if (film is not null && done[0] < targets[0]) film(((Environments.Vector.IRenderableVectorEnvironment)_raw).Render(0));
            if (_top.ActionMasks is { } masks) algorithm.Act(_top.Observations, masks, n, deterministic, rng, _actions);
            else algorithm.Act(_top.Observations, n, deterministic, rng, _actions);
            _top.Step(_actions);
            onStep?.Invoke(n);
            double[] rewards = _raw.Rewards;
            for (int i = 0; i < n; i++)
            {
                running[i] += rewards[i];
                lengths[i]++;
                if (_raw.Terminated[i] || _raw.Truncated[i])
                {
                    if (done[i] < targets[i])
                    {
                        returns[i].Add(running[i]);
                        episodeLengths[i].Add(lengths[i]);
                        done[i]++;
                        remaining--;
                    }
                    running[i] = 0;
                    lengths[i] = 0;
                }
            }
        }
        return new EvaluationResult(step, returns.SelectMany(r => r).ToArray(), episodeLengths.SelectMany(l => l).ToArray());
    }

    /// <inheritdoc/>
    public void Dispose() => _top.Dispose();
}
