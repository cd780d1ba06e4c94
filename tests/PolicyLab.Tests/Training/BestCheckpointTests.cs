using System.Text.Json;
using PolicyLab.Agents;
using PolicyLab.Configuration;
using PolicyLab.Export;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

/// <summary>A PPO CartPole run evaluated every 128 steps, whose best/ checkpoint the tests read (copy it to change it).</summary>
public sealed class BestRunFixture : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("policylab-best-").FullName;

    /// <summary>Trains the run.</summary>
    public BestRunFixture()
    {
        Folder = Path.Combine(_root, "run");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null,
            ["n_timesteps=1024", "checkpoint_freq=512", "eval_freq=128", "eval_episodes=2", "tensorboard=false"], 0, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(Folder));
        t.Run();
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(_root, recursive: true);
}

public sealed class BestCheckpointTests(BestRunFixture fixture) : IDisposable, IClassFixture<BestRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-best-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (long Step, double MeanReturn) BestOf(IEnumerable<EvaluationResult> evaluations)
    {
        EvaluationResult best = evaluations.First();
        foreach (EvaluationResult e in evaluations) if (e.MeanReturn > best.MeanReturn) best = e; // the first of equal ones
        return (best.Step, best.MeanReturn);
    }

    [Fact]
    public void The_best_evaluation_is_kept_in_best_beside_checkpoints_and_recorded_in_experiment_json()
    {
        var folder = RunFolder.Open(fixture.Folder);
        ExperimentLog log = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder.Path, "experiment.json")), "experiment.json");
        Assert.True(log.Evaluations.Count >= 2, $"{log.Evaluations.Count} evaluations");
        (long step, double mean) = BestOf(log.Evaluations);
        Assert.NotNull(log.Best);
        Assert.Equal(step, log.Best.Step);
        Assert.Equal(mean, log.Best.MeanReturn);
        Assert.True(folder.HasBest);
        Assert.Null(CheckpointManifest.Problem(folder.BestPath));
        using JsonDocument description = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder.BestPath, Checkpoint.DescriptionFileName)));
        Assert.Equal(step, description.RootElement.GetProperty("step").GetInt64());
        Assert.Equal(mean, description.RootElement.GetProperty("best_mean_return").GetDouble());
        // A lower mean return than the best never replaced it: best/ holds the step of the first maximum.
        using Trainer best = Trainer.OpenCheckpoint(folder, folder.ResolveCheckpointFolder("best"));
        Assert.Equal(step, best.Steps);
    }

    [Fact]
    public void Eval_export_and_Agent_Load_pick_the_best_checkpoint_and_resume_refuses_it()
    {
        var folder = RunFolder.Open(fixture.Folder);
        long bestStep = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder.Path, "experiment.json"))).Best!.Step;

        EvaluationResult evaluated = RunEvaluation.EvaluateCheckpoint(folder, folder.ResolveCheckpointFolder("best"), 2, deterministic: true);
        Assert.Equal(bestStep, evaluated.Step);
        OnnxExportResult exported = OnnxExport.FromCheckpoint(folder, "best", Path.Combine(_dir, "best.onnx"));
        Assert.Equal(bestStep, exported.Step);

        using (Agent agent = Agent.Load(folder.Path, "best"))
        {
            Assert.Equal(bestStep, agent.Steps);
            Assert.False(agent.CanLearn);
            Assert.Contains("best/", Assert.Throws<PolicyLabException>(() => agent.Learn(256)).Message, StringComparison.Ordinal);
            Assert.Single(agent.Predict([0.01f, 0.02f, 0.03f, 0.04f]));
        }
        using (Agent agent = Agent.Load(folder.BestPath)) Assert.Equal(bestStep, agent.Steps);

        var refused = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(folder, "best"));
        Assert.Contains("training continues from a step checkpoint", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_or_missing_best_checkpoint_is_named()
    {
        string copy = Path.Combine(_dir, "damaged");
        SmallRunFixture.Copy(fixture.Folder, copy);
        var folder = RunFolder.Open(copy);
        File.AppendAllText(Path.Combine(folder.BestPath, Checkpoint.LogFileName), " ");
        var damaged = Assert.Throws<PolicyLabException>(() => folder.ResolveCheckpointFolder("best"));
        Assert.StartsWith("checkpoint best is damaged: log.json (", damaged.Message, StringComparison.Ordinal);

        Directory.Delete(folder.BestPath, recursive: true);
        var missing = Assert.Throws<PolicyLabException>(() => folder.ResolveCheckpointFolder("best"));
        Assert.Contains("has no best/ checkpoint", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resumed_run_keeps_the_best_so_far_and_replaces_it_only_on_improvement()
    {
        string copy = Path.Combine(_dir, "resumed");
        SmallRunFixture.Copy(fixture.Folder, copy);
        var folder = RunFolder.Open(copy);
        BestRecord before = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(copy, "experiment.json"))).Best!;
        using (Trainer t = Trainer.ResumeTraining(folder, steps: 1536))
        {
            Assert.Equal(before, t.Log.Best);
            t.Run();
        }
        ExperimentLog after = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(copy, "experiment.json")));
        (long step, double mean) = BestOf(after.Evaluations);
        Assert.Equal(new BestRecord(step, mean), after.Best);
        Assert.True(after.Best!.MeanReturn >= before.MeanReturn);
        using Trainer best = Trainer.OpenCheckpoint(folder, folder.BestPath);
        Assert.Equal(step, best.Steps);
    }
}
