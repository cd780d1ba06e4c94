using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// Everything a worker needs, besides one iteration's <see cref="Population"/>, to score candidates exactly as the
/// in-process evaluator does: the environment (registered id and its arguments), the policy's architecture, the
/// episodes per candidate, how discrete actions are chosen, and the root of every episode seed.
/// </summary>
/// <param name="EnvironmentId">Registered environment id.</param>
/// <param name="EnvironmentArguments">The run's env_kwargs text ("" for none).</param>
/// <param name="PolicyLayers">Hidden layer widths.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="ScaleObservations">Whether bounded observations are mapped to [−1, 1].</param>
/// <param name="EpisodesPerCandidate">Episodes averaged per candidate.</param>
/// <param name="SampleActions">Discrete actions sampled from the softmax instead of the argmax.</param>
/// <param name="CommonSeeds">Every candidate of an iteration uses candidate 0's seeds.</param>
/// <param name="Seed">Root of every episode seed.</param>
public sealed record PopulationJob(string EnvironmentId, string EnvironmentArguments, int[] PolicyLayers, Activation Activation,
    bool ScaleObservations, int EpisodesPerCandidate, bool SampleActions, bool CommonSeeds, ulong Seed)
{
    /// <summary>The reset seed of episode <paramref name="episode"/> of candidate <paramref name="candidate"/> in iteration <paramref name="iteration"/>:
    /// DeriveSeed(DeriveSeed(DeriveSeed(seed, t), c), e), with c = 0 for every candidate under common seeds.</summary>
    public ulong EpisodeSeed(long iteration, int candidate, int episode) =>
        Rng.DeriveSeed(Rng.DeriveSeed(Rng.DeriveSeed(Seed, (ulong)iteration), CommonSeeds ? 0UL : (ulong)candidate), (ulong)episode);
}

/// <summary>
/// Scores the candidates of one iteration: fills, for every candidate c and episode e, slot c·episodes + e of the
/// returns and lengths. Implemented in-process (worker threads, <see cref="CandidateEvaluator"/>'s default) and by
/// remote workers (PolicyLab.Cluster); a candidate's episodes depend only on the job, the iteration and its index,
/// so every implementation gives the same numbers.
/// </summary>
public interface IPopulationEvaluator : IDisposable
{
    /// <summary>Evaluates every candidate of <paramref name="population"/>.</summary>
    /// <exception cref="PolicyLabException">A worker failed, or no worker is left.</exception>
    void Evaluate(Population population, long iteration, double[] returns, int[] lengths);
}

/// <summary>
/// One worker's environment and policy copy: runs candidate episodes from reset to termination or truncation.
/// Used by the in-process threads and by cluster workers alike, so both run literally the same code.
/// </summary>
public sealed class CandidateRunner : IDisposable
{
    private readonly PopulationJob _job;
    private readonly Environments.IEnvironment _environment;
    private readonly BlackBoxPolicy _policy;
    private readonly float[] _observation, _action;
    private readonly Rng _rng = new(0), _noise = new(0);

    /// <summary>Creates a runner stepping <paramref name="environment"/> (which it owns from now on).</summary>
    public CandidateRunner(PopulationJob job, Environments.IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(environment);
        (_job, _environment) = (job, environment);
        _policy = new BlackBoxPolicy(environment.ObservationSpace, environment.ActionSpace, job.PolicyLayers, job.Activation, job.ScaleObservations);
        _observation = new float[environment.ObservationSpace.FlatSize];
        _action = new float[environment.ActionSpace.FlatSize];
    }

    /// <summary>Creates a runner on a fresh copy of the job's registered environment.</summary>
    public static CandidateRunner Create(PopulationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var arguments = Environments.EnvironmentArguments.Parse(job.EnvironmentArguments, "env_kwargs");
        return new CandidateRunner(job, Environments.EnvironmentRegistry.Make(job.EnvironmentId, arguments is { Count: > 0 } ? arguments : null));
    }

    /// <summary>Number of policy parameters.</summary>
    public int Dimension => _policy.Dimension;

    /// <summary>Runs every episode of candidate <paramref name="candidate"/> and writes them at slots
    /// (<paramref name="candidate"/> − <paramref name="firstSlotCandidate"/>)·episodes + e.</summary>
    public void Evaluate(Population population, long iteration, int candidate, double[] returns, int[] lengths, int firstSlotCandidate = 0)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentNullException.ThrowIfNull(lengths);
        if (population.Dimension != _policy.Dimension)
            throw new PolicyLabException($"The candidates have {population.Dimension} parameters but this worker's policy has {_policy.Dimension}; driver and worker disagree on the environment or network.");
        population.Write(candidate, _policy.Store.Values, _noise);
        int episodes = _job.EpisodesPerCandidate;
        for (int e = 0; e < episodes; e++)
        {
            (double episodeReturn, int length) = RunEpisode(_job.EpisodeSeed(iteration, candidate, e));
            int slot = (candidate - firstSlotCandidate) * episodes + e;
            returns[slot] = episodeReturn;
            lengths[slot] = length;
        }
    }

    /// <summary>One episode: its return and length; action samples come from DeriveSeed(reset seed, 1).</summary>
    private (double Return, int Length) RunEpisode(ulong seed)
    {
        _environment.Reset(_observation, seed);
        _rng.Reseed(Rng.DeriveSeed(seed, 1));
        double total = 0;
        int length = 0;
        while (true)
        {
            _policy.Act(_observation, 1, _job.SampleActions, _rng, _action);
            Environments.StepResult result = _environment.Step(_action, _observation);
            total += result.Reward;
            length++;
            if (result.Done) return (total, length);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _environment.Dispose();
}
