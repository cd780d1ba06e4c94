using PolicyLab.Environments;
using PolicyLab.Environments.MinAtar;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class FreewayTests
{
    private const float NoOp = 0, Up = 1; // the -v1 minimal action set: no-op, up, down

    [Fact]
    public void Registered_ids_pass_the_environment_checker()
    {
        foreach (string id in new[] { "MinAtar/Freeway-v0", "MinAtar/Freeway-v1" })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
            Assert.Equal([10, 10, 7], env.ObservationSpace.Shape);
        }
    }

    [Fact]
    public void Observation_and_moves_follow_the_rules()
    {
        var game = new Freeway(stickyActionProbability: 0);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 4);
        Assert.Equal(9, game.ChickenRow);
        Assert.Equal(1f, obs[(9 * 10 + 4) * 7]);
        for (int lane = 0; lane < 8; lane++)
        {
            (int column, int speed) = game.Car(lane);
            Assert.Equal(0, column);
            Assert.InRange(Math.Abs(speed), 1, 5);
            int back = speed > 0 ? 9 : 1;
            Assert.Equal(1f, obs[((lane + 1) * 10 + back) * 7 + 1 + Math.Abs(speed)]); // the trail in the speed's channel
        }
        Assert.Equal(17, obs.Sum()); // chicken, 8 cars, 8 trails
        // The chicken can first move on the fourth frame, then every third.
        for (int t = 1; t <= 3; t++) { game.Step([Up], obs); Assert.Equal(9, game.ChickenRow); }
        game.Step([Up], obs);
        Assert.True(game.ChickenRow is 8 or 9); // 9 only if a car hit it at once
    }

    [Fact]
    public void Episodes_truncate_after_2500_frames_and_points_come_with_a_return_to_the_bottom()
    {
        var game = new Freeway(stickyActionProbability: 0);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 1);
        int steps = 0;
        double score = 0;
        StepResult r;
        do
        {
            r = game.Step([Up], obs);
            steps++;
            score += r.Reward;
            if (r.Reward > 0) Assert.Equal(9, game.ChickenRow);
            Assert.Equal(1, Enumerable.Range(0, 10).Count(row => obs[(row * 10 + 4) * 7] == 1f)); // one chicken, always in column 4
        } while (!r.Done);
        Assert.Equal(Freeway.TimeLimit + 1, steps);
        Assert.True(r.Truncated);
        Assert.False(r.Terminated);
        Assert.True(score >= 1, $"always pressing up should cross at least once in 2 500 frames; scored {score}");
        var noop = new Freeway(stickyActionProbability: 0);
        noop.Reset(obs, 1);
        for (int t = 0; t < 100; t++) Assert.Equal(0, noop.Step([NoOp], obs).Reward);
    }
}
