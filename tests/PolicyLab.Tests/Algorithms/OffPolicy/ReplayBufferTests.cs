using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Algorithms.OffPolicy;

public class ReplayBufferTests
{
    // One copy, observation = [t], action = [t / 10], reward = t; episode ends as given.
    private static ReplayBuffer Fill(int capacity, int count, Func<int, (bool Terminated, bool Truncated)> ends)
    {
        var buffer = new ReplayBuffer(capacity, 1, 1, 1);
        for (int t = 0; t < count; t++)
        {
            (bool term, bool trunc) = ends(t);
            buffer.Add([t], [t / 10f], [t], [t + 0.5f], [term], [trunc]);
        }
        return buffer;
    }

    [Fact]
    public void Keeps_the_newest_transitions_when_full()
    {
        ReplayBuffer buffer = Fill(5, 12, _ => (false, false));
        Assert.Equal(5, buffer.Count);
        var batch = new TransitionBatch(200, 1, 1);
        buffer.Sample(new Rng(1UL), batch, 0.9f);
        Assert.All(batch.Observations, o => Assert.InRange(o, 7f, 11f));
        for (int i = 0; i < batch.Size; i++)
        {
            Assert.Equal(batch.Observations[i], batch.Rewards[i]);
            Assert.Equal(batch.Observations[i] + 0.5f, batch.NextObservations[i]);
            Assert.Equal(batch.Observations[i] / 10f, batch.Actions[i]);
        }
    }

    [Fact]
    public void Bootstraps_after_truncation_but_not_after_termination()
    {
        ReplayBuffer buffer = Fill(10, 3, t => (t == 1, t == 2));
        var batch = new TransitionBatch(100, 1, 1);
        buffer.Sample(new Rng(2UL), batch, 0.9f);
        for (int i = 0; i < batch.Size; i++)
            Assert.Equal(batch.Observations[i] == 1f ? 0f : 0.9f, batch.Discounts[i]);
    }

    [Fact]
    public void N_step_returns_stop_at_episode_ends_and_at_the_newest_row()
    {
        // Episode ends: termination after t = 3, truncation after t = 6; 9 rows written.
        ReplayBuffer buffer = Fill(20, 9, t => (t == 3, t == 6));
        var batch = new TransitionBatch(400, 1, 1);
        const float g = 0.5f;
        buffer.Sample(new Rng(3UL), batch, g, nSteps: 3);
        for (int i = 0; i < batch.Size; i++)
        {
            int t = (int)batch.Observations[i];
            int last = Math.Min(t + 2, t <= 3 ? 3 : t <= 6 ? 6 : 8);
            double reward = 0, discount = 1;
            for (int j = t; j <= last; j++) { reward += discount * j; discount *= g; }
            Assert.Equal((float)reward, batch.Rewards[i], 5);
            Assert.Equal(last + 0.5f, batch.NextObservations[i]);
            Assert.Equal(last == 3 ? 0f : (float)discount, batch.Discounts[i], 6);
        }
    }

    [Fact]
    public void Rows_of_several_copies_stay_apart()
    {
        var buffer = new ReplayBuffer(8, 2, 1, 1);
        for (int t = 0; t < 3; t++)
            buffer.Add([t, 100 + t], [0, 0], [t, 100 + t], [t + 1, 101 + t], [false, false], [false, false]);
        var batch = new TransitionBatch(100, 1, 1);
        buffer.Sample(new Rng(4UL), batch, 1f, nSteps: 2);
        for (int i = 0; i < batch.Size; i++)
        {
            float s = batch.Observations[i];
            float expected = s is 2f or 102f ? s : 2 * s + 1; // r_t + r_{t+1} of the same copy, unless t is the newest row
            Assert.Equal(expected, batch.Rewards[i]);
        }
    }

    [Fact]
    public void Saved_state_restores_the_same_samples()
    {
        ReplayBuffer buffer = Fill(6, 9, t => (t % 4 == 3, false));
        var state = new StateDictionary();
        buffer.SaveState(state, "replay");
        var copy = new ReplayBuffer(6, 1, 1, 1);
        copy.LoadState(state, "replay");
        var b1 = new TransitionBatch(64, 1, 1);
        var b2 = new TransitionBatch(64, 1, 1);
        buffer.Sample(new Rng(5UL), b1, 0.9f, 2);
        copy.Sample(new Rng(5UL), b2, 0.9f, 2);
        Assert.Equal(b1.Observations, b2.Observations);
        Assert.Equal(b1.Rewards, b2.Rewards);
        Assert.Equal(b1.Discounts, b2.Discounts);
        Assert.Equal(b1.NextObservations, b2.NextObservations);
    }

    [Fact]
    public void Action_scaling_maps_the_unit_box_onto_the_bounds_and_back()
    {
        var scaler = new ActionScaler(new Box([-2f, 0f], [2f, 1f]), "test");
        float[] env = new float[4], back = new float[4];
        scaler.ToEnvironment([-1f, 1f, 0.5f, 3f], 2, env);
        Assert.Equal([-2f, 1f, 1f, 1f], env);
        scaler.FromEnvironment(env, 2, back);
        Assert.Equal([-1f, 1f, 0.5f, 1f], back);
    }

    [Fact]
    public void Action_scaling_refuses_unbounded_boxes()
    {
        var e = Assert.Throws<PolicyLabException>(() => new ActionScaler(new Box(float.NegativeInfinity, float.PositiveInfinity, 2), "SAC"));
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
    }
}
