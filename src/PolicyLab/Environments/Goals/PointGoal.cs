using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Goals;

/// <summary>
/// A goal-conditioned task with a Dict observation (<c>PointGoal-v0</c>, Gymnasium-Robotics' GoalEnv layout): a point
/// in [−1, 1]² moves by 0.1·a per step (a ∈ [−1, 1]², the position clipped to the square) towards a goal drawn
/// uniformly at every reset. The observation is <c>Dict('achieved_goal': Box(2), 'desired_goal': Box(2),
/// 'observation': Box(2))</c> — the position, the goal, and the position again as the state proper. The reward is
/// the negative distance to the goal after the move (<see cref="ComputeReward"/>); reaching within
/// <see cref="SuccessDistance"/> ends the episode (terminated, info <c>is_success</c> = 1). 50 steps in the registry.
/// </summary>
public sealed class PointGoal : EnvironmentBase
{
    /// <summary>The distance below which the goal counts as reached.</summary>
    public const double SuccessDistance = 0.1;

    /// <summary>The info key set to 1 on the step that reaches the goal (0 otherwise).</summary>
    public const string IsSuccess = "is_success";

    private static readonly DictSpace Observations = new(
        ("observation", new Box(-1f, 1f, 2)), ("achieved_goal", new Box(-1f, 1f, 2)), ("desired_goal", new Box(-1f, 1f, 2)));

    private double _x, _y, _goalX, _goalY;

    /// <summary>Creates the task.</summary>
    public PointGoal() : base(Observations, new Box(-1f, 1f, 2)) { }

    /// <summary>The reward for an achieved and a desired goal (2 floats each): −‖achieved − desired‖.</summary>
    public static double ComputeReward(ReadOnlySpan<float> achieved, ReadOnlySpan<float> desired) =>
        -Math.Sqrt(Square(achieved[0] - desired[0]) + Square(achieved[1] - desired[1]));

    private static double Square(double v) => v * v;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        _x = Random.Uniform(-1, 1);
        _y = Random.Uniform(-1, 1);
        _goalX = Random.Uniform(-1, 1);
        _goalY = Random.Uniform(-1, 1);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        for (int i = 0; i < 2; i++)
            if (!float.IsFinite(action[i])) ThrowNonFiniteAction(action[i]);
        _x = Math.Clamp(_x + 0.1 * Math.Clamp(action[0], -1f, 1f), -1, 1);
        _y = Math.Clamp(_y + 0.1 * Math.Clamp(action[1], -1f, 1f), -1, 1);
        double distance = Math.Sqrt(Square(_x - _goalX) + Square(_y - _goalY));
        bool success = distance < SuccessDistance;
        Info.Set(IsSuccess, success ? 1 : 0);
        return new StepResult(-distance, success, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        Span<float> state = Observations.Slice(observation, "observation");
        Span<float> achieved = Observations.Slice(observation, "achieved_goal");
        Span<float> desired = Observations.Slice(observation, "desired_goal");
        (state[0], state[1]) = ((float)_x, (float)_y);
        (achieved[0], achieved[1]) = ((float)_x, (float)_y);
        (desired[0], desired[1]) = ((float)_goalX, (float)_goalY);
    }

    /// <summary>Draws a 200×200 frame: the goal as a green square, the point as a blue one.</summary>
    public override RgbFrame Render()
    {
        const int size = 200;
        var canvas = new Canvas(size, size);
        canvas.Clear(RgbColor.White);
        static double Pixel(double v) => (v + 1) / 2 * size;
        canvas.FillRectangle(Pixel(_goalX) - 6, Pixel(_goalY) - 6, Pixel(_goalX) + 6, Pixel(_goalY) + 6, new RgbColor(60, 170, 80));
        canvas.FillRectangle(Pixel(_x) - 4, Pixel(_y) - 4, Pixel(_x) + 4, Pixel(_y) + 4, new RgbColor(50, 90, 200));
        return canvas.Frame;
    }
}
