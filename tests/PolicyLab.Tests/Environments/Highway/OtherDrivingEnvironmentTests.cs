using PolicyLab.Environments;
using PolicyLab.Environments.Highway;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.Highway;

public class OtherDrivingEnvironmentTests
{
    [Theory]
    [InlineData("highway-v0", 5 * 5, 1)]
    [InlineData("highway-fast-v0", 5 * 5, 1)]
    [InlineData("merge-v0", 5 * 5, 1)]
    [InlineData("roundabout-v0", 5 * 5, 1)]
    [InlineData("racetrack-v0", 2 * 12 * 12, 1)]
    public void Every_driving_environment_makes_resets_steps_and_renders(string id, int observationSize, int actionSize)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        Assert.Equal(observationSize, env.ObservationSpace.FlatSize);
        Assert.Equal(actionSize, env.ActionSpace.FlatSize);
        Assert.Empty(EnvironmentChecker.Check(env));
        var obs = new float[observationSize];
        env.Reset(obs, seed: 3);
        var action = new float[actionSize];
        var rng = new PolicyLab.Numerics.Rng(9);
        int steps = 0;
        for (int i = 0; i < 30; i++)
        {
            if (env.ActionSpace is Discrete d) action[0] = rng.NextInt(d.Count);
            else action[0] = (float)rng.Uniform(-0.2, 0.2);
            StepResult r = env.Step(action, obs);
            Assert.InRange(r.Reward, -1e-9, 1 + 1e-9);
            Assert.All(obs, o => Assert.True(float.IsFinite(o)));
            steps++;
            if (r.Done) break;
        }
        Assert.True(steps > 0);
        var frame = env.Render();
        Assert.True(frame.Width >= 600);
    }

    [Fact]
    public void Merge_ramp_joins_the_merge_lane_and_ends_at_an_obstacle()
    {
        var env = (MergeEnvironment)EnvironmentRegistry.Make("merge-v0").Unwrapped();
        env.Reset(new float[25], seed: 0);
        RoadNetwork net = env.Road.Network;
        Lane ramp = net.Lanes[net.LaneIndex("j", "k", 0)];
        Lane sine = net.Lanes[net.LaneIndex("k", "b", 0)];
        Lane merge = net.Lanes[net.LaneIndex("b", "c", 2)];
        AssertSamePoint(ramp.Position(ramp.Length, 0), sine.Position(0, 0));
        AssertSamePoint(sine.Position(sine.Length, 0), merge.Position(0, 0));
        AssertSamePoint((230, 8), merge.Position(0, 0));
        Assert.Equal(1, env.Road.ObjectCount);
        AssertSamePoint((310, 8), (env.Road.ObjectAt(0).X, env.Road.ObjectAt(0).Y));
        Assert.Equal(5, env.Road.VehicleCount);
        Assert.Equal((30.0, 4.0, 30.0), (env.Ego.X, env.Ego.Y, env.Ego.Speed));
    }

    [Fact]
    public void Racetrack_is_a_closed_circuit()
    {
        var env = (RacetrackEnvironment)EnvironmentRegistry.Make("racetrack-v0").Unwrapped();
        env.Reset(new float[288], seed: 0);
        RoadNetwork net = env.Road.Network;
        string[] nodes = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "a"];
        for (int k = 0; k + 1 < nodes.Length - 1; k++)
        {
            // The inner lane (id 0) of each section ends within 1.5 m of where the next one starts (highway-env's track
            // has small seams).
            Lane a = net.Lanes[net.LaneIndex(nodes[k], nodes[k + 1], 0)];
            Lane b = net.Lanes[net.LaneIndex(nodes[k + 1], nodes[k + 2], 0)];
            var (x0, y0) = a.Position(a.Length, 0);
            var (x1, y1) = b.Position(0, 0);
            Assert.True(Math.Sqrt((x0 - x1) * (x0 - x1) + (y0 - y1) * (y0 - y1)) < 1.5, $"{nodes[k]}→{nodes[k + 1]} to {nodes[k + 1]}→{nodes[k + 2]}");
        }
        Assert.Equal(10, env.Ego.Speed);
        // Holding the wheel straight on the first straight keeps the speed and stays on the road for a while.
        var obs = new float[288];
        for (int i = 0; i < 5; i++)
            Assert.False(env.Step([0f], obs).Done);
        Assert.Equal(10, env.Ego.Speed, 12);
    }

    [Fact]
    public void Roundabout_routes_the_agent_to_the_north_exit()
    {
        var env = (RoundaboutEnvironment)EnvironmentRegistry.Make("roundabout-v0").Unwrapped();
        var obs = new float[25];
        env.Reset(obs, seed: 4);
        Assert.NotNull(env.Ego.Route);
        RoadNetwork net = env.Road.Network;
        Assert.Equal(net.NodeIndex("nxs"), env.Ego.Route![^1]);
        Assert.Equal(1, env.Ego.SpeedIndex);
        Assert.Equal(5, env.Road.VehicleCount);
        // Absolute, normalised by ±100 m: the ego at (2, 45) → (0.02, 0.45).
        Assert.Equal(0.02f, obs[1], 5);
        Assert.Equal(0.45f, obs[2], 5);
    }

    private static void AssertSamePoint((double X, double Y) a, (double X, double Y) b)
    {
        Assert.Equal(a.X, b.X, 6);
        Assert.Equal(a.Y, b.Y, 6);
    }
}

public class DrivingVectorTests
{
    [Fact]
    public void Threaded_vectors_of_highway_fast_match_the_synchronous_one_through_autoresets()
    {
        (int terminations, int truncations) = PolicyLab.Tests.Environments.Vector.ThreadedEquivalence.AssertBitIdentical(
            "highway-fast-v0", copies: 5, threads: 2, steps: 120, seed: 2, (rng, actions) =>
            {
                for (int i = 0; i < actions.Length; i++) actions[i] = rng.NextInt(5);
            });
        Assert.True(terminations + truncations > 5, $"highway episodes were expected to end and be reset; {terminations} crashes, {truncations} time-outs");
    }

    [Fact]
    public void Threaded_vector_of_highway_fast_is_bit_identical_to_the_synchronous_one()
    {
        using var sync = new PolicyLab.Environments.Vector.SyncVectorEnvironment("highway-fast-v0", 4);
        using var threaded = new PolicyLab.Environments.Vector.ThreadedVectorEnvironment("highway-fast-v0", 4, threadCount: 2);
        sync.Reset(7);
        threaded.Reset(7);
        var rng = new PolicyLab.Numerics.Rng(1);
        var actions = new float[4];
        for (int t = 0; t < 40; t++)
        {
            for (int i = 0; i < 4; i++) actions[i] = rng.NextInt(5);
            sync.Step(actions);
            threaded.Step(actions);
            Assert.Equal(sync.Rewards.ToArray(), threaded.Rewards.ToArray());
            Assert.Equal(sync.Observations.ToArray(), threaded.Observations.ToArray());
        }
    }
}
