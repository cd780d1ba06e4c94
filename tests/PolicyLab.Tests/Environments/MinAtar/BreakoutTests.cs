using PolicyLab.Environments;
using PolicyLab.Environments.MinAtar;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class BreakoutTests
{
    private const float NoOp = 0, Left = 1, Right = 2; // the -v1 minimal action set

    /// <summary>A game without sticky actions reset to the start with the ball at the left edge (the seed decides the side).</summary>
    private static (Breakout Game, float[] Observation) LeftStart()
    {
        var game = new Breakout(minimalActionSet: true, stickyActionProbability: 0);
        var observation = new float[game.ObservationSize];
        for (ulong seed = 0; ; seed++)
        {
            game.Reset(observation, seed);
            if (game.Ball.Column == 0) return (game, observation);
        }
    }

    private static float Cell(float[] observation, int row, int column, int channel) => observation[(row * 10 + column) * 4 + channel];

    [Fact]
    public void Registered_ids_pass_the_environment_checker()
    {
        foreach (string id in new[] { "MinAtar/Breakout-v0", "MinAtar/Breakout-v1" })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
        }
        using IEnvironment full = EnvironmentRegistry.Make("MinAtar/Breakout-v0"), minimal = EnvironmentRegistry.Make("MinAtar/Breakout-v1");
        Assert.Equal(6, ((Discrete)full.ActionSpace).Count);
        Assert.Equal(3, ((Discrete)minimal.ActionSpace).Count);
        var space = Assert.IsType<Box>(minimal.ObservationSpace);
        Assert.True(space.IsImage);
        Assert.Equal([10, 10, 4], space.Shape);
        Assert.Equal(MinAtarRegistrations.MaxEpisodeSteps, minimal.Spec!.MaxEpisodeSteps);
    }

    [Fact]
    public void Start_state_follows_the_rules()
    {
        (Breakout game, float[] obs) = LeftStart();
        Assert.Equal(4, game.Paddle);
        Assert.Equal((3, 0), game.Ball);
        Assert.Equal(30, game.BricksLeft);
        Assert.Equal(1f, Cell(obs, 9, 4, 0));      // paddle
        Assert.Equal(1f, Cell(obs, 3, 0, 1));      // ball
        Assert.Equal(1f, Cell(obs, 3, 0, 2));      // trail starts on the ball
        for (int column = 0; column < 10; column++)
        {
            Assert.Equal(1f, Cell(obs, 1, column, 3));
            Assert.Equal(1f, Cell(obs, 3, column, 3));
            Assert.Equal(0f, Cell(obs, 4, column, 3));
        }
        Assert.Equal(33, obs.Sum()); // paddle, ball, trail and 30 bricks
    }

    [Fact]
    public void Ball_bounces_off_the_paddle_and_breaks_a_brick()
    {
        (Breakout game, float[] obs) = LeftStart();
        // Down-right from (3, 0): the ball reaches row 8 at column 5 after five frames; the paddle moves to column 6.
        foreach (float action in new[] { Right, Right, NoOp, NoOp, NoOp })
            Assert.False(game.Step([action], obs).Done);
        Assert.Equal((8, 5), game.Ball);
        Assert.Equal(6, game.Paddle);
        // Next frame the ball would enter row 9 at column 6, where the paddle is: both directions reverse, row kept.
        StepResult bounce = game.Step([NoOp], obs);
        Assert.False(bounce.Terminated);
        Assert.Equal((8, 6), game.Ball);
        Assert.Equal(1f, Cell(obs, 8, 5, 2)); // trail on the previous cell
        // Up-left: (7, 5), (6, 4), (5, 3), (4, 2), then the brick at (3, 1) breaks and the ball stays on row 4.
        for (int i = 0; i < 4; i++) Assert.Equal(0, game.Step([NoOp], obs).Reward);
        StepResult strike = game.Step([NoOp], obs);
        Assert.Equal(1, strike.Reward);
        Assert.Equal((4, 1), game.Ball);
        Assert.Equal(29, game.BricksLeft);
        Assert.Equal(0f, Cell(obs, 3, 1, 3));
    }

    [Fact]
    public void Missing_the_ball_terminates()
    {
        (Breakout game, float[] obs) = LeftStart();
        StepResult last = default;
        int steps = 0;
        while (!last.Done) { last = game.Step([Left], obs); steps++; }
        Assert.True(last.Terminated);
        Assert.False(last.Truncated);
        Assert.Equal(6, steps); // rows 4–8, then the bottom row away from the paddle
    }

    [Fact]
    public void Sticky_actions_repeat_the_previous_action()
    {
        var never = new Breakout(stickyActionProbability: 0);
        var almostAlways = new Breakout(stickyActionProbability: 0.999999);
        var obs = new float[never.ObservationSize];
        never.Reset(obs, 1);
        never.Step([Right], obs);
        Assert.Equal(5, never.Paddle);
        almostAlways.Reset(obs, 1);
        almostAlways.Step([Right], obs);
        Assert.Equal(4, almostAlways.Paddle); // the previous action, no-op at the start of an episode, was repeated
    }

    [Fact]
    public void Same_seed_same_episode_and_seeds_differ()
    {
        static List<float> Episode(ulong seed)
        {
            using IEnvironment env = EnvironmentRegistry.Make("MinAtar/Breakout-v1");
            var obs = new float[env.ObservationSpace.FlatSize];
            var trace = new List<float>();
            env.Reset(obs, seed);
            var rng = new PolicyLab.Numerics.Rng(seed + 100);
            for (int t = 0; t < 300; t++)
            {
                StepResult r = env.Step([rng.NextInt(3)], obs);
                trace.Add((float)r.Reward);
                trace.AddRange(obs);
                if (r.Done) env.Reset(obs);
            }
            return trace;
        }
        Assert.Equal(Episode(7), Episode(7));
        Assert.NotEqual(Episode(7), Episode(8));
    }

    [Fact]
    public void Bad_arguments_are_clear_errors()
    {
        var e = Assert.Throws<PolicyLabException>(() => new Breakout(stickyActionProbability: 1.5));
        Assert.Contains("sticky_action_prob", e.Message, StringComparison.Ordinal);
        using var game = new Breakout();
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 0);
        Assert.ThrowsAny<Exception>(() => game.Step([3], obs));
    }
}
