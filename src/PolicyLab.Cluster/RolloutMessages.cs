using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Cluster;

// The wire forms of on-policy rollout units. Weights, rollout arrays and rewards travel as packed float/double/byte arrays
// (Orleans' binary serializer); the copies' states as the bytes of a safetensors file.

/// <summary>The wire form of <see cref="RolloutJob"/>, with a key under which workers keep their runners.</summary>
[GenerateSerializer, Immutable, Alias("policylab.rollout-job")]
public sealed record RolloutJobMessage(
    [property: Id(0)] string Key,
    [property: Id(1)] string EnvironmentId,
    [property: Id(2)] string EnvironmentArguments,
    [property: Id(3)] int[] PolicyLayers,
    [property: Id(4)] int[] ValueLayers,
    [property: Id(5)] int Activation,
    [property: Id(6)] bool StateDependentStd,
    [property: Id(7)] int PolicyKind,
    [property: Id(8)] int Steps,
    [property: Id(9)] int HeadSize,
    [property: Id(10)] int MaskSize,
    [property: Id(11)] int Copies,
    [property: Id(12)] int ParameterCount)
{
    /// <summary>The wire form of <paramref name="job"/>.</summary>
    /// <exception cref="PolicyLabException">The policy explores with gSDE, which rollout units do not carry.</exception>
    public static RolloutJobMessage From(string key, RolloutJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        PolicyNetworkSettings n = job.Networks;
        if (n.Sde is not null)
            throw new PolicyLabException("gSDE (use_sde) is not distributed on a cluster yet; set use_sde=false or train without --cluster.");
        return new(key, job.EnvironmentId, job.EnvironmentArguments, n.PolicyLayers, n.ValueLayers, (int)n.Activation, n.StateDependentStd,
            (int)n.Policy, job.Steps, job.HeadSize, job.MaskSize, job.Copies, job.ParameterCount);
    }

    /// <summary>The job this message describes.</summary>
    public RolloutJob ToJob() => new(EnvironmentId, EnvironmentArguments,
        new PolicyNetworkSettings(PolicyLayers, ValueLayers, (Activation)Activation, StateDependentStd: StateDependentStd, Policy: (PolicyKind)PolicyKind),
        Steps, HeadSize, MaskSize, Copies, ParameterCount);
}

/// <summary>The wire form of <see cref="RolloutUnitRequest"/>.</summary>
[GenerateSerializer, Immutable, Alias("policylab.rollout-unit")]
public sealed record RolloutUnitMessage(
    [property: Id(0)] RolloutJobMessage Job,
    [property: Id(1)] int First,
    [property: Id(2)] int Count,
    [property: Id(3)] ulong Seed,
    [property: Id(4)] float Gamma,
    [property: Id(5)] float RewardTemperature,
    [property: Id(6)] float[] Weights,
    [property: Id(7)] byte[] CopyStates)
{
    /// <summary>The request this message carries.</summary>
    public RolloutUnitRequest ToRequest() => new(First, Count, Seed, Gamma, RewardTemperature, Weights, CopyStates);
}

/// <summary>The wire form of <see cref="RolloutUnitResult"/>, or the error that stopped the unit, with the worker's name.</summary>
[GenerateSerializer, Immutable, Alias("policylab.rollout-unit-result")]
public sealed record RolloutUnitResultMessage(
    [property: Id(0)] float[] Observations,
    [property: Id(1)] float[] Actions,
    [property: Id(2)] float[] Rewards,
    [property: Id(3)] float[] Dones,
    [property: Id(4)] float[] Values,
    [property: Id(5)] float[] LogProbs,
    [property: Id(6)] float[] LastValues,
    [property: Id(7)] float[] Heads,
    [property: Id(8)] float[] ActionMasks,
    [property: Id(9)] double[] RawRewards,
    [property: Id(10)] byte[] Ends,
    [property: Id(11)] byte[] CopyStates,
    [property: Id(12)] long ComputeMicroseconds,
    [property: Id(13)] string? Error,
    [property: Id(14)] string Worker)
{
    /// <summary>The wire form of <paramref name="r"/>, produced by <paramref name="worker"/>.</summary>
    public static RolloutUnitResultMessage From(RolloutUnitResult r, string worker)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Observations, r.Actions, r.Rewards, r.Dones, r.Values, r.LogProbs, r.LastValues, r.Heads, r.ActionMasks,
            r.RawRewards, r.Ends, r.CopyStates, r.ComputeMicroseconds, null, worker);
    }

    /// <summary>A unit that failed on <paramref name="worker"/>.</summary>
    public static RolloutUnitResultMessage Failed(string error, string worker) => new([], [], [], [], [], [], [], [], [], [], [], [], 0, error, worker);

    /// <summary>The result this message carries.</summary>
    public RolloutUnitResult ToResult() => new(Observations, Actions, Rewards, Dones, Values, LogProbs, LastValues, Heads, ActionMasks,
        RawRewards, Ends, CopyStates, ComputeMicroseconds);
}
