using PolicyLab.Agents;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Tests.Algorithms.OffPolicy;
using PolicyLab.Tests.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>Dict observations with image entries: one CNN per image entry, vector entries passed as they are, all
/// concatenated (SB3's CombinedExtractor); tape and tape-free passes agree; PPO learns a task that needs both entries.</summary>
public class CombinedExtractorTests
{
    private static readonly PolicyNetworkSettings Heads = new([], []);

    /// <summary>Sorted keys: "flip" (1 float) comes before "grid" (5×5×1) in the flat observation.</summary>
    private static readonly DictSpace PixelsAndFlag = new(("grid", Box.Image(5, 5, 1, high: 1)), ("flip", new Box(0f, 1f, 1)));

    [Fact]
    public void Image_entries_get_their_own_cnn_and_vector_entries_pass_through_in_flat_order()
    {
        var policy = new ActorCriticPolicy(PixelsAndFlag, new Discrete(2), Heads, new Rng(1));
        var combined = Assert.IsType<CombinedExtractor>(policy.Features);
        Assert.Equal(2, combined.Parts.Count);
        Assert.Equal(("flip", 0, 1), (combined.Parts[0].Name, combined.Parts[0].Offset, combined.Parts[0].Length));
        Assert.Null(combined.Parts[0].Extractor);
        Assert.Equal(("grid", 1, 25), (combined.Parts[1].Name, combined.Parts[1].Offset, combined.Parts[1].Length));
        var cnn = Assert.IsType<CnnEncoder>(combined.Parts[1].Extractor);
        Assert.Same(CnnArchitecture.Small, cnn.Architecture);
        Assert.Equal(26, combined.Inputs);
        Assert.Equal(1 + 128, combined.Features);
        Assert.Equal(1 + 128, policy.Actor.Inputs);
        Assert.Equal("features.grid.conv0.weight", policy.Store.Parameters[0].Name);

        // Runs of vector entries are one part; two images get two CNNs with their own parameters.
        var two = new DictSpace(("a", new Box(-1f, 1f, 2)), ("b", Box.Image(4, 4, 2, high: 1)), ("c", new Box(-1f, 1f, 3)),
            ("d", new Box(-1f, 1f, 1)), ("e", Box.Image(6, 6, 1)));
        var store = new ParameterStore();
        var both = Assert.IsType<CombinedExtractor>(FeatureExtractors.For(two, PolicyKind.Auto, store, "f"));
        Assert.Equal(["a", "b", "c, d", "e"], both.Parts.Select(p => p.Name));
        Assert.Equal([2, 32, 4, 36], both.Parts.Select(p => p.Length));
        Assert.Contains(store.Parameters, p => p.Name == "f.b.conv0.weight");
        Assert.Contains(store.Parameters, p => p.Name == "f.e.linear.weight");

        // policy=mlp flattens everything; vector-only Dicts need no extractor; policy=cnn without an image is an error.
        Assert.Null(new ActorCriticPolicy(PixelsAndFlag, new Discrete(2), Heads with { Policy = PolicyKind.Mlp }, new Rng(1)).Features);
        Assert.Null(new ActorCriticPolicy(new DictSpace(("x", new Box(-1f, 1f, 2))), new Discrete(2), Heads, new Rng(1)).Features);
        var noImage = Assert.Throws<PolicyLabException>(() =>
            new ActorCriticPolicy(new DictSpace(("x", new Box(-1f, 1f, 2))), new Discrete(2), Heads with { Policy = PolicyKind.Cnn }, new Rng(1)));
        Assert.Contains("policy=mlp", noImage.Message, StringComparison.Ordinal);
        var channelsFirst = Assert.Throws<PolicyLabException>(() =>
            new ActorCriticPolicy(new DictSpace(("x", Box.Image(3, 40, 40))), new Discrete(2), Heads, new Rng(1)));
        Assert.Contains("channels-first", channelsFirst.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tape_free_features_match_the_tape_and_hold_each_part_in_place()
    {
        var store = new ParameterStore();
        var combined = Assert.IsType<CombinedExtractor>(FeatureExtractors.For(PixelsAndFlag, PolicyKind.Auto, store, "f"));
        combined.InitializeOrthogonal(new Rng(4), MathF.Sqrt(2f));
        const int batch = 3;
        var rng = new Rng(5);
        float[] obs = new float[batch * 26];
        for (int r = 0; r < batch; r++)
        {
            obs[r * 26] = r % 2;                                  // flip
            obs[r * 26 + 1 + rng.NextInt(25)] = 1f;               // one marked cell of the grid
            obs[r * 26 + 1 + rng.NextInt(25)] = 1f;
        }
        float[] features = new float[batch * combined.Features];
        combined.Forward(obs, batch, features);

        var tape = new Tape();
        Tensor taped = combined.Forward(tape, tape.Constant(obs, new Shape(batch, 26)));
        Assert.Equal(new Shape(batch, 129), taped.Shape);
        Assert.Equal(features, taped.Data.ToArray());

        var cnn = combined.Parts[1].Extractor!;
        for (int r = 0; r < batch; r++)
        {
            Assert.Equal(obs[r * 26], features[r * 129]);   // the vector entry, untouched
            float[] own = new float[128];
            cnn.Forward(obs.AsSpan(r * 26 + 1, 25), 1, own); // the image entry alone through its CNN
            Assert.Equal(own, features.AsSpan(r * 129 + 1, 128).ToArray());
        }

        // Gradients reach the CNN.
        Tensor loss = taped.Sum();
        store.ZeroGradients();
        tape.Backward(loss);
        Assert.Contains(store.Find("f.grid.conv0.weight")!.Gradient.ToArray(), g => g != 0f);
    }

    [Fact]
    public void Ppo_learns_a_task_that_needs_both_the_image_and_the_vector_entry_and_repeats()
    {
        EnvironmentRegistry.Register("PixelFlag-v0", () => new PixelFlag(), maxEpisodeSteps: 1, replace: true);
        string[] settings = ["n_envs=4", "n_steps=64", "batch_size=64", "n_epochs=10", "learning_rate=0.001", "ent_coef=0.0", "eval_episodes=100", "normalize=false"];
        (var first, string a) = PolicyGradientHarness.Train("ppo", "PixelFlag-v0", 24_576, 3, settings);
        (var second, string b) = PolicyGradientHarness.Train("ppo", "PixelFlag-v0", 24_576, 3, settings);
        try
        {
            // Guessing gets 0.5; the image alone or the flag alone cannot beat it.
            Assert.InRange(PolicyGradientHarness.FinalReturn(first), 0.9, 1.0);
            Assert.Equal(first.FinalEvaluation!.Returns, second.FinalEvaluation!.Returns);
            string file = Path.Combine(a, "saved.policylab");
            var obs = new float[26];
            obs[1 + 5 * 2 + 4] = 1f; // marked cell in the right half (column 4), flip 0 → action 1
            using (Agent trained = Agent.Load(a))
                trained.Save(file);
            using Agent loaded = Agent.Load(file); // the Dict space with its uint8 entry and the CNN come back from the file
            Assert.Equal([1f], loaded.Predict(obs));
            obs[0] = 1f;                           // flipped → action 0
            Assert.Equal([0f], loaded.Predict(obs));
        }
        finally
        {
            PolicyGradientHarness.Delete(a);
            PolicyGradientHarness.Delete(b);
        }
    }

    [Fact]
    public void Dqn_reads_dict_image_entries_with_a_cnn_and_normalizing_them_is_refused()
    {
        EnvironmentRegistry.Register("PixelFlag-v0", () => new PixelFlag(), maxEpisodeSteps: 1, replace: true);
        string[] settings = ["learning_starts=100", "buffer_size=1000", "target_update_interval=50", "eval_episodes=5"];
        (double first, string a) = OffPolicyHarness.Train("dqn", "PixelFlag-v0", 300, 2, settings);
        (double second, string b) = OffPolicyHarness.Train("dqn", "PixelFlag-v0", 300, 2, settings);
        try
        {
            Assert.Equal(first, second);
            // The Q network's CNN on the image entry is in the checkpoint (safetensors headers name the tensors).
            Assert.Contains(Directory.GetFiles(a, "*.safetensors", SearchOption.AllDirectories),
                f => File.ReadAllText(f).Contains("q.features.grid.conv0.weight", StringComparison.Ordinal));
        }
        finally
        {
            OffPolicyHarness.Delete(a);
            OffPolicyHarness.Delete(b);
        }
        var error = Assert.Throws<PolicyLabException>(() =>
            PolicyGradientHarness.Train("ppo", "PixelFlag-v0", 64, 5, ["n_envs=1", "n_steps=32", "batch_size=32", "normalize=true"]));
        Assert.Contains("normalize=false", error.Message, StringComparison.Ordinal);
    }

    /// <summary>One-step episodes: a 5×5 grid with one marked cell (never the middle column) and a flag; the right
    /// action is 1 when the cell is in the right half, flipped when the flag is 1. Reward 1 for the right action.</summary>
    private sealed class PixelFlag : EnvironmentBase
    {
        private int _row, _column, _flip;

        public PixelFlag() : base(PixelsAndFlag, new Discrete(2)) { }

        protected override void ResetState(ResetOptions? options)
        {
            int c = Random.NextInt(4);
            _column = c < 2 ? c : c + 1;
            _row = Random.NextInt(5);
            _flip = Random.NextInt(2);
        }

        protected override StepResult StepState(ReadOnlySpan<float> action)
        {
            int right = (_column > 2 ? 1 : 0) ^ _flip;
            return new StepResult((int)action[0] == right ? 1.0 : 0.0, Terminated: true, Truncated: false);
        }

        protected override void WriteObservation(Span<float> observation)
        {
            observation.Clear();
            observation[0] = _flip;
            observation[1 + _row * 5 + _column] = 1f;
        }

        public override PolicyLab.Environments.Rendering.RgbFrame Render() => new PolicyLab.Environments.Rendering.Canvas(1, 1).Frame;
    }
}
