using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.TestEnvironments;

/// <summary>
/// A corridor of <c>length</c> cells: start in the middle-left cell, move left (0) or right (1); reaching the right
/// end pays +1 and ends the episode, every step costs 0.01. Observation: the position as a fraction of the length.
/// </summary>
public class Corridor : EnvironmentBase
{
    private readonly int _length;
    private int _position;

    /// <summary>Creates the corridor.</summary>
    public Corridor(int length) : base(new Box(0f, 1f, 1), new Discrete(2))
    {
        if (length < 2) throw new PolicyLabException($"A corridor needs a length of at least 2; got {length}.");
        _length = length;
    }

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options) => _position = Random.NextInt(_length / 2);

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        if (action[0] is not (0f or 1f)) ThrowInvalidDiscreteAction(action[0], 2);
        _position = Math.Max(0, _position + (action[0] == 1f ? 1 : -1));
        bool goal = _position >= _length;
        return new StepResult(goal ? 1.0 : -0.01, goal, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation) => observation[0] = (float)_position / _length;

    /// <inheritdoc />
    public override RgbFrame Render() => new(64, 16);
}

/// <summary>Registers <c>Corridor-v0</c> (argument <c>length</c>, default 8; 100 steps per episode).</summary>
public sealed class CorridorRegistration : IEnvironmentRegistration
{
    /// <inheritdoc />
    public void Register() =>
        EnvironmentRegistry.Register(new EnvironmentSpec("Corridor-v0", 100, 0.9, new Dictionary<string, object> { ["length"] = 8.0 }),
            arguments => new Corridor((int)Convert.ToDouble(arguments["length"], System.Globalization.CultureInfo.InvariantCulture)));
}
