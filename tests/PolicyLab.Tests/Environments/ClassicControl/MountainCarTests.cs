using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;

namespace PolicyLab.Tests.Environments.ClassicControl;

public class MountainCarTests
{
    private static (double P, double V, bool Done) ReferenceStep(double p, double v, double push, double power, double goal, bool roundToFloat)
    {
        v += push * power + Math.Cos(3 * p) * -0.0025;
        v = Math.Min(Math.Max(v, -0.07), 0.07);
        p += v;
        p = Math.Min(Math.Max(p, -1.2), 0.6);
        if (p == -1.2 && v < 0)
            v = 0;
        bool done = p >= goal && v >= 0;
        if (roundToFloat)
            (p, v) = ((float)p, (float)v);
        return (p, v, done);
    }

    [Fact]
    public void Discrete_steps_match_hand_computation_for_every_action()
    {
        using var env = new MountainCar();
        double p = -0.5, v = 0.01;
        env.State = [p, v];
        var obs = new float[2];
        foreach (int a in new[] { 0, 1, 2, 2, 2, 0, 1 })
        {
            (p, v, bool done) = ReferenceStep(p, v, a - 1, 0.001, 0.5, roundToFloat: false);
            StepResult r = env.Step([a], obs);
            Near.Equal([p, v], env.State, what: "state");
            Near.Observation([p, v], obs);
            Assert.Equal(-1.0, r.Reward);
            Assert.Equal(done, r.Terminated);
        }
    }

    [Fact]
    public void Left_wall_stops_the_car_and_speed_is_clamped()
    {
        using var env = new MountainCar();
        env.State = [-1.19, -0.069];
        (double p, double v, _) = ReferenceStep(-1.19, -0.069, -1, 0.001, 0.5, false);
        env.Step(0);
        Assert.Equal(-1.2, p);
        Assert.Equal(0.0, v);
        Assert.Equal(new[] { -1.2, 0.0 }, env.State);

        env.State = [-0.5, -0.0699];
        (p, v, _) = ReferenceStep(-0.5, -0.0699, -1, 0.001, 0.5, false);
        env.Step(0);
        Assert.Equal(-0.07, v);
        Near.Equal([p, v], env.State);

        env.State = [-0.8, 0.0699]; // downhill to the right: the speed limit engages at +0.07
        (p, v, _) = ReferenceStep(-0.8, 0.0699, 1, 0.001, 0.5, false);
        env.Step(2);
        Assert.Equal(0.07, v);
        Near.Equal([p, v], env.State);

        using var noGoal = new MountainCar(goalVelocity: 1.0); // never terminates, so the right edge can be hit
        noGoal.State = [0.59, 0.05];
        (p, v, _) = ReferenceStep(0.59, 0.05, 0, 0.001, 0.5, false);
        noGoal.Step(1);
        Assert.Equal(0.6, p);
        Near.Equal([p, v], noGoal.State);
    }

    [Fact]
    public void Continuous_left_wall_stops_the_car()
    {
        using var env = new MountainCarContinuous();
        env.State = [-1.19, -0.065];
        (double p, double v, _) = ReferenceStep(-1.19, -0.065, -1.0, 0.0015, 0.45, true);
        env.Step(-1f);
        Assert.Equal((float)-1.2, (float)p);
        Assert.Equal(0.0, v);
        Assert.Equal(new[] { p, v }, env.State);
    }

    [Fact]
    public void Terminates_at_the_goal_with_reward_minus_one_but_not_when_moving_back()
    {
        using var env = new MountainCar();
        env.State = [0.49, 0.02];
        (_, StepResult r) = env.Step(2);
        Assert.True(r.Terminated);
        Assert.Equal(-1.0, r.Reward);

        using var picky = new MountainCar(goalVelocity: 0.05);
        picky.State = [0.49, 0.02];
        Assert.False(picky.Step(2).Result.Terminated);
    }

    [Fact]
    public void Continuous_steps_round_the_state_to_float32_and_charge_the_unclipped_action()
    {
        var warnings = new List<string>();
        using var env = new MountainCarContinuous { WarningSink = warnings.Add };
        double p = -0.52, v = 0.003;
        env.State = [p, v];
        var obs = new float[2];
        foreach (float a in new[] { 0.5f, -1f, 1f, 0.25f })
        {
            (p, v, bool done) = ReferenceStep(p, v, a, 0.0015, 0.45, roundToFloat: true);
            StepResult r = env.Step([a], obs);
            Assert.Equal(new[] { p, v }, env.State);
            Assert.Equal((double)(float)env.State[0], env.State[0]);
            Near.Equal(-0.1 * a * a, r.Reward);
            Assert.Equal(done, r.Terminated);
        }
        Assert.Empty(warnings);

        // Clipped for the dynamics, unclipped for the cost; one warning only.
        env.State = [p, v];
        (double p2, double v2, _) = ReferenceStep(p, v, 1.0, 0.0015, 0.45, true);
        StepResult clipped = env.Step([3f], obs);
        Assert.Equal(new[] { p2, v2 }, env.State);
        Near.Equal(-0.1 * 9, clipped.Reward);
        env.Step([-5f], obs);
        Assert.Single(warnings);
        Assert.Contains("clipped", warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Continuous_goal_pays_one_hundred_minus_the_action_cost()
    {
        using var env = new MountainCarContinuous();
        env.State = [0.44, 0.03];
        (_, StepResult r) = env.Step(0.5f);
        Assert.True(r.Terminated);
        Near.Equal(100.0 - 0.1 * 0.25, r.Reward);
    }

    [Fact]
    public void Reset_draws_position_in_the_default_interval_with_zero_velocity()
    {
        using var env = new MountainCar();
        env.Reset(seed: 3);
        Assert.InRange(env.State[0], -0.6, -0.4);
        Assert.Equal(0.0, env.State[1]);
    }
}
