using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;

namespace PolicyLab.Tests.Environments.ClassicControl;

public class AcrobotTests
{
    // "Book" acrobot written out from the facts sheet.
    private static double[] Derivative(double[] y, double a)
    {
        double m1 = 1, m2 = 1, l1 = 1, lc1 = 0.5, lc2 = 0.5, i1 = 1, i2 = 1, g = 9.8;
        double t1 = y[0], t2 = y[1], w1 = y[2], w2 = y[3];
        double d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.Cos(t2)) + i1 + i2;
        double d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.Cos(t2)) + i2;
        double phi2 = m2 * lc2 * g * Math.Cos(t1 + t2 - Math.PI / 2);
        double phi1 = -m2 * l1 * lc2 * w2 * w2 * Math.Sin(t2) - 2 * m2 * l1 * lc2 * w2 * w1 * Math.Sin(t2)
                      + (m1 * lc1 + m2 * l1) * g * Math.Cos(t1 - Math.PI / 2) + phi2;
        double acc2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * w1 * w1 * Math.Sin(t2) - phi2) / (m2 * lc2 * lc2 + i2 - d2 * d2 / d1);
        double acc1 = -(d2 * acc2 + phi1) / d1;
        return [w1, w2, acc1, acc2];
    }

    private static double[] Add(double[] y, double h, double[] k) => [.. y.Select((v, i) => v + h * k[i])];

    private static (double[] State, bool Terminated, double Reward) ReferenceStep(double[] s, int action)
    {
        double torque = action - 1.0, dt = 0.2;
        double[] k1 = Derivative(s, torque);
        double[] k2 = Derivative(Add(s, dt / 2, k1), torque);
        double[] k3 = Derivative(Add(s, dt / 2, k2), torque);
        double[] k4 = Derivative(Add(s, dt, k3), torque);
        double[] n = [.. s.Select((v, i) => v + dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]))];
        static double WrapAngle(double x)
        {
            while (x > Math.PI) x -= 2 * Math.PI;
            while (x < -Math.PI) x += 2 * Math.PI;
            return x;
        }
        n[0] = WrapAngle(n[0]);
        n[1] = WrapAngle(n[1]);
        n[2] = Math.Min(Math.Max(n[2], -4 * Math.PI), 4 * Math.PI);
        n[3] = Math.Min(Math.Max(n[3], -9 * Math.PI), 9 * Math.PI);
        bool done = -Math.Cos(n[0]) - Math.Cos(n[1] + n[0]) > 1.0;
        return (n, done, done ? 0.0 : -1.0);
    }

    private static double[] ObservationOf(double[] s) => [Math.Cos(s[0]), Math.Sin(s[0]), Math.Cos(s[1]), Math.Sin(s[1]), s[2], s[3]];

    [Fact]
    public void Steps_match_hand_computed_rk4_for_every_torque()
    {
        using var env = new Acrobot();
        double[] state = [0.05, -0.08, 0.3, -0.2];
        env.State = state;
        var obs = new float[6];
        foreach (int a in new[] { 0, 1, 2, 2, 0, 1, 2, 2, 2, 0 })
        {
            var (expected, done, reward) = ReferenceStep(state, a);
            StepResult r = env.Step([a], obs);
            Near.Equal(expected, env.State, 1e-10, "state");
            Near.Observation(ObservationOf(expected), obs);
            Assert.Equal(done, r.Terminated);
            Assert.Equal(reward, r.Reward);
            state = env.State;
        }
    }

    [Fact]
    public void Wraps_angles_and_clamps_both_velocities()
    {
        using var env = new Acrobot();
        double[] state = [3.1, -3.1, 12.5, -28.0];
        env.State = state;
        var (expected, _, _) = ReferenceStep(state, 2);
        env.Step(2);
        double[] actual = env.State;
        Near.Equal(expected, actual, 1e-10, "state");
        Assert.InRange(actual[0], -Math.PI, Math.PI);
        Assert.InRange(actual[1], -Math.PI, Math.PI);
        Assert.True(Math.Abs(actual[2]) == 4 * Math.PI || Math.Abs(actual[3]) == 9 * Math.PI, "expected a velocity clamp to engage");
    }

    [Fact]
    public void Terminates_with_zero_reward_when_the_tip_is_above_the_line()
    {
        using var env = new Acrobot();
        double[] state = [Math.PI - 0.1, 0.05, 0.0, 0.0]; // nearly inverted: tip height ≈ 2
        env.State = state;
        var (expected, done, reward) = ReferenceStep(state, 1);
        Assert.True(done);
        (float[] obs, StepResult r) = env.Step(1);
        Assert.True(r.Terminated);
        Assert.Equal(0.0, r.Reward);
        Assert.Equal(reward, r.Reward);
        Near.Observation(ObservationOf(expected), obs);
    }

    [Fact]
    public void Reset_state_is_rounded_to_float32()
    {
        using var env = new Acrobot();
        env.Reset(seed: 7);
        foreach (double v in env.State)
        {
            Assert.Equal((double)(float)v, v);
            Assert.InRange(v, -0.1, 0.1);
        }
    }
}
