using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Cluster;

// What crosses the wire. Orleans' own binary serializer (code-generated from [GenerateSerializer]) writes float[] and
// double[] as packed arrays, so parameters and results travel as compact binary, never as text.

/// <summary>What a worker is: its PolicyLab version (checked by the driver), its evaluation slots and its name.</summary>
[GenerateSerializer, Immutable, Alias("policylab.worker-info")]
public sealed record WorkerInfo(
    [property: Id(0)] string Version,
    [property: Id(1)] int Slots,
    [property: Id(2)] string Name,
    [property: Id(3)] string Silo);

/// <summary>The wire form of <see cref="PopulationJob"/>, with a key under which workers keep their runners.</summary>
[GenerateSerializer, Immutable, Alias("policylab.population-job")]
public sealed record PopulationJobMessage(
    [property: Id(0)] string Key,
    [property: Id(1)] string EnvironmentId,
    [property: Id(2)] string EnvironmentArguments,
    [property: Id(3)] int[] PolicyLayers,
    [property: Id(4)] int Activation,
    [property: Id(5)] bool ScaleObservations,
    [property: Id(6)] int EpisodesPerCandidate,
    [property: Id(7)] bool SampleActions,
    [property: Id(8)] bool CommonSeeds,
    [property: Id(9)] ulong Seed,
    [property: Id(10)] int Dimension)
{
    /// <summary>The wire form of <paramref name="job"/>.</summary>
    public static PopulationJobMessage From(string key, PopulationJob job, int dimension)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(key, job.EnvironmentId, job.EnvironmentArguments, job.PolicyLayers, (int)job.Activation, job.ScaleObservations,
            job.EpisodesPerCandidate, job.SampleActions, job.CommonSeeds, job.Seed, dimension);
    }

    /// <summary>The job this message describes.</summary>
    public PopulationJob ToJob() => new(EnvironmentId, EnvironmentArguments, PolicyLayers, (Activation)Activation, ScaleObservations,
        EpisodesPerCandidate, SampleActions, CommonSeeds, Seed);
}

/// <summary>
/// One unit of black-box work: candidates First..First + Count − 1 of iteration Iteration. Antithetic candidates travel
/// as the centre θ, σ and the noise seed (the worker rebuilds θ ± σεᵢ); explicit ones as their own vectors.
/// </summary>
[GenerateSerializer, Immutable, Alias("policylab.evaluation-unit")]
public sealed record EvaluationUnit(
    [property: Id(0)] PopulationJobMessage Job,
    [property: Id(1)] long Iteration,
    [property: Id(2)] int First,
    [property: Id(3)] int Count,
    [property: Id(4)] float[]? Explicit,
    [property: Id(5)] float[]? Center,
    [property: Id(6)] float Sigma,
    [property: Id(7)] ulong NoiseSeed);

/// <summary>A unit's episodes (slot (c − First)·episodes + e), or the error that stopped it.</summary>
[GenerateSerializer, Immutable, Alias("policylab.unit-result")]
public sealed record UnitResult(
    [property: Id(0)] double[] Returns,
    [property: Id(1)] int[] Lengths,
    [property: Id(2)] string? Error,
    [property: Id(3)] string Worker);

/// <summary>
/// One evaluation slot of a worker silo. The driver addresses slot k of silo S as the grain "S/k", placed on S with a
/// placement hint; each activation runs one unit at a time, so a silo with N slots runs N units at once.
/// </summary>
[Alias("policylab.worker-slot")]
public interface IWorkerSlot : IGrainWithStringKey
{
    /// <summary>The worker's version, slot count and name.</summary>
    [Alias("describe")]
    Task<WorkerInfo> Describe();

    /// <summary>Runs one unit of candidate evaluation.</summary>
    [Alias("evaluate")]
    Task<UnitResult> Evaluate(EvaluationUnit unit);

    /// <summary>Collects one unit of an on-policy rollout.</summary>
    [Alias("collect")]
    Task<RolloutUnitResultMessage> Collect(RolloutUnitMessage unit);

    /// <summary>Samples one unit of a PIC/POIC return matrix.</summary>
    [Alias("sample-returns")]
    Task<ReturnSampleResultMessage> SampleReturns(ReturnSampleUnitMessage unit);

    /// <summary>Deactivates this slot's activation (the driver's remedy for a slot activated on another silo than its
    /// key names: the next call activates it again, by then on the right one).</summary>
    [Alias("leave")]
    Task Leave();
}
