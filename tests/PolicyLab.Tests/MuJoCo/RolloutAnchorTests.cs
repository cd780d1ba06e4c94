using System.Globalization;
using PolicyLab.Environments;
using PolicyLab.MuJoCo;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

/// <summary>
/// The deterministic rollouts measured with Gymnasium's model files on MuJoCo 2.2.2 (facts §1.7): no reset noise, a
/// constant action, v5 rewards, until termination or 1000 steps. Our model files and step loop must reproduce the step
/// count, first reward, return and final qpos[0..2] to the printed six decimals.
/// </summary>
public sealed class RolloutAnchorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Hopper-v5", 0.0, 141, true, 1.000000, 132.890021, -0.056880, 1.194980, -0.204583)]
    [InlineData("Hopper-v5", 0.5, 27, true, 1.017254, 44.390417, 0.147285, 1.303538, 0.201395)]
    [InlineData("Walker2d-v5", 0.0, 135, true, 1.000000, 112.875637, -0.168995, 0.790156, -0.940415)]
    [InlineData("Walker2d-v5", 0.5, 339, true, 1.110776, 224.017606, -0.907791, 0.784894, -0.873836)]
    [InlineData("HalfCheetah-v5", 0.0, 1000, false, 0.000000, -0.246373, -0.012319, -0.132445, 0.052125)]
    [InlineData("HalfCheetah-v5", 0.5, 1000, false, 0.320670, -139.511796, 0.524410, -0.343711, 0.675053)]
    [InlineData("Ant-v5", 0.0, 1000, false, 1.000000, 993.173696, 0.000000, 0.000000, 0.372481)]
    [InlineData("Ant-v5", 0.5, 1000, false, 0.007823, -3.912002, -0.039323, -0.002651, 0.512036)]
    [InlineData("Humanoid-v5", 0.0, 40, true, 5.000000, 195.123591, -0.000311, -0.003278, 0.996185)]
    [InlineData("Humanoid-v5", 0.3, 49, true, 4.847014, 258.552454, 0.542605, 0.274937, 0.993436)]
    [InlineData("Humanoid-v5", -0.3, 13, true, 4.847072, 57.857795, 0.001700, -0.000214, 0.974378)]
    public void Rollout_matches_the_measured_anchor(string id, double action, int steps, bool terminated, double firstReward,
        double expectedReturn, double q0, double q1, double q2) =>
        Check(id, null, action, steps, terminated, firstReward, expectedReturn, q0, q1, q2);

    [Fact]
    public void Walker2d_v4_feet_match_their_anchor()
    {
        // v4's model (right foot friction 0.9) with v5 rewards, as measured.
        Check("Walker2d-v4", null, 0.0, 131, true, 1.000000, 120.942967, -0.072456, 1.104393, -1.032149, v5Reward: true);
    }

    private void Check(string id, Dictionary<string, object>? extra, double action, int steps, bool terminated, double firstReward,
        double expectedReturn, double q0, double q1, double q2, bool v5Reward = false)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        var arguments = new Dictionary<string, object>(extra ?? [], StringComparer.Ordinal) { ["reset_noise_scale"] = 0.0 };
        using IEnvironment env = EnvironmentRegistry.Make(id, arguments, maxEpisodeSteps: 0); // the loop stops at 1000
        var raw = (MuJoCoEnvironment)env.Unwrapped();
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        var a = Enumerable.Repeat(action, env.ActionSpace.FlatSize).ToArray(); // float64, as in the measured rollouts
        double total = 0, first = double.NaN;
        int n = 0;
        bool ended = false;
        while (n < 1000)
        {
            StepResult r = raw.StepDouble(a, obs);
            // The anchors use v5's healthy rule; a v4 id pays the healthy reward on the terminating step too.
            double reward = r.Reward - (v5Reward && r.Terminated ? 1.0 : 0.0);
            if (n == 0) first = reward;
            total += reward;
            n++;
            if (r.Terminated) { ended = true; break; }
        }
        double[] qpos = raw.Qpos;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id} a={action}: steps {n} terminated {ended} first {first:F6} return {total:F6} qpos {qpos[0]:F6} {qpos[1]:F6} {qpos[2]:F6}"));
        Assert.Equal(steps, n);
        Assert.Equal(terminated, ended);
        Assert.Equal(firstReward, first, 6);
        Assert.Equal(expectedReturn, total, 6);
        Assert.Equal(q0, qpos[0], 6);
        Assert.Equal(q1, qpos[1], 6);
        Assert.Equal(q2, qpos[2], 6);
    }
}
