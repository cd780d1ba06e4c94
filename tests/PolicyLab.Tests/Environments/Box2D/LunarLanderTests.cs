using PolicyLab.Environments;
using PolicyLab.Environments.Box2D;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Physics2D;
using PolicyLab.Tracking.Imaging;

namespace PolicyLab.Tests.Environments.Box2D;

public class LunarLanderTests
{
    private const double Dt = 1.0 / 50;
    private static readonly double FlatPad = LunarLander.H / 4;

    /// <summary>Draws for a reset on flat ground: 12 terrain heights, the initial force, then the reset step's two dispersions.</summary>
    private static List<double> ResetDraws(double fx = 0, double fy = 0, params double[] wind)
    {
        var draws = new List<double>();
        for (int i = 0; i < 12; i++)
            draws.Add(FlatPad);
        draws.Add(fx);
        draws.Add(fy);
        draws.AddRange(wind);
        draws.Add(0);
        draws.Add(0);
        return draws;
    }

    private static LunarLander Scripted(IEnumerable<double> draws, bool continuous = false, double gravity = -10, bool wind = false)
    {
        var env = new LunarLander(continuous, gravity, wind) { RandomSource = new ScriptedRandomSource(draws), WarningSink = null };
        env.Reset(new float[8]);
        return env;
    }

    private static Vec2 Momentum(LunarLander env) =>
        env.Lander.Mass * env.Lander.LinearVelocity + env.Legs[0].Mass * env.Legs[0].LinearVelocity + env.Legs[1].Mass * env.Legs[1].LinearVelocity;

    private static double TotalMass(LunarLander env) => env.Lander.Mass + env.Legs[0].Mass + env.Legs[1].Mass;

    private static double Shaping(ReadOnlySpan<float> s) =>
        -100 * Math.Sqrt(s[0] * s[0] + s[1] * s[1]) - 100 * Math.Sqrt(s[2] * s[2] + s[3] * s[3]) - 100 * Math.Abs(s[4]) + 10 * s[6] + 10 * s[7];

    [Fact]
    public void The_bodies_have_the_masses_of_the_facts_sheet()
    {
        using LunarLander env = Scripted(ResetDraws());
        Assert.Equal(4.8167, env.Lander.Mass, 3);
        Assert.Equal(0.10131, env.Lander.LocalCenter.Y, 4);
        Assert.Equal(4.0 / 30 * 16 / 30, env.Legs[0].Mass, 9);
        Assert.Equal(0.99 * FlatPad, env.TerrainHeights[0], 12);
        Assert.Equal((8.0, 12.0, LunarLander.H / 4), env.Helipad);
    }

    [Fact]
    public void In_free_fall_the_momentum_grows_by_the_weight_and_the_initial_force_acts_once()
    {
        using LunarLander env = Scripted([.. ResetDraws(600, -300), .. Enumerable.Repeat(0.0, 40)]);
        double m = TotalMass(env);
        // Reset ran one step with the initial force: the joints and motors are internal, so only gravity and the force count.
        Vec2 p = Momentum(env);
        Assert.Equal(600 * Dt, p.X, 9);
        Assert.Equal((-300 - m * 10) * Dt, p.Y, 9);
        var obs = new float[8];
        for (int k = 1; k <= 20; k++)
        {
            StepResult r = env.Step([0f], obs);
            Assert.False(r.Terminated);
            p = Momentum(env);
            Assert.Equal(600 * Dt, p.X, 9);
            Assert.Equal(-300 * Dt - m * 10 * Dt * (k + 1), p.Y, 9);
        }
        // The hull itself falls with the system (the legs hang on it): within 1 % of the free-fall speed.
        double expected = (-300 * Dt / m - 10 * Dt * 21) * (LunarLander.H / 2) / LunarLander.Fps;
        Assert.InRange(obs[3], expected * 1.01, expected * 0.99);
    }

    [Theory]
    [InlineData(2, 0.0, 0.0)]
    [InlineData(2, 0.5, -0.25)]
    [InlineData(1, 0.3, 0.7)]
    [InlineData(3, -0.6, 0.2)]
    public void An_engine_adds_gymnasiums_impulse_and_its_fuel_cost(int action, double u0, double u1)
    {
        using LunarLander env = Scripted([.. ResetDraws(), .. Enumerable.Repeat(0.0, 10), u0, u1]);
        var obs = new float[8];
        for (int i = 0; i < 5; i++)
            env.Step([0f], obs);
        float[] before = [.. obs];
        Vec2 p0 = Momentum(env);
        double angle = env.Lander.Angle;
        StepResult r = env.Step([action], obs);
        double tipX = Math.Sin(angle), tipY = Math.Cos(angle), sideX = -tipY, sideY = tipX;
        double d0 = u0 / 30, d1 = u1 / 30;
        Vec2 impulse;
        double fuel;
        if (action == 2)
        {
            double ox = tipX * (4 / 30.0 + 2 * d0) + sideX * d1, oy = -tipY * (4 / 30.0 + 2 * d0) - sideY * d1;
            impulse = new Vec2(-ox * 13, -oy * 13);
            fuel = 0.3;
        }
        else
        {
            double direction = action - 2;
            double ox = tipX * d0 + sideX * (3 * d1 + direction * 12 / 30.0), oy = -tipY * d0 - sideY * (3 * d1 + direction * 12 / 30.0);
            impulse = new Vec2(-ox * 0.6, -oy * 0.6);
            fuel = 0.03;
        }
        Vec2 dp = Momentum(env) - p0;
        Assert.Equal(impulse.X, dp.X, 9);
        Assert.Equal(impulse.Y - TotalMass(env) * 10 * Dt, dp.Y, 9);
        Assert.Equal(Shaping(obs) - Shaping(before) - fuel, r.Reward, 3);
    }

    [Fact]
    public void Legs_touch_the_ground_together_before_the_hull_crashes_into_it()
    {
        using LunarLander env = Scripted([.. ResetDraws(), .. Enumerable.Repeat(0.0, 2000)]);
        var obs = new float[8];
        int firstLeg = -1, step = 0;
        StepResult r;
        do
        {
            r = env.Step([0f], obs);
            step++;
            if (firstLeg < 0 && (obs[6] == 1 || obs[7] == 1))
            {
                firstLeg = step;
                Assert.Equal(obs[6], obs[7]); // the drop is symmetric
                double lowest = env.Legs.Min(leg => ((PolygonShape)leg.Fixtures[0].Shape).VertexList.Min(v => leg.GetWorldPoint(v).Y));
                Assert.InRange(lowest, 0.99 * FlatPad - 0.35, 0.99 * FlatPad + 0.02);
                Assert.False(r.Terminated);
            }
        }
        while (!r.Terminated && step < 500);
        Assert.True(firstLeg > 0, "the legs never touched");
        Assert.Equal(LanderOutcome.Crashed, env.Outcome);
        Assert.True(step >= firstLeg);
        Assert.Equal(-100, r.Reward);
    }

    [Fact]
    public void The_heuristic_lands_on_the_flat_pad_and_the_lander_falls_asleep_for_plus_100()
    {
        using LunarLander env = Scripted([.. ResetDraws(), .. Enumerable.Repeat(0.0, 4000)]);
        var obs = new float[8];
        var action = new float[1];
        env.Step([0f], obs);
        StepResult r;
        int steps = 0;
        do
        {
            LunarLanderHeuristic.Discrete(obs, action);
            r = env.Step(action, obs);
            steps++;
        }
        while (!r.Terminated && steps < 1000);
        Assert.Equal(LanderOutcome.Landed, env.Outcome);
        Assert.Equal(100, r.Reward);
        Assert.False(env.Lander.IsAwake);
        Assert.Equal(1f, obs[6]);
        Assert.Equal(1f, obs[7]);
        Assert.InRange(obs[0], -0.05f, 0.05f);
    }

    [Fact]
    public void Leaving_the_view_sideways_ends_the_episode_with_minus_100()
    {
        using LunarLander env = Scripted([.. ResetDraws(1000, 0), .. Enumerable.Repeat(0.0, 2000)], gravity: -1);
        var obs = new float[8];
        StepResult r;
        int steps = 0;
        do
        {
            r = env.Step([0f], obs);
            steps++;
        }
        while (!r.Terminated && steps < 900);
        Assert.Equal(LanderOutcome.OutOfView, env.Outcome);
        Assert.True(obs[0] >= 1);
        Assert.Equal(-100, r.Reward);
    }

    [Fact]
    public void Wind_and_turbulence_follow_gymnasiums_formula_from_the_drawn_indices()
    {
        using LunarLander env = Scripted([.. ResetDraws(0, 0, 100, -50), .. Enumerable.Repeat(0.0, 20)], wind: true);
        Assert.Equal((101L, -49L), env.WindIndices); // the reset step used index 100 and -50
        Vec2 p0 = Momentum(env);
        env.Step([0f], new float[8]);
        double k = 101;
        double wind = Math.Tanh(Math.Sin(0.02 * k) + Math.Sin(Math.PI * 0.01 * k)) * 15.0;
        Vec2 dp = Momentum(env) - p0;
        Assert.Equal(wind * Dt, dp.X, 9);
        Assert.Equal((102L, -48L), env.WindIndices);
    }

    [Fact]
    public void Draws_are_taken_in_gymnasiums_order_and_running_out_is_a_clear_error()
    {
        var source = new ScriptedRandomSource([.. ResetDraws(), 0, 0]);
        using var env = new LunarLander { RandomSource = source };
        var obs = new float[8];
        env.Reset(obs);
        Assert.Equal(16, source.Position); // 12 heights, 2 force components, 2 dispersions of the reset step
        env.Step([0f], obs);
        Assert.Equal(0, source.Remaining);
        Assert.Contains("ran out", Assert.Throws<PolicyLabException>(() => env.Step([0f], obs)).Message);
        var outOfRange = new ScriptedRandomSource([99.0]);
        using var env2 = new LunarLander { RandomSource = outOfRange };
        Assert.Contains("outside the interval", Assert.Throws<PolicyLabException>(() => env2.Reset(obs)).Message);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_episodes_and_another_seed_another_one()
    {
        static float[] Run(ulong seed, bool continuous)
        {
            using IEnvironment env = EnvironmentRegistry.Make(continuous ? "LunarLanderContinuous-v3" : "LunarLander-v3");
            var rng = new Rng(5UL);
            var obs = new float[8];
            var all = new List<float>();
            env.Reset(obs, seed: seed);
            var action = new float[env.ActionSpace.FlatSize];
            for (int i = 0; i < 150; i++)
            {
                if (continuous) { action[0] = (float)rng.Uniform(-1, 1); action[1] = (float)rng.Uniform(-1, 1); }
                else action[0] = rng.NextInt(4);
                StepResult r = env.Step(action, obs);
                all.AddRange(obs);
                all.Add((float)r.Reward);
                if (r.Done)
                    env.Reset(obs);
            }
            return [.. all];
        }
        foreach (bool continuous in new[] { false, true })
        {
            Assert.Equal(Run(3, continuous), Run(3, continuous));
            Assert.NotEqual(Run(3, continuous), Run(4, continuous));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_reset_rebuilds_the_world_from_the_last_episodes_objects_without_allocating_them_again(bool continuous)
    {
        var env = new LunarLander(continuous);
        var obs = new float[8];
        Span<float> action = continuous ? stackalloc float[] { 0.7f, -0.8f } : stackalloc float[] { 2f };
        env.Reset(obs, seed: 3);
        for (int i = 0; i < 5; i++)
            env.Step(action, obs);
        env.Reset(obs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int episode = 0; episode < 50; episode++)
        {
            env.Reset(obs);
            for (int i = 0; i < 5; i++)
                env.Step(action, obs);
        }
        long perReset = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
        // A new world's bodies, fixtures, terrain edges and joints took about 6.4 KB per reset; what is left is the two
        // joint definitions.
        Assert.True(perReset < 512, $"a reset allocated {perReset} bytes");
        // The rebuilt world holds exactly one episode's objects: moon, hull, two legs; 11 moon edges; two joints.
        Assert.Equal(4, env.World.Bodies.Count);
        Assert.Equal(11, env.World.Bodies[0].Fixtures.Count);
        Assert.Equal(2, env.World.Joints.Count);
        Assert.Same(env.Lander, env.World.Bodies[1]);
    }

    [Fact]
    public void Options_outside_gymnasiums_ranges_are_refused_naming_the_environment()
    {
        Assert.Contains("gravity", Assert.Throws<PolicyLabException>(() => new LunarLander(gravity: -12)).Message);
        Assert.Contains("gravity", Assert.Throws<PolicyLabException>(() => new LunarLander(gravity: 0)).Message);
        string wind = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("LunarLander-v3", new Dictionary<string, object> { ["enable_wind"] = true, ["wind_power"] = 25.0 })).Message;
        Assert.Contains("LunarLander-v3", wind);
        Assert.Contains("wind_power", wind);
        string turbulence = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("LunarLanderContinuous-v3", new Dictionary<string, object> { ["turbulence_power"] = -0.1 })).Message;
        Assert.Contains("LunarLanderContinuous-v3", turbulence);
        Assert.Contains("turbulence_power", turbulence);
        using IEnvironment ok = EnvironmentRegistry.Make("LunarLander-v3", new Dictionary<string, object> { ["gravity"] = -5.0, ["enable_wind"] = true });
        Assert.Equal(-5.0, ((LunarLander)ok.Unwrapped()).Gravity);
        Assert.Equal(1000, EnvironmentRegistry.Spec("LunarLander-v3").MaxEpisodeSteps);
        Assert.Equal(200.0, EnvironmentRegistry.Spec("LunarLanderContinuous-v3").RewardThreshold);
    }

    [Fact]
    public void Bad_actions_are_errors_and_out_of_range_throttles_are_clipped_with_one_warning()
    {
        using IEnvironment discrete = EnvironmentRegistry.Make("LunarLander-v3");
        var obs = new float[8];
        discrete.Reset(obs, seed: 1);
        foreach (float bad in new[] { 4f, 1.5f, -1f, float.NaN })
            Assert.Contains("LunarLander-v3", Assert.Throws<PolicyLabException>(() => discrete.Step([bad], obs)).Message);

        var warnings = new List<string>();
        using var clipped = new LunarLander(continuous: true) { WarningSink = warnings.Add };
        using var reference = new LunarLander(continuous: true) { WarningSink = null };
        clipped.Reset(obs, seed: 2);
        reference.Reset(new float[8], seed: 2);
        var obsRef = new float[8];
        for (int i = 0; i < 5; i++)
        {
            StepResult a = clipped.Step([3f, -7f], obs);
            StepResult b = reference.Step([1f, -1f], obsRef);
            Assert.Equal(b.Reward, a.Reward);
            Assert.Equal(obsRef, obs);
        }
        Assert.Single(warnings);
        Assert.Contains("clipped", warnings[0]);
        Assert.Contains("NaN", Assert.Throws<PolicyLabException>(() => clipped.Step([float.NaN, 0f], obs)).Message);
    }

    [Fact]
    public void A_rendered_frame_shows_sky_ground_lander_and_flags_and_rendering_does_not_change_the_episode()
    {
        using var watched = new LunarLander { WarningSink = null };
        using var unwatched = new LunarLander { WarningSink = null };
        var obsA = new float[8];
        var obsB = new float[8];
        watched.Reset(obsA, seed: 7);
        unwatched.Reset(obsB, seed: 7);
        RgbFrame frame = watched.Render();
        Assert.Equal((600, 400), (frame.Width, frame.Height));
        Assert.Equal(RgbColor.Black, frame[100, 5]);      // sky
        Assert.Equal(RgbColor.White, frame[300, 395]);    // moon surface
        Assert.Equal(new RgbColor(204, 204, 0), frame[8 * 30 + 5, (int)(400 - (LunarLander.H / 4 * 30 + 45))]);
        for (int i = 0; i < 60; i++)
        {
            float action = (i % 6) switch { 0 => 2f, 2 => 1f, 4 => 3f, _ => 0f };
            StepResult a = watched.Step([action], obsA);
            StepResult b = unwatched.Step([action], obsB);
            frame = watched.Render();
            Assert.Equal(obsB, obsA);
            Assert.Equal(b.Reward, a.Reward);
            if (a.Done)
                break;
        }
        Assert.True(watched.World.Bodies.Count > unwatched.World.Bodies.Count, "flame particles were expected in the rendered world");
        Vec2 hull = watched.Lander.WorldCenter;
        Assert.Equal(new RgbColor(128, 102, 230), frame[(int)(hull.X * 30), (int)(400 - hull.Y * 30)]);
        if (Environment.GetEnvironmentVariable("POLICYLAB_SAVE_FRAMES") is { Length: > 0 } folder)
            File.WriteAllBytes(Path.Combine(folder, "lunarlander.png"), PngEncoder.Encode(frame));
    }

    [Fact]
    public void Threaded_vectors_of_16_landers_match_the_synchronous_one_through_autoresets()
    {
        (int terminations, _) = PolicyLab.Tests.Environments.Vector.ThreadedEquivalence.AssertBitIdentical(
            "LunarLander-v3", copies: 16, threads: 2, steps: 600, seed: 3, (rng, actions) =>
            {
                for (int i = 0; i < actions.Length; i++) actions[i] = rng.NextInt(4);
            });
        Assert.True(terminations > 16, $"random landers were expected to crash and be reset; {terminations} terminations");
    }

    [Fact]
    public void A_threaded_vector_of_landers_steps_bit_identically_to_a_synchronous_one()
    {
        using var sync = new SyncVectorEnvironment("LunarLander-v3", 6);
        using var threaded = new ThreadedVectorEnvironment("LunarLander-v3", 6, threadCount: 2);
        sync.Reset(seed: 11);
        threaded.Reset(seed: 11);
        var rng = new Rng(9UL);
        var actions = new float[6];
        for (int step = 0; step < 200; step++)
        {
            for (int i = 0; i < actions.Length; i++)
                actions[i] = rng.NextInt(4);
            sync.Step(actions);
            threaded.Step(actions);
            Assert.Equal(sync.Observations, threaded.Observations);
            Assert.Equal(sync.Rewards, threaded.Rewards);
            Assert.Equal(sync.Terminated, threaded.Terminated);
        }
    }
}
