using PolicyLab.Algorithms;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

public class VpgTests
{
    [Fact]
    public void Learns_CartPole_within_100k_steps()
    {
        (var result, string folder) = PolicyGradientHarness.Train("vpg", "CartPole-v1", 100_000, seed: 0);
        PolicyGradientHarness.Delete(folder);
        Assert.True(PolicyGradientHarness.FinalReturn(result) >= 475, $"final mean return {PolicyGradientHarness.FinalReturn(result)}");
    }

    [Fact]
    public void Trains_on_continuous_actions()
    {
        (var result, string folder) = PolicyGradientHarness.Train("vpg", "Pendulum-v1", 4_000, seed: 1, "n_envs=2", "n_steps=500", "train_v_iters=5");
        PolicyGradientHarness.Delete(folder);
        Assert.Equal(4_000, result.Steps);
        Assert.True(double.IsFinite(PolicyGradientHarness.FinalReturn(result)));
    }

    [Fact]
    public void Value_iterations_move_only_the_critic()
    {
        using var env = new SyncVectorEnvironment("CartPole-v1", 2);
        env.Reset(3);
        var settings = new VpgSettings { Steps = 64, LearningRate = Schedule.Constant(0f), ValueIterations = 10 };
        using var vpg = new Vpg(AlgorithmContext.For(env), settings, new Rng(3));
        int actor = vpg.Policy.ActorParameterCount;
        float[] before = vpg.Parameters.Values.ToArray();
        var diagnostics = new UpdateDiagnostics();
        vpg.Iterate(0, diagnostics);
        float[] after = vpg.Parameters.Values.ToArray();
        Assert.Equal(before[..actor], after[..actor]);
        Assert.NotEqual(before[actor..], after[actor..]);
        Assert.True(diagnostics["value_loss_after"] < diagnostics["value_loss"]);
    }

    [Fact]
    public void Policy_step_moves_only_the_actor()
    {
        using var env = new SyncVectorEnvironment("CartPole-v1", 2);
        env.Reset(4);
        var settings = new VpgSettings { Steps = 64, ValueIterations = 0 };
        using var vpg = new Vpg(AlgorithmContext.For(env), settings, new Rng(4));
        int actor = vpg.Policy.ActorParameterCount;
        float[] before = vpg.Parameters.Values.ToArray();
        vpg.Iterate(0, new UpdateDiagnostics());
        float[] after = vpg.Parameters.Values.ToArray();
        Assert.NotEqual(before[..actor], after[..actor]);
        Assert.Equal(before[actor..], after[actor..]);
    }
}
