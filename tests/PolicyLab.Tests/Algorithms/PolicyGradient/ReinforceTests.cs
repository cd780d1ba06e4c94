using PolicyLab.Algorithms;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

public class ReinforceTests
{
    // Two episodes laid end to end: rewards (1, 2, 3 | 4, 5), γ = 0.5.
    private static readonly float[] Rewards = [1, 2, 3, 4, 5];
    private static readonly float[] Ends = [0, 0, 1, 0, 1];

    [Fact]
    public void Reward_to_go_is_cut_at_episode_ends()
    {
        float[] rtg = new float[5], w = new float[5];
        Reinforce.ComputeReturns(Rewards, Ends, 0.5f, ReinforceReturns.Future, rtg, w);
        float[] expected = [1 + 0.5f * 2 + 0.25f * 3, 2 + 0.5f * 3, 3, 4 + 0.5f * 5, 5];
        Assert.Equal(expected, rtg);
        Assert.Equal(expected, w);
    }

    [Fact]
    public void Total_weighting_gives_every_step_its_episode_return()
    {
        float[] rtg = new float[5], w = new float[5];
        Reinforce.ComputeReturns(Rewards, Ends, 0.5f, ReinforceReturns.Total, rtg, w);
        Assert.Equal([2.75f, 2.75f, 2.75f, 6.5f, 6.5f], w);
        Assert.Equal(3f, rtg[2]);   // the value targets stay the reward-to-go
    }

    [Fact]
    public void Mean_baseline_centres_and_normalization_scales_to_unit_sample_std()
    {
        float[] w = [1, 2, 3, 6];
        Reinforce.ApplyBaseline(w, ReinforceBaseline.Mean, default, normalize: false);
        Assert.Equal([-2f, -1f, 0f, 3f], w);
        Reinforce.ApplyBaseline(w, ReinforceBaseline.None, default, normalize: true);
        // The family's one normalization: sample standard deviation (n − 1), as for advantages.
        double mean = w.Average(), std = Math.Sqrt(w.Select(x => (x - mean) * (x - mean)).Sum() / (w.Length - 1));
        Assert.Equal(0, mean, 6);
        Assert.Equal(1, std, 5);
        Assert.Equal(3 / Math.Sqrt(14.0 / 3), w[3], 5);
    }

    [Fact]
    public void Value_baseline_is_subtracted_per_step()
    {
        float[] w = [5, 5, 5];
        Reinforce.ApplyBaseline(w, ReinforceBaseline.Value, [1, 2, 3], normalize: false);
        Assert.Equal([4f, 3f, 2f], w);
    }

    [Fact]
    public void Equal_returns_normalize_to_zeros()
    {
        float[] w = [7, 7, 7, 7];
        Reinforce.ApplyBaseline(w, ReinforceBaseline.None, default, normalize: true);
        Assert.All(w, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Each_copy_contributes_exactly_its_quota_of_complete_episodes()
    {
        // Copy 0's episodes last 2, 6, 3, … steps, copy 1's 5, 1, 4, …; observations are (episode index, step).
        int[][] lengths = [[2, 6, 3, 3], [5, 1, 4, 4]];
        int made = 0;
        using var env = new SyncVectorEnvironment(() => new FixedLengthEnvironment(lengths[made++]), 2);
        env.Reset(1);
        var settings = new ReinforceSettings { EpisodesPerEnvironment = 1, PolicyLayers = [4], ValueLayers = [4] };
        using var reinforce = new Reinforce(AlgorithmContext.For(env), settings, new Rng(5));
        var diagnostics = new UpdateDiagnostics();

        reinforce.Iterate(0, diagnostics);   // copy 0: episode 0 (2 steps); copy 1: episode 0 (5 steps)
        Assert.Equal([0f, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4], reinforce.BatchObservations.ToArray());

        // Round 2: copy 0 first finishes its ignored episode 1 (3 of 6 steps were taken in round 1), then runs
        // episode 2; copy 1 runs episode 1 and ignores episode 2.
        diagnostics.Clear();
        reinforce.Iterate(0, diagnostics);
        Assert.Equal([2f, 0, 2, 1, 2, 2, 1, 0], reinforce.BatchObservations.ToArray());
        Assert.Equal(4, diagnostics["batch_steps"]);
    }

    [Fact]
    public void Learns_CartPole_with_reward_to_go_and_a_value_baseline()
    {
        (var result, string folder) = PolicyGradientHarness.Train("reinforce", "CartPole-v1", 100_000, seed: 0, "returns=future", "baseline=value");
        PolicyGradientHarness.Delete(folder);
        Assert.True(PolicyGradientHarness.FinalReturn(result) >= 195, $"final mean return {PolicyGradientHarness.FinalReturn(result)}");
    }

    [Theory]
    [InlineData("total", "none")]
    [InlineData("future", "mean")]
    [InlineData("total", "value")]
    public void Trains_on_continuous_actions(string returns, string baseline)
    {
        (var result, string folder) = PolicyGradientHarness.Train("reinforce", "Pendulum-v1", 2_000, seed: 1, "n_envs=2", $"returns={returns}", $"baseline={baseline}");
        PolicyGradientHarness.Delete(folder);
        Assert.True(result.Steps >= 2_000);
        Assert.True(double.IsFinite(PolicyGradientHarness.FinalReturn(result)));
    }

    /// <summary>Episodes of prescribed lengths (cycling), reward 1 per step, observation (episode, step).</summary>
    private sealed class FixedLengthEnvironment(int[] lengths) : IEnvironment
    {
        private int _episode = -1, _step;

        public Space ObservationSpace { get; } = new Box(0f, 1000f, 2);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvironmentSpec? Spec => null;
        public EnvironmentInfo Info { get; } = new();

        public void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
        {
            _episode++;
            _step = 0;
            (observation[0], observation[1]) = (_episode, 0);
        }

        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            _step++;
            (observation[0], observation[1]) = (_episode, _step);
            return new StepResult(1, _step >= lengths[_episode % lengths.Length], false);
        }

        public RgbFrame Render() => throw new NotSupportedException();

        public void Dispose() { }
    }
}
