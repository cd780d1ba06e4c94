using PolicyLab.Environments;
using PolicyLab.Environments.Box2D;
using PolicyLab.Environments.Rendering;
using PolicyLab.Numerics;
using PolicyLab.Physics2D;

namespace PolicyLab.Tests.Environments.Box2D;

public class CarRacingTests
{
    private const int Pixels = CarRacing.StateSize * CarRacing.StateSize * 3;

    private static CarRacing Reset(ulong seed, bool continuous = true, bool domainRandomize = false)
    {
        var env = new CarRacing(continuous, domainRandomize: domainRandomize) { WarningSink = null };
        env.Reset(new float[Pixels], seed);
        return env;
    }

    /// <summary>
    /// A pure-pursuit driver on the true track: aim at the centre line a few tiles ahead of the nearest point, steer
    /// toward it, hold a target speed with gas and brake.
    /// </summary>
    private static void Drive(CarRacing env, float[] action, double targetSpeed)
    {
        RacingCar car = env.Car!;
        IReadOnlyList<TrackPoint> points = env.Track!.Points;
        Vec2 p = car.Hull.Position;
        int nearest = 0;
        double best = double.PositiveInfinity;
        for (int i = 0; i < points.Count; i++)
        {
            double d = (points[i].X - p.X) * (points[i].X - p.X) + (points[i].Y - p.Y) * (points[i].Y - p.Y);
            if (d < best)
            {
                best = d;
                nearest = i;
            }
        }
        TrackPoint target = points[(nearest + 4) % points.Count];
        Vec2 local = car.Hull.GetLocalPoint(new Vec2(target.X, target.Y));
        double heading = Math.Atan2(-local.X, local.Y); // > 0: target to the left
        double speed = car.Hull.LinearVelocity.Length;
        action[0] = (float)Math.Clamp(-2.0 * heading, -1, 1); // a[0] < 0 steers left
        action[1] = speed < targetSpeed ? 0.5f : 0f;
        action[2] = speed > targetSpeed + 10 ? 0.3f : 0f;
    }

    [Fact]
    public void Every_track_attempt_takes_24_draws_and_the_lap_closes_in_steps_of_3_5()
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            var random = new Rng(seed);
            RaceTrack track = RaceTrack.Generate(random);
            var replay = new Rng(seed);
            for (int i = 0; i < RaceTrack.DrawsPerAttempt * track.Attempts; i++)
                replay.NextUInt64();
            Assert.Equal(replay.GetState(), random.GetState());

            IReadOnlyList<TrackPoint> p = track.Points;
            Assert.InRange(p.Count, 200, 400);
            for (int i = 1; i < p.Count; i++)
                Assert.Equal(RaceTrack.DetailStep, Math.Sqrt((p[i].X - p[i - 1].X) * (p[i].X - p[i - 1].X) + (p[i].Y - p[i - 1].Y) * (p[i].Y - p[i - 1].Y)), 9);
            // The generator's glue test is component-wise; the true gap between the lap's ends stays within a few steps.
            double gap = Math.Sqrt((p[0].X - p[^1].X) * (p[0].X - p[^1].X) + (p[0].Y - p[^1].Y) * (p[0].Y - p[^1].Y));
            Assert.InRange(gap, 0, 3 * RaceTrack.DetailStep); // the cut drops the point before the start, so up to ≈ 2 steps
            // Counter-clockwise around the origin: the start sits just past the start angle −π/12, at radius about 225.
            Assert.InRange(Math.Atan2(p[0].Y, p[0].X), -Math.PI / 12, -Math.PI / 12 + 0.1);
            Assert.Contains(true, track.Border);
            Assert.Contains(false, track.Border);
        }
    }

    [Fact]
    public void A_circle_of_checkpoints_gives_a_closed_round_track_without_kerbs()
    {
        // No angular noise and every radius at 1.5·R: the walk circles at radius 225 and turns by the same small amount
        // at each step, below the kerb threshold.
        var draws = new double[RaceTrack.DrawsPerAttempt];
        for (int c = 0; c < RaceTrack.Checkpoints; c++)
            draws[2 * c + 1] = 1.5 * RaceTrack.Radius;
        TrackPoint[] lap = RaceTrack.TryBuild(draws)!;
        Assert.NotNull(lap);
        foreach (TrackPoint q in lap)
            Assert.InRange(Math.Sqrt(q.X * q.X + q.Y * q.Y), 200, 250);
        // One lap of a circle of radius ≈ 225 in steps of 3.5.
        Assert.InRange(lap.Length, (int)(2 * Math.PI * 200 / RaceTrack.DetailStep), (int)(2 * Math.PI * 250 / RaceTrack.DetailStep));
        Assert.Throws<ArgumentException>(() => RaceTrack.TryBuild(new double[5]));
    }

    [Fact]
    public void The_car_has_the_masses_and_joints_of_the_facts_sheet()
    {
        using CarRacing env = Reset(1);
        RacingCar car = env.Car!;
        Assert.Equal(0.96 + 1.40 + 3.50 + 1.20, car.Hull.Mass, 9);
        Assert.Equal(4, car.Wheels.Count);
        foreach (RacingWheel w in car.Wheels)
        {
            Assert.Equal(0.56 * 1.08 * 0.1, w.Body.Mass, 9);
            Assert.Equal(64.8, w.Joint.MaxMotorTorque, 9);
            Assert.Equal((-0.4, 0.4), (w.Joint.LowerAngle, w.Joint.UpperAngle));
        }
        // Tiles are static sensors; the car starts on tile 0's end point, facing along the track.
        Assert.All(env.Tiles, t => Assert.True(t.Body.Fixtures[0].IsSensor));
        TrackPoint start = env.Track!.Points[0];
        Assert.InRange(car.Hull.Angle - start.Beta, -0.02, 0.02); // the reset's step pulls the (unrotated) wheels in place
        Assert.Equal(env.Track.TileCount, env.Tiles.Count);
    }

    [Fact]
    public void Gas_rises_by_at_most_a_tenth_per_step_and_drives_the_car_forward_and_the_brake_locks_the_wheels()
    {
        using CarRacing env = Reset(2);
        var obs = new float[Pixels];
        RacingCar car = env.Car!;
        double heading = car.Hull.Angle;
        env.Step([0f, 1f, 0f], obs);
        Assert.Equal(0.1, car.Wheels[2].Gas, 12);
        Assert.Equal(0.0, car.Wheels[0].Gas, 12); // front wheels are not driven
        env.Step([0f, 1f, 0f], obs);
        Assert.Equal(0.2, car.Wheels[3].Gas, 12);
        for (int t = 0; t < 60; t++)
            env.Step([0f, 1f, 0f], obs);
        Assert.Equal(1.0, car.Wheels[2].Gas, 12);
        Vec2 v = car.Hull.LinearVelocity;
        Vec2 forward = new(-Math.Sin(heading), Math.Cos(heading));
        Assert.True(Vec2.Dot(v, forward) > 20, $"forward speed {Vec2.Dot(v, forward)}");
        Assert.True(Math.Abs(Vec2.Cross(forward, v)) < 0.05 * v.Length, "a straight start keeps the car on its heading");
        env.Step([0f, 0f, 0f], obs);
        Assert.Equal(0.0, car.Wheels[2].Gas, 12); // gas drops at once
        double speed = car.Hull.LinearVelocity.Length;
        for (int t = 0; t < 30; t++)
        {
            env.Step([0f, 0f, 0.95f], obs);
            // Locked: the spin restarts from 0 each step, so only this step's ground-speed feedback turns the wheel.
            Assert.All(car.Wheels, w => Assert.InRange(w.Omega, -1e-6, 5));
        }
        Assert.True(car.Hull.LinearVelocity.Length < 0.5 * speed, $"braking from {speed} left {car.Hull.LinearVelocity.Length}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Steering_left_turns_the_car_counter_clockwise(bool continuous)
    {
        using CarRacing env = Reset(4, continuous);
        var obs = new float[Pixels];
        RacingCar car = env.Car!;
        float[] gas = continuous ? [0f, 0.5f, 0f] : [3f];
        float[] left = continuous ? [-0.6f, 0.5f, 0f] : [2f];
        for (int t = 0; t < 40; t++)
            env.Step(gas, obs);
        double before = car.Hull.Angle;
        for (int t = 0; t < 25; t++)
            env.Step(left, obs);
        Assert.True(car.Wheels[0].Joint.JointAngle > 0.3, $"steer angle {car.Wheels[0].Joint.JointAngle}");
        Assert.True(car.Hull.Angle > before + 0.2, $"heading {before} → {car.Hull.Angle}");
    }

    [Fact]
    public void A_driver_that_follows_the_road_finishes_the_lap_with_1000_minus_a_tenth_per_step()
    {
        using CarRacing env = Reset(3);
        var obs = new float[Pixels];
        var action = new float[3];
        double total = 0;
        int steps = 0;
        int tileCount = env.Tiles.Count;
        StepResult r = default;
        while (!r.Terminated && steps < 3000)
        {
            Drive(env, action, 40);
            r = env.Step(action, obs);
            total += r.Reward;
            steps++;
            // The running total is the reward so far: 1000/N per visited tile, −0.1 per step.
            Assert.Equal(env.TilesVisited * 1000.0 / tileCount - 0.1 * steps, env.DisplayedReward, 6);
            // The observation was drawn before the step's −0.1, so its digits show the total with this step's tiles only.
            Assert.Equal(env.DisplayedReward + 0.1, env.ObservedScore, 9);
        }
        Assert.True(r.Terminated);
        Assert.Equal(1.0, env.Info[CarRacing.LapFinishedKey]);
        Assert.Equal(tileCount, env.TilesVisited);
        Assert.Equal(1000 - 0.1 * steps, total, 6);
        Assert.InRange(steps, 800, 2000);
        Assert.All(env.Tiles, t => Assert.Equal(env.RoadColor, t.Color)); // every touched tile loses its shade
    }

    [Fact]
    public void The_first_step_pays_for_the_tiles_touched_during_the_reset_step()
    {
        using CarRacing env = Reset(5);
        int touched = env.TilesVisited;
        Assert.InRange(touched, 1, 3);
        Assert.Equal(touched * 1000.0 / env.Tiles.Count, env.DisplayedReward, 9); // the running total has them…
        StepResult r = env.Step([0f, 0f, 0f], new float[Pixels]);
        Assert.Equal(touched * 1000.0 / env.Tiles.Count - 0.1, r.Reward, 9); // …and the first real step pays them out
        Assert.False(r.Done);
    }

    [Fact]
    public void Leaving_the_playfield_ends_the_episode_with_minus_100()
    {
        using CarRacing env = Reset(6);
        var obs = new float[Pixels];
        StepResult r = default;
        int steps = 0;
        // Full gas straight ahead: the start heads along the track, tangent to a circle of radius ≈ 225, so the car
        // leaves the road and then the square of half side 333.
        while (!r.Done && steps < 1000)
        {
            r = env.Step([0f, 1f, 0f], obs);
            steps++;
        }
        Vec2 p = env.Car!.Hull.Position;
        Assert.True(Math.Max(Math.Abs(p.X), Math.Abs(p.Y)) > CarRacing.Playfield);
        Assert.True(r.Terminated);
        Assert.False(r.Truncated);
        Assert.Equal(-100, r.Reward);
        Assert.Equal(0.0, env.Info[CarRacing.LapFinishedKey]);
    }

    [Fact]
    public void The_registered_task_truncates_at_1000_steps_and_takes_its_arguments()
    {
        using IEnvironment env = EnvironmentRegistry.Make("CarRacing-v3", new Dictionary<string, object> { ["continuous"] = false });
        Assert.Equal(new PolicyLab.Environments.Spaces.Discrete(5).FlatSize, env.ActionSpace.FlatSize);
        Assert.True(((PolicyLab.Environments.Spaces.Box)env.ObservationSpace).IsImage);
        var obs = new float[Pixels];
        env.Reset(obs, 0);
        StepResult r = default;
        int steps = 0;
        while (!r.Done)
        {
            r = env.Step([0f], obs);
            steps++;
        }
        Assert.Equal(1000, steps);
        Assert.True(r.Truncated);
        Assert.False(r.Terminated);
    }

    [Fact]
    public void The_observation_shows_the_red_car_pointing_up_above_a_black_hud_and_is_the_same_for_the_same_seed()
    {
        using CarRacing a = Reset(7), b = Reset(7);
        var obsA = new float[Pixels];
        var obsB = new float[Pixels];
        a.Reset(obsA, 7);
        b.Reset(obsB, 7);
        Assert.Equal(obsA, obsB);
        for (int t = 0; t < 60; t++)
        {
            a.Step([0f, 0.2f, 0f], obsA);
            b.Step([0f, 0.2f, 0f], obsB);
        }
        Assert.Equal(obsA, obsB);
        Assert.All(obsA, v => Assert.InRange(v, 0f, 255f));
        (float R, float G, float B) Pixel(int x, int y) => (obsA[(y * 96 + x) * 3], obsA[(y * 96 + x) * 3 + 1], obsA[(y * 96 + x) * 3 + 2]);
        // The hull's body (design y −90…20, about 2 px tall per unit at full zoom) sits at pixel column 48, rows ≈ 70–74.
        var hull = Pixel(48, 71);
        Assert.True(hull.R > 150 && hull.G < 60 && hull.B < 60, $"hull pixel {hull}");
        // Road under the car's nose, ahead of it: grey.
        var road = Pixel(48, 60);
        Assert.True(Math.Abs(road.R - road.G) < 8 && road.R is > 90 and < 115, $"road pixel {road}");
        // The HUD strip (window rows 700–800 → rows 84–95) is black left of the score and between the bars.
        var hud = Pixel(40, 92);
        Assert.Equal((0f, 0f, 0f), hud);
        // The speed bar (slot 5: window x 125–150 → columns 12–14) is white above the bottom row.
        var speedBar = Pixel(13, 92);
        Assert.True(speedBar.R > 200 && speedBar.G > 200 && speedBar.B > 200, $"speed bar {speedBar}");
    }

    [Fact]
    public void Domain_randomisation_draws_colours_at_each_reset_unless_told_to_keep_them()
    {
        using CarRacing env = Reset(8, domainRandomize: true);
        double[] road = [.. env.RoadColor], background = [.. env.BackgroundColor];
        Assert.All(road, c => Assert.InRange(c, 0, 210));
        Assert.Equal(20, env.GrassColor.Zip(background, (g, bg) => g - bg).Sum(), 9);
        var obs = new float[Pixels];
        env.Reset(obs, 9, new ResetOptions { Randomize = false });
        Assert.Equal(road, env.RoadColor);
        env.Reset(obs, 9);
        Assert.NotEqual(road, env.RoadColor);
        using CarRacing plain = Reset(8);
        Assert.Equal([102.0, 102, 102], plain.RoadColor);
    }

    [Fact]
    public void Render_draws_a_600_by_400_frame_with_the_car_and_skid_marks_once_rendering_is_on()
    {
        using CarRacing env = Reset(10);
        RgbFrame first = env.Render();
        Assert.Equal((600, 400), (first.Width, first.Height));
        var obs = new float[Pixels];
        for (int t = 0; t < 80; t++)
            env.Step([0f, 1f, 0f], obs);
        for (int t = 0; t < 40; t++)
            env.Step([-1f, 0f, 0.95f], obs); // locked wheels in a turn skid
        Assert.NotEmpty(env.Car!.SkidMarks);
        RgbFrame frame = env.Render();
        Assert.Equal(new RgbColor(204, 0, 0), frame[300, 290]); // the hull at window (500, ≈580) → (300, ≈290)
    }

    [Fact]
    public void Bad_actions_and_arguments_are_refused_with_a_clear_message()
    {
        using CarRacing env = Reset(11);
        var obs = new float[Pixels];
        var e = Assert.ThrowsAny<Exception>(() => env.Step([float.NaN, 0f, 0f], obs));
        Assert.Contains("NaN", e.Message);
        using CarRacing discrete = Reset(11, continuous: false);
        var d = Assert.ThrowsAny<Exception>(() => discrete.Step([5f], obs));
        Assert.Contains("5", d.Message);
        var p = Assert.Throws<PolicyLabException>(() => new CarRacing(lapCompletePercent: 1.5));
        Assert.Contains("lap_complete_percent", p.Message);
    }

    [Fact]
    public void A_track_whose_closing_tile_crosses_itself_still_resets_and_the_tile_sensor_is_its_hull()
    {
        // Seed 0, then 650 unseeded resets: that track's tile 0 (the one closing the loop) is a dented quad, which
        // Box2D turns into its convex hull; before the hull, this reset threw mid-training.
        using var env = new CarRacing() { WarningSink = null };
        var obs = new float[Pixels];
        env.Reset(obs, 0UL);
        for (int k = 0; k < 650; k++)
            env.Reset(obs, null);
        var corners = new Vec2[4];
        env.Track!.TileCorners(0, corners);
        Assert.Throws<PolicyLabException>(() => new PolygonShape(corners)); // the outline is not convex
        var sensor = (PolygonShape)env.Tiles[0].Body.Fixtures[0].Shape;
        IReadOnlyList<Vec2> hull = sensor.VertexList;
        foreach (Vec2 c in corners)
        {
            for (int i = 0; i < hull.Count; i++)
            {
                Vec2 a = hull[i], b = hull[(i + 1) % hull.Count];
                Assert.True(Vec2.Cross(b - a, c - a) >= -1e-9, $"corner {c} lies outside hull edge {i}");
            }
        }
        env.Step([0f, 0.5f, 0f], obs);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_environment_checker_finds_nothing_to_report(bool continuous)
    {
        using var env = new CarRacing(continuous) { WarningSink = null };
        Assert.Empty(EnvironmentChecker.Check(env, seed: 1, checkRender: true));
    }
}
