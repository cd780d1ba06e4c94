using Microsoft.Data.Sqlite;
using PolicyLab.Tuning;

namespace PolicyLab.Tests.Tuning;

public sealed class SqliteStudyStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-study-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SearchSpace Space = new([SearchParameter.Float("x", 1e-3, 1, log: true), SearchParameter.Categorical("c", ["a", "b"])]);

    private static TuneSettings Settings(long steps = 1000) => new("ppo", "CartPole-v1", steps, 100, 5, 0, "tpe", "median", "last", 3);

    private string File(string name) => Path.Combine(_dir, name);

    private static void Sql(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void Files_that_are_not_this_versions_studies_and_mismatched_studies_are_refused_by_name()
    {
        string junk = File("junk.db");
        System.IO.File.WriteAllBytes(junk, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]);
        Assert.Contains("is not a study file", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.OpenOrCreate(junk, "s", Settings(), Space)).Message, StringComparison.Ordinal);

        string other = File("other.db");
        Sql(other, "CREATE TABLE songs(title TEXT)");
        Assert.Contains("not a PolicyLab study file (its tables are songs)", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.Open(other, null)).Message, StringComparison.Ordinal);

        string study = File("study.db");
        using (SqliteStudyStorage s = SqliteStudyStorage.OpenOrCreate(study, "s", Settings(), Space)) { }
        PolicyLabException space = Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.OpenOrCreate(study, "s", Settings(),
            new SearchSpace([SearchParameter.Float("x", 1e-4, 1, log: true)])));
        Assert.Contains("another search space", space.Message, StringComparison.Ordinal);
        Assert.Contains("--study NAME", space.Message, StringComparison.Ordinal);
        Assert.Contains("2000 steps per trial", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.OpenOrCreate(study, "s", Settings(2000), Space)).Message, StringComparison.Ordinal);
        using (SqliteStudyStorage second = SqliteStudyStorage.OpenOrCreate(study, "t", Settings(2000), Space)) { } // another name is another study
        Assert.Contains("pick one with --study", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.Open(study, null)).Message, StringComparison.Ordinal);
        Assert.Contains("has no study 'u'", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.Open(study, "u")).Message, StringComparison.Ordinal);

        Sql(study, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
        Assert.Contains("schema version 99", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.Open(study, "s")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<PolicyLabException>(() => SqliteStudyStorage.Open(File("none.db"), null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crashing_trial_is_recorded_failed_with_its_error_and_the_study_goes_on()
    {
        string path = File("crash.db");
        using (SqliteStudyStorage storage = SqliteStudyStorage.OpenOrCreate(path, "s", Settings(), Space))
        {
            var study = new Study(storage, Space, new TpeSampler(0, startupTrials: 3), new MedianPruner(2, 1), 8);
            study.Optimize((t, _) =>
            {
                if (t.Number is 2 or 5) throw new PolicyLabException($"boom in trial {t.Number}");
                bool prune = false;
                for (int step = 1; step <= 3 && !prune; step++) prune = t.Report(step * Math.Log(t.Values["x"]), step * 100);
                return new TrialOutcome(t.Reported[^1].Value, prune, t.Reported.Count * 100);
            });
        }
        using SqliteStudyStorage reopened = SqliteStudyStorage.Open(path, "s");
        IReadOnlyList<TrialRecord> trials = reopened.Trials();
        Assert.Equal(Enumerable.Range(0, 10), trials.Select(t => t.Number));
        Assert.Equal(8, trials.Count(t => t.IsFinished));
        Assert.Equal("boom in trial 2", trials[2].Error);
        Assert.Equal(TrialState.Failed, trials[5].State);
        Assert.Contains(trials, t => t.State == TrialState.Pruned);
        Assert.All(trials.Where(t => t.IsFinished), t => Assert.Equal(t.Intermediate.Count * 100, t.EnvironmentSteps));
        Assert.All(trials, t => Assert.Equal(2, t.Parameters.Count));
        // What was stored is what the trial saw: the parameters read back bit for bit.
        Assert.Equal(trials[0].Intermediate[0].Value, Math.Log(trials[0].Parameters["x"]));
    }

    [Fact]
    public void A_running_trial_whose_process_has_ended_is_marked_failed_and_replaced()
    {
        string path = File("orphan.db");
        using (SqliteStudyStorage storage = SqliteStudyStorage.OpenOrCreate(path, "s", Settings(), Space))
        {
            Assert.NotNull(storage.StartTrial(3, (_, _) => new Dictionary<string, double> { ["x"] = 0.1, ["c"] = 0 }));
            Assert.Equal(0, storage.FailOrphanedTrials()); // this process is alive
        }
        Sql(path, "UPDATE trials SET pid = 999999999");
        using SqliteStudyStorage again = SqliteStudyStorage.OpenOrCreate(path, "s", Settings(), Space);
        Assert.Equal(1, again.FailOrphanedTrials());
        TrialRecord orphan = again.Trials()[0];
        Assert.Equal(TrialState.Failed, orphan.State);
        Assert.Contains("pid 999999999", orphan.Error, StringComparison.Ordinal);
        new Study(again, Space, new RandomSampler(0), new NoPruner(), 3).Optimize((t, _) => new TrialOutcome(t.Values["x"], false, 0));
        Assert.Equal([TrialState.Failed, TrialState.Complete, TrialState.Complete, TrialState.Complete], again.Trials().Select(t => t.State));
    }
}
