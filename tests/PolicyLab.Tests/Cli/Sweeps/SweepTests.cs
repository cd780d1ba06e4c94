using System.Text.Json;
using PolicyLab.Cli.Sweeps;

namespace PolicyLab.Tests.Cli.Sweeps;

/// <summary>Parsing of <c>--seeds</c> and <c>--set key=a,b,c</c> grids into the runs of a sweep.</summary>
public sealed class SweepPlanTests
{
    [Theory]
    [InlineData("0..4", new long[] { 0, 1, 2, 3, 4 })]
    [InlineData("0,3,7", new long[] { 0, 3, 7 })]
    [InlineData("0..2,10", new long[] { 0, 1, 2, 10 })]
    [InlineData("5", new long[] { 5 })]
    public void Seeds_are_ranges_lists_or_both(string text, long[] expected) =>
        Assert.Equal(expected, SweepPlan.ParseSeeds(text));

    [Theory]
    [InlineData("4..0", "ends before it starts")]
    [InlineData("0,x", "--seeds")]
    [InlineData("1,1", "names a seed twice")]
    [InlineData("-1..2", "--seeds")]
    [InlineData("0..99999", "at most")]
    public void Bad_seeds_are_refused_with_the_fix(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<PolicyLabException>(() => SweepPlan.ParseSeeds(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_grid_is_the_cross_product_of_its_axes_and_the_seeds()
    {
        SweepPlan plan = SweepPlan.From("0,1", null, ["learning_rate=0.001,0.0003", "n_steps=64,128", "gamma=0.99"])!;
        Assert.Equal(["learning_rate", "n_steps"], plan.Axes.Select(a => a.Key));
        Assert.Equal(["gamma=0.99"], plan.FixedSets);
        Assert.Equal(8, plan.Runs.Count);
        Assert.Equal("learning_rate=0.001-n_steps=64-seed0", plan.Runs[0].Name);
        Assert.Equal("learning_rate=0.001-n_steps=64-seed1", plan.Runs[1].Name);
        Assert.Equal("learning_rate=0.0003-n_steps=128-seed1", plan.Runs[^1].Name);
        Assert.Equal("learning_rate=0.0003, n_steps=128", plan.Runs[^1].PointLabel);
    }

    [Fact]
    public void Lists_stay_one_value_unless_each_grid_value_is_bracketed()
    {
        Assert.Null(SweepPlan.From(null, 3, ["policy_layers=64,64", "learning_rate=linear(0.001, 0)"])); // one run, not a sweep
        SweepPlan plan = SweepPlan.From(null, 3, ["policy_layers=[64,64],[32]"])!;
        Assert.Equal(["[64,64]", "[32]"], plan.Axes.Single().Values);
        Assert.Equal([3L, 3L], plan.Runs.Select(r => r.Seed));
        Assert.Equal("policy_layers=_64_64_-seed3", plan.Runs[0].Name);
    }

    [Theory]
    [InlineData(new[] { "learning_rate=0.1,,0.2" }, "one of them is empty")]
    [InlineData(new[] { "learning_rate=0.1,0.1" }, "lists a value twice")]
    [InlineData(new[] { "seed=1,2" }, "--seeds 0..4")]
    public void Bad_grids_are_refused(string[] sets, string expected) =>
        Assert.Contains(expected, Assert.Throws<PolicyLabException>(() => SweepPlan.From(null, null, sets)).Message, StringComparison.Ordinal);

    [Fact]
    public void Seed_and_seeds_exclude_each_other() =>
        Assert.Contains("exclude each other", Assert.Throws<PolicyLabException>(() => SweepPlan.From("0..1", 3, [])).Message, StringComparison.Ordinal);
}

/// <summary><c>train --seeds … --set key=a,b</c> end to end: one experiment folder, sub-runs identical to runs trained alone.</summary>
[Collection("Console")]
public sealed class SweepCliTests : IDisposable
{
    private static readonly string[] Small = ["--env", "CartPole-v1", "--steps", "512", "--set", "n_steps=128", "--set", "batch_size=64", "--set", "eval_episodes=2"];
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => PolicyLab.Tests.Cli.CliRunner.Run(args);

    /// <summary>Every file of a run folder except the wall-clock ones (timing.json, TensorBoard events) and the lock.</summary>
    private static void AssertSameRun(string expected, string actual)
    {
        static List<string> Files(string root) => [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => f is not ("timing.json" or ".lock") && !f.StartsWith("tb", StringComparison.Ordinal) && !f.StartsWith(".lock", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
        List<string> files = Files(expected);
        Assert.Contains("experiment.json", files);
        Assert.Contains("config.yaml", files);
        Assert.Equal(files, Files(actual));
        foreach (string f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    [Fact]
    public void Seeds_times_grid_in_one_process_give_the_runs_train_gives_alone_and_a_summary_of_mean_and_std()
    {
        string experiment = Path.Combine(_dir, "grid");
        (int code, string output, string error) = Run(["train", .. Small, "--seeds", "0,1", "--set", "learning_rate=0.001,0.0003", "--json", "--out", experiment]);
        Assert.True(code == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement root = doc.RootElement;
        Assert.True(root.GetProperty("sweep").GetBoolean());
        Assert.Equal(4, root.GetProperty("runs").GetArrayLength());
        JsonElement[] groups = [.. root.GetProperty("groups").EnumerateArray()];
        Assert.Equal(2, groups.Length);
        foreach (JsonElement g in groups)
        {
            double[] finals = [.. g.GetProperty("final_returns").EnumerateArray().Select(v => v.GetDouble())];
            Assert.Equal(2, finals.Length);
            Assert.Equal(finals.Average(), g.GetProperty("mean_return").GetDouble(), 9);
            Assert.Equal(Math.Abs(finals[0] - finals[1]) / 2, g.GetProperty("std_return").GetDouble(), 9); // population std of two values
        }
        Assert.Equal("0.0003", groups[1].GetProperty("point").GetProperty("learning_rate").GetString());
        foreach (string name in new[] { "learning_rate=0.001-seed0", "learning_rate=0.001-seed1", "learning_rate=0.0003-seed0", "learning_rate=0.0003-seed1" })
            Assert.True(File.Exists(Path.Combine(experiment, name, "experiment.json")), name);
        foreach (string file in new[] { "summary.md", "plot.svg", "plot.png", SweepRunner.PlanFileName })
            Assert.True(File.Exists(Path.Combine(experiment, file)), file);
        string summary = File.ReadAllText(Path.Combine(experiment, "summary.md"));
        Assert.StartsWith("| learning_rate | seeds | final evaluation (mean ± std across seeds)", summary, StringComparison.Ordinal);
        Assert.Contains(groups[1].GetProperty("mean_return").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture), summary, StringComparison.Ordinal);

        string alone = Path.Combine(_dir, "alone");
        (code, _, error) = Run(["train", .. Small, "--seed", "1", "--set", "learning_rate=0.0003", "--json", "--out", alone]);
        Assert.True(code == 0, error);
        AssertSameRun(alone, Path.Combine(experiment, "learning_rate=0.0003-seed1"));

        // The experiment folder plots as one band per grid point.
        (code, output, error) = Run("plot", experiment, "-o", Path.Combine(_dir, "again.svg"));
        Assert.True(code == 0, error);
        Assert.Contains("4 run(s) in 2 group(s)", output, StringComparison.Ordinal);
        Assert.Contains("learning_rate=0.0003 (2 seeds)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Parallel_jobs_run_as_child_processes_with_the_same_results()
    {
        string experiment = Path.Combine(_dir, "jobs");
        (int code, string output, string error) = Run(["train", .. Small, "--seeds", "0..1", "--jobs", "2", "--json", "--out", experiment]);
        Assert.True(code == 0, error + output);
        using JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(2, doc.RootElement.GetProperty("jobs").GetInt32());
        Assert.All(doc.RootElement.GetProperty("runs").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
        string alone = Path.Combine(_dir, "alone1");
        (code, _, error) = Run(["train", .. Small, "--seed", "1", "--json", "--out", alone]);
        Assert.True(code == 0, error);
        AssertSameRun(alone, Path.Combine(experiment, "seed1"));
    }

    [Theory]
    [InlineData(new[] { "--seeds", "0..1", "--set", "learning_rate=0.1,-1" }, "learning_rate must be ≥ 0")]
    [InlineData(new[] { "--jobs", "2" }, "--jobs trains the runs of a sweep")]
    [InlineData(new[] { "--seeds", "0..1", "--jobs", "0" }, "--jobs must be at least 1")]
    [InlineData(new[] { "--seeds", "0..1", "--seed", "3" }, "exclude each other")]
    public void Bad_sweeps_exit_2_before_anything_is_written(string[] args, string expected)
    {
        string experiment = Path.Combine(_dir, "bad");
        (int code, _, string error) = Run(["train", .. Small, .. args, "--out", experiment]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(experiment) && Directory.EnumerateFileSystemEntries(experiment).Any());
    }
}
