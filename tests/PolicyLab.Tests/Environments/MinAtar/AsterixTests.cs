using PolicyLab.Environments;
using PolicyLab.Environments.MinAtar;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class AsterixTests
{
    private const float NoOp = 0, Right = 3; // the -v1 minimal action set: no-op, left, up, right, down

    private static float Cell(float[] observation, int row, int column, int channel) => observation[(row * 10 + column) * 4 + channel];

    private static (Asterix Game, float[] Observation) Start(bool ramping = true)
    {
        var game = new Asterix(stickyActionProbability: 0, difficultyRamping: ramping);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 5);
        return (game, obs);
    }

    [Fact]
    public void Registered_ids_pass_the_environment_checker()
    {
        foreach ((string id, int actions) in new[] { ("MinAtar/Asterix-v0", 6), ("MinAtar/Asterix-v1", 5) })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
            Assert.Equal(actions, ((Discrete)env.ActionSpace).Count);
            var space = Assert.IsType<Box>(env.ObservationSpace);
            Assert.True(space.IsImage);
            Assert.Equal([10, 10, 4], space.Shape);
            Assert.Equal(MinAtarRegistrations.MaxEpisodeSteps, env.Spec!.MaxEpisodeSteps);
        }
    }

    [Fact]
    public void Start_and_first_spawn_follow_the_rules()
    {
        (Asterix game, float[] obs) = Start();
        Assert.Equal((5, 5), game.Player);
        Assert.Equal(0, game.ObjectCount);
        Assert.Equal(1f, Cell(obs, 5, 5, 0));
        Assert.Equal(1, obs.Sum());
        // The spawn timer starts at 10: nothing appears in the first ten frames, one object on the eleventh at an edge,
        // which then takes its first step at once (the move timer, started at 5, also runs out on frame 11).
        for (int t = 0; t < 10; t++) game.Step([NoOp], obs);
        Assert.Equal(0, game.ObjectCount);
        game.Step([NoOp], obs);
        Assert.Equal(1, game.ObjectCount);
        int lane = Enumerable.Range(0, 8).Single(l => game.Lane(l) is not null);
        (int column, bool right, bool gold) = game.Lane(lane)!.Value;
        Assert.Equal(right ? 1 : 8, column);
        Assert.Equal(1f, Cell(obs, lane + 1, column, gold ? 3 : 1));
        Assert.Equal(1f, Cell(obs, lane + 1, right ? 0 : 9, 2)); // its trail on the edge cell it came from
        Assert.Equal(3, obs.Sum());
    }

    [Fact]
    public void Touching_gold_scores_and_removes_it()
    {
        (Asterix game, float[] obs) = Start();
        game.PlaceObject(lane: 4, column: 6, movingRight: false, gold: true); // row 5, next to the player
        StepResult r = game.Step([Right], obs);
        Assert.Equal(1, r.Reward);
        Assert.False(r.Done);
        Assert.Equal((5, 6), game.Player);
        Assert.Null(game.Lane(4));
        Assert.Equal(0f, Cell(obs, 5, 6, 3));
    }

    [Fact]
    public void Touching_an_enemy_ends_the_game()
    {
        (Asterix game, float[] obs) = Start();
        game.PlaceObject(lane: 4, column: 7, movingRight: false, gold: false);
        game.SetTimers(spawnTimer: 50, moveTimer: 0);
        StepResult first = game.Step([NoOp], obs); // the enemy moves to column 6, its trail on 7
        Assert.False(first.Done);
        Assert.Equal(6, game.Lane(4)!.Value.Column);
        Assert.Equal(1f, Cell(obs, 5, 6, 1));
        Assert.Equal(1f, Cell(obs, 5, 7, 2));
        StepResult second = game.Step([Right], obs); // the player walks into it
        Assert.True(second.Terminated);
        Assert.Equal(0, second.Reward);
    }

    [Fact]
    public void Ramping_shortens_the_spawn_and_move_intervals_every_102_frames()
    {
        (Asterix game, float[] obs) = Start();
        (Asterix flat, float[] flatObs) = Start(ramping: false);
        for (int frame = 1; frame <= 204; frame++)
        {
            game.ClearObjects();
            flat.ClearObjects();
            game.Step([NoOp], obs);
            flat.Step([NoOp], flatObs);
            if (frame == 101) Assert.Equal((10, 5, 0), (game.SpawnInterval, game.MoveInterval, game.RampIndex));
            if (frame == 102) Assert.Equal((9, 5, 1), (game.SpawnInterval, game.MoveInterval, game.RampIndex));
        }
        Assert.Equal((8, 4, 2), (game.SpawnInterval, game.MoveInterval, game.RampIndex)); // the move interval drops on every second ramp
        Assert.Equal((10, 5, 0), (flat.SpawnInterval, flat.MoveInterval, flat.RampIndex));
        // The shorter interval shows: the next spawn comes 8 frames after the previous one.
        game.ClearObjects();
        int sinceSpawn = 0;
        var gaps = new List<int>();
        for (int t = 0; t < 40; t++)
        {
            int before = game.ObjectCount;
            game.Step([NoOp], obs);
            sinceSpawn++;
            if (game.ObjectCount > before) { gaps.Add(sinceSpawn); sinceSpawn = 0; }
            game.ClearObjects();
        }
        Assert.Equal(8, gaps[1]);
    }

    [Fact]
    public void Same_seed_same_episode_and_seeds_differ()
    {
        Assert.Equal(MinAtarTrace.Record("MinAtar/Asterix-v1", 7), MinAtarTrace.Record("MinAtar/Asterix-v1", 7));
        Assert.NotEqual(MinAtarTrace.Record("MinAtar/Asterix-v1", 7), MinAtarTrace.Record("MinAtar/Asterix-v1", 8));
    }
}
