namespace PolicyLab.Environments.MinAtar;

/// <summary>
/// MinAtar Freeway (<c>MinAtar/Freeway-v0</c> with all six actions, <c>-v1</c> with no-op, up, down): a chicken in
/// column 4 crosses eight lanes of cars (rows 1–8) from the bottom row to the top; +1 and back to the bottom on
/// reaching row 0 (the cars then get new speeds), back to the bottom when a car hits it. It moves at most once every
/// three frames. Channels: chicken, car, and five trail channels (the cell behind each car, in the channel of its
/// speed: a car of speed s moves once every s frames). The episode ends after 2 500 frames, which is a time limit
/// the observation does not show, so it is reported as truncation. The rules are in README.md.
/// </summary>
public sealed class Freeway : MinAtarGame
{
    /// <summary>Frames between two moves of the chicken.</summary>
    public const int PlayerSpeed = 3;

    /// <summary>Frames in an episode (the last one truncates).</summary>
    public const int TimeLimit = 2500;

    private static readonly string[] Names = ["chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"];
    private readonly int[] _carX = new int[8], _carTimer = new int[8], _carSpeed = new int[8]; // car i is on row i + 1; speed signed
    private int _row, _moveTimer, _timeLeft;

    /// <summary>Creates the game.</summary>
    /// <param name="minimalActionSet">Only no-op, up and down (MinAtar's <c>-v1</c>).</param>
    /// <param name="stickyActionProbability">Probability of repeating the previous action.</param>
    /// <param name="difficultyRamping">Accepted for uniformity; Freeway does not ramp.</param>
    public Freeway(bool minimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(7, [MinAtarAction.NoOp, MinAtarAction.Up, MinAtarAction.Down], minimalActionSet, stickyActionProbability, difficultyRamping) { }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ChannelNames => Names;

    /// <summary>The chicken's row (9 at the bottom).</summary>
    public int ChickenRow => _row;

    /// <summary>Car <paramref name="lane"/>'s column and signed speed (positive: moving right).</summary>
    public (int Column, int Speed) Car(int lane) => (_carX[lane], _carSpeed[lane]);

    /// <inheritdoc/>
    protected override void ResetGame()
    {
        RandomizeCars();
        Array.Clear(_carX);
        _row = Size - 1;
        _moveTimer = PlayerSpeed;
        _timeLeft = TimeLimit;
    }

    /// <summary>New speeds 1–5 (uniform) and directions (±1, uniform) for the eight cars, speeds drawn first; each
    /// car's timer restarts at its speed.</summary>
    private void RandomizeCars()
    {
        for (int i = 0; i < 8; i++) _carSpeed[i] = 1 + Random.NextInt(5);
        for (int i = 0; i < 8; i++) _carSpeed[i] *= Random.NextInt(2) == 0 ? -1 : 1;
        for (int i = 0; i < 8; i++) _carTimer[i] = Math.Abs(_carSpeed[i]);
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Act(MinAtarAction action)
    {
        double reward = 0;
        if (action == MinAtarAction.Up && _moveTimer == 0)
        {
            _moveTimer = PlayerSpeed;
            _row = Math.Max(0, _row - 1);
        }
        else if (action == MinAtarAction.Down && _moveTimer == 0)
        {
            _moveTimer = PlayerSpeed;
            _row = Math.Min(Size - 1, _row + 1);
        }
        if (_row == 0)
        {
            reward = 1;
            RandomizeCars();
            _row = Size - 1;
        }
        for (int i = 0; i < 8; i++)
        {
            if (_carX[i] == 4 && i + 1 == _row) _row = Size - 1;
            if (_carTimer[i] == 0)
            {
                _carTimer[i] = Math.Abs(_carSpeed[i]);
                _carX[i] = (_carX[i] + (_carSpeed[i] > 0 ? 1 : -1) + Size) % Size;
                if (_carX[i] == 4 && i + 1 == _row) _row = Size - 1;
            }
            else _carTimer[i]--;
        }
        if (_moveTimer > 0) _moveTimer--;
        _timeLeft--;
        return (reward, false);
    }

    /// <summary>True once the 2 500 frames are spent (MinAtar ends the game one frame after its timer reaches 0).</summary>
    protected override bool TimeUp => _timeLeft < 0;

    /// <inheritdoc/>
    protected override void Draw(Span<float> grid)
    {
        Set(grid, _row, 4, 0);
        for (int i = 0; i < 8; i++)
        {
            Set(grid, i + 1, _carX[i], 1);
            int back = (_carX[i] + (_carSpeed[i] > 0 ? -1 : 1) + Size) % Size;
            Set(grid, i + 1, back, 1 + Math.Abs(_carSpeed[i]));
        }
    }
}
