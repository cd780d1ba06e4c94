namespace PolicyLab.Tests.Algorithms;

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
}
