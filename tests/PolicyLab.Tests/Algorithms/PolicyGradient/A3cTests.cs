namespace PolicyLab.Tests.Algorithms.PolicyGradient;

public class A3cTests
{
    [Fact]
    public void One_worker_learns_CartPole_within_200k_steps()
    {
        (var result, string folder) = PolicyGradientHarness.Train("a3c", "CartPole-v1", 200_000, seed: 0, "n_workers=1", "envs_per_worker=8");
        PolicyGradientHarness.Delete(folder);
        Assert.True(PolicyGradientHarness.FinalReturn(result) >= 475, $"final mean return {PolicyGradientHarness.FinalReturn(result)}");
    }

    [Fact]
    public void Two_workers_learn_CartPole()
    {
        // Not bit-reproducible: the order of the workers' updates depends on thread timing, and under a loaded
        // machine (CI runs tests in parallel) the final policy can sit in one of A3C's temporary dips. So the bar
        // is clear learning during the run: the best 10-episode training mean (a random policy scores ~22).
        (var result, string folder) = PolicyGradientHarness.Train("a3c", "CartPole-v1", 200_000, seed: 0, "n_workers=2", "envs_per_worker=4");
        double best = PolicyGradientHarness.BestRecentMeanReturn(folder);
        PolicyGradientHarness.Delete(folder);
        Assert.Equal(200_000, result.Steps, tolerance: 2 * 4 * 5);
        Assert.True(best >= 300, $"best 10-episode training mean {best}");
    }

    [Fact]
    public void One_worker_is_deterministic()
    {
        (_, string a) = PolicyGradientHarness.Train("a3c", "CartPole-v1", 10_000, seed: 11, "n_workers=1", "envs_per_worker=2");
        (_, string b) = PolicyGradientHarness.Train("a3c", "CartPole-v1", 10_000, seed: 11, "n_workers=1", "envs_per_worker=2");
        byte[] first = File.ReadAllBytes(Path.Combine(a, "experiment.json")), second = File.ReadAllBytes(Path.Combine(b, "experiment.json"));
        PolicyGradientHarness.Delete(a);
        PolicyGradientHarness.Delete(b);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Trains_on_continuous_actions()
    {
        (var result, string folder) = PolicyGradientHarness.Train("a3c", "Pendulum-v1", 4_000, seed: 1, "n_workers=2", "steps_per_iteration=1000");
        PolicyGradientHarness.Delete(folder);
        Assert.True(result.Steps >= 4_000);
        Assert.True(double.IsFinite(PolicyGradientHarness.FinalReturn(result)));
    }

    [Fact]
    public void Rejects_normalized_runs()
    {
        var e = Assert.Throws<PolicyLabException>(() => PolicyGradientHarness.Train("a3c", "CartPole-v1", 1_000, seed: 1, "normalize=true"));
        Assert.Contains("normalize", e.Message, StringComparison.Ordinal);
    }
}
