using PolicyLab.Algorithms;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>The shared on-policy and network options (OnPolicySettings, PolicyGradientSettings) do what their definitions say.</summary>
public class OnPolicyOptionTests
{
    private static OptionRun Ppo(string[] pairs, string env = "CartPole-v1", int updates = 1) =>
        OptionTestKit.Run<PpoSettings>(env, (c, s, r) => new Ppo(c, s, r), ["n_steps=64", "batch_size=64", "n_epochs=2", .. pairs], updates);

    // ------------------------------------------------------------------ gamma, gae_lambda on a hand-made rollout

    // Two copies, four steps: copy 0's episode ends after step 1; copy 1 runs through. Row t·N + i.
    private static RolloutBuffer HandMade()
    {
        var buffer = new RolloutBuffer(4, 2, 1, 1);
        float[] rewards = [1f, 10f, 2f, 20f, 3f, 30f, 4f, 40f];
        float[] dones = [0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f];
        float[] values = [0.5f, 5f, 0.25f, 4f, 1f, 3f, 2f, 2f];
        rewards.CopyTo(buffer.Rewards, 0);
        dones.CopyTo(buffer.Dones, 0);
        values.CopyTo(buffer.Values, 0);
        buffer.LastValues[0] = 8f;
        buffer.LastValues[1] = 16f;
        return buffer;
    }

    private static float[] Column(float[] rows, int copy) => [rows[copy], rows[2 + copy], rows[4 + copy], rows[6 + copy]];

    [Fact]
    public void Gae_lambda_0_is_the_one_step_td_error()
    {
        RolloutBuffer b = HandMade();
        const float gamma = 0.9f;
        b.ComputeAdvantages(gamma, 0f);
        for (int k = 0; k < 8; k++)
        {
            int copy = k % 2, t = k / 2;
            float next = t == 3 ? b.LastValues[copy] : b.Values[k + 2];
            float expected = b.Rewards[k] + gamma * next * (1 - b.Dones[k]) - b.Values[k];
            OptionTestKit.Near(expected, b.Advantages[k], 1e-5);
            OptionTestKit.Near(b.Rewards[k] + gamma * next * (1 - b.Dones[k]), b.Returns[k], 1e-5);
        }
    }

    [Fact]
    public void Gae_lambda_1_gives_discounted_monte_carlo_returns_cut_at_episode_ends_and_bootstrapped_at_the_rollout_end()
    {
        RolloutBuffer b = HandMade();
        const float g = 0.9f;
        b.ComputeAdvantages(g, 1f);
        // Copy 0: the episode (1, 2) ends at step 1; steps 2–3 (3, 4) bootstrap from LastValues[0] = 8.
        float[] copy0 = [1 + g * 2, 2, 3 + g * 4 + g * g * 8, 4 + g * 8];
        // Copy 1: no end, 10, 20, 30, 40 then V = 16.
        float[] copy1 = [10 + g * 20 + g * g * 30 + g * g * g * 40 + g * g * g * g * 16, 20 + g * 30 + g * g * 40 + g * g * g * 16, 30 + g * 40 + g * g * 16, 40 + g * 16];
        AssertClose(copy0, Column(b.Returns, 0));
        AssertClose(copy1, Column(b.Returns, 1));
        for (int k = 0; k < 8; k++) OptionTestKit.Near(b.Returns[k] - b.Values[k], b.Advantages[k], 1e-5);
    }

    [Fact]
    public void Intermediate_gae_lambda_is_the_exponentially_weighted_sum_of_td_errors()
    {
        RolloutBuffer b = HandMade();
        const float g = 0.9f, l = 0.5f;
        b.ComputeAdvantages(g, 0f);
        float[] delta = (float[])b.Advantages.Clone();
        b.ComputeAdvantages(g, l);
        // Copy 1 has no episode end: Â_t = Σ_k (γλ)^k δ_{t+k}.
        for (int t = 0; t < 4; t++)
        {
            double expected = 0;
            for (int k = t; k < 4; k++) expected += Math.Pow(g * l, k - t) * delta[k * 2 + 1];
            OptionTestKit.Near(expected, b.Advantages[t * 2 + 1], 1e-5);
        }
        // Copy 0: the episode end at step 1 stops the sum: Â_0 = δ_0 + γλ·δ_1 only.
        OptionTestKit.Near(delta[0] + g * l * delta[2], b.Advantages[0], 1e-5);
        OptionTestKit.Near(delta[2], b.Advantages[2], 1e-5);
    }

    [Fact]
    public void Gamma_0_makes_every_value_target_the_immediate_reward()
    {
        RolloutBuffer b = HandMade();
        b.ComputeAdvantages(0f, 0.95f);
        AssertClose(b.Rewards, b.Returns);

        // Through PPO's own rollout: CartPole pays 1 per step, so with γ = 0 every target is 1.
        ValueTrace trace = Ppo(["gamma=0"]).Trace!;
        Assert.All(trace.Targets, target => OptionTestKit.Near(1, target, 1e-5));
    }

    [Fact]
    public void Gamma_1_and_gae_lambda_1_make_the_targets_the_steps_left_in_the_episode()
    {
        // CartPole: reward 1 per step; an episode that ends inside the rollout has target T − t at step t.
        ValueTrace trace = Ppo(["gamma=1", "gae_lambda=1", "n_steps=128"]).Trace!;
        Assert.True(trace.EpisodeEnded, "copy 0's first episode should end within 128 steps");
        int length = trace.Targets.Length;
        for (int t = 0; t < length; t++) OptionTestKit.Near(length - t, trace.Targets[t], 1e-5);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) OptionTestKit.Near(expected[i], actual[i], 1e-5);
    }

    // ------------------------------------------------------------------ policy_layers, value_layers, activation

    [Fact]
    public void Layer_widths_and_activation_shape_the_two_networks()
    {
        OptionRun run = Ppo(["policy_layers=[16, 8]", "value_layers=[32]", "activation=relu", "learning_rate=0"]);
        Mlp actor = run.Policy.Actor, critic = run.Policy.Critic;
        Assert.Equal([(4, 16), (16, 8), (8, 2)], actor.Layers.Select(l => (l.Inputs, l.Outputs)).ToArray());
        Assert.Equal([(4, 32), (32, 1)], critic.Layers.Select(l => (l.Inputs, l.Outputs)).ToArray());
        Assert.All(actor.Layers.Take(2).Concat(critic.Layers.Take(1)), l => Assert.Equal(Activation.Relu, l.Activation));
        Assert.Equal(Activation.Identity, actor.Head.Activation);
        Assert.Equal(Activation.Identity, critic.Head.Activation);
        int weights = 4 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2 + 4 * 32 + 32 + 32 + 1;
        Assert.Equal(weights, run.Policy.Store.Parameters.Sum(p => p.Length));

        OptionRun tanh = Ppo(["policy_layers=[]", "learning_rate=0"]);
        Assert.Equal([(4, 2)], tanh.Policy.Actor.Layers.Select(l => (l.Inputs, l.Outputs)).ToArray());
        Assert.All(tanh.Policy.Critic.Layers.Take(2), l => Assert.Equal(Activation.Tanh, l.Activation));
    }

    // ------------------------------------------------------------------ ortho_init

    [Fact]
    public void Ortho_init_makes_weights_semi_orthogonal_with_the_documented_gains_and_zero_biases()
    {
        OptionRun ortho = Ppo(["ortho_init=true", "learning_rate=0"]);
        ActorCriticPolicyLayers(ortho, out LinearLayer[] hidden, out LinearLayer policyHead, out LinearLayer valueHead);
        foreach (LinearLayer layer in hidden) AssertSemiOrthogonal(layer, Math.Sqrt(2));
        AssertSemiOrthogonal(policyHead, 0.01);
        AssertSemiOrthogonal(valueHead, 1);
        Assert.All(hidden.Append(policyHead).Append(valueHead), l => Assert.All(l.Bias.Value.ToArray(), b => Assert.Equal(0f, b)));

        OptionRun uniform = Ppo(["ortho_init=false", "learning_rate=0"]);
        ActorCriticPolicyLayers(uniform, out hidden, out _, out _);
        // Uniform in ±1/√fan_in, biases included.
        foreach (LinearLayer layer in hidden)
        {
            float bound = 1f / MathF.Sqrt(layer.Inputs);
            Assert.All(layer.Weight.Value.ToArray(), w => Assert.InRange(w, -bound, bound));
            Assert.Contains(layer.Bias.Value.ToArray(), b => b != 0f);
        }
        Assert.False(IsSemiOrthogonal(hidden[1], Math.Sqrt(2)));
    }

    private static void ActorCriticPolicyLayers(OptionRun run, out LinearLayer[] hidden, out LinearLayer policyHead, out LinearLayer valueHead)
    {
        hidden = [.. run.Policy.Actor.Layers.SkipLast(1), .. run.Policy.Critic.Layers.SkipLast(1)];
        (policyHead, valueHead) = (run.Policy.Actor.Head, run.Policy.Critic.Head);
    }

    private static void AssertSemiOrthogonal(LinearLayer layer, double gain) =>
        Assert.True(IsSemiOrthogonal(layer, gain), $"{layer.Weight.Name} is not {gain}·(semi-)orthogonal");

    // The weight as stored, [inputs, outputs]: the Gram matrix over the smaller dimension is gain²·I.
    private static bool IsSemiOrthogonal(LinearLayer layer, double gain)
    {
        float[] w = layer.Weight.Value.ToArray();
        int rows = layer.Inputs, cols = layer.Outputs;
        bool overRows = rows <= cols;
        int k = overRows ? rows : cols, n = overRows ? cols : rows;
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++)
                    dot += overRows ? (double)w[a * cols + j] * w[b * cols + j] : (double)w[j * cols + a] * w[j * cols + b];
                if (Math.Abs(dot - (a == b ? gain * gain : 0)) > 1e-4 * gain * gain) return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ log_std_init, state_dependent_std

    [Theory]
    [InlineData(-1f)]
    [InlineData(0.5f)]
    public void Log_std_init_sets_the_initial_standard_deviation(float logStd)
    {
        // learning_rate 0: the std diagnostic is the initial σ = exp(log_std_init).
        OptionRun run = Ppo([$"log_std_init={logStd.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "learning_rate=0"], env: "Pendulum-v1");
        Assert.All(run.Policy.LogStd!.Value.ToArray(), v => Assert.Equal(logStd, v));
        Assert.Equal(Math.Exp(logStd), run.Last["std"], 6);
    }

    [Fact]
    public void State_dependent_std_makes_log_sigma_an_actor_output()
    {
        OptionRun run = Ppo(["state_dependent_std=true", "log_std_init=-0.5", "learning_rate=0.003"], env: "Pendulum-v1");
        Assert.Null(run.Policy.LogStd);
        Assert.Null(run.Policy.Store.Find("log_std"));
        Assert.Equal(2, run.Policy.HeadSize);            // mean and log σ of the one torque dimension
        Assert.False(run.Last.Contains("std"));          // no state-independent σ to report
        // After an update, log σ differs between states.
        const int rows = 16;
        float[] obs = OptionTestKit.ProbeObservations(rows, 3, scale: 1f);
        var head = new float[rows * 2];
        run.Policy.Actor.Forward(obs, rows, head);
        float[] logSigma = Enumerable.Range(0, rows).Select(r => head[r * 2 + 1]).ToArray();
        Assert.True(logSigma.Max() - logSigma.Min() > 1e-4, $"log σ range {logSigma.Min()}..{logSigma.Max()}");

        OptionRun independent = Ppo(["state_dependent_std=false"], env: "Pendulum-v1");
        Assert.Equal(1, independent.Policy.HeadSize);
        Assert.NotNull(independent.Policy.LogStd);
    }
}
