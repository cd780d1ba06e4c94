using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments;

/// <summary>Allocating conveniences over <see cref="IEnvironment"/> for scripts, tests and evaluation loops.</summary>
public static class EnvironmentExtensions
{
    /// <summary>Resets and returns a new observation array.</summary>
    public static float[] Reset(this IEnvironment environment, ulong? seed = null, ResetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.FlatSize];
        environment.Reset(observation, seed, options);
        return observation;
    }

    /// <summary>Steps with a discrete action index and returns the new observation with the result.</summary>
    public static (float[] Observation, StepResult Result) Step(this IEnvironment environment, int action)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ReadOnlySpan<float> actionBuffer = [action];
        var observation = new float[environment.ObservationSpace.FlatSize];
        StepResult result = environment.Step(actionBuffer, observation);
        return (observation, result);
    }

    /// <summary>Steps with a continuous (or multi-component) action and returns the new observation with the result.</summary>
    public static (float[] Observation, StepResult Result) Step(this IEnvironment environment, params float[] action)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.FlatSize];
        StepResult result = environment.Step(action, observation);
        return (observation, result);
    }

    /// <summary>Follows the chain of wrappers down to the innermost environment.</summary>
    public static IEnvironment Unwrapped(this IEnvironment environment)
    {
        while (environment is Wrappers.EnvironmentWrapper wrapper)
            environment = wrapper.Inner;
        return environment;
    }

    /// <summary>Finds the outermost wrapper (or the environment itself) of type <typeparamref name="T"/>, or null.</summary>
    public static T? Find<T>(this IEnvironment environment) where T : class, IEnvironment
    {
        IEnvironment? current = environment;
        while (current is not null)
        {
            if (current is T match)
                return match;
            current = (current as Wrappers.EnvironmentWrapper)?.Inner;
        }
        return null;
    }

    /// <summary>Plays one episode with a policy (observation → action buffer) and returns its undiscounted return and length.</summary>
    public static (double Return, int Length) RunEpisode(this IEnvironment environment, Action<ReadOnlySpan<float>, Span<float>> policy, ulong? seed = null, int maxSteps = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(policy);
        var observation = new float[environment.ObservationSpace.FlatSize];
        var action = new float[environment.ActionSpace.FlatSize];
        environment.Reset(observation, seed);
        double total = 0;
        int length = 0;
        while (length < maxSteps)
        {
            policy(observation, action);
            StepResult result = environment.Step(action, observation);
            total += result.Reward;
            length++;
            if (result.Done)
                break;
        }
        return (total, length);
    }

    /// <summary>True when the action space is <see cref="Discrete"/>.</summary>
    public static bool HasDiscreteActions(this IEnvironment environment) => environment?.ActionSpace is Discrete;
}
