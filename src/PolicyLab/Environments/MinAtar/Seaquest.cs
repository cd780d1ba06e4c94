using System.Runtime.InteropServices;

namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// MinAtar Seaquest (<c>MinAtar/Seaquest-v0</c> and <c>-v1</c>, both with all six actions, the game's minimal set): a
/// two-cell submarine shoots fish and enemy submarines (+1 each) that cross rows 1–8, picks up divers (at most 6 on
/// board) and must surface before its 200 units of oxygen run out; surfacing costs one diver (game over with none),
/// surfacing with all six unloads them and pays ⌊oxygen / 20⌋. With difficulty ramping each surfacing makes enemies
/// spawn more often and move faster. Channels: submarine front, submarine back, the player's bullets, trail, enemy
/// bullets, fish, enemy submarines, oxygen gauge, diver gauge, divers. The rules are in README.md.
/// </summary>
public sealed class Seaquest : MinAtarGame
{
    /// <summary>Oxygen on a full tank (frames under water).</summary>
    public const int MaxOxygen = 200;

    /// <summary>Divers the submarine can carry.</summary>
    public const int MaxDivers = 6;

    /// <summary>Frames between two enemy spawns at the start of an episode.</summary>
    public const int InitialSpawnInterval = 20;

    /// <summary>Frames between two diver spawns.</summary>
    public const int DiverSpawnInterval = 30;

    /// <summary>Frames between two enemy moves at the start of an episode.</summary>
    public const int InitialMoveInterval = 5;

    /// <summary>Frames between two moves of a diver.</summary>
    public const int DiverMoveInterval = 5;

    /// <summary>Frames between two shots of the player.</summary>
    public const int ShotCooldown = 5;

    /// <summary>Frames between two shots of an enemy submarine.</summary>
    public const int EnemyShotInterval = 10;

    private static readonly string[] Names =
        ["sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet", "enemy_fish", "enemy_sub", "oxygen_gauge", "diver_gauge", "diver"];

    /// <summary>A thing crossing a row: its cell, direction and countdowns (unused ones stay 0).</summary>
    private record struct Mover(int X, int Y, bool Right, int MoveTimer, int ShotTimer)
    {
        public readonly int Step => Right ? 1 : -1;
    }

    private readonly List<Mover> _bullets = new(16), _enemyBullets = new(32), _fish = new(32), _subs = new(32), _divers = new(16);
    private int _x, _y, _oxygen, _diverCount, _spawnInterval, _spawnTimer, _diverSpawnTimer, _moveInterval, _cooldown, _rampIndex;
    private bool _facingRight, _surfaced;

    /// <summary>Creates the game.</summary>
    /// <param name="minimalActionSet">MinAtar's <c>-v1</c>; Seaquest's minimal set is all six actions.</param>
    /// <param name="stickyActionProbability">Probability of repeating the previous action.</param>
    /// <param name="difficultyRamping">Speed up enemies at each surfacing.</param>
    public Seaquest(bool minimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(10, [.. Enum.GetValues<MinAtarAction>()], minimalActionSet, stickyActionProbability, difficultyRamping) { }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ChannelNames => Names;

    /// <summary>The submarine's front cell (row, column); row 0 is the surface.</summary>
    public (int Row, int Column) Submarine => (_y, _x);

    /// <summary>Whether the submarine faces right (its back is then one column to the left).</summary>
    public bool FacingRight => _facingRight;

    /// <summary>Oxygen left.</summary>
    public int Oxygen => _oxygen;

    /// <summary>Divers on board (−1 after unloading six, as in MinAtar; see README.md).</summary>
    public int Divers => _diverCount;

    /// <summary>Fish on the grid.</summary>
    public int FishCount => _fish.Count;

    /// <summary>Enemy submarines on the grid.</summary>
    public int EnemySubmarineCount => _subs.Count;

    /// <summary>Divers swimming on the grid.</summary>
    public int SwimmingDivers => _divers.Count;

    /// <summary>Frames between two enemy spawns now.</summary>
    public int SpawnInterval => _spawnInterval;

    /// <summary>Frames between two enemy moves now.</summary>
    public int MoveInterval => _moveInterval;

    /// <summary>Ramps so far this episode.</summary>
    public int RampIndex => _rampIndex;

    /// <summary>Test hook: puts the submarine's front at (row, column) facing the given way.</summary>
    internal void PlaceSubmarine(int row, int column, bool facingRight) => (_y, _x, _facingRight) = (row, column, facingRight);

    /// <summary>Test hook: sets the oxygen and the divers on board.</summary>
    internal void SetSupplies(int oxygen, int divers) => (_oxygen, _diverCount) = (oxygen, divers);

    /// <summary>Test hook: sets the enemy and diver spawn timers.</summary>
    internal void SetSpawnTimers(int enemy, int diver) => (_spawnTimer, _diverSpawnTimer) = (enemy, diver);

    /// <summary>Test hook: adds a fish.</summary>
    internal void AddFish(int row, int column, bool right, int moveTimer) => _fish.Add(new Mover(column, row, right, moveTimer, 0));

    /// <summary>Test hook: adds an enemy submarine.</summary>
    internal void AddEnemySubmarine(int row, int column, bool right, int moveTimer, int shotTimer) =>
        _subs.Add(new Mover(column, row, right, moveTimer, shotTimer));

    /// <summary>Test hook: adds a diver.</summary>
    internal void AddDiver(int row, int column, bool right, int moveTimer) => _divers.Add(new Mover(column, row, right, moveTimer, 0));

    /// <inheritdoc/>
    protected override void ResetGame()
    {
        _oxygen = MaxOxygen;
        _diverCount = 0;
        (_x, _y, _facingRight) = (5, 0, false);
        _bullets.Clear();
        _enemyBullets.Clear();
        _fish.Clear();
        _subs.Clear();
        _divers.Clear();
        _spawnInterval = _spawnTimer = InitialSpawnInterval;
        _diverSpawnTimer = DiverSpawnInterval;
        _moveInterval = InitialMoveInterval;
        _rampIndex = 0;
        _cooldown = 0;
        _surfaced = true;
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Act(MinAtarAction action)
    {
        if (_spawnTimer == 0)
        {
            SpawnEnemy();
            _spawnTimer = _spawnInterval;
        }
        if (_diverSpawnTimer == 0)
        {
            bool right = Random.NextDouble() < 0.5;
            _divers.Add(new Mover(right ? 0 : Size - 1, Random.NextInt(1, 9), right, DiverMoveInterval, 0));
            _diverSpawnTimer = DiverSpawnInterval;
        }
        if (action == MinAtarAction.Fire && _cooldown == 0)
        {
            _bullets.Add(new Mover(_x, _y, _facingRight, 0, 0));
            _cooldown = ShotCooldown;
        }
        else if (action == MinAtarAction.Left) (_x, _facingRight) = (Math.Max(0, _x - 1), false);
        else if (action == MinAtarAction.Right) (_x, _facingRight) = (Math.Min(Size - 1, _x + 1), true);
        else if (action == MinAtarAction.Up) _y = Math.Max(0, _y - 1);
        else if (action == MinAtarAction.Down) _y = Math.Min(Size - 2, _y + 1);

        double reward = 0;
        bool terminated = false;
        MoveBullets(ref reward);
        MoveDivers();
        MoveEnemies(_subs, shoots: true, ref reward, ref terminated);
        MoveEnemyBullets(ref terminated);
        MoveEnemies(_fish, shoots: false, ref reward, ref terminated);

        if (_spawnTimer > 0) _spawnTimer--;
        if (_diverSpawnTimer > 0) _diverSpawnTimer--;
        if (_cooldown > 0) _cooldown--;
        if (_oxygen <= 0) terminated = true;
        if (_y > 0)
        {
            _oxygen--;
            _surfaced = false;
        }
        else if (!_surfaced)
        {
            if (_diverCount == 0) terminated = true;
            else reward += Surface();
        }
        return (reward, terminated);
    }

    private bool AtFront(in Mover m) => m.X == _x && m.Y == _y;

    private static bool OffGrid(int x) => x < 0 || x >= Size;

    /// <summary>Removes the oldest mover of <paramref name="list"/> at (x, y); false when there is none.</summary>
    private static bool RemoveAt(List<Mover> list, int x, int y)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i].X == x && list[i].Y == y)
            {
                list.RemoveAt(i);
                return true;
            }
        return false;
    }

    private void SpawnEnemy()
    {
        bool right = Random.NextDouble() < 0.5;
        bool submarine = Random.NextDouble() < 1.0 / 3;
        int row = Random.NextInt(1, 9);
        // No spawn into a row where an enemy travels the other way (they would collide).
        foreach (Mover m in CollectionsMarshal.AsSpan(_subs)) if (m.Y == row && m.Right != right) return;
        foreach (Mover m in CollectionsMarshal.AsSpan(_fish)) if (m.Y == row && m.Right != right) return;
        var enemy = new Mover(right ? 0 : Size - 1, row, right, _moveInterval, submarine ? EnemyShotInterval : 0);
        (submarine ? _subs : _fish).Add(enemy);
    }

    private void MoveBullets(ref double reward)
    {
        for (int i = _bullets.Count - 1; i >= 0; i--)
        {
            Mover b = _bullets[i];
            b.X += b.Step;
            if (OffGrid(b.X) || RemoveAt(_fish, b.X, b.Y) || RemoveAt(_subs, b.X, b.Y))
            {
                if (!OffGrid(b.X)) reward += 1;
                _bullets.RemoveAt(i);
            }
            else _bullets[i] = b;
        }
    }

    private void MoveDivers()
    {
        for (int i = _divers.Count - 1; i >= 0; i--)
        {
            Mover d = _divers[i];
            bool gone = false;
            if (AtFront(d) && _diverCount < MaxDivers) gone = PickUp();
            else if (d.MoveTimer == 0)
            {
                d.MoveTimer = DiverMoveInterval;
                d.X += d.Step;
                if (OffGrid(d.X)) gone = true;
                else if (AtFront(d) && _diverCount < MaxDivers) gone = PickUp();
            }
            else d.MoveTimer--;
            if (gone) _divers.RemoveAt(i);
            else _divers[i] = d;
        }
    }

    private bool PickUp()
    {
        _diverCount++;
        return true;
    }

    /// <summary>Fish and enemy submarines: collide with the front, move on their timers, die on the player's bullets;
    /// submarines also fire on theirs (even in the frame a bullet kills them, as in MinAtar).</summary>
    private void MoveEnemies(List<Mover> enemies, bool shoots, ref double reward, ref bool terminated)
    {
        for (int i = enemies.Count - 1; i >= 0; i--)
        {
            Mover e = enemies[i];
            bool gone = false;
            if (AtFront(e)) terminated = true;
            if (e.MoveTimer == 0)
            {
                e.MoveTimer = _moveInterval;
                e.X += e.Step;
                if (OffGrid(e.X)) gone = true;
                else if (AtFront(e)) terminated = true;
                else if (RemoveAt(_bullets, e.X, e.Y))
                {
                    reward += 1;
                    gone = true;
                }
            }
            else e.MoveTimer--;
            if (shoots)
            {
                if (e.ShotTimer == 0)
                {
                    e.ShotTimer = EnemyShotInterval;
                    // A submarine that just left the grid would fire a bullet off the grid, which vanishes at once.
                    if (!OffGrid(e.X)) _enemyBullets.Add(new Mover(e.X, e.Y, e.Right, 0, 0));
                }
                else e.ShotTimer--;
            }
            if (gone) enemies.RemoveAt(i);
            else enemies[i] = e;
        }
    }

    private void MoveEnemyBullets(ref bool terminated)
    {
        for (int i = _enemyBullets.Count - 1; i >= 0; i--)
        {
            Mover b = _enemyBullets[i];
            if (AtFront(b)) terminated = true;
            b.X += b.Step;
            if (OffGrid(b.X)) _enemyBullets.RemoveAt(i);
            else
            {
                if (AtFront(b)) terminated = true;
                _enemyBullets[i] = b;
            }
        }
    }

    /// <summary>Arriving at the surface with divers on board: refill, pay for a full load, ramp.</summary>
    private int Surface()
    {
        _surfaced = true;
        int reward = 0;
        if (_diverCount == MaxDivers)
        {
            _diverCount = 0;
            reward = _oxygen * 10 / MaxOxygen;
        }
        _oxygen = MaxOxygen;
        _diverCount--; // MinAtar's quirk: −1 after unloading six (README.md)
        if (DifficultyRamping && (_spawnInterval > 1 || _moveInterval > 2))
        {
            if (_moveInterval > 2 && _rampIndex % 2 == 1) _moveInterval--;
            if (_spawnInterval > 1) _spawnInterval--;
            _rampIndex++;
        }
        return reward;
    }

    /// <inheritdoc/>
    protected override void Draw(Span<float> grid)
    {
        Set(grid, _y, _x, 0);
        Set(grid, _y, _facingRight ? _x - 1 : _x + 1, 1);
        for (int column = 0; column < Math.Max(0, _oxygen) * 10 / MaxOxygen; column++) Set(grid, Size - 1, column, 7);
        for (int column = Size - 1 - _diverCount; column < Size - 1; column++) Set(grid, Size - 1, column, 8);
        foreach (Mover b in CollectionsMarshal.AsSpan(_bullets)) Set(grid, b.Y, b.X, 2);
        foreach (Mover b in CollectionsMarshal.AsSpan(_enemyBullets)) Set(grid, b.Y, b.X, 4);
        DrawWithTrail(grid, _fish, 5);
        DrawWithTrail(grid, _subs, 6);
        DrawWithTrail(grid, _divers, 9);
    }

    private void DrawWithTrail(Span<float> grid, List<Mover> movers, int channel)
    {
        foreach (Mover m in CollectionsMarshal.AsSpan(movers))
        {
            Set(grid, m.Y, m.X, channel);
            int back = m.X - m.Step;
            if (!OffGrid(back)) Set(grid, m.Y, back, 3);
        }
    }
}
