using PolicyLab.Environments;
using PolicyLab.Environments.Highway;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.Highway;

public class HighwayRewardAndConfigTests
{
    private static HighwayEnvironment Fresh(string id = "highway-v0", Dictionary<string, object>? args = null)
    {
        var env = (HighwayEnvironment)EnvironmentRegistry.Make(id, args).Unwrapped();
        env.Reset(new float[env.ObservationSpace.FlatSize], seed: 5);
        return env;
    }

    [Fact]
    public void Reward_for_hand_made_situations()
    {
        HighwayEnvironment env = Fresh();
        Vehicle ego = env.Ego;
        // Rightmost lane (id 3 of 4), 30 m/s straight, no crash: (0.1·1 + 0.4·1 + 1)/1.5 = 1.
        ego.X = 500; ego.Y = 12; ego.Heading = 0; ego.Speed = 30; ego.Lane = ego.TargetLane = 3; ego.Crashed = false;
        Assert.Equal(1.0, env.CurrentReward(), 12);
        // Lane 1 at 25 m/s: R = 0.1/3 + 0.4·0.5 → (R + 1)/1.5.
        ego.Y = 4; ego.Lane = ego.TargetLane = 1; ego.Speed = 25;
        Assert.Equal((0.1 / 3 + 0.2 + 1) / 1.5, env.CurrentReward(), 12);
        // The target lane counts, not the current one; the forward speed v·cos ψ is used.
        ego.TargetLane = 2; ego.Heading = 0.2;
        double speedTerm = Math.Clamp((25 * Math.Cos(0.2) - 20) / 10, 0, 1);
        Assert.Equal((0.1 * 2 / 3 + 0.4 * speedTerm + 1) / 1.5, env.CurrentReward(), 12);
        // Crashed at 18 m/s on lane 0: (−1 + 0 + 0 + 1)/1.5 = 0.
        ego.Heading = 0; ego.Y = 0; ego.Lane = ego.TargetLane = 0; ego.Speed = 18; ego.Crashed = true;
        Assert.Equal(0.0, env.CurrentReward(), 12);
        // Off the road: 0 whatever the rest.
        ego.Crashed = false; ego.Speed = 30; ego.Y = -3;
        Assert.Equal(0.0, env.CurrentReward(), 12);
        Assert.Equal((0.0, 0.0, 1.0, 0.0), env.LastRewards);
        // Without normalisation: the weighted sum.
        HighwayEnvironment raw = Fresh("highway-v0", new() { ["normalize_reward"] = false });
        raw.Ego.X = 500; raw.Ego.Y = 8; raw.Ego.Heading = 0; raw.Ego.Speed = 28; raw.Ego.Lane = raw.Ego.TargetLane = 2; raw.Ego.Crashed = false;
        Assert.Equal(0.1 * 2 / 3 + 0.4 * 0.8, raw.CurrentReward(), 12);
    }

    [Fact]
    public void Configuration_comes_from_arguments_and_bad_values_are_explained()
    {
        using IEnvironment env = EnvironmentRegistry.Make("highway-fast-v0", new Dictionary<string, object>
        {
            ["lanes_count"] = 2, ["vehicles_count"] = 7, ["duration"] = 5, ["policy_frequency"] = 5,
            ["observation.vehicles_count"] = 3, ["observation.features"] = "presence,x,y", ["action"] = "ContinuousAction",
        });
        var h = (HighwayEnvironment)env.Unwrapped();
        Assert.Equal(new[] { 3, 3 }, ((Box)env.ObservationSpace).Shape.ToArray());
        Assert.Equal(2, env.ActionSpace.FlatSize);
        var obs = new float[9];
        env.Reset(obs, seed: 1);
        Assert.Equal(8, h.Road.VehicleCount);
        Assert.Equal(2, h.Road.Network.LaneCount);
        int steps = 0;
        StepResult r;
        do { r = env.Step([0f, 0f], obs); steps++; } while (!r.Done);
        Assert.True(r.Terminated || steps == 25, $"5 s at 5 Hz is 25 steps; ended after {steps}");

        // Nested dictionaries as highway-env's config.
        using IEnvironment nested = EnvironmentRegistry.Make("highway-v0", new Dictionary<string, object>
        {
            ["observation"] = new Dictionary<string, object> { ["type"] = "OccupancyGrid", ["grid_size"] = new[] { new[] { -10.0, 10.0 }, new[] { -10.0, 10.0 } }, ["grid_step"] = new[] { 5.0, 5.0 } },
            ["action"] = new Dictionary<string, object> { ["type"] = "DiscreteMetaAction", ["longitudinal"] = false },
        });
        Assert.Equal(new[] { 4, 4, 4 }, ((Box)nested.ObservationSpace).Shape.ToArray());
        Assert.Equal(3, ((Discrete)nested.ActionSpace).Count);

        static string Error(Dictionary<string, object> a) =>
            Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("highway-v0", a)).Message;
        Assert.Contains("Did you mean 'vehicles_count'", Error(new() { ["vehicle_count"] = 3 }));
        Assert.Contains("vehicles_count must be between 0", Error(new() { ["vehicles_count"] = -1 }));
        Assert.Contains("simulation_frequency must be a positive", Error(new() { ["simulation_frequency"] = 0 }));
        Assert.Contains("policy_frequency (4) must divide simulation_frequency (15)", Error(new() { ["policy_frequency"] = 4 }));
        Assert.Contains("Did you mean 'see_behind'", Error(new() { ["observation"] = new Dictionary<string, object> { ["see_behnd"] = true } }));
        Assert.Contains("must be one of Kinematics, OccupancyGrid", Error(new() { ["observation"] = "Kinematic" }));
        Assert.Contains("unknown Kinematics feature 'speed'", Error(new() { ["observation.features"] = "presence,speed" }));
        Assert.Contains("longitudinal, lateral or both", Error(new() { ["action.longitudinal"] = false, ["action.lateral"] = false }));
        Assert.Contains("'duration' must be a number", Error(new() { ["duration"] = "long" }));
    }

    [Fact]
    public void Same_seed_same_episode_and_no_allocation_per_step()
    {
        static (double, float[]) Run()
        {
            using IEnvironment env = EnvironmentRegistry.Make("highway-fast-v0");
            var obs = new float[25];
            env.Reset(obs, seed: 11);
            var rng = new PolicyLab.Numerics.Rng(4);
            double total = 0;
            var action = new float[1];
            for (int i = 0; i < 60; i++)
            {
                action[0] = rng.NextInt(5);
                StepResult r = env.Step(action, obs);
                total += r.Reward;
                if (r.Done) env.Reset(obs);
            }
            return (total, obs);
        }
        var (a, oa) = Run();
        var (b, ob) = Run();
        Assert.Equal(a, b);
        Assert.Equal(oa, ob);

        using IEnvironment e = EnvironmentRegistry.Make("highway-fast-v0", new Dictionary<string, object> { ["duration"] = 1000 });
        var o = new float[25];
        e.Reset(o, seed: 2);
        float[] idle = [1f];
        for (int i = 0; i < 5; i++) e.Step(idle, o);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            if (e.Step(idle, o).Done) break;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Kinematics_observation_rows_are_sorted_relative_and_normalised()
    {
        HighwayEnvironment env = Fresh("highway-fast-v0", new() { ["vehicles_count"] = 0 });
        Road road = env.Road;
        Vehicle ego = env.Ego;
        ego.X = 100; ego.Y = 4; ego.Heading = 0; ego.Speed = 25;
        road.AddVehicle(VehicleKind.Idm, 140, 0, 0, 20);   // 40 m ahead, one lane left
        road.AddVehicle(VehicleKind.Idm, 120, 4, 0, 22);   // 20 m ahead
        road.AddVehicle(VehicleKind.Idm, 92, 8, 0, 24);    // 8 m behind: seen (within two lengths)
        road.AddVehicle(VehicleKind.Idm, 80, 4, 0, 24);    // 20 m behind: hidden without see_behind
        road.Invalidate();
        ego.Lane = 1;
        var obs = new float[25];
        var k = new KinematicsObservation(env.Config.Observation);
        k.BeginEpisode(road, ego);
        k.Write(road, 0, obs, new PolicyLab.Numerics.Rng(0));
        // Ego row: absolute, x/200 clipped, y/12 (3 lanes · 4 m), vx/80.
        Assert.Equal([1f, 0.5f, 4f / 12, 25f / 80, 0f], obs[..5]);
        // Rows by |lane distance|: −8, +20, +40; relative features.
        Assert.Equal([1f, -8f / 200, 4f / 12, -1f / 80, 0f], obs[5..10]);
        Assert.Equal([1f, 20f / 200, 0f, -3f / 80, 0f], obs[10..15]);
        Assert.Equal([1f, 40f / 200, -4f / 12, -5f / 80, 0f], obs[15..20]);
        Assert.Equal(new float[5], obs[20..25]);
    }

    [Fact]
    public void Meta_actions_change_targets_with_the_availability_rules()
    {
        HighwayEnvironment env = Fresh("highway-v0", new() { ["vehicles_count"] = 0, ["initial_lane_id"] = 0 });
        Vehicle ego = env.Ego;
        var mask = new bool[5];
        env.AvailableActions(mask);
        Assert.Equal([false, true, true, true, true], mask); // leftmost lane; speed index 1 of 3
        var obs = new float[25];
        env.Step([2f], obs); // LANE_RIGHT
        Assert.Equal(1, env.Road.Network.LaneId(ego.TargetLane));
        env.Step([3f], obs); // FASTER: from the current speed's index (25 → 1) to 2
        Assert.Equal(30, ego.TargetSpeed);
        env.Step([3f], obs);
        Assert.Equal(30, ego.TargetSpeed);
        for (int i = 0; i < 6; i++) env.Step([1f], obs);
        Assert.Equal(30, ego.Speed, 0);
        Assert.Equal(4, ego.Y, 1);
        env.AvailableActions(mask);
        Assert.Equal([true, true, true, false, true], mask);
    }

    [Fact]
    public void Rendering_draws_the_road_and_vehicles()
    {
        HighwayEnvironment env = Fresh("highway-fast-v0");
        var frame = env.Render();
        Assert.Equal((600, 150), (frame.Width, frame.Height));
        // The ego sits at 30 % of the width, 50 % of the height: green there.
        var (x, y) = ((int)(0.3 * 600), (int)(0.5 * 150 + (env.Ego.Y - env.Ego.Y)));
        Assert.Equal(RoadRenderer.EgoColor, frame[x - 3, y]);
        int white = 0, blue = 0;
        for (int j = 0; j < frame.Height; j++)
            for (int i = 0; i < frame.Width; i++)
            {
                if (frame[i, j] == RoadRenderer.Marking) white++;
                if (frame[i, j] == RoadRenderer.TrafficColor) blue++;
            }
        Assert.True(white > 500, $"lane markings: {white} px");
        Assert.True(blue > 50, $"traffic: {blue} px");
        env.Ego.Crashed = true;
        Assert.Equal(RoadRenderer.CrashedColor, env.Render()[x - 3, y]);
    }
}
