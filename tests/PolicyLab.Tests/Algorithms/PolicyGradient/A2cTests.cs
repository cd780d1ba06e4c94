using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

public class A2cTests
{
    [Fact]
    public void Learns_CartPole_within_200k_steps()
    {
        (var result, string folder) = PolicyGradientHarness.Train("a2c", "CartPole-v1", 200_000, seed: 0);
        PolicyGradientHarness.Delete(folder);
        Assert.Equal(20, result.FinalEvaluation!.Returns.Length);
        Assert.True(PolicyGradientHarness.FinalReturn(result) >= 475, $"final mean return {PolicyGradientHarness.FinalReturn(result)}");
    }

    [Fact]
    public void Same_seed_gives_identical_experiment_json()
    {
        (_, string a) = PolicyGradientHarness.Train("a2c", "CartPole-v1", 20_000, seed: 7);
        (_, string b) = PolicyGradientHarness.Train("a2c", "CartPole-v1", 20_000, seed: 7);
        byte[] first = File.ReadAllBytes(Path.Combine(a, "experiment.json")), second = File.ReadAllBytes(Path.Combine(b, "experiment.json"));
        PolicyGradientHarness.Delete(a);
        PolicyGradientHarness.Delete(b);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Trains_on_continuous_actions()
    {
        (var result, string folder) = PolicyGradientHarness.Train("a2c", "Pendulum-v1", 4_000, seed: 1, "n_envs=4");
        PolicyGradientHarness.Delete(folder);
        Assert.Equal(4_000, result.Steps);
        Assert.True(double.IsFinite(PolicyGradientHarness.FinalReturn(result)));
    }

    private static (ActorCriticPolicy Policy, RolloutBuffer Buffer) HandMadeRollout()
    {
        var policy = new ActorCriticPolicy(new Box(-1f, 1f, 3), new Discrete(2), new PolicyNetworkSettings([8], [8]), new Rng(9));
        var buffer = new RolloutBuffer(4, 1, 3, 1);
        new Rng(10).FillUniform(buffer.Observations, -1f, 1f);
        float[] actions = [0f, 1f, 1f, 0f];
        actions.CopyTo(buffer.Actions, 0);
        float[] returns = [1f, 2f, -1f, 0.5f];
        returns.CopyTo(buffer.Returns, 0);
        return (policy, buffer);
    }

    [Fact]
    public void Value_term_gradient_is_vf_coef_times_the_MSE_gradient_and_spares_the_actor()
    {
        (ActorCriticPolicy policy, RolloutBuffer buffer) = HandMadeRollout();
        buffer.Advantages.AsSpan().Clear();   // no policy term
        var step = new ActorCriticLoss(policy, buffer.Count);
        step.ComputeGradients(buffer, normalizeAdvantages: false, valueCoefficient: 0.5f, entropyCoefficient: 0f, maxGradNorm: 1e9f, "test");

        float[] v = new float[4];
        policy.PredictValues(buffer.Observations, 4, v);
        // ∂/∂b of 0.5·mean((V − R)²) for the critic's output bias b is 0.5·2·mean(V − R).
        double expected = 0.5 * 2 * Enumerable.Range(0, 4).Average(i => v[i] - buffer.Returns[i]);
        Parameter bias = policy.Store.Parameters.Last(p => p.Name.EndsWith(".bias", StringComparison.Ordinal));
        Assert.Equal(expected, bias.Gradient[0], 4);
        Assert.All(policy.Store.Gradients[..policy.ActorParameterCount].ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Policy_term_gradient_reaches_only_the_actor_and_follows_the_advantage_sign()
    {
        (ActorCriticPolicy policy, RolloutBuffer buffer) = HandMadeRollout();
        float[] advantages = [1f, 1f, 1f, 1f];
        advantages.CopyTo(buffer.Advantages, 0);
        var step = new ActorCriticLoss(policy, buffer.Count);
        ActorCriticLoss.Result r = step.ComputeGradients(buffer, normalizeAdvantages: false, valueCoefficient: 0f, entropyCoefficient: 0f, maxGradNorm: 1e9f, "test");
        Assert.All(policy.Store.Gradients[policy.ActorParameterCount..].ToArray(), g => Assert.Equal(0f, g));

        // A small step against the gradient raises the mean log-probability of the taken actions (Â > 0).
        float[] before = LogProbs(policy, buffer);
        for (int i = 0; i < policy.ActorParameterCount; i++) policy.Store.Values[i] -= 1e-2f * policy.Store.Gradients[i];
        float[] after = LogProbs(policy, buffer);
        Assert.True(after.Average() > before.Average());
        Assert.Equal(-before.Average(), r.PolicyLoss, 4);
    }

    private static float[] LogProbs(ActorCriticPolicy policy, RolloutBuffer buffer)
    {
        var tape = new Tape();
        (_, Tensor logp, _) = policy.Evaluate(tape, tape.Constant(buffer.Observations, new Shape(4, 3)), tape.Constant(buffer.Actions));
        return logp.ToArray();
    }
}
