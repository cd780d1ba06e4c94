using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.TaskComplexity;

namespace PolicyLab.Cluster;

// The wire forms of PIC/POIC sampling units. A unit carries what rebuilds its policies (the prior and the seed: policy i
// comes from DeriveSeed(DeriveSeed(seed, 11), i)), the projector's layers as one packed float array, and comes back with
// its returns as a packed double array (Orleans' binary serializer), never as text.

/// <summary>The wire form of <see cref="ReturnSamplingOptions"/> (everything but the thread count and the sample count,
/// which a unit does not need).</summary>
[GenerateSerializer, Immutable, Alias("policylab.return-sample-job")]
public sealed record ReturnSampleJobMessage(
    [property: Id(0)] string EnvironmentId,
    [property: Id(1)] int Episodes,
    [property: Id(2)] int Reward,
    [property: Id(3)] bool CleanRlSetup,
    [property: Id(4)] int[] PriorHiddenSizes,
    [property: Id(5)] double PriorWeightStd,
    [property: Id(6)] int StepCap,
    [property: Id(7)] float[]? ProjectorLayers,
    [property: Id(8)] int[]? ProjectorLengths)
{
    /// <summary>The wire form of <paramref name="options"/>; a projector travels as its three weight matrices then its
    /// three bias vectors, concatenated, with their lengths.</summary>
    public static ReturnSampleJobMessage From(ReturnSamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        float[]? layers = null;
        int[]? lengths = null;
        if (options.Projector is { } projector)
        {
            float[][] parts = [projector.Weights(0), projector.Weights(1), projector.Weights(2), projector.Biases(0), projector.Biases(1), projector.Biases(2)];
            layers = [.. parts.SelectMany(p => p)];
            lengths = [.. parts.Select(p => p.Length)];
        }
        return new(options.Environment, options.Episodes, (int)options.Reward, options.CleanRlSetup, options.Prior.HiddenSizes,
            options.Prior.WeightStd, options.StepCap, layers, lengths);
    }

    /// <summary>The options this message describes, sampling on one thread (a worker's slot runs one unit at a time).</summary>
    /// <exception cref="PolicyLabException">The environment is unknown here, or the projector does not fit its actions.</exception>
    public ReturnSamplingOptions ToOptions()
    {
        ActionProjector? projector = null;
        if (ProjectorLayers is { } layers && ProjectorLengths is { Length: 6 } lengths)
        {
            var parts = new float[6][];
            for (int k = 0, at = 0; k < 6; at += lengths[k], k++) parts[k] = layers.AsSpan(at, lengths[k]).ToArray();
            using IEnvironment probe = EnvironmentRegistry.Make(EnvironmentId);
            projector = ActionProjector.FromLayers(probe.ActionSpace, parts[..3], parts[3..]);
        }
        return new ReturnSamplingOptions
        {
            Environment = EnvironmentId,
            Episodes = Episodes,
            Reward = (RewardMode)Reward,
            CleanRlSetup = CleanRlSetup,
            Projector = projector,
            Prior = new RandomPolicyPrior(PriorHiddenSizes, PriorWeightStd),
            Threads = 1,
            StepCap = StepCap,
        };
    }
}

/// <summary>One unit of PIC/POIC sampling: policy samples First … First + Count − 1 of seed Seed's return matrix.</summary>
[GenerateSerializer, Immutable, Alias("policylab.return-sample-unit")]
public sealed record ReturnSampleUnitMessage(
    [property: Id(0)] ReturnSampleJobMessage Job,
    [property: Id(1)] ulong Seed,
    [property: Id(2)] int First,
    [property: Id(3)] int Count);

/// <summary>A unit's returns (row-major, Count × Episodes) and steps, or the error that stopped it, with the worker's name.</summary>
[GenerateSerializer, Immutable, Alias("policylab.return-sample-result")]
public sealed record ReturnSampleResultMessage(
    [property: Id(0)] double[] Returns,
    [property: Id(1)] long Steps,
    [property: Id(2)] string? Error,
    [property: Id(3)] string Worker);
