namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// MinAtar Breakout (<c>MinAtar/Breakout-v0</c> with all six actions, <c>-v1</c> with no-op, left, right): bounce a ball
/// off a paddle on the bottom row to break three rows of bricks; +1 per brick, a fresh wall when the ball comes down
/// to the paddle's row with none left, game over when the ball reaches the bottom row past the paddle. Channels:
/// paddle, ball, trail (the ball's previous cell, which shows its direction), brick. The rules are in README.md.
/// Breakout has no difficulty ramp.
/// </summary>
public sealed class Breakout : MinAtarGame
{
    private static readonly string[] Names = ["paddle", "ball", "trail", "brick"];
    private readonly bool[] _bricks = new bool[Size * Size];
    private int _paddle, _ballX, _ballY, _lastX, _lastY, _direction;
    private bool _striking;

    /// <summary>Creates the game.</summary>
    /// <param name="minimalActionSet">Only no-op, left and right (MinAtar's <c>-v1</c>).</param>
    /// <param name="stickyActionProbability">Probability of repeating the previous action.</param>
    /// <param name="difficultyRamping">Accepted for uniformity; Breakout does not ramp.</param>
    public Breakout(bool minimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(4, [MinAtarAction.NoOp, MinAtarAction.Left, MinAtarAction.Right], minimalActionSet, stickyActionProbability, difficultyRamping) { }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ChannelNames => Names;

    /// <summary>Paddle column (on the bottom row).</summary>
    public int Paddle => _paddle;

    /// <summary>Ball (row, column).</summary>
    public (int Row, int Column) Ball => (_ballY, _ballX);

    /// <summary>Bricks left.</summary>
    public int BricksLeft => _bricks.Count(b => b);

    /// <inheritdoc/>
    protected override void ResetGame()
    {
        _ballY = 3;
        // The ball starts on row 3 at the left edge heading down-right or at the right edge heading down-left.
        (_ballX, _direction) = Random.NextInt(2) == 0 ? (0, 2) : (Size - 1, 3);
        _paddle = 4;
        Array.Clear(_bricks);
        FillBricks();
        _striking = false;
        (_lastX, _lastY) = (_ballX, _ballY);
    }

    private void FillBricks()
    {
        for (int row = 1; row <= 3; row++)
            for (int column = 0; column < Size; column++) _bricks[row * Size + column] = true;
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Act(MinAtarAction action)
    {
        if (action == MinAtarAction.Left) _paddle = Math.Max(0, _paddle - 1);
        else if (action == MinAtarAction.Right) _paddle = Math.Min(Size - 1, _paddle + 1);

        // Directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left (rows grow downwards).
        (_lastX, _lastY) = (_ballX, _ballY);
        int x = _ballX + (_direction is 1 or 2 ? 1 : -1);
        int y = _ballY + (_direction is 2 or 3 ? 1 : -1);
        double reward = 0;
        bool terminated = false, strikeThisFrame = false;
        if (x < 0 || x > Size - 1)
        {
            x = Math.Clamp(x, 0, Size - 1);
            _direction = MirrorHorizontal(_direction);
        }
        if (y < 0)
        {
            y = 0;
            _direction = MirrorVertical(_direction);
        }
        else if (_bricks[y * Size + x])
        {
            strikeThisFrame = true;
            if (!_striking)
            {
                reward = 1;
                _striking = true;
                _bricks[y * Size + x] = false;
                y = _lastY;
                _direction = MirrorVertical(_direction);
            }
        }
        else if (y == Size - 1)
        {
            if (BricksLeft == 0) FillBricks();
            if (_ballX == _paddle)
            {
                _direction = MirrorVertical(_direction);
                y = _lastY;
            }
            else if (x == _paddle)
            {
                _direction = Reverse(_direction);
                y = _lastY;
            }
            else terminated = true;
        }
        if (!strikeThisFrame) _striking = false;
        (_ballX, _ballY) = (x, y);
        return (reward, terminated);
    }

    private static int MirrorHorizontal(int d) => d switch { 0 => 1, 1 => 0, 2 => 3, _ => 2 };

    private static int MirrorVertical(int d) => d switch { 0 => 3, 1 => 2, 2 => 1, _ => 0 };

    private static int Reverse(int d) => d switch { 0 => 2, 1 => 3, 2 => 0, _ => 1 };

    /// <inheritdoc/>
    protected override void Draw(Span<float> grid)
    {
        Set(grid, _ballY, _ballX, 1);
        Set(grid, Size - 1, _paddle, 0);
        Set(grid, _lastY, _lastX, 2);
        for (int i = 0; i < _bricks.Length; i++)
            if (_bricks[i]) Set(grid, i / Size, i % Size, 3);
    }
}
