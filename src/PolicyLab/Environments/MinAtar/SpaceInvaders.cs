namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// MinAtar Space Invaders (<c>MinAtar/SpaceInvaders-v0</c> with all six actions, <c>-v1</c> with no-op, left, right,
/// fire): a cannon on the bottom row shoots up at a wave of 24 aliens that marches sideways, steps down and reverses at
/// the edges, speeds up as it thins out and shoots back from the alien nearest the cannon; +1 per alien, a new wave
/// when one is cleared (faster with difficulty ramping), game over when an alien or an alien's bullet reaches the
/// cannon. Channels: cannon, alien, alien moving left, alien moving right, the player's bullets, the aliens' bullets.
/// The rules are in README.md. The game makes no random choices (only sticky actions are random).
/// </summary>
public sealed class SpaceInvaders : MinAtarGame
{
    /// <summary>Frames between two shots of the cannon.</summary>
    public const int ShotCooldown = 5;

    /// <summary>The alien move interval of the first wave.</summary>
    public const int InitialAlienMoveInterval = 12;

    /// <summary>Frames between two shots of the aliens.</summary>
    public const int AlienShotInterval = 10;

    /// <summary>The fastest wave's move interval with ramping.</summary>
    public const int FastestAlienMoveInterval = 6;

    private const int Cells = Size * Size;

    private static readonly string[] Names = ["cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"];
    private readonly bool[] _aliens = new bool[Cells], _bullets = new bool[Cells], _alienBullets = new bool[Cells];
    private int _cannon, _direction, _moveInterval, _moveTimer, _alienShotTimer, _cooldown, _rampIndex;

    /// <summary>Creates the game.</summary>
    /// <param name="minimalActionSet">Only no-op, left, right and fire (MinAtar's <c>-v1</c>).</param>
    /// <param name="stickyActionProbability">Probability of repeating the previous action.</param>
    /// <param name="difficultyRamping">Each new wave moves one frame faster (down to an interval of 6).</param>
    public SpaceInvaders(bool minimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(6, [MinAtarAction.NoOp, MinAtarAction.Left, MinAtarAction.Right, MinAtarAction.Fire],
            minimalActionSet, stickyActionProbability, difficultyRamping) { }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ChannelNames => Names;

    /// <summary>The cannon's column (on the bottom row).</summary>
    public int Cannon => _cannon;

    /// <summary>The wave's horizontal direction: −1 left, +1 right.</summary>
    public int Direction => _direction;

    /// <summary>Aliens left in the wave.</summary>
    public int AliensLeft => Count(_aliens);

    /// <summary>The wave's move interval (before the thinning speed-up).</summary>
    public int AlienMoveInterval => _moveInterval;

    /// <summary>Waves that sped up so far this episode.</summary>
    public int RampIndex => _rampIndex;

    /// <summary>Whether an alien is at (row, column).</summary>
    public bool AlienAt(int row, int column) => _aliens[row * Size + column];

    /// <summary>Whether one of the player's bullets is at (row, column).</summary>
    public bool BulletAt(int row, int column) => _bullets[row * Size + column];

    /// <summary>Whether an alien's bullet is at (row, column).</summary>
    public bool AlienBulletAt(int row, int column) => _alienBullets[row * Size + column];

    /// <summary>Test hook: removes every alien and bullet.</summary>
    internal void ClearBoard()
    {
        Array.Clear(_aliens);
        Array.Clear(_bullets);
        Array.Clear(_alienBullets);
    }

    /// <summary>Test hook: puts an alien at (row, column).</summary>
    internal void PlaceAlien(int row, int column) => _aliens[row * Size + column] = true;

    /// <summary>Test hook: puts an alien's bullet at (row, column).</summary>
    internal void PlaceAlienBullet(int row, int column) => _alienBullets[row * Size + column] = true;

    /// <summary>Test hook: sets the alien move and shot timers.</summary>
    internal void SetAlienTimers(int moveTimer, int shotTimer) => (_moveTimer, _alienShotTimer) = (moveTimer, shotTimer);

    /// <inheritdoc/>
    protected override void ResetGame()
    {
        _cannon = 5;
        ClearBoard();
        FillWave();
        _direction = -1;
        _moveInterval = _moveTimer = InitialAlienMoveInterval;
        _alienShotTimer = AlienShotInterval;
        _cooldown = 0;
        _rampIndex = 0;
    }

    private void FillWave()
    {
        for (int row = 0; row < 4; row++)
            for (int column = 2; column < 8; column++) _aliens[row * Size + column] = true;
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Act(MinAtarAction action)
    {
        if (action == MinAtarAction.Fire && _cooldown == 0)
        {
            _bullets[(Size - 1) * Size + _cannon] = true;
            _cooldown = ShotCooldown;
        }
        else if (action == MinAtarAction.Left) _cannon = Math.Max(0, _cannon - 1);
        else if (action == MinAtarAction.Right) _cannon = Math.Min(Size - 1, _cannon + 1);

        ShiftRows(_bullets, -1);
        ShiftRows(_alienBullets, 1);
        int cannonCell = (Size - 1) * Size + _cannon;
        bool terminated = _alienBullets[cannonCell] || _aliens[cannonCell];

        if (_moveTimer == 0)
        {
            _moveTimer = Math.Min(AliensLeft, _moveInterval);
            if (ColumnOccupied(_aliens, _direction < 0 ? 0 : Size - 1))
            {
                _direction = -_direction;
                if (RowOccupied(_aliens, Size - 1)) terminated = true;
                ShiftRows(_aliens, 1);
            }
            else ShiftColumns(_aliens, _direction);
            if (_aliens[cannonCell]) terminated = true;
        }
        if (_alienShotTimer == 0)
        {
            _alienShotTimer = AlienShotInterval;
            ShootFromNearestAlien();
        }

        double reward = 0;
        for (int i = 0; i < Cells; i++)
            if (_aliens[i] && _bullets[i])
            {
                _aliens[i] = _bullets[i] = false;
                reward += 1;
            }

        if (_cooldown > 0) _cooldown--;
        _moveTimer--;
        _alienShotTimer--;
        if (AliensLeft == 0)
        {
            if (DifficultyRamping && _moveInterval > FastestAlienMoveInterval)
            {
                _moveInterval--;
                _rampIndex++;
            }
            FillWave();
        }
        return (reward, terminated);
    }

    /// <summary>The lowest alien of the non-empty column nearest the cannon (left first on a tie) fires from its cell.</summary>
    private void ShootFromNearestAlien()
    {
        for (int distance = 0; distance < Size; distance++)
            foreach (int column in (ReadOnlySpan<int>)[_cannon - distance, _cannon + distance])
            {
                if (column < 0 || column >= Size) continue;
                for (int row = Size - 1; row >= 0; row--)
                    if (_aliens[row * Size + column])
                    {
                        _alienBullets[row * Size + column] = true;
                        return;
                    }
            }
    }

    /// <summary>Moves every mark <paramref name="rows"/> (±1) rows down; marks pushed off the grid are lost.</summary>
    private static void ShiftRows(bool[] map, int rows)
    {
        if (rows > 0)
        {
            Array.Copy(map, 0, map, Size, Cells - Size);
            Array.Clear(map, 0, Size);
        }
        else
        {
            Array.Copy(map, Size, map, 0, Cells - Size);
            Array.Clear(map, Cells - Size, Size);
        }
    }

    /// <summary>Moves every mark one column in <paramref name="direction"/> (±1); marks pushed off the grid are lost.</summary>
    private static void ShiftColumns(bool[] map, int direction)
    {
        for (int row = 0; row < Size; row++)
        {
            int start = row * Size;
            if (direction > 0)
            {
                Array.Copy(map, start, map, start + 1, Size - 1);
                map[start] = false;
            }
            else
            {
                Array.Copy(map, start + 1, map, start, Size - 1);
                map[start + Size - 1] = false;
            }
        }
    }

    private static bool ColumnOccupied(bool[] map, int column)
    {
        for (int row = 0; row < Size; row++)
            if (map[row * Size + column]) return true;
        return false;
    }

    private static bool RowOccupied(bool[] map, int row)
    {
        for (int column = 0; column < Size; column++)
            if (map[row * Size + column]) return true;
        return false;
    }

    private static int Count(bool[] map)
    {
        int n = 0;
        foreach (bool b in map) if (b) n++;
        return n;
    }

    /// <inheritdoc/>
    protected override void Draw(Span<float> grid)
    {
        Set(grid, Size - 1, _cannon, 0);
        int directionChannel = _direction < 0 ? 2 : 3;
        for (int i = 0; i < Cells; i++)
        {
            if (_aliens[i])
            {
                Set(grid, i / Size, i % Size, 1);
                Set(grid, i / Size, i % Size, directionChannel);
            }
            if (_bullets[i]) Set(grid, i / Size, i % Size, 4);
            if (_alienBullets[i]) Set(grid, i / Size, i % Size, 5);
        }
    }
}
