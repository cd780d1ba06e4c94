using PolicyLab.Algorithms;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.BlackBox;

public sealed class BlackBoxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-blackbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertSameFiles(string a, string b, bool exceptParameters = false)
    {
        string Log(string folder)
        {
            string text = File.ReadAllText(Path.Combine(folder, "experiment.json"));
            // The parameters differ in the thread count; everything the run produced must not.
            return exceptParameters ? text[text.IndexOf("\"episodes\"", StringComparison.Ordinal)..] : text;
        }
        Assert.Equal(Log(a), Log(b));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "metrics.csv")), File.ReadAllBytes(Path.Combine(b, "metrics.csv")));
    }

    [Theory]
    [InlineData("cem", "CartPole-v1", new[] { "n_timesteps=20000", "eval_freq=5000", "population=20", "episodes_per_candidate=2" })]
    [InlineData("es", "CartPole-v1", new[] { "n_timesteps=20000", "eval_freq=5000", "policy_layers=[16]", "action_selection=sample" })]
    [InlineData("hill_climbing", "CartPole-v1", new[] { "n_timesteps=10000", "eval_freq=5000", "variant=simulated_annealing" })]
    [InlineData("hill_climbing", "CartPole-v1", new[] { "n_timesteps=10000", "eval_freq=5000", "variant=steepest_ascent", "neighbours=5" })]
    [InlineData("cem", "Pendulum-v1", new[] { "n_timesteps=60000", "eval_freq=20000", "population=10", "episodes_per_candidate=2" })]
    [InlineData("es", "MountainCarContinuous-v0", new[] { "n_timesteps=60000", "eval_freq=20000", "n_pairs=5" })]
    public void One_thread_and_two_threads_give_identical_runs(string algo, string env, string[] sets)
    {
        string one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two"), three = Path.Combine(_dir, "three");
        BlackBoxLearningTests.Train(one, algo, env, 5, null, [.. sets, "threads=1"]);
        BlackBoxLearningTests.Train(two, algo, env, 5, null, [.. sets, "threads=2"]);
        BlackBoxLearningTests.Train(three, algo, env, 5, null, [.. sets, "threads=3"]);
        AssertSameFiles(one, two, exceptParameters: true);
        AssertSameFiles(one, three, exceptParameters: true);
        string other = Path.Combine(_dir, "other");
        BlackBoxLearningTests.Train(other, algo, env, 6, null, [.. sets, "threads=2"]);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(one, "metrics.csv")), File.ReadAllBytes(Path.Combine(other, "metrics.csv")));
    }

    [Theory]
    [InlineData("cem", new[] { "n_timesteps=30000", "checkpoint_freq=10000", "eval_freq=10000", "eval_episodes=3", "population=20" })]
    [InlineData("es", new[] { "n_timesteps=30000", "checkpoint_freq=10000", "eval_freq=10000", "eval_episodes=3", "n_pairs=10" })]
    [InlineData("hill_climbing", new[] { "n_timesteps=30000", "checkpoint_freq=10000", "eval_freq=10000", "eval_episodes=3", "variant=simulated_annealing" })]
    [InlineData("hill_climbing", new[] { "n_timesteps=30000", "checkpoint_freq=10000", "eval_freq=10000", "eval_episodes=3", "variant=adaptive_noise" })]
    public void Resuming_from_a_checkpoint_continues_bit_identically(string algo, string[] sets)
    {
        string full = Path.Combine(_dir, "full");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, "CartPole-v1", null, sets, 3, null));
        using (Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(full))) t.RunWithTrackers();
        IReadOnlyList<long> steps = RunFolder.Open(full).CheckpointSteps();
        Assert.True(steps.Count >= 2);

        string resumed = Path.Combine(_dir, "resumed");
        Directory.CreateDirectory(Path.Combine(resumed, "checkpoints"));
        File.Copy(Path.Combine(full, "config.yaml"), Path.Combine(resumed, "config.yaml"));
        string name = steps[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        string to = Path.Combine(resumed, "checkpoints", name);
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(RunFolder.Open(full).CheckpointPath(steps[0]))) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        using (Trainer t = Trainer.Resume(RunFolder.Open(resumed))) t.RunWithTrackers();

        AssertSameFiles(full, resumed);
        Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder.Open(full).CheckpointPath(steps[^1]), Checkpoint.ModelFileName)),
            File.ReadAllBytes(Path.Combine(RunFolder.Open(resumed).CheckpointPath(steps[^1]), Checkpoint.ModelFileName)));
    }

    [Fact]
    public void Diagnostics_name_the_search_state()
    {
        string folder = Path.Combine(_dir, "diag");
        BlackBoxLearningTests.Train(Path.Combine(folder, "cem"), "cem", "CartPole-v1", 0, 5000, "eval_freq=0", "eval_episodes=1");
        BlackBoxLearningTests.Train(Path.Combine(folder, "es"), "es", "CartPole-v1", 0, 5000, "eval_freq=0", "eval_episodes=1");
        BlackBoxLearningTests.Train(Path.Combine(folder, "sa"), "hill_climbing", "CartPole-v1", 0, 2000, "eval_freq=0", "eval_episodes=1", "variant=simulated_annealing");
        string Header(string run) => File.ReadLines(Path.Combine(folder, run, "metrics.csv")).First();
        foreach (string key in new[] { "best_return", "mean_return", "candidate_episodes", "elite_mean_return", "elite_min_return", "std_mean", "extra_std" })
            Assert.Contains(key, Header("cem"), StringComparison.Ordinal);
        foreach (string key in new[] { "best_return", "mean_return", "sigma", "grad_norm", "param_norm", "learning_rate" })
            Assert.Contains(key, Header("es"), StringComparison.Ordinal);
        foreach (string key in new[] { "best_return", "accepted", "acceptance_rate", "current_return", "best_so_far", "noise_scale", "temperature" })
            Assert.Contains(key, Header("sa"), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_candidate_gets_its_episodes_counted_in_candidate_order()
    {
        // ES with 3 pairs → 6 candidates × 2 episodes per iteration; the log holds every one of them.
        string folder = Path.Combine(_dir, "count");
        TrainingResult r = BlackBoxLearningTests.Train(folder, "es", "CartPole-v1", 0, 1, "eval_freq=0", "eval_episodes=1",
            "n_pairs=3", "episodes_per_candidate=2", "threads=2");
        Assert.Equal(12, r.Episodes);
        string csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"))[1];
        Assert.StartsWith($"1,{r.Steps},12,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void Centred_ranks_lie_in_half_interval_and_ties_share_their_rank()
    {
        double[] values = [3, 1, 2, 2, 10];
        var order = new int[5];
        var shaped = new double[5];
        EvolutionStrategies.CentredRanks(values, order, shaped, 5);
        // Ranks from the bottom: 1 → 0, 2 and 2 → 1.5, 3 → 3, 10 → 4; u = rank/4 − ½.
        Assert.Equal([0.25, -0.5, -0.125, -0.125, 0.5], shaped);

        double[] flat = [500, 500, 500, 500];
        var u = new double[4];
        EvolutionStrategies.CentredRanks(flat, new int[4], u, 4);
        Assert.All(u, x => Assert.Equal(0, x));
    }

    [Fact]
    public void Sorting_breaks_ties_by_index()
    {
        double[] values = [1, 5, 5, 2];
        var order = new int[4];
        BlackBoxAlgorithm.SortDescending(values, order, 4);
        Assert.Equal([1, 2, 3, 0], order);
    }

    [Fact]
    public void Box_actions_are_tanh_bounded_and_scaled_to_the_bounds()
    {
        var policy = new BlackBoxPolicy(new Box(-1, 1, 3), new Box([-2f, 0f], [2f, 10f]), [], Activation.Tanh, scaleObservations: true);
        var rng = new Rng(1);
        for (int trial = 0; trial < 20; trial++)
        {
            var theta = policy.Store.Values;
            for (int j = 0; j < theta.Length; j++) theta[j] = (float)(10 * rng.Normal());
            float[] obs = [(float)rng.Uniform(-1, 1), (float)rng.Uniform(-1, 1), (float)rng.Uniform(-1, 1)];
            var action = new float[2];
            policy.Act(obs, 1, sample: false, rng, action);
            Assert.InRange(action[0], -2f, 2f);
            Assert.InRange(action[1], 0f, 10f);
        }
        // Zero weights: the middle of the box.
        policy.Store.Values.Clear();
        var mid = new float[2];
        policy.Act([0.3f, -0.2f, 0.9f], 1, sample: false, rng, mid);
        Assert.Equal([0f, 5f], mid);
    }

    [Fact]
    public void Discrete_actions_are_argmax_or_softmax_samples()
    {
        var policy = new BlackBoxPolicy(new Box(-1, 1, 2), new Discrete(3), [], Activation.Tanh, scaleObservations: false);
        // Bias only: scores (0, ln 3, 0) → argmax 1, softmax (0.2, 0.6, 0.2).
        policy.Store.Values.Clear();
        policy.Network.Head.Bias.Value[1] = MathF.Log(3);
        var action = new float[1];
        policy.Act([0.5f, 0.5f], 1, sample: false, new Rng(0), action);
        Assert.Equal(1f, action[0]);
        var rng = new Rng(7);
        int ones = 0, n = 20000;
        for (int i = 0; i < n; i++)
        {
            policy.Act([0.5f, 0.5f], 1, sample: true, rng, action);
            if (action[0] == 1f) ones++;
        }
        Assert.InRange(ones / (double)n, 0.58, 0.62);
    }

    [Fact]
    public void Observations_with_finite_bounds_are_rescaled_to_the_unit_interval()
    {
        // Linear policy y = x'·w with one output: reading the output recovers the rescaled observation.
        var space = new Box([-1.2f, -0.07f], [0.6f, 0.07f]);
        var policy = new BlackBoxPolicy(space, new Box(-1000, 1000, 1), [], Activation.Tanh, scaleObservations: true);
        policy.Store.Values.Clear();
        policy.Network.Head.Weight.Value[1] = 1; // weight of the velocity
        var action = new float[1];
        policy.Act([0f, 0.07f], 1, false, new Rng(0), action);
        // Box action: low + (tanh(1) + 1)/2·(high − low) = 1000·tanh(1).
        Assert.Equal(1000 * MathF.Tanh(1), action[0], 2);
    }

    [Fact]
    public void Normalized_runs_are_rejected_with_a_clear_message()
    {
        var e = Assert.Throws<PolicyLabException>(() =>
            BlackBoxLearningTests.Train(Path.Combine(_dir, "norm"), "cem", "CartPole-v1", 0, 1000, "normalize=true"));
        Assert.Contains("normalize", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hill_climbing", "variant=plain")]
    [InlineData("hill_climbing", "variant=steepest_ascent")]
    [InlineData("hill_climbing", "variant=simulated_annealing")]
    [InlineData("hill_climbing", "variant=adaptive_noise")]
    [InlineData("cem", "adapt_std=false")]
    [InlineData("es", "policy_layers=[8, 8]")]
    public void Every_variant_improves_on_CartPole(string algo, string set)
    {
        TrainingResult r = BlackBoxLearningTests.Train(Path.Combine(_dir, "v"), algo, "CartPole-v1", 1, 30_000, "eval_freq=0", set);
        Assert.True(r.FinalEvaluation!.MeanReturn > 50, $"{algo} {set}: {r.FinalEvaluation.MeanReturn}");
    }

    [Fact]
    public void Adaptive_noise_stays_within_its_bounds_and_annealing_cools()
    {
        string folder = Path.Combine(_dir, "bounds");
        BlackBoxLearningTests.Train(Path.Combine(folder, "a"), "hill_climbing", "CartPole-v1", 0, 20_000, "eval_freq=0", "eval_episodes=1",
            "noise_min=0.005", "noise_max=0.5", "noise_scale=0.1");
        var log = ExperimentLogOf(Path.Combine(folder, "a"));
        Assert.All(log, d => Assert.InRange(d["noise_scale"], 0.005, 0.5));
        BlackBoxLearningTests.Train(Path.Combine(folder, "s"), "hill_climbing", "CartPole-v1", 0, 5_000, "eval_freq=0", "eval_episodes=1",
            "variant=simulated_annealing", "temperature=10", "temperature_decay=0.5", "temperature_min=1");
        var sa = ExperimentLogOf(Path.Combine(folder, "s"));
        Assert.Equal(5, sa[1]["temperature"], 6);
        Assert.Equal(1, sa[^1]["temperature"], 6);
    }

    private static List<Dictionary<string, double>> ExperimentLogOf(string folder)
    {
        string[] lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).Select(cells => header.Zip(cells)
            .Where(p => p.Second.Length > 0)
            .ToDictionary(p => p.First, p => double.Parse(p.Second, System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    [Fact]
    public void The_registry_knows_the_three_methods()
    {
        foreach (string name in new[] { "hill_climbing", "cem", "es" })
        {
            AlgorithmInfo info = AlgorithmRegistry.Get(name);
            Assert.Equal(ActionSpaceKinds.Discrete | ActionSpaceKinds.Box, info.ActionSpaces);
        }
    }
}

public sealed class CandidateEvaluatorTests
{
    private static AlgorithmContext Context(string id) => AlgorithmContext.For(new SyncVectorEnvironment(id, 1));

    private static float[] Candidates(int count, int dimension, ulong seed)
    {
        var values = new float[count * dimension];
        new Rng(seed).FillNormal(values);
        return values;
    }

    [Fact]
    public void Evaluation_does_not_allocate_once_warm()
    {
        var settings = new EvolutionStrategiesSettings { PolicyLayers = [16], Threads = 1, EpisodesPerCandidate = 2 };
        AlgorithmContext context = Context("CartPole-v1");
        using var evaluator = new CandidateEvaluator(context, settings, 1);
        int d = new BlackBoxPolicy(context.Environment.SingleObservationSpace, context.Environment.SingleActionSpace, [16], Activation.Tanh, true).Dimension;
        float[] candidates = Candidates(8, d, 2);
        var fitness = new double[8];
        long steps = 0;
        int generation = 0;
        long allocated = SteadyStateAllocation.Bytes(() => steps = evaluator.Evaluate(candidates, 8, generation++, fitness));
        Assert.True(steps > 16);
        Assert.True(allocated == 0, $"{allocated} bytes allocated while evaluating {steps} steps");
        context.Environment.Dispose();
    }

    [Fact]
    public void A_candidates_return_depends_only_on_its_own_seeds()
    {
        // The same candidate placed at index 3 of two different batches, evaluated with different thread counts.
        var one = new CrossEntropyMethodSettings { PolicyLayers = [8], Threads = 1, EpisodesPerCandidate = 3 };
        var three = new CrossEntropyMethodSettings { PolicyLayers = [8], Threads = 3, EpisodesPerCandidate = 3 };
        AlgorithmContext context = Context("Pendulum-v1");
        using var a = new CandidateEvaluator(context, one, 9);
        using var b = new CandidateEvaluator(context, three, 9);
        int d = new BlackBoxPolicy(context.Environment.SingleObservationSpace, context.Environment.SingleActionSpace, [8], Activation.Tanh, true).Dimension;
        float[] first = Candidates(6, d, 1), second = Candidates(6, d, 2);
        first.AsSpan(3 * d, d).CopyTo(second.AsSpan(3 * d, d));
        var fa = new double[6];
        var fb = new double[6];
        a.Evaluate(first, 6, 4, fa);
        b.Evaluate(second, 6, 4, fb);
        Assert.Equal(fa[3], fb[3]);
        Assert.NotEqual(fa[2], fb[2]);
        Assert.Equal(a.EpisodeSeed(4, 3, 1), b.EpisodeSeed(4, 3, 1));
        Assert.NotEqual(a.EpisodeSeed(4, 3, 1), a.EpisodeSeed(4, 2, 1));
        Assert.NotEqual(a.EpisodeSeed(4, 3, 1), a.EpisodeSeed(5, 3, 1));
        context.Environment.Dispose();
    }
}
