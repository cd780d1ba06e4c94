using PolicyLab.Algorithms;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;
using PolicyLab.Tests.Algorithms.PolicyGradient;
using PolicyLab.Training;

namespace PolicyLab.Tests.Algorithms.OnPolicy;

/// <summary>
/// Rollouts split into units (what cluster workers run), executed here by <see cref="RolloutUnitRunner"/>s: for any split
/// of the copies the weights, the counted steps and episodes and the copies' states equal those of the in-process
/// collection with per_copy_rng, step for step.
/// </summary>
public sealed class RolloutUnitTests
{
    /// <summary>A scale-out that runs every unit on runners of this process, split into a fixed number of units.</summary>
    private sealed class LocalUnits(int units) : IScaleOut, IRolloutUnits
    {
        private readonly Dictionary<int, RolloutUnitRunner> _runners = [];
        private RolloutJob? _job;

        public string Description => $"{units} local units";

        public int UnitsRun { get; private set; }

        public IPopulationEvaluator CreatePopulationEvaluator(PopulationJob job) => throw new NotSupportedException();

        public IRolloutUnits CreateRolloutUnits(RolloutJob job)
        {
            _job = job;
            return this;
        }

        public int PreferredUnits => units;

        public IReadOnlyList<RolloutUnitResult> Run(IReadOnlyList<RolloutUnitRequest> requests)
        {
            UnitsRun += requests.Count;
            // Each unit on a fresh-looking runner of its size, in reverse order: results must not depend on either.
            var results = new RolloutUnitResult[requests.Count];
            for (int u = requests.Count - 1; u >= 0; u--)
            {
                if (!_runners.TryGetValue(requests[u].Count, out RolloutUnitRunner? runner))
                    _runners[requests[u].Count] = runner = new RolloutUnitRunner(_job!, requests[u].Count);
                results[u] = runner.Run(requests[u]);
            }
            return results;
        }

        public void Dispose()
        {
            foreach (RolloutUnitRunner runner in _runners.Values) runner.Dispose();
            _runners.Clear();
        }
    }

    private sealed record Outcome(float[] Weights, List<EpisodeRecord> Episodes, long Steps, byte[] EnvironmentState, byte[] AlgorithmState);

    private static Outcome Train(string algorithm, string id, int envs, IScaleOut? scaleOut, int iterations, params string[] pairs)
    {
        var sink = new EpisodeSink();
        using var environment = new VectorEpisodeStatistics(TrainingEnvironments.Make(id, envs, VectorMode.Sync), sink: sink);
        environment.Reset(11);
        var context = new AlgorithmContext
        {
            Environment = environment,
            CreateEnvironments = (_, _) => throw new NotSupportedException(),
            CreateEnvironment = () => EnvironmentRegistry.Make(id),
            EnvironmentId = id,
            ScaleOut = scaleOut,
            Episodes = sink,
        };
        string[] settings = ["per_copy_rng=true", .. pairs];
        using OnPolicyAlgorithm learner = algorithm switch
        {
            "ppo" => new Ppo(context, OptionTestKit.Settings<PpoSettings>(settings), new Rng(5)),
            "a2c" => new A2c(context, OptionTestKit.Settings<A2cSettings>(settings), new Rng(5)),
            "vpg" => new Vpg(context, OptionTestKit.Settings<VpgSettings>(settings), new Rng(5)),
            "trpo" => new Trpo(context, OptionTestKit.Settings<TrpoSettings>(settings), new Rng(5)),
            _ => throw new ArgumentException(algorithm),
        };
        for (int i = 0; i < iterations; i++) learner.Iterate(0.1 * i, new UpdateDiagnostics());
        var environmentState = new StateDictionary();
        environment.SaveState(environmentState, "env");
        var algorithmState = new StateDictionary();
        learner.SaveState(algorithmState);
        var episodes = new List<EpisodeRecord>();
        sink.Drain(episodes);
        return new Outcome(learner.Parameters.Values.ToArray(), episodes, sink.TotalSteps, environmentState.ToBytes(), algorithmState.ToBytes());
    }

    public static TheoryData<string, string, int, string[]> Runs => new()
    {
        { "ppo", "CartPole-v1", 5, ["n_steps=64", "batch_size=64", "n_epochs=2"] },
        { "a2c", "LunarLander-v3", 4, ["n_steps=40"] },
        { "vpg", "MaskedChoice-v0", 3, ["n_steps=30"] },
        { "trpo", "Pendulum-v1", 3, ["n_steps=100", "batch_size=100"] },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Any_split_into_units_gives_the_in_process_numbers(string algorithm, string id, int envs, string[] pairs)
    {
        Outcome local = Train(algorithm, id, envs, null, 3, pairs);
        Assert.NotEmpty(local.Episodes);
        foreach (int units in new[] { 1, 2, envs })
        {
            var scaleOut = new LocalUnits(units);
            Outcome split = Train(algorithm, id, envs, scaleOut, 3, pairs);
            Assert.Equal(3 * units, scaleOut.UnitsRun);
            Assert.Equal(local.Weights, split.Weights);
            Assert.Equal(local.Steps, split.Steps);
            Assert.Equal(local.Episodes, split.Episodes);
            Assert.Equal(local.EnvironmentState, split.EnvironmentState);
            Assert.Equal(local.AlgorithmState, split.AlgorithmState);
        }
    }

    [Fact]
    public void Per_copy_streams_change_the_numbers_of_the_shared_stream()
    {
        // The setting is what makes rollouts splittable; it must actually move action sampling off the shared stream.
        Outcome perCopy = Train("ppo", "CartPole-v1", 4, null, 2, "n_steps=32", "batch_size=64", "n_epochs=1");
        Outcome shared = Train("ppo", "CartPole-v1", 4, null, 2, "per_copy_rng=false", "n_steps=32", "batch_size=64", "n_epochs=1");
        Assert.NotEqual(perCopy.Weights, shared.Weights);
    }

    [Fact]
    public void A_cluster_without_per_copy_streams_is_refused_with_the_fix()
    {
        var e = Assert.Throws<PolicyLabException>(() => Train("ppo", "CartPole-v1", 2, new LocalUnits(2), 1, "per_copy_rng=false", "n_steps=32", "batch_size=64"));
        Assert.Contains("--set per_copy_rng=true", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalization_on_a_cluster_is_refused_with_the_fix()
    {
        var sink = new EpisodeSink();
        using var environment = new NormalizeVectorEnvironment(new VectorEpisodeStatistics(TrainingEnvironments.Make("CartPole-v1", 2, VectorMode.Sync), sink: sink));
        environment.Reset(1);
        var context = new AlgorithmContext
        {
            Environment = environment,
            CreateEnvironments = (_, _) => throw new NotSupportedException(),
            CreateEnvironment = () => EnvironmentRegistry.Make("CartPole-v1"),
            EnvironmentId = "CartPole-v1",
            ScaleOut = new LocalUnits(2),
            Episodes = sink,
        };
        var e = Assert.Throws<PolicyLabException>(() => new Ppo(context, OptionTestKit.Settings<PpoSettings>("per_copy_rng=true", "n_steps=32", "batch_size=64"), new Rng(1)));
        Assert.Contains("normalization", e.Message, StringComparison.Ordinal);
    }
}
