using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Tests.Environments.Wrappers;

public class WrapperTests
{
    [Fact]
    public void Time_limit_truncates_at_the_limit_and_refuses_further_steps()
    {
        using var env = new TimeLimit(new Pendulum(), 3);
        env.Reset(seed: 0);
        Assert.False(env.Step(0f).Result.Truncated);
        Assert.False(env.Step(0f).Result.Truncated);
        StepResult last = env.Step(0f).Result;
        Assert.True(last.Truncated);
        Assert.False(last.Terminated);
        Assert.True(env.Info.Contains(InfoKeys.TimeLimitTruncated));
        var ex = Assert.Throws<PolicyLabException>(() => env.Step(0f));
        Assert.Contains("Reset", ex.Message, StringComparison.Ordinal);
        env.Reset();
        Assert.Equal(0, env.ElapsedSteps);
    }

    [Fact]
    public void Time_limit_reports_both_flags_when_termination_coincides()
    {
        using var env = new TimeLimit(new CartPole(), 1);
        env.Reset(seed: 0);
        ((CartPole)env.Inner).State = [2.39, 1.0, 0, 0];
        StepResult r = env.Step(1).Result;
        Assert.True(r.Terminated);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void Episode_statistics_fill_the_info_when_an_episode_ends()
    {
        using var env = new EpisodeStatistics(new TimeLimit(new Pendulum(), 5));
        env.Reset(seed: 1);
        double sum = 0;
        for (int i = 0; i < 4; i++)
        {
            sum += env.Step(0.5f).Result.Reward;
            Assert.False(env.Info.Contains(InfoKeys.EpisodeReturn));
        }
        sum += env.Step(0.5f).Result.Reward;
        Assert.Equal(sum, env.Info[InfoKeys.EpisodeReturn], 12);
        Assert.Equal(5.0, env.Info[InfoKeys.EpisodeLength]);
        Assert.Equal(sum, env.LastReturn, 12);
        Assert.Equal(1, env.EpisodeCount);
        Assert.Single(env.ReturnQueue);
        env.Reset();
        Assert.False(env.Info.Contains(InfoKeys.EpisodeReturn)); // the info is cleared by the reset
    }

    [Fact]
    public void Observation_normalization_follows_the_running_statistics_and_freezes()
    {
        using var env = new NormalizeObservation(new Pendulum());
        var raw = new Pendulum();
        float[] obs = env.Reset(seed: 4);
        float[] rawObs = raw.Reset(seed: 4);
        for (int i = 0; i < 50; i++)
        {
            env.Step([1f], obs);
            raw.Step([1f], rawObs);
        }
        for (int j = 0; j < 3; j++)
        {
            double expected = Math.Clamp((rawObs[j] - env.Statistics.Mean[j]) / Math.Sqrt(env.Statistics.Variance[j] + 1e-8), -10, 10);
            Assert.Equal((float)expected, obs[j]);
        }
        Assert.Equal(51.0 + 1e-4, env.Statistics.Count, 9);
        env.IsFrozen = true;
        env.Step([1f], obs);
        Assert.Equal(51.0 + 1e-4, env.Statistics.Count, 9);

        RunningMeanVarianceState saved = env.Statistics.Export();
        using var copy = new NormalizeObservation(new Pendulum()) { IsFrozen = true };
        copy.Statistics.Import(saved);
        Assert.Equal(env.Statistics.Mean, copy.Statistics.Mean);
        Assert.Equal("Box(-10, 10, (3,), float32)", env.ObservationSpace.ToString());
    }

    [Fact]
    public void Running_statistics_match_the_batch_mean_and_population_variance()
    {
        var stats = new RunningMeanVariance(2);
        float[] batchA = [1, 10, 2, 20, 3, 30];
        float[] batchB = [4, 40, 5, 50];
        stats.Update(batchA, 3);
        stats.Update(batchB, 2);
        // With the 1e-4 prior (mean 0, var 1) the result is within ~1e-4 of the plain statistics.
        Assert.Equal(3.0, stats.Mean[0], 3);
        Assert.Equal(30.0, stats.Mean[1], 2);
        Assert.Equal(2.0, stats.Variance[0], 3);
        Assert.Equal(200.0, stats.Variance[1], 1);
    }

    [Fact]
    public void Reward_normalization_divides_by_the_std_of_the_discounted_return()
    {
        using var env = new NormalizeReward(new TimeLimit(new CartPole(), 500), gamma: 0.9);
        var obs = env.Reset(seed: 0);
        double g = 0;
        var returns = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            StepResult r = env.Step([i % 2], obs);
            g = 0.9 * g + 1.0;
            returns.Add(g);
            // Reference: running variance with the 1e-4 prior (mean 0, variance 1).
            double count = 1e-4, mean = 0, variance = 1;
            foreach (double x in returns)
            {
                double delta = x - mean, total = count + 1;
                mean += delta / total;
                variance = (variance * count + delta * delta * count / total) / total;
                count = total;
            }
            Assert.Equal(Math.Clamp(1.0 / Math.Sqrt(variance + 1e-8), -10, 10), r.Reward, 9);
            Assert.Equal(1.0, env.OriginalReward);
        }
        env.IsFrozen = true;
        double frozenCount = env.Statistics.Count;
        env.Step([0], obs);
        Assert.Equal(frozenCount, env.Statistics.Count);
    }

    [Fact]
    public void Clip_and_rescale_actions()
    {
        using var clipped = new ClipAction(new Pendulum { WarningSink = _ => Assert.Fail("the inner environment must not see out-of-range torques") });
        clipped.Reset(seed: 0);
        var inner = (Pendulum)clipped.Inner;
        inner.State = [0.2, 0.0];
        clipped.Step(50f);
        using var reference = new Pendulum();
        reference.State = [0.2, 0.0];
        reference.Step(2f);
        Assert.Equal(reference.State, inner.State);
        Assert.True(clipped.ActionSpace.Contains([1e6f]));

        using var rescaled = new RescaleAction(new Pendulum());
        rescaled.Reset(seed: 0);
        var innerRescaled = (Pendulum)rescaled.Inner;
        innerRescaled.State = [0.2, 0.0];
        rescaled.Step(0.5f); // 0.5 in [-1, 1] → 1.0 in [-2, 2]
        using var reference2 = new Pendulum();
        reference2.State = [0.2, 0.0];
        reference2.Step(1f);
        Assert.Equal(reference2.State, innerRescaled.State);
        Assert.Equal("Box(-1, 1, (1,), float32)", rescaled.ActionSpace.ToString());
        Assert.Throws<PolicyLabException>(() => new ClipAction(new CartPole()));
    }

    [Fact]
    public void Transform_observation_and_reward()
    {
        using var env = new TransformReward(new TransformObservation(new CartPole(), o => o[0] *= 2), r => r * 3);
        using var plain = new CartPole();
        float[] obs = env.Reset(seed: 2);
        float[] plainObs = plain.Reset(seed: 2);
        Assert.Equal(plainObs[0] * 2, obs[0]);
        (float[] next, StepResult result) = env.Step(1);
        (float[] plainNext, _) = plain.Step(1);
        Assert.Equal(plainNext[0] * 2, next[0]);
        Assert.Equal(plainNext[1], next[1]);
        Assert.Equal(3.0, result.Reward);
    }

    [Fact]
    public void Frame_capture_collects_one_frame_per_step_and_reports_episodes()
    {
        using var env = new FrameCapture(new TimeLimit(new MountainCar(), 4));
        int episodes = 0;
        env.EpisodeEnded += (_, frames) =>
        {
            episodes++;
            Assert.Equal(5, frames.Count);
        };
        env.Reset(seed: 0);
        for (int i = 0; i < 4; i++)
            env.Step(1);
        Assert.Equal(1, episodes);
        Assert.Equal(5, env.Frames.Count);
        Assert.All(env.Frames, f => Assert.Equal((600, 400), (f.Width, f.Height)));
        env.ClearFrames();
        Assert.Empty(env.Frames);
    }

    [Fact]
    public void Unwrapped_and_find_walk_the_wrapper_chain()
    {
#pragma warning disable CA1859 // The point is to go through the interface.
        using IEnvironment env = new EpisodeStatistics(new TimeLimit(new CartPole(), 10));
#pragma warning restore CA1859
        Assert.IsType<CartPole>(env.Unwrapped());
        Assert.NotNull(env.Find<TimeLimit>());
        Assert.Null(env.Find<NormalizeReward>());
        Assert.IsType<Discrete>(env.ActionSpace);
    }
}
