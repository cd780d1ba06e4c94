using PolicyLab.Agents;
using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Tests.Algorithms.OffPolicy;
using PolicyLab.Tests.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>CNN torsos in the policies: which one is chosen, layout errors, tape and tape-free agreement, gradients
/// reaching the convolutions, short PPO and DQN runs on MinAtar Breakout that repeat bit for bit, save and load.</summary>
public class CnnPolicyTests
{
    private static readonly PolicyNetworkSettings Heads = new([], []);

    [Fact]
    public void Auto_picks_the_small_cnn_for_minatar_and_the_nature_cnn_for_atari_sized_frames()
    {
        var small = new ActorCriticPolicy(Box.Image(10, 10, 4, high: 1), new Discrete(3), Heads, new Rng(1));
        var encoder = Assert.IsType<CnnEncoder>(small.Features);
        Assert.Same(CnnArchitecture.Small, encoder.Architecture);
        Assert.Equal(8 * 8 * 16, encoder.Flattened);
        Assert.Equal(1f, encoder.Scale);
        Assert.Equal(128, small.Actor.Inputs);
        Assert.Equal("features.conv0.weight", small.Store.Parameters[0].Name);

        // Uniform initialization: the orthogonal one of the 3136×512 layer is a large QR decomposition, slow in a unit test.
        var nature = new ActorCriticPolicy(Box.Image(84, 84, 4), new Discrete(6), Heads with { OrthogonalInit = false }, new Rng(1));
        var natureEncoder = Assert.IsType<CnnEncoder>(nature.Features);
        Assert.Same(CnnArchitecture.Nature, natureEncoder.Architecture);
        Assert.Equal(7 * 7 * 64, natureEncoder.Flattened);
        Assert.Equal(255f, natureEncoder.Scale);
        Assert.Equal(512, nature.Critic.Inputs);

        var vector = new ActorCriticPolicy(new Box(-1, 1, 4), new Discrete(2), Heads, new Rng(1));
        Assert.Null(vector.Features);
        var mlpOnImages = new ActorCriticPolicy(Box.Image(10, 10, 4, high: 1), new Discrete(3), Heads with { Policy = PolicyKind.Mlp }, new Rng(1));
        Assert.Null(mlpOnImages.Features);
    }

    [Fact]
    public void Wrong_layouts_and_spaces_are_clear_errors()
    {
        var channelsFirst = Assert.Throws<PolicyLabException>(() => new ActorCriticPolicy(Box.Image(4, 84, 84), new Discrete(6), Heads, new Rng(1)));
        Assert.Contains("channels-first", channelsFirst.Message, StringComparison.Ordinal);
        Assert.Contains("(84, 84, 4)", channelsFirst.Message, StringComparison.Ordinal);
        var vector = Assert.Throws<PolicyLabException>(() =>
            new ActorCriticPolicy(new Box(-1, 1, 4), new Discrete(2), Heads with { Policy = PolicyKind.Cnn }, new Rng(1)));
        Assert.Contains("policy=mlp", vector.Message, StringComparison.Ordinal);
        var tooSmall = Assert.Throws<PolicyLabException>(() =>
            new CnnEncoder(new ParameterStore(), "f", 20, 20, 3, 255, CnnArchitecture.Nature));
        Assert.Contains("too small", tooSmall.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tape_free_acting_matches_the_tape_and_gradients_reach_the_convolutions()
    {
        var policy = new ActorCriticPolicy(Box.Image(12, 12, 2), new Discrete(4), Heads, new Rng(2));
        var rng = new Rng(3);
        float[] obs = new float[3 * 12 * 12 * 2];
        for (int i = 0; i < obs.Length; i++) obs[i] = rng.NextInt(256);
        var values = new float[3];
        policy.PredictValues(obs, 3, values);
        var heads = new float[3 * policy.HeadSize];
        policy.Act(obs, 3, deterministic: true, new Rng(0), new float[3], new float[3], heads);

        var tape = new Tape();
        Tensor x = tape.Constant(obs, new Shape(3, obs.Length / 3));
        Tensor v = policy.Value(tape, x);
        PolicyDistribution pi = policy.DistributionAt(tape, x);
        int operations = tape.OperationCount;
        Assert.Equal(values, v.Data.ToArray());
        Tensor loss = v.Sum() + pi.Entropy().Sum();
        Assert.True(tape.OperationCount > operations); // the actor reused the critic's recorded CNN pass
        policy.Store.ZeroGradients();
        tape.Backward(loss);
        Parameter conv = policy.Store.Find("features.conv0.weight")!;
        Assert.Contains(conv.Gradient.ToArray(), g => g != 0f);
        Assert.Equal(heads.Length, policy.HeadSize * 3);
    }

    [Fact]
    public void Normalizing_image_observations_is_refused_with_the_fix()
    {
        var error = Assert.Throws<PolicyLabException>(() =>
            PolicyGradientHarness.Train("ppo", "MinAtar/Breakout-v1", 64, 5, ["n_envs=1", "n_steps=32", "batch_size=32", "normalize=true"]));
        Assert.Contains("normalize=false", error.Message);
        Assert.Contains("MinAtar/Breakout-v1", error.Message);
    }

    [Fact]
    public void Ppo_on_minatar_breakout_repeats_bit_for_bit()
    {
        string[] settings = ["n_envs=2", "n_steps=64", "batch_size=64", "n_epochs=1", "eval_episodes=3"];
        (var first, string a) = PolicyGradientHarness.Train("ppo", "MinAtar/Breakout-v1", 256, 5, settings);
        (var second, string b) = PolicyGradientHarness.Train("ppo", "MinAtar/Breakout-v1", 256, 5, settings);
        try
        {
            Assert.Equal(first.FinalEvaluation!.Returns, second.FinalEvaluation!.Returns);
            Assert.Equal(File.ReadAllText(Path.Combine(a, "metrics.csv")).Split('\n').Length, File.ReadAllText(Path.Combine(b, "metrics.csv")).Split('\n').Length);
        }
        finally
        {
            PolicyGradientHarness.Delete(a);
            PolicyGradientHarness.Delete(b);
        }
    }

    [Fact]
    public void Dqn_on_minatar_breakout_uses_the_cnn_and_a_byte_replay_buffer_and_repeats()
    {
        string[] settings = ["learning_starts=250", "buffer_size=2000", "target_update_interval=50", "train_freq=2", "eval_episodes=2"];
        (double first, string a) = OffPolicyHarness.Train("dqn", "MinAtar/Breakout-v1", 400, 2, settings);
        (double second, string b) = OffPolicyHarness.Train("dqn", "MinAtar/Breakout-v1", 400, 2, settings);
        try
        {
            Assert.Equal(first, second);
            var obs = new float[400];
            obs[9 * 40 + 4 * 4] = 1; // a paddle
            string file = Path.Combine(a, "saved.policylab");
            float[] predicted;
            using (Agent trained = Agent.Load(a))
            {
                predicted = trained.Predict(obs);
                trained.Save(file);
            }
            using Agent loaded = Agent.Load(file); // the uint8 image space and the CNN come back from the file alone
            Assert.Equal(predicted, loaded.Predict(obs));
        }
        finally
        {
            OffPolicyHarness.Delete(a);
            OffPolicyHarness.Delete(b);
        }
    }

    [Fact]
    public void Compact_replay_buffer_returns_what_a_float_buffer_returns_in_a_quarter_of_the_memory()
    {
        var compact = new ReplayBuffer(500, 2, 400, 1, compactObservations: true);
        var plain = new ReplayBuffer(500, 2, 400, 1);
        var rng = new Rng(4);
        var obs = new float[800];
        var next = new float[800];
        for (int t = 0; t < 300; t++)
        {
            for (int i = 0; i < obs.Length; i++) { obs[i] = rng.NextInt(256); next[i] = rng.NextInt(2); }
            float[] actions = [t % 3, (t + 1) % 3];
            double[] rewards = [t, -t];
            bool[] ends = [t % 17 == 0, false];
            compact.Add(obs, actions, rewards, next, ends, ends);
            plain.Add(obs, actions, rewards, next, ends, ends);
        }
        Assert.Equal(plain.ObservationBytes, 4 * compact.ObservationBytes);
        var x = new TransitionBatch(64, 400, 1);
        var y = new TransitionBatch(64, 400, 1);
        compact.Sample(new Rng(9), x, 0.99f, nSteps: 3);
        plain.Sample(new Rng(9), y, 0.99f, nSteps: 3);
        Assert.Equal(y.Observations, x.Observations);
        Assert.Equal(y.NextObservations, x.NextObservations);
        Assert.Equal(y.Rewards, x.Rewards);

        var state = new PolicyLab.Numerics.Serialization.StateDictionary();
        compact.SaveState(state, "buffer");
        var restored = new ReplayBuffer(500, 2, 400, 1, compactObservations: true);
        restored.LoadState(state, "buffer");
        var z = new TransitionBatch(64, 400, 1);
        restored.Sample(new Rng(9), z, 0.99f, nSteps: 3);
        Assert.Equal(x.Observations, z.Observations);

        var bad = Assert.Throws<PolicyLabException>(() => compact.Add(new float[800].Select(_ => 0.5f).ToArray(), [0, 0], [0, 0], next, [false, false], [false, false]));
        Assert.Contains("uint8", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_box_spaces_round_trip_and_sample_whole_numbers()
    {
        Box image = Box.Image(3, 4, 2);
        Assert.Equal("Box(0, 255, (3, 4, 2), uint8)", image.ToString());
        var back = Assert.IsType<Box>(SpaceFormat.FromJson(SpaceFormat.ToJson(image), "test"));
        Assert.Equal(BoxElementType.UInt8, back.ElementType);
        Assert.True(back.IsImage);
        var sample = new float[image.FlatSize];
        image.Sample(new Rng(1), sample);
        Assert.All(sample, v => Assert.True(v == MathF.Floor(v) && v is >= 0 and <= 255));
        Assert.True(image.Contains(sample));
        sample[0] = 0.5f;
        Assert.False(image.Contains(sample));
        Assert.Equal(SpaceFormat.ToJson(new Box(-1, 1, 3)), SpaceFormat.ToJson(new Box(-1, 1, 3))); // float boxes unchanged
        Assert.DoesNotContain("dtype", SpaceFormat.ToJson(new Box(-1, 1, 3)), StringComparison.Ordinal);
    }
}
