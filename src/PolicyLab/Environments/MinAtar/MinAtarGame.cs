using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.MinAtar;

/// <summary>The six MinAtar actions (every game accepts all six; the minimal set of a game keeps those that matter).</summary>
public enum MinAtarAction
{
    /// <summary>Do nothing.</summary>
    NoOp = 0,
    /// <summary>Move left.</summary>
    Left = 1,
    /// <summary>Move up.</summary>
    Up = 2,
    /// <summary>Move right.</summary>
    Right = 3,
    /// <summary>Move down.</summary>
    Down = 4,
    /// <summary>Fire.</summary>
    Fire = 5,
}

/// <summary>
/// The frame shared by the MinAtar games (Young &amp; Tian 2019; rules in README.md beside this file): a 10×10 grid
/// observed as a 10×10×n binary image (channels last, one channel per kind of object, <see cref="Box.Image"/> with
/// values in {0, 1}), sticky actions (with probability <see cref="StickyActionProbability"/> the previous action is
/// repeated instead of the chosen one), the full six-action set (<c>-v0</c>) or the game's minimal set (<c>-v1</c>), and
/// difficulty ramping where the game has it. Episodes end only by the game's own termination (the registry adds a
/// step limit as truncation).
/// </summary>
public abstract class MinAtarGame : EnvironmentBase
{
    /// <summary>Rows and columns of the grid.</summary>
    public const int Size = 10;

    /// <summary>Pixels per grid cell in <see cref="Render"/>.</summary>
    public const int CellPixels = 16;

    private readonly MinAtarAction[] _actions;
    private readonly float[] _grid;
    private MinAtarAction _lastAction;

    /// <summary>Sets up the spaces for a game with <paramref name="channels"/> object channels.</summary>
    /// <param name="channels">Object kinds (observation channels).</param>
    /// <param name="minimalActions">The game's minimal action set, used when <paramref name="minimalActionSet"/>.</param>
    /// <param name="minimalActionSet">Offer only the minimal actions (MinAtar's <c>-v1</c> ids) instead of all six.</param>
    /// <param name="stickyActionProbability">Probability in [0, 1) of repeating the previous action (0.1 in MinAtar).</param>
    /// <param name="difficultyRamping">Let the game speed up over an episode where it does.</param>
    protected MinAtarGame(int channels, MinAtarAction[] minimalActions, bool minimalActionSet, double stickyActionProbability, bool difficultyRamping)
        : base(Box.Image(Size, Size, channels, high: 1), new Discrete(minimalActionSet ? minimalActions.Length : 6))
    {
        ArgumentNullException.ThrowIfNull(minimalActions);
        if (!(stickyActionProbability >= 0 && stickyActionProbability < 1))
            throw new PolicyLabException($"sticky_action_prob must lie in [0, 1); got {stickyActionProbability}.");
        _actions = minimalActionSet ? minimalActions : [.. Enum.GetValues<MinAtarAction>()];
        Channels = channels;
        StickyActionProbability = stickyActionProbability;
        DifficultyRamping = difficultyRamping;
        _grid = new float[Size * Size * channels];
    }

    /// <summary>Observation channels.</summary>
    public int Channels { get; }

    /// <summary>Probability of repeating the previous action.</summary>
    public double StickyActionProbability { get; }

    /// <summary>Whether the game ramps its difficulty.</summary>
    public bool DifficultyRamping { get; }

    /// <summary>The actions the Discrete indices stand for.</summary>
    public IReadOnlyList<MinAtarAction> ActionSet => _actions;

    /// <summary>Names of the observation channels, in order (for rendering and documentation).</summary>
    public abstract IReadOnlyList<string> ChannelNames { get; }

    /// <inheritdoc/>
    protected sealed override void ResetState(ResetOptions? options)
    {
        _lastAction = MinAtarAction.NoOp;
        ResetGame();
    }

    /// <inheritdoc/>
    protected sealed override StepResult StepState(ReadOnlySpan<float> action)
    {
        float value = action[0];
        int index = (int)value;
        if (value != index || index < 0 || index >= _actions.Length) ThrowInvalidDiscreteAction(value, _actions.Length);
        MinAtarAction chosen = _actions[index];
        // Sticky actions: with probability p the previous executed action is repeated.
        if (Random.NextDouble() < StickyActionProbability) chosen = _lastAction;
        _lastAction = chosen;
        (double reward, bool terminated) = Act(chosen);
        return new StepResult(reward, terminated, !terminated && TimeUp);
    }

    /// <summary>True when the game's own clock has run out (a time limit the observation does not show: truncation).</summary>
    protected virtual bool TimeUp => false;

    /// <inheritdoc/>
    protected sealed override void WriteObservation(Span<float> observation)
    {
        Array.Clear(_grid);
        Draw(_grid);
        _grid.CopyTo(observation);
    }

    /// <summary>Starts a new episode (the game's random choices come from <see cref="EnvironmentBase.Random"/>).</summary>
    protected abstract void ResetGame();

    /// <summary>Advances one frame with the executed action; returns the reward and whether the game is over.</summary>
    protected abstract (double Reward, bool Terminated) Act(MinAtarAction action);

    /// <summary>Sets the cells of the objects to 1 in the zeroed grid [row, column, channel].</summary>
    protected abstract void Draw(Span<float> grid);

    /// <summary>Marks cell (row, column) of <paramref name="channel"/> in a grid being drawn.</summary>
    protected void Set(Span<float> grid, int row, int column, int channel) => grid[(row * Size + column) * Channels + channel] = 1f;

    /// <summary>The grid scaled up, each channel in its own colour (later channels drawn over earlier ones).</summary>
    public override RgbFrame Render()
    {
        Array.Clear(_grid);
        Draw(_grid);
        var frame = new RgbFrame(Size * CellPixels, Size * CellPixels);
        for (int row = 0; row < Size; row++)
            for (int column = 0; column < Size; column++)
            {
                RgbColor color = RgbColor.Black;
                for (int c = 0; c < Channels; c++)
                    if (_grid[(row * Size + column) * Channels + c] != 0f) color = Palette(c);
                for (int y = 0; y < CellPixels; y++)
                    for (int x = 0; x < CellPixels; x++)
                        frame[column * CellPixels + x, row * CellPixels + y] = color;
            }
        return frame;
    }

    private RgbColor Palette(int channel)
    {
        // Evenly spaced hues, bright enough on black.
        double hue = 360.0 * channel / Channels, x = 1 - Math.Abs(hue / 60 % 2 - 1);
        (double r, double g, double b) = (hue / 60) switch
        {
            < 1 => (1.0, x, 0.0),
            < 2 => (x, 1.0, 0.0),
            < 3 => (0.0, 1.0, x),
            < 4 => (0.0, x, 1.0),
            < 5 => (x, 0.0, 1.0),
            _ => (1.0, 0.0, x),
        };
        return new RgbColor((byte)(55 + 200 * r), (byte)(55 + 200 * g), (byte)(55 + 200 * b));
    }
}
