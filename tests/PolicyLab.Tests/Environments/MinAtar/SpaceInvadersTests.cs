using PolicyLab.Environments;
using PolicyLab.Environments.MinAtar;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class SpaceInvadersTests
{
    private const float NoOp = 0, Left = 1, Fire = 3; // the -v1 minimal action set: no-op, left, right, fire
    private const int NoShots = 1_000_000; // an alien shot timer that never runs out in a test

    private static float Cell(float[] observation, int row, int column, int channel) => observation[(row * 10 + column) * 6 + channel];

    private static (SpaceInvaders Game, float[] Observation) Start(bool ramping = true)
    {
        var game = new SpaceInvaders(stickyActionProbability: 0, difficultyRamping: ramping);
        var obs = new float[game.ObservationSize];
        game.Reset(obs, 0);
        return (game, obs);
    }

    private static IEnumerable<(int Row, int Column)> Aliens(SpaceInvaders game) =>
        from row in Enumerable.Range(0, 10) from column in Enumerable.Range(0, 10) where game.AlienAt(row, column) select (row, column);

    [Fact]
    public void Registered_ids_pass_the_environment_checker()
    {
        foreach ((string id, int actions) in new[] { ("MinAtar/SpaceInvaders-v0", 6), ("MinAtar/SpaceInvaders-v1", 4) })
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            Assert.Empty(EnvironmentChecker.Check(env, seed: 3));
            Assert.Equal(actions, ((Discrete)env.ActionSpace).Count);
            var space = Assert.IsType<Box>(env.ObservationSpace);
            Assert.True(space.IsImage);
            Assert.Equal([10, 10, 6], space.Shape);
        }
    }

    [Fact]
    public void The_wave_marches_left_then_reverses_and_descends_at_the_edge()
    {
        (SpaceInvaders game, float[] obs) = Start();
        Assert.Equal(24, game.AliensLeft);
        Assert.Equal(1f, Cell(obs, 9, 5, 0));
        Assert.Equal(1f, Cell(obs, 0, 2, 1));
        Assert.Equal(1f, Cell(obs, 3, 7, 2)); // moving left
        Assert.Equal(0f, Cell(obs, 3, 7, 3));
        Assert.Equal(1 + 24 * 2, obs.Sum());
        game.SetAlienTimers(moveTimer: 12, shotTimer: NoShots);
        for (int t = 0; t < 12; t++) game.Step([NoOp], obs);
        Assert.Equal((2, 7), (Aliens(game).Min(a => a.Column), Aliens(game).Max(a => a.Column)));
        game.Step([NoOp], obs); // frame 13: one column left
        Assert.Equal((1, 6), (Aliens(game).Min(a => a.Column), Aliens(game).Max(a => a.Column)));
        for (int t = 0; t < 12; t++) game.Step([NoOp], obs); // frame 25: columns 0–5
        Assert.Equal(0, Aliens(game).Min(a => a.Column));
        Assert.Equal(-1, game.Direction);
        for (int t = 0; t < 12; t++) game.Step([NoOp], obs); // frame 37: at the edge, so down one row and reverse
        Assert.Equal((0, 5), (Aliens(game).Min(a => a.Column), Aliens(game).Max(a => a.Column)));
        Assert.Equal((1, 4), (Aliens(game).Min(a => a.Row), Aliens(game).Max(a => a.Row)));
        Assert.Equal(1, game.Direction);
        Assert.Equal(1f, Cell(obs, 4, 0, 3)); // now in the moving-right channel
        Assert.Equal(0f, Cell(obs, 4, 0, 2));
    }

    [Fact]
    public void A_shot_removes_an_alien_for_one_point_and_a_lone_alien_moves_every_frame()
    {
        (SpaceInvaders game, float[] obs) = Start();
        game.ClearBoard();
        game.PlaceAlien(5, 5);
        game.PlaceAlien(0, 8);
        game.SetAlienTimers(moveTimer: 100, shotTimer: NoShots);
        Assert.Equal(0, game.Step([Fire], obs).Reward);
        Assert.True(game.BulletAt(8, 5));
        Assert.Equal(1f, Cell(obs, 8, 5, 4));
        Assert.Equal(0, game.Step([NoOp], obs).Reward);
        Assert.Equal(0, game.Step([NoOp], obs).Reward);
        StepResult hit = game.Step([NoOp], obs);
        Assert.Equal(1, hit.Reward);
        Assert.False(game.AlienAt(5, 5));
        Assert.False(game.BulletAt(5, 5));
        Assert.Equal(1, game.AliensLeft);
        // One alien left: after its next move its timer restarts at 1, so it moves one column every frame.
        game.SetAlienTimers(moveTimer: 0, shotTimer: NoShots);
        foreach (int column in new[] { 7, 6, 5, 4 })
        {
            game.Step([NoOp], obs);
            Assert.True(game.AlienAt(0, column));
        }
    }

    [Theory]
    [InlineData(true, 11, 1)]
    [InlineData(false, 12, 0)]
    public void Clearing_the_wave_brings_a_new_one(bool ramping, int interval, int ramps)
    {
        (SpaceInvaders game, float[] obs) = Start(ramping);
        game.ClearBoard();
        game.PlaceAlien(5, 5);
        game.SetAlienTimers(moveTimer: 100, shotTimer: NoShots);
        double score = 0;
        foreach (float action in new[] { Fire, NoOp, NoOp, NoOp }) score += game.Step([action], obs).Reward;
        Assert.Equal(1, score);
        Assert.Equal(24, game.AliensLeft);
        Assert.True(game.AlienAt(0, 2) && game.AlienAt(3, 7) && !game.AlienAt(5, 5));
        Assert.Equal(interval, game.AlienMoveInterval);
        Assert.Equal(ramps, game.RampIndex);
    }

    [Fact]
    public void An_alien_bullet_reaching_the_cannon_ends_the_game()
    {
        (SpaceInvaders game, float[] obs) = Start();
        game.ClearBoard();
        game.PlaceAlien(0, 0);
        game.PlaceAlienBullet(7, 5);
        game.PlaceAlienBullet(7, 2);
        game.SetAlienTimers(moveTimer: 100, shotTimer: NoShots);
        Assert.False(game.Step([NoOp], obs).Done);
        Assert.Equal(1f, Cell(obs, 8, 5, 5));
        StepResult hit = game.Step([NoOp], obs);
        Assert.True(hit.Terminated);
        // A cannon that steps aside survives the same bullet.
        (SpaceInvaders dodger, float[] obs2) = Start();
        dodger.ClearBoard();
        dodger.PlaceAlien(0, 0);
        dodger.PlaceAlienBullet(7, 5);
        dodger.SetAlienTimers(moveTimer: 100, shotTimer: NoShots);
        Assert.False(dodger.Step([Left], obs2).Done);
        Assert.False(dodger.Step([NoOp], obs2).Done);
        Assert.False(dodger.Step([NoOp], obs2).Done);
        Assert.Equal(0, obs2.Skip(5).Where((_, i) => i % 6 == 0).Sum()); // the bullet fell off the grid
    }

    [Fact]
    public void The_alien_nearest_the_cannon_shoots_from_its_cell()
    {
        (SpaceInvaders game, float[] obs) = Start();
        game.SetAlienTimers(moveTimer: 100, shotTimer: 0);
        game.Step([NoOp], obs);
        Assert.True(game.AlienBulletAt(3, 5)); // the lowest alien of column 5, the cannon's
        Assert.Equal(1, Enumerable.Range(0, 100).Count(i => game.AlienBulletAt(i / 10, i % 10)));
    }

    [Fact]
    public void Same_seed_same_episode_and_seeds_differ()
    {
        Assert.Equal(MinAtarTrace.Record("MinAtar/SpaceInvaders-v1", 7), MinAtarTrace.Record("MinAtar/SpaceInvaders-v1", 7));
        Assert.NotEqual(MinAtarTrace.Record("MinAtar/SpaceInvaders-v1", 7), MinAtarTrace.Record("MinAtar/SpaceInvaders-v1", 8));
    }
}
