using PolicyLab.Algorithms;
using PolicyLab.Algorithms.Discretization;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.Discretization;

public sealed class CubePolicyGradientTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cubepg-").FullName;
    private readonly SyncVectorEnvironment _env = new("Pendulum-v1", 1);

    public void Dispose()
    {
        _env.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Action-only splits from two action halves: the relevant cubes of any state are the action cells.</summary>
    private CubePolicyGradient Create(params (string Key, string Value)[] sets)
    {
        _env.Reset(0);
        var settings = new CubePolicyGradientSettings();
        settings.Set("split_state", "false");
        settings.Set("init_depth", "1");
        settings.Set("min_visits", "10");
        foreach ((string k, string v) in sets) settings.Set(k, v);
        return new CubePolicyGradient(AlgorithmContext.For(_env, 10_000), settings, new Rng(1));
    }

    private static readonly float[] State = [0.5f, 0.5f, 0.5f];

    [Fact]
    public void A_cube_splits_where_the_advantage_varies_and_not_where_it_is_flat()
    {
        using CubePolicyGradient pg = Create();
        (int[] cubes, _) = pg.PolicyAt(State);
        Assert.Equal(2, cubes.Length);
        for (int i = 0; i < 10; i++)
        {
            pg.RecordAdvantage(cubes[0], i % 2 == 0 ? 1.5 : -1.5); // variance ≈ 2.5 > 0.5
            pg.RecordAdvantage(cubes[1], 0.3);                    // flat: variance 0
        }
        Assert.Equal(1, pg.SplitByAdvantageVariance());
        Assert.False(pg.Tree.IsLeaf(cubes[0]));
        Assert.True(pg.Tree.IsLeaf(cubes[1]));
        // The children are leaves at once: relevant and chosen from now on, each with half the parent's mass.
        (int[] after, double[] p) = pg.PolicyAt(State);
        Assert.Equal(3, after.Length);
        int first = pg.Tree.FirstChild(cubes[0]);
        Assert.Contains(first, after);
        Assert.Contains(first + 1, after);
        Assert.Equal(0.25, p[Array.IndexOf(after, first)], 9);
        Assert.Equal(0.5, p[Array.IndexOf(after, cubes[1])], 9);
        Assert.Equal(0, pg.Tree.Stats(first).Samples);
        Assert.Equal(0, pg.SplitByAdvantageVariance()); // fresh children need min_visits samples again
    }

    [Fact]
    public void Positive_advantages_move_probability_mass_to_the_better_child()
    {
        using CubePolicyGradient pg = Create(("ent_coef", "0"));
        (int[] cubes, _) = pg.PolicyAt(State);
        for (int i = 0; i < 10; i++) pg.RecordAdvantage(cubes[0], i % 2 == 0 ? 2 : -2);
        pg.SplitByAdvantageVariance();
        int better = pg.Tree.FirstChild(cubes[0]) + 1, worse = better - 1;
        for (int i = 0; i < 50; i++)
        {
            pg.UpdatePreferences(State, better, 1.0);
            pg.UpdatePreferences(State, worse, -1.0);
        }
        (int[] after, double[] p) = pg.PolicyAt(State);
        double pBetter = p[Array.IndexOf(after, better)], pWorse = p[Array.IndexOf(after, worse)];
        Assert.True(pBetter > 0.5, $"π(better child) = {pBetter:F3} (started at 0.25)");
        Assert.True(pWorse < 0.1, $"π(worse child) = {pWorse:F3}");
    }

    [Fact]
    public void The_entropy_bonus_alone_flattens_the_policy()
    {
        using CubePolicyGradient pg = Create(("ent_coef", "1"));
        (int[] cubes, _) = pg.PolicyAt(State);
        pg.Tree.Stats(cubes[0]).Preference = 2;
        for (int i = 0; i < 2000; i++) pg.UpdatePreferences(State, cubes[0], 0);
        (_, double[] p) = pg.PolicyAt(State);
        Assert.InRange(p[0], 0.5, 0.6);
    }

    [Fact]
    public void Training_runs_splits_and_resumes_bit_identically()
    {
        string[] sets = ["n_steps=200", "checkpoint_freq=400", "eval_freq=0", "eval_episodes=1", "min_visits=10", "critic_epochs=5"];
        string Run(string name, long steps)
        {
            string folder = Path.Combine(_dir, name);
            (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("cube_pg", "Pendulum-v1", null, sets, 3, steps));
            using (Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder))) t.RunWithTrackers();
            return folder;
        }
        string full = Run("full", 800);
        string json = File.ReadAllText(Path.Combine(full, "experiment.json"));
        Assert.Contains("\"splits\"", json, StringComparison.Ordinal);
        string resumed = Path.Combine(_dir, "resumed");
        long first = RunFolder.Open(full).CheckpointSteps()[0];
        Directory.CreateDirectory(Path.Combine(resumed, "checkpoints"));
        File.Copy(Path.Combine(full, "config.yaml"), Path.Combine(resumed, "config.yaml"));
        string from = RunFolder.Open(full).CheckpointPath(first), to = Path.Combine(resumed, "checkpoints", Path.GetFileName(from));
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        using (Trainer t = Trainer.Resume(RunFolder.Open(resumed))) t.RunWithTrackers();
        Assert.Equal(json, File.ReadAllText(Path.Combine(resumed, "experiment.json")));
    }

    [Fact]
    public void Discrete_action_spaces_are_refused_for_zooming()
    {
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("cube_pg", "CartPole-v1", null, [], 0, 100));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(_dir, "x"))));
        Assert.Contains("Box", e.Message, StringComparison.Ordinal);
        (run, settings) = SettingsResolver.Resolve(new SettingsRequest("zooming_q", "CartPole-v1", null, [], 0, 100));
        e = Assert.Throws<PolicyLabException>(() => Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(_dir, "y"))));
        Assert.Contains("Box", e.Message, StringComparison.Ordinal);
    }
}
