using System.Diagnostics;
using System.Globalization;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;

namespace PolicyLab.MuJoCo;

/// <summary>
/// Speed measurements of the MuJoCo environments (used by <c>policylab bench mujoco</c>): environment steps per second
/// with uniformly random actions on one thread, the threaded vector on one and two threads, and MuJoCo's own
/// <c>mujoco-testspeed</c> on the same model file (its physics steps per second ÷ the frame skip is the native limit).
/// </summary>
public static class MuJoCoSpeed
{
    /// <summary>Environment steps per second of one copy of <paramref name="id"/> with random actions (after a 1 s warm-up).</summary>
    public static double StepsPerSecond(string id, int steps, ulong seed = 0)
    {
        MuJoCoEnvironments.Register();
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var obs = new float[env.ObservationSpace.FlatSize];
        int n = env.ActionSpace.FlatSize;
        var box = (PolicyLab.Environments.Spaces.Box)env.ActionSpace;
        var rng = new PolicyLab.Numerics.Rng(seed);
        var actions = new float[4096 * n];
        for (int i = 0; i < actions.Length; i++)
            actions[i] = (float)rng.Uniform(box.Low[i % n], box.High[i % n]);
        env.Reset(obs, seed: seed);
        void Run(int count)
        {
            for (int t = 0; t < count; t++)
            {
                if (env.Step(actions.AsSpan(t % 4096 * n, n), obs).Done)
                    env.Reset(obs);
            }
        }
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1)
            Run(100);
        long start = Stopwatch.GetTimestamp();
        Run(steps);
        return steps / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Environment steps per second (summed over copies) of a threaded vector of <paramref name="copies"/>.</summary>
    public static double VectorStepsPerSecond(string id, int copies, int threads, int vectorSteps, ulong seed = 0)
    {
        MuJoCoEnvironments.Register();
        using var vec = new ThreadedVectorEnvironment(id, copies, threads);
        var rng = new PolicyLab.Numerics.Rng(seed);
        var actions = new float[copies * vec.ActionSize];
        for (int i = 0; i < actions.Length; i++)
            actions[i] = (float)rng.Uniform(-1, 1);
        vec.Reset(seed);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1)
            vec.Step(actions);
        long start = Stopwatch.GetTimestamp();
        for (int t = 0; t < vectorSteps; t++)
            vec.Step(actions);
        return (double)copies * vectorSteps / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// Runs <c>mujoco-testspeed</c> (package libmujoco-samples) on an embedded model and returns its physics steps per
    /// second, or null when the tool is not installed.
    /// </summary>
    public static double? NativePhysicsStepsPerSecond(string modelFile, int steps)
    {
        string? tool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "mujoco-testspeed")).FirstOrDefault(File.Exists);
        if (tool is null)
            return null;
        string path = Path.Combine(Path.GetTempPath(), $"policylab-{Environment.ProcessId}-{modelFile}");
        File.WriteAllText(path, EmbeddedModels.Read(modelFile));
        try
        {
            var info = new ProcessStartInfo(tool, $"{path} {steps} 1 0.01") { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(info)!;
            string text = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            foreach (string line in text.Split('\n'))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (line.Contains("Steps per second", StringComparison.Ordinal) && colon > 0 &&
                    double.TryParse(line[(colon + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double sps))
                    return sps;
            }
            throw new PolicyLabException($"mujoco-testspeed printed no 'Steps per second' line for {modelFile}: {text.Trim()}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
