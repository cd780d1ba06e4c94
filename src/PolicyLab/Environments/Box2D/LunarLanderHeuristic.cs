namespace PolicyLab.Environments.Box2D;

/// <summary>
/// Gymnasium's built-in LunarLander controller: steer the tilt towards the pad and hover at a height proportional to
/// the distance from it; once a leg touches, only brake the descent.
/// </summary>
public static class LunarLanderHeuristic
{
    /// <summary>The policy for LunarLander-v3 (writes one action index) or LunarLanderContinuous-v3 (writes two throttles).</summary>
    public static Action<ReadOnlySpan<float>, Span<float>> Policy(bool continuous) =>
        continuous ? Continuous : Discrete;

    /// <summary>The discrete choice: 2 (main) if hovering is the larger need, else 3 or 1 (side engines) to turn, else 0.</summary>
    public static void Discrete(ReadOnlySpan<float> observation, Span<float> action)
    {
        (double angleTodo, double hoverTodo) = Targets(observation);
        int a = 0;
        if (hoverTodo > Math.Abs(angleTodo) && hoverTodo > 0.05)
            a = 2;
        else if (angleTodo < -0.05)
            a = 3;
        else if (angleTodo > 0.05)
            a = 1;
        action[0] = a;
    }

    /// <summary>The continuous throttles (20·hover − 1, −20·angle), clipped to [−1, 1].</summary>
    public static void Continuous(ReadOnlySpan<float> observation, Span<float> action)
    {
        (double angleTodo, double hoverTodo) = Targets(observation);
        action[0] = (float)Math.Clamp(hoverTodo * 20 - 1, -1, 1);
        action[1] = (float)Math.Clamp(-angleTodo * 20, -1, 1);
    }

    private static (double AngleTodo, double HoverTodo) Targets(ReadOnlySpan<float> s)
    {
        if (s.Length != 8)
            throw new PolicyLabException($"LunarLander heuristic: the observation has {s.Length} values but LunarLander's has 8.");
        double angleTarget = Math.Clamp(s[0] * 0.5 + s[2] * 1.0, -0.4, 0.4);
        double hoverTarget = 0.55 * Math.Abs(s[0]);
        double angleTodo = (angleTarget - s[4]) * 0.5 - s[5] * 1.0;
        double hoverTodo = (hoverTarget - s[1]) * 0.5 - s[3] * 0.5;
        if (s[6] != 0 || s[7] != 0)
        {
            angleTodo = 0;
            hoverTodo = -s[3] * 0.5;
        }
        return (angleTodo, hoverTodo);
    }
}
