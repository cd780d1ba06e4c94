using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>Runs short fixed-seed trainings through the real training loop for the policy-gradient tests.</summary>
internal static class PolicyGradientHarness
{
    /// <summary>Trains <paramref name="algorithm"/> on <paramref name="environment"/> with the shipped tuned
    /// defaults plus <paramref name="overrides"/>, evaluating only at the end over 20 deterministic episodes.</summary>
    public static (TrainingResult Result, string Folder) Train(string algorithm, string environment, long steps, long seed, params string[] overrides)
    {
        string folder = Path.Combine(Path.GetTempPath(), "policylab-pg-tests", Guid.NewGuid().ToString("N"));
        (RunSettings run, Configuration.Hyperparameters settings) = SettingsResolver.Resolve(
            new SettingsRequest(algorithm, environment, null, ["eval_freq=0", "eval_episodes=20", "checkpoint_freq=0", .. overrides], seed, steps));
        try
        {
            using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
            return (trainer.RunWithTrackers(), folder);
        }
        catch (PolicyLabException)
        {
            Delete(folder);
            throw;
        }
    }

    /// <summary>The final evaluation's mean return.</summary>
    public static double FinalReturn(TrainingResult result) =>
        result.FinalEvaluation?.Returns.Average() ?? throw new InvalidOperationException("no final evaluation");

    /// <summary>The highest recent_mean_return (mean of the last 10 training episodes) that metrics.csv records.</summary>
    public static double BestRecentMeanReturn(string folder)
    {
        string[] lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        int column = Array.IndexOf(lines[0].Split(','), "recent_mean_return");
        return lines.Skip(1)
            .Select(line => line.Split(',')[column])
            .Where(cell => cell.Length > 0)
            .Max(cell => double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Deletes a run folder made by <see cref="Train"/>.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
