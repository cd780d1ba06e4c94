using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments;

/// <summary>
/// An environment that knows which actions are valid in its current state (sb3-contrib's <c>action_masks()</c>):
/// after every <see cref="IEnvironment.Reset"/> and <see cref="IEnvironment.Step"/>, <see cref="ActionMask"/> describes
/// the state just observed. Algorithms that honour masks (PPO, A2C, VPG, REINFORCE, DQN) never take an invalid action.
/// </summary>
/// <remarks>
/// <para>Layout (<see cref="ActionMasking.SizeFor"/>): for <c>Discrete(n)</c>, n flags, flag k for the action
/// <c>start + k</c>; for <c>MultiDiscrete([K₁ … Kₙ])</c>, the components' flags one after another (ΣKᵢ flags, as
/// sb3-contrib lays them out). <c>true</c> allows the action. Every state the agent acts in must allow at least one
/// action (per component); a terminal state's mask is never used.</para>
/// <para>Wrappers pass the mask through as long as they keep the action space (see <see cref="ActionMasking.Find"/>).</para>
/// </remarks>
public interface IActionMaskProvider
{
    /// <summary>The valid actions of the current state; read before the next reset or step (it may be a reused buffer).</summary>
    ReadOnlySpan<bool> ActionMask { get; }
}

/// <summary>Finding, sizing and checking action masks.</summary>
public static class ActionMasking
{
    /// <summary>The number of flags a mask of <paramref name="actionSpace"/> has: n for Discrete(n), ΣKᵢ for MultiDiscrete.</summary>
    /// <exception cref="PolicyLabException">The space has no action mask (Box, MultiBinary, …).</exception>
    public static int SizeFor(Space actionSpace)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        return actionSpace switch
        {
            Discrete d => d.Count,
            MultiDiscrete m => m.EncodedSize,
            _ => throw new PolicyLabException($"Action masks apply to Discrete and MultiDiscrete action spaces; this environment acts in {actionSpace}. Remove IActionMaskProvider from the environment."),
        };
    }

    /// <summary>
    /// The mask provider of <paramref name="environment"/>: the environment itself or, through wrappers that keep the
    /// action space, the wrapped one that provides masks; null when there is none.
    /// </summary>
    public static IActionMaskProvider? Find(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        IEnvironment? current = environment;
        while (current is not null)
        {
            if (current is IActionMaskProvider provider)
                return provider;
            if (current is not Wrappers.EnvironmentWrapper wrapper || !SameActions(wrapper.ActionSpace, wrapper.Inner.ActionSpace))
                return null;
            current = wrapper.Inner;
        }
        return null;
    }

    /// <summary>A copy of the current mask of <paramref name="environment"/> (allocates; for tests and scripts).</summary>
    /// <exception cref="PolicyLabException">The environment provides no mask, or its mask is malformed.</exception>
    public static bool[] Current(IEnvironment environment)
    {
        IActionMaskProvider provider = Find(environment)
            ?? throw new PolicyLabException($"{Describe(environment)} provides no action mask (it does not implement IActionMaskProvider).");
        bool[] mask = provider.ActionMask.ToArray();
        Check(mask, environment.ActionSpace, Describe(environment));
        return mask;
    }

    /// <summary>
    /// Throws when <paramref name="mask"/> does not fit <paramref name="actionSpace"/> (wrong length) or allows no
    /// action (for MultiDiscrete: in some component). <paramref name="source"/> names the environment in the message.
    /// </summary>
    /// <exception cref="PolicyLabException">The mask is malformed.</exception>
    public static void Check(ReadOnlySpan<bool> mask, Space actionSpace, string source)
    {
        int expected = SizeFor(actionSpace);
        if (mask.Length != expected)
            throw new PolicyLabException($"{source}: the action mask has {mask.Length} flags but {actionSpace} needs {expected} " +
                $"({(actionSpace is MultiDiscrete ? "one per value of every component, components one after another" : "one per action")}). Return a mask of {expected} flags from ActionMask.");
        if (actionSpace is MultiDiscrete m)
        {
            int start = 0;
            for (int c = 0; c < m.Sizes.Length; c++)
            {
                if (!AnyAllowed(mask.Slice(start, m.Sizes[c])))
                    throw new PolicyLabException($"{source}: the action mask allows no value of component {c} of {actionSpace}. Every state the agent acts in needs at least one valid action per component; end the episode instead.");
                start += m.Sizes[c];
            }
        }
        else if (!AnyAllowed(mask))
        {
            throw new PolicyLabException($"{source}: the action mask allows no action. Every state the agent acts in needs at least one valid action; end the episode instead.");
        }
    }

    /// <summary>True when <paramref name="action"/> (as the environment takes it) is allowed by <paramref name="mask"/>.</summary>
    public static bool Allows(ReadOnlySpan<bool> mask, Space actionSpace, ReadOnlySpan<float> action)
    {
        switch (actionSpace)
        {
            case Discrete d:
                return d.Contains(action) && mask[(int)action[0] - d.Start];
            case MultiDiscrete m:
                if (!m.Contains(action)) return false;
                int start = 0;
                for (int c = 0; c < m.Sizes.Length; c++)
                {
                    if (!mask[start + (int)action[c]]) return false;
                    start += m.Sizes[c];
                }
                return true;
            default:
                throw new PolicyLabException($"Action masks apply to Discrete and MultiDiscrete action spaces, not {actionSpace}.");
        }
    }

    private static bool AnyAllowed(ReadOnlySpan<bool> flags)
    {
        foreach (bool f in flags)
            if (f) return true;
        return false;
    }

    private static bool SameActions(Space outer, Space inner) =>
        ReferenceEquals(outer, inner) || (outer.GetType() == inner.GetType() && outer.ToString() == inner.ToString());

    private static string Describe(IEnvironment environment) => environment.Spec?.Id ?? environment.Unwrapped().GetType().Name;
}
