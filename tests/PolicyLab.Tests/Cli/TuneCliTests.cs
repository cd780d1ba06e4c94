using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PolicyLab.Configuration;
using PolicyLab.Training;
using PolicyLab.Tuning;

namespace PolicyLab.Tests.Cli;

/// <summary>`policylab tune`, `tune show`, `tune export`, parallel worker processes and a killed tune resumed.</summary>
[Collection("Console")]
public sealed class TuneCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-tune-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => CliRunner.Run(args);

    /// <summary>A small, cheap space: trials of a few thousand steps take a fraction of a second.</summary>
    private string SmallSpace()
    {
        string path = Path.Combine(_dir, "space.yaml");
        File.WriteAllText(path, """
            defaults: false
            learning_rate: {type: float, low: 1.0e-4, high: 3.0e-3, log: true}
            n_steps: {type: categorical, choices: [16, 32, 64]}
            one_minus_gamma: {type: float, low: 0.001, high: 0.05, log: true, transform: one_minus, sets: [gamma]}
            n_epochs: {type: int, low: 1, high: 4}
            """);
        return path;
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DOTNET_TC_QuickJit"] = "1"; // these short processes start faster with the quick JIT (workers inherit it)
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PolicyLab.Cli.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    [Fact]
    public void Tune_show_and_export_round_trip_to_the_settings_train_reads()
    {
        string db = Path.Combine(_dir, "study.db");
        (int code, string output, string error) = Run("tune", "--trials", "3", "--steps-per-trial", "1024", "--eval-every", "256", "--storage", db,
            "--space", SmallSpace(), "--startup-trials", "2", "--eval-episodes", "2");
        Assert.True(code == 0, error);
        Assert.Contains("study ppo-CartPole-v1: ", output, StringComparison.Ordinal);

        (code, output, error) = Run("tune", "show", db, "-o", Path.Combine(_dir, "report.html"));
        Assert.True(code == 0, error);
        Assert.Contains("parameter importances", output, StringComparison.Ordinal);
        string html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("Objective by trial", html, StringComparison.Ordinal);
        Assert.Contains(">learning_rate (log scale)<", html, StringComparison.Ordinal);

        // Export into an existing zoo file: its other section stays, the CartPole section is written.
        string config = Path.Combine(_dir, "ppo.yaml");
        File.WriteAllText(config, "# my settings\nPendulum-v1:\n  n_envs: 4\n  gamma: 0.9\n");
        (code, output, error) = Run("tune", "export", "--study", db, "-o", config);
        Assert.True(code == 0, error);
        string text = File.ReadAllText(config);
        Assert.Contains("# my settings\nPendulum-v1:\n  n_envs: 4\n  gamma: 0.9\n", text, StringComparison.Ordinal);
        Assert.Equal(["Pendulum-v1", "CartPole-v1"], ConfigFile.Sections(text, config));

        // train --config reads back exactly the settings the best trial trained with (its budget apart).
        using SqliteStudyStorage storage = SqliteStudyStorage.Open(db, null);
        TrialRecord best = storage.Trials().Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Value).ThenBy(t => t.Number).First();
        Assert.Contains($"trial {best.Number} ", output, StringComparison.Ordinal);
        string trialRun = Path.Combine(_dir, "study.trials", "ppo-CartPole-v1", $"trial-{best.Number:D4}");
        (RunSettings trialSettings, Hyperparameters trialAlgorithm) = SettingsResolver.FromRunFolder(RunFolder.Open(trialRun));
        (RunSettings run, Hyperparameters algorithm) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", config, [], null, null));
        Assert.Equal(trialAlgorithm.ToList(), algorithm.ToList());
        Assert.Equal(trialSettings.EnvironmentCount, run.EnvironmentCount);
        Assert.Equal(100_000, run.TotalSteps); // the shipped training budget, not the trial's
        Assert.Equal((float)best.Parameters["learning_rate"], float.Parse(algorithm.Get("learning_rate"), System.Globalization.CultureInfo.InvariantCulture));

        // Bad input: a file that is not a study, an unknown parameter in the space file.
        string junk = Path.Combine(_dir, "junk.db");
        File.WriteAllText(junk, "these are not the bytes of a database, but they are long enough to be read as a header..........");
        (code, _, error) = Run("tune", "show", junk);
        Assert.Equal(2, code);
        Assert.Contains("not a study file", error, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "clip_rang: {type: categorical, choices: [0.1, 0.2]}\n");
        (code, _, error) = Run("tune", "--storage", db, "--space", Path.Combine(_dir, "bad.yaml"), "--trials", "1");
        Assert.Equal(2, code);
        Assert.Contains("Did you mean 'clip_range'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_worker_processes_share_one_study_without_losing_or_duplicating_a_trial()
    {
        string db = Path.Combine(_dir, "parallel.db");
        using Process parent = Start("tune", "--workers", "2", "--trials", "6", "--steps-per-trial", "1024", "--eval-every", "512", "--storage", db,
            "--space", SmallSpace(), "--startup-trials", "3", "--eval-episodes", "2");
        Task<string> output = parent.StandardOutput.ReadToEndAsync(), error = parent.StandardError.ReadToEndAsync();
        Assert.True(parent.WaitForExit(180_000), "the tune did not finish in three minutes");
        string errorText = await error, outputText = await output;
        Assert.True(parent.ExitCode == 0, errorText + outputText);

        using SqliteStudyStorage storage = SqliteStudyStorage.Open(db, null);
        IReadOnlyList<TrialRecord> trials = storage.Trials();
        Assert.Equal(Enumerable.Range(0, 6), trials.Select(t => t.Number)); // each number once, none missing
        Assert.All(trials, t => Assert.True(t.IsFinished, $"trial {t.Number} is {t.State}: {t.Error}"));
        Assert.All(trials, t => Assert.True(Directory.Exists(Path.Combine(_dir, "parallel.trials", "ppo-CartPole-v1", $"trial-{t.Number:D4}", "checkpoints"))));
        Assert.Equal(6, trials.Select(t => t.Parameters["learning_rate"]).Distinct().Count());
        using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(DISTINCT pid) FROM trials";
        long processes = (long)cmd.ExecuteScalar()!;
        Assert.True(processes >= 2, $"only {processes} worker process ran trials");
    }

    [Fact]
    public void A_killed_tune_resumes_its_running_trial_is_failed_and_replaced()
    {
        string db = Path.Combine(_dir, "killed.db");
        string[] args = ["tune", "--trials", "1", "--steps-per-trial", "20000", "--pruner", "none", "--storage", db, "--space", SmallSpace(), "--eval-episodes", "2"];
        using (Process tune = Start(args))
        {
            var clock = Stopwatch.StartNew();
            bool running = false;
            while (!running && !tune.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                Thread.Sleep(20);
                if (!File.Exists(db)) continue;
                try
                {
                    using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
                    c.Open();
                    using SqliteCommand cmd = c.CreateCommand();
                    cmd.CommandText = "SELECT COUNT(*) FROM trials WHERE state = 'running'";
                    running = (long)cmd.ExecuteScalar()! > 0;
                }
                catch (SqliteException) { } // the schema is being created
            }
            Assert.True(running, "no trial started");
            Assert.False(tune.HasExited, "the trial finished before the kill");
            tune.Kill();
            tune.WaitForExit();
        }
        (int code, string output, string error) = Run(args);
        Assert.True(code == 0, error);
        Assert.Contains("marked failed", output, StringComparison.Ordinal);
        using SqliteStudyStorage storage = SqliteStudyStorage.Open(db, null);
        IReadOnlyList<TrialRecord> trials = storage.Trials();
        TrialRecord failed = Assert.Single(trials, t => t.State == TrialState.Failed);
        Assert.Contains("ended before the trial finished", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(2, trials.Count);
    }
}
