namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// MinAtar Asterix (<c>MinAtar/Asterix-v0</c> with all six actions, <c>-v1</c> with no-op, left, up, right, down): the
/// player roams rows 1–8 while enemies and gold pieces cross the eight lanes from the sides, at most one object per
/// lane; +1 per gold piece touched, game over on touching an enemy. With difficulty ramping, objects spawn more often
/// and move faster every 102 frames. Channels: player, enemy, trail (the cell an object came from), gold. The rules
/// are in README.md.
/// </summary>
public sealed class Asterix : MinAtarGame
{
    /// <summary>Frames between two spawns at the start of an episode.</summary>
    public const int InitialSpawnInterval = 10;

    /// <summary>Frames between two moves of the objects at the start of an episode.</summary>
    public const int InitialMoveInterval = 5;

    /// <summary>The ramp timer's starting value (a ramp every <c>RampInterval + 2</c> frames).</summary>
    public const int RampInterval = 100;

    private const int Lanes = 8; // lane i is row i + 1

    private static readonly string[] Names = ["player", "enemy", "trail", "gold"];
    private readonly bool[] _occupied = new bool[Lanes], _movingRight = new bool[Lanes], _gold = new bool[Lanes];
    private readonly int[] _column = new int[Lanes];
    private readonly int[] _freeLanes = new int[Lanes];
    private int _playerRow, _playerColumn, _spawnInterval, _spawnTimer, _moveInterval, _moveTimer, _rampTimer, _rampIndex;

    /// <summary>Creates the game.</summary>
    /// <param name="minimalActionSet">Only no-op, left, up, right and down (MinAtar's <c>-v1</c>).</param>
    /// <param name="stickyActionProbability">Probability of repeating the previous action.</param>
    /// <param name="difficultyRamping">Speed up spawns and moves every 102 frames.</param>
    public Asterix(bool minimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(4, [MinAtarAction.NoOp, MinAtarAction.Left, MinAtarAction.Up, MinAtarAction.Right, MinAtarAction.Down],
            minimalActionSet, stickyActionProbability, difficultyRamping) { }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ChannelNames => Names;

    /// <summary>The player's (row, column).</summary>
    public (int Row, int Column) Player => (_playerRow, _playerColumn);

    /// <summary>Frames between two spawns now.</summary>
    public int SpawnInterval => _spawnInterval;

    /// <summary>Frames between two moves of the objects now.</summary>
    public int MoveInterval => _moveInterval;

    /// <summary>Ramps so far this episode.</summary>
    public int RampIndex => _rampIndex;

    /// <summary>Objects on the grid.</summary>
    public int ObjectCount => _occupied.Count(o => o);

    /// <summary>The object in <paramref name="lane"/> (0–7, row lane + 1), or null when the lane is empty.</summary>
    public (int Column, bool MovingRight, bool Gold)? Lane(int lane) =>
        _occupied[lane] ? (_column[lane], _movingRight[lane], _gold[lane]) : null;

    /// <summary>Test hook: puts the player at (row, column).</summary>
    internal void PlacePlayer(int row, int column) => (_playerRow, _playerColumn) = (row, column);

    /// <summary>Test hook: puts an object in <paramref name="lane"/> (replacing any).</summary>
    internal void PlaceObject(int lane, int column, bool movingRight, bool gold)
    {
        _occupied[lane] = true;
        (_column[lane], _movingRight[lane], _gold[lane]) = (column, movingRight, gold);
    }

    /// <summary>Test hook: empties every lane.</summary>
    internal void ClearObjects() => Array.Clear(_occupied);

    /// <summary>Test hook: sets the spawn and move timers.</summary>
    internal void SetTimers(int spawnTimer, int moveTimer) => (_spawnTimer, _moveTimer) = (spawnTimer, moveTimer);

    /// <inheritdoc/>
    protected override void ResetGame()
    {
        (_playerRow, _playerColumn) = (5, 5);
        Array.Clear(_occupied);
        _spawnInterval = _spawnTimer = InitialSpawnInterval;
        _moveInterval = _moveTimer = InitialMoveInterval;
        _rampTimer = RampInterval;
        _rampIndex = 0;
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Act(MinAtarAction action)
    {
        if (_spawnTimer == 0)
        {
            Spawn();
            _spawnTimer = _spawnInterval;
        }
        switch (action)
        {
            case MinAtarAction.Left: _playerColumn = Math.Max(0, _playerColumn - 1); break;
            case MinAtarAction.Right: _playerColumn = Math.Min(Size - 1, _playerColumn + 1); break;
            case MinAtarAction.Up: _playerRow = Math.Max(1, _playerRow - 1); break;
            case MinAtarAction.Down: _playerRow = Math.Min(Lanes, _playerRow + 1); break;
        }
        double reward = 0;
        bool terminated = false;
        for (int lane = 0; lane < Lanes; lane++) Touch(lane, ref reward, ref terminated);
        if (_moveTimer == 0)
        {
            _moveTimer = _moveInterval;
            for (int lane = 0; lane < Lanes; lane++)
            {
                if (!_occupied[lane]) continue;
                _column[lane] += _movingRight[lane] ? 1 : -1;
                if (_column[lane] < 0 || _column[lane] >= Size) _occupied[lane] = false;
                else Touch(lane, ref reward, ref terminated);
            }
        }
        _spawnTimer--;
        _moveTimer--;
        if (DifficultyRamping && (_spawnInterval > 1 || _moveInterval > 1)) Ramp();
        return (reward, terminated);
    }

    /// <summary>Gold in the player's cell is collected (+1); an enemy there ends the game.</summary>
    private void Touch(int lane, ref double reward, ref bool terminated)
    {
        if (!_occupied[lane] || lane + 1 != _playerRow || _column[lane] != _playerColumn) return;
        if (_gold[lane])
        {
            _occupied[lane] = false;
            reward += 1;
        }
        else terminated = true;
    }

    private void Spawn()
    {
        bool right = Random.NextDouble() < 0.5;
        bool gold = Random.NextDouble() < 1.0 / 3;
        int free = 0;
        for (int lane = 0; lane < Lanes; lane++)
            if (!_occupied[lane]) _freeLanes[free++] = lane;
        if (free == 0) return;
        PlaceObject(_freeLanes[Random.NextInt(free)], right ? 0 : Size - 1, right, gold);
    }

    private void Ramp()
    {
        if (_rampTimer >= 0)
        {
            _rampTimer--;
            return;
        }
        if (_moveInterval > 1 && _rampIndex % 2 == 1) _moveInterval--;
        if (_spawnInterval > 1) _spawnInterval--;
        _rampIndex++;
        _rampTimer = RampInterval;
    }

    /// <inheritdoc/>
    protected override void Draw(Span<float> grid)
    {
        Set(grid, _playerRow, _playerColumn, 0);
        for (int lane = 0; lane < Lanes; lane++)
        {
            if (!_occupied[lane]) continue;
            Set(grid, lane + 1, _column[lane], _gold[lane] ? 3 : 1);
            int back = _column[lane] + (_movingRight[lane] ? -1 : 1);
            if (back is >= 0 and < Size) Set(grid, lane + 1, back, 2);
        }
    }
}
