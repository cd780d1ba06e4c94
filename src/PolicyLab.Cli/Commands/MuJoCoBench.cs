using System.Globalization;
using PolicyLab.MuJoCo;

namespace PolicyLab.Cli.Commands;

/// <summary>
/// `policylab bench mujoco`: single-threaded environment steps/s of HalfCheetah-v4 and Humanoid-v4 with random actions,
/// beside mujoco-testspeed on the same model file divided by the frame skip (the native limit), and a threaded vector of
/// 8 HalfCheetahs on one and two threads.
/// </summary>
internal static class MuJoCoBench
{
    public static int Run(int steps, bool json)
    {
        if (steps <= 0)
            return CommandLine.UserError($"--steps must be positive; got {steps}.");
        if (MuJoCoEnvironments.UnavailableReason is { } reason)
            return CommandLine.UserError(reason);
        var inv = CultureInfo.InvariantCulture;
        var results = new Dictionary<string, object?> { ["command"] = "bench", ["benchmark"] = "mujoco", ["steps"] = steps };
        foreach (var (id, file, frameSkip) in new[] { ("HalfCheetah-v4", "half_cheetah.xml", 5), ("Humanoid-v4", "humanoid.xml", 5) })
        {
            double ours = MuJoCoSpeed.StepsPerSecond(id, steps);
            double? physics = MuJoCoSpeed.NativePhysicsStepsPerSecond(file, steps * frameSkip);
            double? limit = physics / frameSkip;
            results[id] = new Dictionary<string, object?>
            {
                ["env_steps_per_second"] = ours,
                ["testspeed_physics_steps_per_second"] = physics,
                ["native_limit_env_steps_per_second"] = limit,
                ["fraction_of_native"] = limit is double l ? ours / l : null,
            };
            if (!json)
                Console.WriteLine(string.Create(inv, $"{id,-15} {ours,10:N0} env-steps/s (1 thread, random actions); mujoco-testspeed {(physics is double p ? $"{p:N0} physics steps/s ÷ {frameSkip} = {limit:N0}" : "not installed (apt-get install libmujoco-samples)")}{(limit is double q ? $"; ours = {ours / q:P0} of native" : "")}"));
        }
        int vectorSteps = Math.Max(1, steps / 8);
        double one = MuJoCoSpeed.VectorStepsPerSecond("HalfCheetah-v4", 8, 1, vectorSteps);
        double two = MuJoCoSpeed.VectorStepsPerSecond("HalfCheetah-v4", 8, 2, vectorSteps);
        results["vector_8_halfcheetah"] = new Dictionary<string, object?> { ["one_thread"] = one, ["two_threads"] = two, ["speedup"] = two / one };
        if (json)
            JsonOutput.Print(results);
        else
            Console.WriteLine(string.Create(inv, $"8 × HalfCheetah-v4 threaded vector: {one:N0} env-steps/s on 1 thread, {two:N0} on 2 ({two / one:F2}×)"));
        return 0;
    }
}
