using PolicyLab.Cluster;
using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.TaskComplexity;

namespace PolicyLab.Tests.Cluster;

/// <summary>
/// The POIC sampling split into units as a cluster splits it, in this process: each range goes through the wire message
/// (<see cref="ReturnSampleJobMessage"/>: options and projector out and back) and <see cref="ReturnSampler.SampleRows"/>
/// on one thread, as on a worker. Any number of units gives the in-process matrix and step count, bit for bit.
/// </summary>
public sealed class ReturnSampleUnitsTests
{
    /// <summary>Runs each range as a worker would; records the ranges it was given.</summary>
    private sealed class LocalUnits(int slots) : IReturnSampleUnits
    {
        public List<ReturnSampleRange> Ranges { get; } = [];

        public int PreferredUnits => slots;

        public IReadOnlyList<ReturnRows> Run(ReturnSamplingOptions options, ulong seed, IReadOnlyList<ReturnSampleRange> ranges)
        {
            Ranges.AddRange(ranges);
            ReturnSamplingOptions onWorker = ReturnSampleJobMessage.From(options).ToOptions();
            return [.. ranges.Reverse().Select(r => ReturnSampler.SampleRows(onWorker, seed, r)).Reverse()];
        }
    }

    [Theory]
    [InlineData("CartPole-v1", false, false)]
    [InlineData("Pendulum-v1", true, false)]
    [InlineData("Pendulum-v1", false, true)]
    public void Any_number_of_units_gives_the_in_process_matrix_and_steps(string env, bool cleanRl, bool latent)
    {
        ActionProjector? projector = null;
        if (latent)
        {
            using IEnvironment probe = EnvironmentRegistry.Make(env);
            projector = ActionProjector.Random(1, probe.ActionSpace, 7);
        }
        var options = new ReturnSamplingOptions
        {
            Environment = env, Samples = 7, Episodes = 3, CleanRlSetup = cleanRl, Projector = projector, Threads = 2,
            Reward = latent ? RewardMode.Random : RewardMode.Raw, Prior = RandomPolicyPrior.Default with { WeightStd = 0.5 },
        };
        long[] steps = new long[1];
        double[,] expected = ReturnSampler.Sample(options, 9, steps: steps);
        foreach (int slots in new[] { 1, 2, 3, 10 })
        {
            var units = new LocalUnits(slots);
            long[] unitSteps = new long[1];
            double[,] actual = ReturnSampler.Sample(options with { Units = units }, 9, steps: unitSteps);
            Assert.Equal(expected, actual);
            Assert.Equal(steps[0], unitSteps[0]);
            // Consecutive whole rows covering the matrix, at least one unit per slot.
            Assert.Equal(Enumerable.Range(0, 7), units.Ranges.SelectMany(r => Enumerable.Range(r.First, r.Count)));
            Assert.True(units.Ranges.Count >= Math.Min(7, slots), $"{units.Ranges.Count} units for {slots} slots");
        }
    }

    [Fact]
    public void A_projector_rebuilt_from_its_layers_projects_the_same_bits_and_bad_layers_are_refused()
    {
        using IEnvironment probe = EnvironmentRegistry.Make("LunarLanderContinuous-v3");
        ActionProjector original = ActionProjector.Random(1, probe.ActionSpace, 3);
        ActionProjector copy = ActionProjector.FromLayers(probe.ActionSpace, [original.Weights(0), original.Weights(1), original.Weights(2)],
            [original.Biases(0), original.Biases(1), original.Biases(2)]);
        Assert.Equal(original.Serialize(), copy.Serialize());
        var scratch = new double[original.ScratchSize];
        float[] a = new float[2], b = new float[2];
        original.Project([0.3f], a, scratch);
        copy.Project([0.3f], b, scratch);
        Assert.Equal(a, b);
        var error = Assert.Throws<PolicyLabException>(() => ActionProjector.FromLayers(probe.ActionSpace,
            [original.Weights(0), original.Weights(1), original.Weights(1)], [original.Biases(0), original.Biases(1), original.Biases(2)]));
        Assert.Contains("Layer 2", error.Message, StringComparison.Ordinal);
    }
}
