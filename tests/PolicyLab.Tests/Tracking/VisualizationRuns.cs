using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Tracking;

/// <summary>Short PPO CartPole runs shared by the visualization tests (trained once per test process).</summary>
internal static class VisualizationRuns
{
    private static readonly string Root = Directory.CreateTempSubdirectory("policylab-viz-").FullName;
    private static readonly Lazy<string> FullRun = new(() => Train("full", "ppo", 0, ["render=full", "render_every=3", "eval_freq=2048"], 4096));
    private static readonly Lazy<string> PlotRuns = new(() =>
    {
        string dir = Path.Combine(Root, "comparison");
        foreach (string lr in new[] { "0.001", "0.0003" })
            for (int seed = 0; seed < 3; seed++)
                Train(Path.Combine("comparison", $"lr{lr}-s{seed}"), "ppo", seed, [$"learning_rate={lr}", "eval_freq=0"], 2048);
        return dir;
    });

    static VisualizationRuns()
    {
        // The test host is not always given the chance to run exit handlers, so stale roots of earlier test
        // processes are removed here too.
        foreach (string stale in Directory.GetDirectories(Path.GetTempPath(), "policylab-viz-*"))
        {
            if (stale != Root && Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddHours(-1))
                TryDelete(stale);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(Root);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A PPO CartPole run with render=full (training video, value page, report, TensorBoard).</summary>
    public static string Full => FullRun.Value;

    /// <summary>A folder of six runs: two learning rates × three seeds.</summary>
    public static string Comparison => PlotRuns.Value;

    public static string Train(string name, string algo, long seed, string[] sets, long steps)
    {
        string folder = Path.Combine(Root, name);
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, "CartPole-v1", null, sets, seed, steps));
        using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        trainer.RunWithTrackers();
        return folder;
    }
}
