using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Environments;

/// <summary>
/// Checks that an environment honours the <see cref="IEnvironment"/> contract (like SB3's <c>check_env</c>): spaces
/// are usable, reset and step fill the whole observation with finite values inside the observation space, a seeded
/// reset is reproducible, rewards are finite, stepping after the end of an episode and malformed actions are refused,
/// and rendering produces a well-formed frame.
/// </summary>
/// <remarks>The checker steps the environment with random actions from a private seeded stream and leaves it in an
/// arbitrary state; reset it before further use.</remarks>
public static class EnvironmentChecker
{
    /// <summary>Runs every check and returns the violated contracts in plain words (empty when all pass).</summary>
    /// <param name="environment">The environment to check.</param>
    /// <param name="seed">Seed for resets and random actions.</param>
    /// <param name="maxSteps">Steps to take while looking for the end of an episode.</param>
    /// <param name="checkRender">Whether to call <see cref="IEnvironment.Render"/>.</param>
    public static IReadOnlyList<string> Check(IEnvironment environment, ulong seed = 0, int maxSteps = 1000, bool checkRender = true)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        Space? observationSpace = environment.ObservationSpace;
        Space? actionSpace = environment.ActionSpace;
        if (observationSpace is null || actionSpace is null)
        {
            problems.Add("The observation space or the action space is null; both must be set before the first reset.");
            return problems;
        }
        if (observationSpace.FlatSize == 0)
            problems.Add($"The observation space {observationSpace} has no elements; observations must have at least one float.");
        if (actionSpace.FlatSize == 0)
            problems.Add($"The action space {actionSpace} has no elements; actions must have at least one float.");
        if (problems.Count > 0)
            return problems;
        if (observationSpace is Box box && (box.Low.Any(float.IsNaN) || box.High.Any(float.IsNaN)))
            problems.Add("The observation space has NaN bounds.");
        if (observationSpace is CompositeSpace composite)
            foreach ((string path, Space leaf, _) in composite.Leaves())
            {
                if (leaf is Box entry && (entry.Low.Any(float.IsNaN) || entry.High.Any(float.IsNaN)))
                    problems.Add($"The observation entry '{path}' has NaN bounds.");
                if (leaf.FlatSize == 0)
                    problems.Add($"The observation entry '{path}' ({leaf}) has no elements; every entry needs at least one float.");
            }

        int od = observationSpace.FlatSize;
        var rng = new Rng(seed ^ 0x5EEDC4ECUL);
        var first = new float[od];
        var second = new float[od];
        var action = new float[actionSpace.FlatSize];

        // Reset fills the whole buffer with a valid observation.
        if (!TryReset(environment, first, seed, problems, "the first reset"))
            return problems;
        CheckObservation(observationSpace, first, "the observation returned by Reset", problems);

        // Same seed, same initial observation.
        if (TryReset(environment, second, seed, problems, "a second seeded reset") && !first.AsSpan().SequenceEqual(second))
            problems.Add($"Reset does not honour the seed: two resets with seed {seed} gave different observations ([{Format(first)}] and [{Format(second)}]). Reseed the environment's random stream from the seed in Reset.");

        // A seeded trajectory is reproducible.
        var trajectoryActions = new List<float[]>();
        var firstRewards = new List<double>();
        environment.Reset(first, seed);
        for (int i = 0; i < 5; i++)
        {
            actionSpace.Sample(rng, action);
            trajectoryActions.Add((float[])action.Clone());
            StepResult result;
            try
            {
                result = environment.Step(action, first);
            }
#pragma warning disable CA1031 // The checker reports any failure instead of stopping.
            catch (Exception error)
#pragma warning restore CA1031
            {
                problems.Add($"Step threw {error.GetType().Name} for the valid action [{Format(action)}] sampled from {actionSpace}: {error.Message}");
                return problems;
            }
            firstRewards.Add(result.Reward);
            if (result.Done)
                break;
        }
        var replay = new float[od];
        environment.Reset(replay, seed);
        for (int i = 0; i < trajectoryActions.Count; i++)
        {
            StepResult result = environment.Step(trajectoryActions[i], replay);
            if (!result.Reward.Equals(firstRewards[i]))
            {
                problems.Add($"Stepping is not reproducible: after a reset with seed {seed}, the same actions gave reward {firstRewards[i]} and then {result.Reward} at step {i + 1}.");
                break;
            }
        }
        if (!first.AsSpan().SequenceEqual(replay))
            problems.Add($"Stepping is not reproducible: after a reset with seed {seed}, the same {trajectoryActions.Count} actions led to different observations ([{Format(first)}] and [{Format(replay)}]).");

        // Play an episode with random actions, validating every step, until it ends.
        environment.Reset(first, seed);
        bool ended = false;
        for (int step = 1; step <= maxSteps && !ended; step++)
        {
            actionSpace.Sample(rng, action);
            Array.Fill(first, float.NaN);
            StepResult result;
            try
            {
                result = environment.Step(action, first);
            }
#pragma warning disable CA1031
            catch (Exception error)
#pragma warning restore CA1031
            {
                problems.Add($"Step {step} threw {error.GetType().Name} for the valid action [{Format(action)}]: {error.Message}");
                return problems;
            }
            if (!CheckObservation(observationSpace, first, $"the observation after step {step}", problems))
                break;
            if (!double.IsFinite(result.Reward))
            {
                problems.Add($"Step {step} returned the reward {result.Reward}; rewards must be finite numbers.");
                break;
            }
            ended = result.Done;
        }

        if (ended)
        {
            actionSpace.Sample(rng, action);
            if (!Refuses(() => environment.Step(action, first)))
                problems.Add("Step after the episode ended (terminated or truncated) was accepted; it must throw until Reset is called, so that a missing reset cannot go unnoticed.");
        }

        // Malformed actions are refused.
        environment.Reset(first, seed);
        var tooLong = new float[actionSpace.FlatSize + 1];
        if (!Refuses(() => environment.Step(tooLong, first)))
            problems.Add($"Step accepted an action of {tooLong.Length} floats although {actionSpace} needs {actionSpace.FlatSize}; wrong-length actions must throw.");
        environment.Reset(first, seed);
        var nanAction = new float[actionSpace.FlatSize];
        Array.Fill(nanAction, float.NaN);
        if (!Refuses(() => environment.Step(nanAction, first)))
            problems.Add("Step accepted an action made of NaN; NaN actions must throw.");
        if (actionSpace is Discrete discrete)
        {
            environment.Reset(first, seed);
            float outside = discrete.Start + discrete.Count;
            if (!Refuses(() => environment.Step([outside], first)))
                problems.Add($"Step accepted the action {outside}, which is outside {actionSpace}; invalid discrete actions must throw.");
        }
        environment.Reset(first, seed);
        if (!Refuses(() => environment.Step(action, new float[od + 1])))
            problems.Add($"Step accepted an observation buffer of {od + 1} floats although observations have {od}; wrong-length buffers must throw.");

        if (checkRender)
        {
            try
            {
                RgbFrame frame = environment.Render();
                if (frame is null || frame.Width <= 0 || frame.Height <= 0 || frame.Pixels.Length != frame.Width * frame.Height * 3)
                    problems.Add("Render returned a malformed frame (null, empty, or a pixel buffer that is not width × height × 3 bytes).");
            }
            catch (NotSupportedException)
            {
                // Rendering is optional.
            }
#pragma warning disable CA1031
            catch (Exception error)
#pragma warning restore CA1031
            {
                problems.Add($"Render threw {error.GetType().Name}: {error.Message}");
            }
        }
        return problems;
    }

    /// <summary>Runs <see cref="Check"/> and throws a <see cref="PolicyLabException"/> listing the problems, if any.</summary>
    public static void Assert(IEnvironment environment, ulong seed = 0)
    {
        IReadOnlyList<string> problems = Check(environment, seed);
        if (problems.Count > 0)
            throw new PolicyLabException($"The environment {environment.Spec?.Id ?? environment.GetType().Name} breaks {problems.Count} contract(s): {string.Join(" ", problems)}");
    }

    private static bool TryReset(IEnvironment environment, float[] observation, ulong seed, List<string> problems, string what)
    {
        Array.Fill(observation, float.NaN);
        try
        {
            environment.Reset(observation, seed);
            return true;
        }
#pragma warning disable CA1031
        catch (Exception error)
#pragma warning restore CA1031
        {
            problems.Add($"Reset threw {error.GetType().Name} during {what}: {error.Message}");
            return false;
        }
    }

    private static bool CheckObservation(Space space, float[] observation, string what, List<string> problems)
    {
        for (int i = 0; i < observation.Length; i++)
        {
            if (float.IsNaN(observation[i]))
            {
                problems.Add($"Element {i} of {what} is NaN (or was never written); every one of the {observation.Length} elements must be set to a number.");
                return false;
            }
            if (float.IsInfinity(observation[i]))
            {
                problems.Add($"Element {i} of {what} is infinite; observations must be finite.");
                return false;
            }
        }
        if (space is CompositeSpace composite && composite.FirstOutside(observation) is string path)
        {
            int offset = composite.Leaves().First(l => l.Path == path).Offset;
            Space entry = composite.Leaves().First(l => l.Path == path).Space;
            problems.Add($"The entry '{path}' of {what} [{Format(observation[offset..(offset + entry.FlatSize)])}] lies outside its space {entry} (observation space {space}).");
            return false;
        }
        if (!space.Contains(observation))
        {
            problems.Add($"{Capitalize(what)} [{Format(observation)}] lies outside the observation space {space}.");
            return false;
        }
        return true;
    }

    private static bool Refuses(Action attempt)
    {
        try
        {
            attempt();
            return false;
        }
#pragma warning disable CA1031 // Any exception counts as a refusal.
        catch (Exception)
#pragma warning restore CA1031
        {
            return true;
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Format(float[] values) =>
        string.Join(", ", values.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
}
