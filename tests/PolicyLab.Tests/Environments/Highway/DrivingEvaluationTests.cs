using PolicyLab.Environments.Highway;

namespace PolicyLab.Tests.Environments.Highway;

public class DrivingEvaluationTests
{
    [Fact]
    public void A_policy_delegate_that_always_plays_idle_reproduces_the_idle_protocol()
    {
        DrivingEvaluation protocol = DrivingEvaluation.Run("highway-fast-v0", DrivingProtocol.Idle, 4);
        DrivingEvaluation delegated = DrivingEvaluation.Run("highway-fast-v0", _ => (_, action) => action[0] = 1, 4);
        Assert.Equal(protocol.Returns, delegated.Returns);
        Assert.Equal(protocol.Lengths, delegated.Lengths);
        Assert.Equal(protocol.Crashed, delegated.Crashed);
        Assert.Equal(protocol.OnRoadSteps, delegated.OnRoadSteps);
    }

    [Fact]
    public void Driving_straight_on_the_racetrack_leaves_the_road_and_ends_the_episode_there()
    {
        // racetrack-v0 terminates off the road; the first straight is 58 m long, so zero steering at 10 m/s leaves it
        // within a few dozen steps and only the last step of each episode is off the road.
        DrivingEvaluation e = DrivingEvaluation.Run("racetrack-v0", DrivingProtocol.ZeroSteering, 3);
        Assert.Equal(3, e.EndedOffRoad);
        Assert.All(e.Lengths, l => Assert.InRange(l, 2, 60));
        Assert.Equal(e.Lengths.Sum() - 3, e.OnRoadSteps);
        Assert.InRange(e.OnRoadFraction, 0.5, 1.0);
    }
}
