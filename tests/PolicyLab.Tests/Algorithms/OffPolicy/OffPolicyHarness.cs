using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.OffPolicy;

/// <summary>Short fixed-seed trainings through the real training loop.</summary>
internal static class OffPolicyHarness
{
    /// <summary>Small networks and batches so the CI tests stay cheap.</summary>
    public static readonly string[] Small = ["policy_layers=[64, 64]", "critic_layers=[64, 64]", "batch_size=64"];

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "policylab-offpolicy-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Trains with the shipped config plus <paramref name="overrides"/>; returns the final evaluation's mean and the folder.</summary>
    public static (double MeanReturn, string Folder) Train(string algorithm, string environment, long steps, long seed, params string[] overrides)
    {
        string folder = NewFolder();
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(
            new SettingsRequest(algorithm, environment, null, ["eval_freq=0", "eval_episodes=10", .. overrides], seed, steps));
        using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        TrainingResult result = trainer.RunWithTrackers();
        return (result.FinalEvaluation!.MeanReturn, folder);
    }

    public static void Delete(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
