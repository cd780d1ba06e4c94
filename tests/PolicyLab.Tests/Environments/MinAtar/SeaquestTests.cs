using PolicyLab.Environments;
using PolicyLab.Environments.MinAtar;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class SeaquestTests
{
    private const float NoOp = 0, Up = 2, Down = 4, Fire = 5; // all six actions: no-op, left, up, right, down, fire

    private static float Cell(float[] observation, int row, int column, int channel) => observation[(row * 10 + column) * 10 + channel];

    /// <summary>A game without sticky actions whose submarine has dived one row (to row 1, column 5, facing left).</summary>
    private static (Seaquest Game, float[] Observation) Dived(bool ramping = true)
    {
        var game = new Seaquest(stickyActionProbability: 0, difficultyRamping: ramping);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 2);
        game.Step([Down], obs);
        Assert.Equal((1, 5), game.Submarine);
        return (game, obs);
    }

    [Fact]
    public void Registered_ids_pass_the_environment_checker()
    {
        foreach (string id in new[] { "MinAtar/Seaquest-v0", "MinAtar/Seaquest-v1" })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
            Assert.Equal(6, ((Discrete)env.ActionSpace).Count); // Seaquest's minimal set is all six
            var space = Assert.IsType<Box>(env.ObservationSpace);
            Assert.True(space.IsImage);
            Assert.Equal([10, 10, 10], space.Shape);
        }
    }

    [Fact]
    public void Start_state_and_first_spawn_follow_the_rules()
    {
        var game = new Seaquest(stickyActionProbability: 0);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 4);
        Assert.Equal(1f, Cell(obs, 0, 5, 0)); // front
        Assert.Equal(1f, Cell(obs, 0, 6, 1)); // back, behind a submarine facing left
        for (int column = 0; column < 10; column++) Assert.Equal(1f, Cell(obs, 9, column, 7)); // a full oxygen gauge
        Assert.Equal(12, obs.Sum());
        // Waiting on the surface costs no oxygen; the first enemy comes on frame 21, at an edge of rows 1–8.
        for (int t = 0; t < 20; t++) Assert.False(game.Step([NoOp], obs).Done);
        Assert.Equal(0, game.FishCount + game.EnemySubmarineCount);
        Assert.Equal(Seaquest.MaxOxygen, game.Oxygen);
        game.Step([NoOp], obs);
        Assert.Equal(1, game.FishCount + game.EnemySubmarineCount);
        int enemyCells = Enumerable.Range(0, 100).Count(i => Cell(obs, i / 10, i % 10, 5) + Cell(obs, i / 10, i % 10, 6) > 0);
        Assert.Equal(1, enemyCells);
        int cell = Enumerable.Range(0, 100).Single(i => Cell(obs, i / 10, i % 10, 5) + Cell(obs, i / 10, i % 10, 6) > 0);
        Assert.InRange(cell / 10, 1, 8);
        Assert.True(cell % 10 is 0 or 9);
    }

    [Fact]
    public void Running_out_of_oxygen_ends_the_game()
    {
        (Seaquest game, float[] obs) = Dived();
        game.SetSupplies(oxygen: 5, divers: 0);
        for (int t = 0; t < 5; t++) Assert.False(game.Step([NoOp], obs).Done);
        Assert.Equal(0, game.Oxygen);
        Assert.Equal(0, Enumerable.Range(0, 10).Sum(column => Cell(obs, 9, column, 7))); // an empty gauge
        StepResult last = game.Step([NoOp], obs);
        Assert.True(last.Terminated);
    }

    [Fact]
    public void Surfacing_with_six_divers_pays_for_the_oxygen_left_and_ramps()
    {
        (Seaquest game, float[] obs) = Dived();
        game.SetSupplies(oxygen: 150, divers: 6);
        game.Step([NoOp], obs); // oxygen 149
        Assert.Equal(6, Enumerable.Range(0, 10).Sum(column => Cell(obs, 9, column, 8))); // the diver gauge, columns 3–8
        Assert.Equal(1f, Cell(obs, 9, 3, 8));
        StepResult surfacing = game.Step([Up], obs);
        Assert.Equal(149 * 10 / Seaquest.MaxOxygen, surfacing.Reward); // 7
        Assert.False(surfacing.Done);
        Assert.Equal(Seaquest.MaxOxygen, game.Oxygen);
        Assert.Equal(-1, game.Divers); // MinAtar unloads six, then removes one more
        Assert.Equal((19, 5, 1), (game.SpawnInterval, game.MoveInterval, game.RampIndex));
        // Staying on the surface neither pays again nor uses oxygen.
        Assert.Equal(0, game.Step([NoOp], obs).Reward);
        Assert.Equal(Seaquest.MaxOxygen, game.Oxygen);
    }

    [Fact]
    public void Surfacing_costs_a_diver_and_surfacing_without_one_ends_the_game()
    {
        (Seaquest game, float[] obs) = Dived(ramping: false);
        game.SetSupplies(oxygen: 100, divers: 2);
        StepResult surfacing = game.Step([Up], obs);
        Assert.Equal(0, surfacing.Reward);
        Assert.False(surfacing.Done);
        Assert.Equal((Seaquest.MaxOxygen, 1), (game.Oxygen, game.Divers));
        Assert.Equal((20, 0), (game.SpawnInterval, game.RampIndex)); // no ramp when it is off
        game.Step([Down], obs);
        game.SetSupplies(oxygen: 100, divers: 0);
        Assert.True(game.Step([Up], obs).Terminated);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Shooting_an_enemy_scores_and_removes_it(bool submarine)
    {
        (Seaquest game, float[] obs) = Dived();
        if (submarine) game.AddEnemySubmarine(row: 1, column: 1, right: true, moveTimer: 100, shotTimer: 100);
        else game.AddFish(row: 1, column: 1, right: true, moveTimer: 100);
        Assert.Equal(0, game.Step([Fire], obs).Reward); // the bullet leaves the front cell at once: column 4
        Assert.Equal(1f, Cell(obs, 1, 4, 2));
        Assert.Equal(1f, Cell(obs, 1, 1, submarine ? 6 : 5));
        Assert.Equal(0, game.Step([NoOp], obs).Reward);
        Assert.Equal(0, game.Step([NoOp], obs).Reward);
        Assert.Equal(1, game.Step([NoOp], obs).Reward); // column 1
        Assert.Equal(0, game.FishCount + game.EnemySubmarineCount);
        Assert.Equal(0, Enumerable.Range(0, 10).Sum(column => Cell(obs, 1, column, 2) + Cell(obs, 1, column, 5) + Cell(obs, 1, column, 6)));
    }

    [Fact]
    public void A_fish_swimming_into_the_submarine_ends_the_game_and_a_diver_is_picked_up()
    {
        (Seaquest game, float[] obs) = Dived();
        game.AddDiver(row: 1, column: 4, right: true, moveTimer: 0);
        game.Step([NoOp], obs);
        Assert.Equal((1, 0), (game.Divers, game.SwimmingDivers));
        Assert.Equal(1f, Cell(obs, 9, 8, 8));
        game.AddFish(row: 1, column: 4, right: true, moveTimer: 0);
        Assert.Equal(1f, game.Step([NoOp], obs).Terminated ? 1f : 0f);
    }

    [Fact]
    public void An_enemy_submarine_fires_along_its_row()
    {
        (Seaquest game, float[] obs) = Dived();
        game.AddEnemySubmarine(row: 3, column: 0, right: true, moveTimer: 100, shotTimer: 0);
        game.Step([NoOp], obs); // the bullet is fired from column 0 and moves to column 1 in the same frame
        Assert.Equal(1f, Cell(obs, 3, 1, 4));
        game.Step([NoOp], obs);
        Assert.Equal(1f, Cell(obs, 3, 2, 4));
        Assert.Equal(0f, Cell(obs, 3, 1, 4));
    }

    [Fact]
    public void Same_seed_same_episode_and_seeds_differ()
    {
        Assert.Equal(MinAtarTrace.Record("MinAtar/Seaquest-v1", 7), MinAtarTrace.Record("MinAtar/Seaquest-v1", 7));
        Assert.NotEqual(MinAtarTrace.Record("MinAtar/Seaquest-v1", 7), MinAtarTrace.Record("MinAtar/Seaquest-v1", 8));
    }
}
