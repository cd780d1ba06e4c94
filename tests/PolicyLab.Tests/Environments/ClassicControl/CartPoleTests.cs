using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;

namespace PolicyLab.Tests.Environments.ClassicControl;

public class CartPoleTests
{
    // Equations written out independently from the facts sheet (explicit Euler, τ = 0.02).
    private static (double[] State, bool Terminated) ReferenceStep(double[] s, int action)
    {
        double g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, tau = 0.02;
        double m = mc + mp;
        double f = action == 1 ? 10.0 : -10.0;
        double x = s[0], xd = s[1], th = s[2], thd = s[3];
        double c = Math.Cos(th), sn = Math.Sin(th);
        double temp = (f + mp * l * (thd * thd) * sn) / m;
        double thAcc = (g * sn - c * temp) / (l * (4.0 / 3.0 - mp * (c * c) / m));
        double xAcc = temp - mp * l * thAcc * c / m;
        double[] next = [x + tau * xd, xd + tau * xAcc, th + tau * thd, thd + tau * thAcc];
        double thetaLimit = 12.0 * 2.0 * Math.PI / 360.0;
        bool done = next[0] < -2.4 || next[0] > 2.4 || next[2] < -thetaLimit || next[2] > thetaLimit;
        return (next, done);
    }

    [Fact]
    public void Steps_match_hand_computed_dynamics_for_both_pushes()
    {
        using var env = new CartPole();
        double[] state = [0.01, -0.2, 0.03, 0.4];
        env.State = state;
        int[] actions = [1, 1, 0, 1, 0, 0, 0, 1];
        var obs = new float[4];
        foreach (int a in actions)
        {
            (double[] expected, bool done) = ReferenceStep(state, a);
            StepResult r = env.Step([a], obs);
            Near.Equal(expected, env.State, what: "state");
            Near.Observation(expected, obs);
            Assert.Equal(1.0, r.Reward);
            Assert.Equal(done, r.Terminated);
            Assert.False(r.Truncated);
            Assert.False(done);
            state = expected;
        }
    }

    [Fact]
    public void Terminates_past_the_right_edge_and_still_rewards_the_terminal_step()
    {
        using var env = new CartPole();
        double[] state = [2.39, 1.0, 0.0, 0.0]; // x' = 2.39 + 0.02 = 2.41 > 2.4
        env.State = state;
        (double[] expected, bool done) = ReferenceStep(state, 1);
        Assert.True(done);
        (float[] obs, StepResult r) = env.Step(1);
        Assert.True(r.Terminated);
        Assert.Equal(1.0, r.Reward);
        Near.Observation(expected, obs);
    }

    [Fact]
    public void Does_not_terminate_exactly_at_the_threshold_strict_inequality()
    {
        using var env = new CartPole();
        env.State = [2.4 - 0.02 * 0.5, 0.5, 0.0, 0.0]; // x' = 2.4 - 0.01 + 0.01 ≈ 2.4 (not beyond)
        (double[] expected, bool done) = ReferenceStep(env.State, 0);
        (_, StepResult r) = env.Step(0);
        Assert.Equal(done, r.Terminated);
        Assert.Equal(expected[0] > 2.4, r.Terminated);
    }

    [Fact]
    public void Terminates_when_the_pole_falls_left()
    {
        using var env = new CartPole();
        double[] state = [0.0, 0.0, -0.205, -0.5];
        env.State = state;
        (double[] expected, bool done) = ReferenceStep(state, 0);
        Assert.True(done);
        (float[] obs, StepResult r) = env.Step(0);
        Assert.True(r.Terminated);
        Near.Observation(expected, obs);
    }

    [Theory]
    [InlineData(-2.39, -1.0, 0.0, 0.0, 0)]  // cart leaves on the left
    [InlineData(0.0, 0.0, 0.205, 0.5, 1)]   // pole falls right
    public void Terminates_on_the_other_two_sides(double x, double xDot, double theta, double thetaDot, int action)
    {
        using var env = new CartPole();
        double[] state = [x, xDot, theta, thetaDot];
        env.State = state;
        (double[] expected, bool done) = ReferenceStep(state, action);
        Assert.True(done);
        (float[] obs, StepResult r) = env.Step(action);
        Assert.True(r.Terminated);
        Assert.Equal(1.0, r.Reward);
        Near.Observation(expected, obs);
    }

    [Fact]
    public void Sutton_barto_reward_is_zero_then_minus_one()
    {
        using var env = new CartPole(suttonBartoReward: true);
        env.State = [0.0, 0.0, 0.0, 0.0];
        Assert.Equal(0.0, env.Step(1).Result.Reward);
        env.State = [2.39, 1.0, 0.0, 0.0];
        Assert.Equal(-1.0, env.Step(1).Result.Reward);
    }

    [Fact]
    public void Seeded_reset_is_deterministic_and_within_the_interval()
    {
        using var a = new CartPole();
        using var b = new CartPole();
        float[] first = a.Reset(seed: 42);
        Assert.Equal(first, b.Reset(seed: 42));
        Assert.All(a.State, v => Assert.InRange(v, -0.05, 0.05));
        float[] next = a.Reset();
        Assert.NotEqual(first, next);
        Assert.Equal(next, b.Reset());
        Assert.NotEqual(first, a.Reset(seed: 43));
    }

    [Fact]
    public void Reset_options_change_the_interval()
    {
        using var env = new CartPole();
        env.Reset(seed: 1, options: new ResetOptions { Low = 0.1, High = 0.2 });
        Assert.All(env.State, v => Assert.InRange(v, 0.1, 0.2));
        Assert.Throws<PolicyLabException>(() => env.Reset(options: new ResetOptions { Low = 0.3, High = 0.2 }));
    }

    [Fact]
    public void Observation_space_matches_the_registration_bounds()
    {
        using var env = new CartPole();
        Assert.Equal("Box([-4.8 -inf -0.418879 -inf], [4.8 inf 0.418879 inf], (4,), float32)", env.ObservationSpace.ToString());
        Assert.Equal("Discrete(2)", env.ActionSpace.ToString());
    }
}
