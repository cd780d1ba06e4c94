using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;

namespace PolicyLab.Tests.Environments.ClassicControl;

public class PendulumTests
{
    private static double Wrap(double x)
    {
        // ((x + π) mod 2π) − π with a floored modulo, written via Math.Floor.
        double y = x + Math.PI;
        double m = y - 2 * Math.PI * Math.Floor(y / (2 * Math.PI));
        return m - Math.PI;
    }

    private static (double Theta, double ThetaDot, double Reward) ReferenceStep(double th, double thd, double u, double g = 10.0)
    {
        u = Math.Min(Math.Max(u, -2.0), 2.0);
        double cost = Wrap(th) * Wrap(th) + 0.1 * thd * thd + 0.001 * u * u;
        double newThd = thd + (3 * g / 2 * Math.Sin(th) + 3.0 * u) * 0.05;
        newThd = Math.Min(Math.Max(newThd, -8.0), 8.0);
        return (th + newThd * 0.05, newThd, -cost);
    }

    [Fact]
    public void Steps_match_hand_computation_including_the_speed_clamp()
    {
        using var env = new Pendulum();
        double th = -2.5, thd = -7.5; // the first step clamps the speed at −8
        env.State = [th, thd];
        var obs = new float[3];
        foreach (float u in new[] { -2f, -2f, 1.5f, 0f, 2f, -0.3f })
        {
            (double nth, double nthd, double reward) = ReferenceStep(th, thd, u);
            StepResult r = env.Step([u], obs);
            Near.Equal([nth, nthd], env.State, what: "state");
            Near.Equal(reward, r.Reward, what: "reward");
            Near.Observation([Math.Cos(nth), Math.Sin(nth), nthd], obs);
            Assert.False(r.Terminated);
            Assert.False(r.Truncated);
            (th, thd) = (nth, nthd);
        }
        env.State = [-2.5, -7.9];
        env.Step(-2f);
        Assert.Equal(-8.0, env.State[1]);
        env.State = [2.5, 7.9];
        env.Step(2f);
        Assert.Equal(8.0, env.State[1]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.5)]
    [InlineData(-3.5)]
    [InlineData(10.0)]
    [InlineData(-10.0)]
    [InlineData(Math.PI)]
    [InlineData(-Math.PI)]
    public void Angle_normalization_is_floored_into_minus_pi_to_pi(double angle)
    {
        double wrapped = Pendulum.NormalizeAngle(angle);
        Assert.True(wrapped >= -Math.PI && wrapped < Math.PI, $"{wrapped}");
        Near.Equal(Wrap(angle), wrapped, 1e-12);
        Near.Equal(Math.Cos(angle), Math.Cos(wrapped), 1e-9);
    }

    [Fact]
    public void Reward_uses_the_pre_step_state_and_the_angle_is_never_wrapped_in_the_state()
    {
        using var env = new Pendulum();
        env.State = [7.0, 0.0];
        (_, StepResult r) = env.Step(0f);
        double w = Wrap(7.0);
        Near.Equal(-(w * w), r.Reward);
        Assert.True(env.State[0] > 6.9);
    }

    [Fact]
    public void Out_of_range_torque_is_clipped_with_one_warning()
    {
        var warnings = new List<string>();
        using var env = new Pendulum { WarningSink = warnings.Add };
        env.State = [0.3, 0.1];
        (double th, double thd, double reward) = ReferenceStep(0.3, 0.1, 2.0);
        (_, StepResult r) = env.Step(5f);
        Near.Equal([th, thd], env.State);
        Near.Equal(reward, r.Reward);
        env.Step(-5f);
        Assert.Single(warnings);
        Assert.StartsWith("Pendulum", warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Gravity_argument_changes_the_dynamics()
    {
        using var env = new Pendulum(gravity: 9.81);
        env.State = [0.4, 0.2];
        (double th, double thd, _) = ReferenceStep(0.4, 0.2, 0.5, 9.81);
        env.Step(0.5f);
        Near.Equal([th, thd], env.State);
    }

    [Fact]
    public void Reset_respects_the_half_widths()
    {
        using var env = new Pendulum();
        env.Reset(seed: 5, options: new ResetOptions { AngleHalfWidth = 0.1, VelocityHalfWidth = 0.01 });
        Assert.InRange(env.State[0], -0.1, 0.1);
        Assert.InRange(env.State[1], -0.01, 0.01);
    }
}
