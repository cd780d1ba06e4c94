using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments.Vector;

public class VectorEnvironmentTests
{
    private static float[] RandomDiscreteActions(Rng rng, int count, int actions)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++)
            a[i] = rng.NextInt(actions);
        return a;
    }

    [Fact]
    public void Reset_seeds_copy_i_with_seed_plus_i()
    {
        using var vector = new SyncVectorEnvironment("CartPole-v1", 3);
        vector.Reset(seed: 100);
        for (int i = 0; i < 3; i++)
        {
            using IEnvironment single = EnvironmentRegistry.Make("CartPole-v1");
            Assert.Equal(single.Reset(seed: 100 + (ulong)i), vector.Observations.AsSpan(4 * i, 4).ToArray());
        }
    }

    [Fact]
    public void Same_step_autoreset_keeps_the_final_observation_and_resets_the_row()
    {
        using var vector = new SyncVectorEnvironment("CartPole-v1", 2);
        vector.Reset(seed: 5);
        using var shadow = (TimeLimit)EnvironmentRegistry.Make("CartPole-v1"); // mirrors copy 0
        var shadowObs = shadow.Reset(seed: 5);
        bool sawEnd = false;
        for (int step = 0; step < 200 && !sawEnd; step++)
        {
            vector.Step([1f, 0f]); // always push right: copy 0 falls within a few dozen steps
            StepResult r = shadow.Step([1f], shadowObs);
            Assert.Equal(r.Terminated, vector.Terminated[0]);
            Assert.Equal(1.0, vector.Rewards[0]);
            if (r.Done)
            {
                sawEnd = true;
                Assert.Equal(shadowObs, vector.FinalObservations.AsSpan(0, 4).ToArray());
                shadow.Reset(shadowObs); // continues the copy's stream, as the autoreset does
                Assert.Equal(shadowObs, vector.Observations.AsSpan(0, 4).ToArray());
            }
            else
            {
                Assert.Equal(shadowObs, vector.Observations.AsSpan(0, 4).ToArray());
            }
        }
        Assert.True(sawEnd);
    }

    [Fact]
    public void Truncation_by_the_time_limit_is_reported_and_autoreset()
    {
        using var vector = new SyncVectorEnvironment(() => EnvironmentRegistry.Make("Pendulum-v1", maxEpisodeSteps: 3), 2);
        vector.Reset(seed: 1);
        var actions = new float[2];
        vector.Step(actions);
        vector.Step(actions);
        Assert.False(vector.Truncated[0]);
        vector.Step(actions);
        Assert.True(vector.Truncated[0] && vector.Truncated[1]);
        Assert.False(vector.Terminated[0]);
        vector.Step(actions); // the copies were reset; stepping goes on
        Assert.False(vector.Truncated[0]);
    }

    [Theory]
    [InlineData("CartPole-v1", 2)]
    [InlineData("Acrobot-v1", 3)]
    [InlineData("MountainCar-v0", 3)]
    public void Threaded_results_are_bit_identical_to_sync(string id, int actionCount)
    {
        const int copies = 7;
        using var sync = new SyncVectorEnvironment(id, copies);
        using var threaded = new ThreadedVectorEnvironment(id, copies, threadCount: 3);
        Assert.Equal(3, threaded.ThreadCount);
        sync.Reset(seed: 11);
        threaded.Reset(seed: 11);
        Assert.Equal(sync.Observations, threaded.Observations);
        var rng = new Rng(2UL);
        // Long enough for the threaded vector to time the mode it is not using (every 256 or 1024 steps) and possibly
        // switch between stepping on its threads and on the caller alone: neither may change a bit.
        for (int step = 0; step < 3000; step++)
        {
            float[] actions = RandomDiscreteActions(rng, copies, actionCount);
            sync.Step(actions);
            threaded.Step(actions);
            Assert.Equal(sync.Observations, threaded.Observations);
            Assert.Equal(sync.Rewards, threaded.Rewards);
            Assert.Equal(sync.Terminated, threaded.Terminated);
            Assert.Equal(sync.Truncated, threaded.Truncated);
            for (int i = 0; i < copies; i++)
            {
                if (sync.Terminated[i] || sync.Truncated[i])
                    Assert.Equal(sync.FinalObservations.AsSpan(sync.ObservationSize * i, sync.ObservationSize).ToArray(), threaded.FinalObservations.AsSpan(sync.ObservationSize * i, sync.ObservationSize).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(5, 4)]
    [InlineData(13, 2)]
    [InlineData(3, 8)]
    public void Threaded_handles_uneven_chunks_and_more_threads_than_copies(int copies, int threads)
    {
        using var sync = new SyncVectorEnvironment("Acrobot-v1", copies);
        using var threaded = new ThreadedVectorEnvironment("Acrobot-v1", copies, threadCount: threads);
        Assert.Equal(Math.Min(copies, threads), threaded.ThreadCount);
        sync.Reset(seed: 21);
        threaded.Reset(seed: 21);
        var rng = new Rng(6UL);
        for (int step = 0; step < 200; step++)
        {
            float[] actions = RandomDiscreteActions(rng, copies, 3);
            sync.Step(actions);
            threaded.Step(actions);
            Assert.Equal(sync.Observations, threaded.Observations);
            Assert.Equal(sync.Rewards, threaded.Rewards);
        }
        threaded.Reset(); // unseeded resets continue each copy's stream in both
        sync.Reset();
        Assert.Equal(sync.Observations, threaded.Observations);
    }

    [Fact]
    public void Threaded_rethrows_errors_from_workers_on_the_caller()
    {
        using var threaded = new ThreadedVectorEnvironment("CartPole-v1", 4, threadCount: 2);
        threaded.Reset(seed: 0);
        var ex = Assert.Throws<PolicyLabException>(() => threaded.Step([0f, 1f, 0f, 7f]));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
        // Handed to the threads, a bad action in the worker's block fails the step the same way, and the vector goes on.
        threaded.ForcedThreads = true;
        ex = Assert.Throws<PolicyLabException>(() => threaded.Step([0f, 1f, 0f, 7f]));
        Assert.Contains("CartPole-v1", ex.Message, StringComparison.Ordinal);
        threaded.Reset(seed: 0);
        threaded.Step([0f, 1f, 0f, 1f]);
    }

    [Theory]
    [InlineData("CartPole-v1", 7, 3, 2)]
    [InlineData("Acrobot-v1", 13, 2, 3)]
    [InlineData("MountainCar-v0", 3, 8, 3)]
    public void Threaded_steps_handed_to_the_threads_are_bit_identical_to_sync(string id, int copies, int threads, int actionCount)
    {
        // CartPole and the like are too cheap for the timing to choose the threads; forcing them tests the hand-off
        // (copies taken from the front by their owner and from the back by the others) on every step.
        (int terminations, int truncations) = ThreadedEquivalence.AssertBitIdentical(id, copies, threads, steps: 1200, seed: 4, (rng, actions) =>
        {
            for (int i = 0; i < actions.Length; i++) actions[i] = rng.NextInt(actionCount);
        });
        Assert.True(terminations + truncations >= copies, $"{id}: every copy was expected to end an episode; {terminations} + {truncations}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Specialised_cartpole_vector_matches_the_generic_one_exactly(bool suttonBartoReward)
    {
        const int copies = 9; // two SIMD blocks of four and a scalar tail
        using var generic = new SyncVectorEnvironment("CartPole-v1", copies, arguments: new Dictionary<string, object> { ["sutton_barto_reward"] = suttonBartoReward });
        using var fast = new CartPoleVectorEnvironment(copies, suttonBartoReward: suttonBartoReward);
        generic.Reset(seed: 77);
        fast.Reset(seed: 77);
        Assert.Equal(generic.Observations, fast.Observations);
        var rng = new Rng(4UL);
        int ends = 0, truncations = 0;
        for (int step = 0; step < 1500; step++)
        {
            // Mostly balancing policy so that both termination and the 500-step truncation happen.
            var actions = new float[copies];
            for (int i = 0; i < copies; i++)
                actions[i] = i % 3 == 0 ? rng.NextInt(2) : (generic.Observations[4 * i + 2] + 0.5f * generic.Observations[4 * i + 3] > 0 ? 1f : 0f);
            generic.Step(actions);
            fast.Step(actions);
            Assert.Equal(generic.Observations, fast.Observations);
            Assert.Equal(generic.Rewards, fast.Rewards);
            Assert.Equal(generic.Terminated, fast.Terminated);
            Assert.Equal(generic.Truncated, fast.Truncated);
            for (int i = 0; i < copies; i++)
            {
                if (generic.Terminated[i] || generic.Truncated[i])
                {
                    ends++;
                    truncations += generic.Truncated[i] ? 1 : 0;
                    Assert.Equal(generic.FinalObservations.AsSpan(4 * i, 4).ToArray(), fast.FinalObservations.AsSpan(4 * i, 4).ToArray());
                }
            }
        }
        Assert.True(ends > copies, $"{ends} episode ends");
        Assert.True(truncations > 0, "no copy reached the 500-step limit");
    }

    [Fact]
    public void Sync_step_does_not_allocate()
    {
        using var vector = new SyncVectorEnvironment("CartPole-v1", 16);
        vector.Reset(seed: 0);
        var actions = new float[16];
        for (int i = 0; i < 16; i++)
            actions[i] = i % 2;
        Assert.Equal(0, SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 5000; i++)
                vector.Step(actions);
        }));
    }

    [Fact]
    public void Single_environment_step_does_not_allocate()
    {
        using var env = new CartPole();
        var obs = new float[4];
        env.Reset(obs, seed: 0);
        float[] action = [1f];
        Assert.Equal(0, SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 10000; i++)
            {
                action[0] = i & 1;
                if (env.Step(action, obs).Done)
                    env.Reset(obs);
            }
        }));
    }

    [Fact]
    public void Specialised_and_threaded_steps_do_not_allocate_on_the_caller()
    {
        using var fast = new CartPoleVectorEnvironment(8);
        using var threaded = new ThreadedVectorEnvironment("CartPole-v1", 8, threadCount: 2) { ForcedThreads = true };
        fast.Reset(seed: 0);
        threaded.Reset(seed: 0);
        var actions = new float[8];
        Assert.Equal(0, SteadyStateAllocation.Bytes(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                fast.Step(actions);
                threaded.Step(actions);
            }
        }));
    }

    [Fact]
    public void Vector_errors_name_the_problem()
    {
        using var vector = new SyncVectorEnvironment("CartPole-v1", 2);
        Assert.Throws<PolicyLabException>(() => vector.Step([0f, 0f])); // before reset
        vector.Reset(seed: 0);
        var ex = Assert.Throws<PolicyLabException>(() => vector.Step([0f, 0f, 0f]));
        Assert.Contains("2 copies", ex.Message, StringComparison.Ordinal);
        using var fast = new CartPoleVectorEnvironment(2);
        fast.Reset(seed: 0);
        Assert.Throws<PolicyLabException>(() => fast.Step([0f, 2f]));
    }

    [Fact]
    public void Vector_episode_statistics_report_finished_episodes()
    {
        using var stats = new VectorEpisodeStatistics(new SyncVectorEnvironment(() => EnvironmentRegistry.Make("Pendulum-v1", maxEpisodeSteps: 4), 2));
        stats.Reset(seed: 0);
        double[] sums = new double[2];
        for (int step = 0; step < 4; step++)
        {
            stats.Step(new float[2]);
            sums[0] += stats.Rewards[0];
            sums[1] += stats.Rewards[1];
        }
        Assert.True(stats.Truncated[0]);
        Assert.Equal(2, stats.EpisodeCount);
        Assert.Equal(4, stats.EpisodeLengths[0]);
        Assert.Equal(sums[0], stats.EpisodeReturns[0], 12);
        Assert.Equal(sums[1], stats.EpisodeReturns[1], 12);
        Assert.Equal(2, stats.RecentReturns.Count);
        Assert.Equal((sums[0] + sums[1]) / 2, stats.MeanRecentReturn, 12);
    }

    [Fact]
    public void Vector_normalizer_normalizes_and_can_be_frozen_exported_and_imported()
    {
        using var normalized = new NormalizeVectorEnvironment(new CartPoleVectorEnvironment(8));
        normalized.Reset(seed: 3);
        var rng = new Rng(8UL);
        for (int step = 0; step < 300; step++)
            normalized.Step(RandomDiscreteActions(rng, 8, 2));
        // Observations equal the formula applied to the raw values.
        var stats = normalized.ObservationStatistics;
        for (int i = 0; i < 8 * 4; i++)
        {
            int j = i % 4;
            double expected = Math.Clamp((normalized.OriginalObservations[i] - stats.Mean[j]) / Math.Sqrt(stats.Variance[j] + 1e-8), -10, 10);
            Assert.Equal((float)expected, normalized.Observations[i]);
        }
        // Rewards are 1 / std(discounted return), clipped.
        double scale = Math.Sqrt(normalized.ReturnStatistics.Variance[0] + 1e-8);
        Assert.Equal(Math.Min(1.0 / scale, 10.0), normalized.Rewards[0], 12);

        NormalizationState saved = normalized.Export();
        normalized.IsTraining = false;
        double countBefore = normalized.ObservationStatistics.Count;
        normalized.Step(RandomDiscreteActions(rng, 8, 2));
        Assert.Equal(countBefore, normalized.ObservationStatistics.Count);

        using var evaluation = new NormalizeVectorEnvironment(new CartPoleVectorEnvironment(8)) { IsTraining = false };
        evaluation.Import(saved);
        Assert.Equal(saved.Observations.Mean, evaluation.ObservationStatistics.Mean);
        Assert.Equal(saved.Returns.Variance, evaluation.ReturnStatistics.Variance);
        Assert.Throws<PolicyLabException>(() => new NormalizeVectorEnvironment(new SyncVectorEnvironment("Pendulum-v1", 1)).Import(saved));
    }

    [Fact]
    public void Vector_normalizer_normalizes_final_observations_too()
    {
        using var normalized = new NormalizeVectorEnvironment(new CartPoleVectorEnvironment(1));
        normalized.Reset(seed: 3);
        for (int step = 0; step < 100; step++)
        {
            normalized.Step([1f]);
            if (normalized.Terminated[0])
            {
                var stats = normalized.ObservationStatistics;
                for (int j = 0; j < 4; j++)
                {
                    double expected = Math.Clamp((normalized.OriginalFinalObservations[j] - stats.Mean[j]) / Math.Sqrt(stats.Variance[j] + 1e-8), -10, 10);
                    Assert.Equal((float)expected, normalized.FinalObservations[j]);
                }
                return;
            }
        }
        Assert.Fail("CartPole pushed right must terminate within 100 steps.");
    }
}
