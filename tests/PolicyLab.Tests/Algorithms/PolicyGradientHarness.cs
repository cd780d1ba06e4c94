using PolicyLab.Training;

namespace PolicyLab.Tests.Algorithms;

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
            return (trainer.Run(), folder);
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

    /// <summary>Deletes a run folder made by <see cref="Train"/>.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
