using PolicyLab.Tests.Algorithms.PolicyGradient;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>
/// Every policy-gradient method trains on MultiDiscrete and MultiBinary action spaces: on MatchPattern-v0
/// (MultiDiscrete([3 3 3]); a random policy earns 1/3) and MatchBits-v0 (MultiBinary(4); a random policy earns
/// 1/2) each method, fixed seed, must reach a deterministic evaluation return of at least 0.9 (the optimum is 1).
/// </summary>
public sealed class MultiComponentActionTests
{
    public static TheoryData<string, string, long, string[]> Runs() => new()
    {
        { "ppo", "MatchPattern-v0", 8_000, ["n_envs=8", "n_steps=64", "batch_size=64", "n_epochs=4", "learning_rate=0.003"] },
        { "ppo", "MatchBits-v0", 8_000, ["n_envs=8", "n_steps=64", "batch_size=64", "n_epochs=4", "learning_rate=0.003"] },
        { "a2c", "MatchPattern-v0", 12_000, ["n_envs=8", "learning_rate=0.003"] },
        { "a2c", "MatchBits-v0", 12_000, ["n_envs=8", "learning_rate=0.003"] },
        { "a3c", "MatchPattern-v0", 12_000, ["n_workers=1", "envs_per_worker=8", "learning_rate=0.003"] },
        { "a3c", "MatchBits-v0", 12_000, ["n_workers=1", "envs_per_worker=8", "learning_rate=0.003"] },
        { "vpg", "MatchPattern-v0", 10_000, ["n_envs=4", "n_steps=250", "learning_rate=0.01", "train_v_iters=10"] },
        { "vpg", "MatchBits-v0", 10_000, ["n_envs=4", "n_steps=250", "learning_rate=0.01", "train_v_iters=10"] },
        { "reinforce", "MatchPattern-v0", 10_000, ["n_envs=16", "learning_rate=0.01", "train_v_iters=5"] },
        { "reinforce", "MatchBits-v0", 10_000, ["n_envs=16", "learning_rate=0.01", "train_v_iters=5"] },
        { "npg", "MatchPattern-v0", 10_000, ["n_envs=4", "n_steps=250", "max_kl=0.05"] },
        { "npg", "MatchBits-v0", 10_000, ["n_envs=4", "n_steps=250", "max_kl=0.05"] },
        { "trpo", "MatchPattern-v0", 10_000, ["n_envs=4", "n_steps=250", "max_kl=0.05"] },
        { "trpo", "MatchBits-v0", 10_000, ["n_envs=4", "n_steps=250", "max_kl=0.05"] },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Learns_a_multi_component_action(string algorithm, string environment, long steps, string[] overrides)
    {
        (var result, string folder) = PolicyGradientHarness.Train(algorithm, environment, steps, seed: 1, overrides);
        try
        {
            double final = PolicyGradientHarness.FinalReturn(result);
            Assert.True(final >= 0.9, $"{algorithm} on {environment}: final deterministic return {final:F3} < 0.9 after {steps} steps");
        }
        finally
        {
            PolicyGradientHarness.Delete(folder);
        }
    }

    [Fact]
    public void The_distribution_is_chosen_from_the_action_space()
    {
        Assert.IsType<CategoricalActions>(ActionDistribution.For(new Discrete(3)));
        Assert.IsType<GaussianActions>(ActionDistribution.For(new Box(-1f, 1f, 2)));
        Assert.IsType<MultiCategoricalActions>(ActionDistribution.For(new MultiDiscrete(3, 2)));
        Assert.IsType<BernoulliActions>(ActionDistribution.For(new MultiBinary(4)));
        Assert.Equal(5, ActionDistribution.For(new MultiDiscrete(3, 2)).HeadSize);
        Assert.Equal(2, ActionDistribution.For(new MultiDiscrete(3, 2)).ActionSize);
        Assert.Equal(4, ActionDistribution.For(new Box(-1f, 1f, 2), stateDependentStd: true).HeadSize);
        Assert.Equal(0, ActionDistribution.For(new Box(-1f, 1f, 2), stateDependentStd: true).LogStdSize);
    }

    [Fact]
    public void Acting_gives_valid_actions_with_log_probabilities_that_match_the_tape()
    {
        foreach (Space space in new Space[] { new MultiDiscrete(3, 2, 4), new MultiBinary(5), new Box(-1f, 1f, 3), new Discrete(4) })
        {
            foreach (bool stateDependent in new[] { false, true })
            {
                var policy = new ActorCriticPolicy(new Box(-1f, 1f, 2), space, new PolicyNetworkSettings([8], [8], OrthogonalInit: false, StateDependentStd: stateDependent), new Rng(5));
                const int batch = 6;
                float[] obs = new float[batch * 2];
                new Rng(1).FillUniform(obs, -1f, 1f);
                var actions = new float[batch * policy.ActionSize];
                var logp = new float[batch];
                policy.Act(obs, batch, deterministic: false, new Rng(2), actions, logp);
                var environmentActions = new float[batch * space.FlatSize];
                policy.ToEnvironmentActions(actions, batch, environmentActions);
                for (int i = 0; i < batch; i++)
                    Assert.True(space.Contains(environmentActions.AsSpan(i * space.FlatSize, space.FlatSize)), $"{space}: action {i} outside the space");

                var tape = new Tape();
                Tensor o = tape.Constant(obs, new Shape(batch, 2));
                (_, Tensor onTape, _) = policy.Evaluate(tape, o, policy.Actions(tape, actions, batch));
                for (int i = 0; i < batch; i++)
                    Assert.Equal(logp[i], onTape.Data[i], 4);
            }
        }
    }

    [Fact]
    public void A_state_dependent_std_starts_at_log_std_init_for_every_state()
    {
        var policy = new ActorCriticPolicy(new Box(-1f, 1f, 3), new Box(-2f, 2f, 2),
            new PolicyNetworkSettings([16], [16], LogStdInit: -0.5f, StateDependentStd: true), new Rng(3));
        Assert.Null(policy.LogStd);
        var rng = new Rng(4);
        float[] obs = new float[4 * 3];
        rng.FillUniform(obs, -1f, 1f);
        var head = new float[4 * policy.HeadSize];
        policy.Actor.Forward(obs, 4, head);
        for (int r = 0; r < 4; r++)
            for (int d = 0; d < 2; d++)
                Assert.Equal(-0.5f, head[r * 4 + 2 + d], 6);
    }
}
