using System.Globalization;
using System.Text.Json;
using PolicyLab.Configuration;
using PolicyLab.IO;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Training;

/// <summary>
/// The run folder's lifecycle: stale temporaries removed on the next start or resume, checkpoint manifests that
/// name the damaged file, resume to a new budget with config.yaml checked against the checkpoint, the folder's
/// exclusive lock, and a run whose folder disappears.
/// </summary>
public sealed class RunLifecycleTests(SmallRunFixture template) : IDisposable, IClassFixture<SmallRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-lifecycle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of the finished 1,024-step PPO CartPole run (checkpoints at 512 and 1024).</summary>
    private string SmallRun(string name)
    {
        string folder = Path.Combine(_dir, name);
        SmallRunFixture.Copy(template.Folder, folder);
        return folder;
    }

    private static string Step(long s) => s.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Stale_temporaries_of_a_killed_run_are_removed_on_resume_and_a_checkpoint_moved_aside_is_put_back()
    {
        string folder = SmallRun("stale");
        var run = RunFolder.Open(folder);
        string tmp = Path.Combine(run.CheckpointsPath, "1536.tmp-1f-2");
        Directory.CreateDirectory(tmp);
        File.WriteAllText(Path.Combine(tmp, "state.safetensors"), "half");
        File.WriteAllText(Path.Combine(folder, "experiment.json.tmp-1f-3"), "half");
        // Killed between moving checkpoint 1024 aside and publishing its replacement.
        Directory.Move(run.CheckpointPath(1024), run.CheckpointPath(1024) + ".old-1f-4");
        Assert.Equal([512L], run.CheckpointSteps());

        using (Trainer t = Trainer.ResumeTraining(run, steps: 1536)) t.Run();

        Assert.False(Directory.Exists(tmp));
        Assert.False(File.Exists(Path.Combine(folder, "experiment.json.tmp-1f-3")));
        Assert.Empty(Directory.GetFileSystemEntries(run.CheckpointsPath, "*.old-*"));
        Assert.Equal([512L, 1024L, 1536L], run.CheckpointSteps());
        Assert.Null(CheckpointManifest.Problem(run.CheckpointPath(1024)));
    }

    [Fact]
    public void A_new_start_removes_temporaries_and_refuses_a_folder_that_holds_a_run()
    {
        string folder = Path.Combine(_dir, "fresh");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunLock.LockFileName), "");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, SmallRunFixture.Settings, 1, null));
        RunFolder created = RunFolder.CreateAt(folder); // a left-over lock file alone does not make the folder "taken"
        File.WriteAllText(Path.Combine(folder, "config.yaml.tmp-2a-1"), "half");
        using (Trainer.Start(run, settings, created))
            Assert.False(File.Exists(Path.Combine(folder, "config.yaml.tmp-2a-1")));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.Start(run, settings, created).Dispose());
        Assert.Contains("already holds a run", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_checkpoint_file_is_in_the_manifest_and_damage_names_the_checkpoint_and_the_file()
    {
        string folder = SmallRun("damage");
        var run = RunFolder.Open(folder);
        string cp = run.CheckpointPath(1024);
        using (JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(cp, CheckpointManifest.FileName))))
        {
            string[] listed = [.. manifest.RootElement.GetProperty("files").EnumerateObject().Select(p => p.Name)];
            Assert.Equal(new[] { Checkpoint.DescriptionFileName, Checkpoint.LogFileName, Checkpoint.ModelFileName, Checkpoint.StateFileName }.Order(), listed.Order());
        }
        Assert.Equal([512L, 1024L], run.IntactCheckpointSteps());

        // A flipped bit in the state.
        string state = Path.Combine(cp, Checkpoint.StateFileName);
        byte[] original = File.ReadAllBytes(state);
        byte[] flipped = (byte[])original.Clone();
        flipped[^10] ^= 0x04;
        File.WriteAllBytes(state, flipped);
        var e = Assert.Throws<PolicyLabException>(() => Checkpoint.Read(cp));
        Assert.StartsWith("checkpoint 1024 is damaged: state.safetensors (its SHA-256 does not match", e.Message, StringComparison.Ordinal);
        Assert.Equal([512L], run.IntactCheckpointSteps());
        Assert.Equal(512, run.ResolveCheckpoint("latest-intact"));
        e = Assert.Throws<PolicyLabException>(() => run.ResolveCheckpoint(null));
        Assert.Contains("Intact checkpoints: 512", e.Message, StringComparison.Ordinal);
        Assert.Contains("latest-intact", e.Message, StringComparison.Ordinal);

        // Truncated, missing, an emptied-but-valid log, a garbage manifest.
        File.WriteAllBytes(state, original[..100]);
        Assert.Equal("state.safetensors (100 bytes; the manifest says " + Step(original.Length) + ": truncated or overwritten)", CheckpointManifest.Problem(cp));
        File.WriteAllBytes(state, original);
        Assert.Null(CheckpointManifest.Problem(cp));
        File.Delete(Path.Combine(cp, Checkpoint.ModelFileName));
        Assert.Equal("model.safetensors (missing)", CheckpointManifest.Problem(cp));
        Assert.Throws<PolicyLabException>(() => Checkpoint.ResolveModelFile(cp));
        string log = Path.Combine(run.CheckpointPath(512), Checkpoint.LogFileName);
        File.WriteAllText(log, """{"algorithm":"ppo","environment":"CartPole-v1","seed":1,"parameters":{},"episodes":[],"updates":[],"evaluations":[]}""");
        Assert.StartsWith("log.json (", CheckpointManifest.Problem(run.CheckpointPath(512)), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(run.CheckpointPath(512), CheckpointManifest.FileName), "{\"hash\": ");
        Assert.StartsWith("manifest.json (not valid JSON", CheckpointManifest.Problem(run.CheckpointPath(512)), StringComparison.Ordinal);
        e = Assert.Throws<PolicyLabException>(() => run.ResolveCheckpoint("latest-intact"));
        Assert.Contains("No checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_continues_to_a_new_total_budget_and_records_the_changes()
    {
        string folder = SmallRun("budget");
        var run = RunFolder.Open(folder);
        TrainingResult result;
        using (Trainer t = Trainer.ResumeTraining(run, overrides: ["eval_freq=1024", "learning_rate=0.0001"], steps: 2048))
        {
            Assert.Equal(1024, t.ResumedFrom);
            Assert.Equal(2048, t.Settings.TotalSteps);
            result = t.Run();
        }
        Assert.Equal(2048, result.Steps);
        Assert.Equal([512L, 1024L, 1536L, 2048L], run.CheckpointSteps());
        (RunSettings saved, Hyperparameters algorithm) = SettingsResolver.FromRunFolder(run);
        Assert.Equal(2048, saved.TotalSteps);
        Assert.Equal(1024, saved.EvaluationFrequency);
        Assert.Equal("0.0001", algorithm.Get("learning_rate"));
        ExperimentLog log = ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder, "experiment.json")));
        ResumeRecord resume = Assert.Single(log.Resumes);
        Assert.Equal(1024, resume.Step);
        Assert.Equal(["eval_freq=1024", "learning_rate=0.0001", "n_timesteps=2048"], resume.Changes.Select(kv => $"{kv.Key}={kv.Value}"));
        Assert.Contains(log.Evaluations, ev => ev.Step == 2048);
        Assert.True(log.Episodes.Count > 0 && log.Updates[^1].Step == 2048);

        // The recorded changes survive a second resume; the new budget must lie beyond the checkpoint.
        var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(run, steps: 2048).Dispose());
        Assert.Contains("not beyond checkpoint 2048", e.Message, StringComparison.Ordinal);
        using (Trainer t = Trainer.ResumeTraining(run, steps: 2560)) t.Run();
        Assert.Equal(2, ExperimentLog.FromJson(File.ReadAllBytes(Path.Combine(folder, "experiment.json"))).Resumes.Count);
    }

    [Theory]
    [InlineData(new[] { "policy_layers=[8]" }, "policy_layers")]
    [InlineData(new[] { "n_envs=2", "algo=a2c" }, "n_envs, algo")]
    [InlineData(new[] { "env=Acrobot-v1" }, "env")]
    [InlineData(new[] { "normalize=true" }, "normalize")]
    public void Resume_refuses_changes_that_do_not_fit_the_checkpoint_naming_them(string[] overrides, string named)
    {
        string folder = SmallRun("refuse");
        var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(RunFolder.Open(folder), overrides: overrides).Dispose());
        Assert.StartsWith($"--resume cannot change {named}:", e.Message, StringComparison.Ordinal);
        Assert.Contains("n_timesteps", e.Message, StringComparison.Ordinal); // says what may change
    }

    [Fact]
    public void Resume_refuses_a_config_yaml_that_disagrees_with_the_checkpoint()
    {
        string folder = SmallRun("edited");
        string config = Path.Combine(folder, RunFolder.ConfigFileName);
        string text = File.ReadAllText(config);
        string nSteps = text.Split('\n').Single(l => l.StartsWith("n_steps:", StringComparison.Ordinal));
        File.WriteAllText(config, text.Replace(nSteps + "\n", "", StringComparison.Ordinal));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(RunFolder.Open(folder), steps: 2048).Dispose());
        Assert.Contains($"does not match the settings recorded in checkpoint 1024: n_steps is missing (the checkpoint has {nSteps["n_steps: ".Length..]})", e.Message, StringComparison.Ordinal);

        File.WriteAllText(config, text.Replace(nSteps, "n_steps: 64", StringComparison.Ordinal));
        e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(RunFolder.Open(folder), steps: 2048).Dispose());
        Assert.Contains($"n_steps is 64 in config.yaml but {nSteps["n_steps: ".Length..]} in the checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_folder_is_locked_while_a_command_uses_it()
    {
        string folder = SmallRun("locked");
        var run = RunFolder.Open(folder);
        using (Trainer first = Trainer.ResumeTraining(run, steps: 1536))
        {
            var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(run, steps: 2048).Dispose());
            Assert.Contains($"is in use by `policylab train --resume` (process {Environment.ProcessId} on {Environment.MachineName}", e.Message, StringComparison.Ordinal);
            (RunSettings s, Hyperparameters a) = SettingsResolver.FromRunFolder(run);
            e = Assert.Throws<PolicyLabException>(() => Trainer.Start(s, a, run).Dispose());
            Assert.Contains("is in use by", e.Message, StringComparison.Ordinal);
            // Reading (eval) needs no lock.
            using (Trainer reader = Trainer.Resume(run)) Assert.Equal(1024, reader.Steps);
        }
        Assert.False(File.Exists(Path.Combine(folder, RunLock.OwnerFileName)));
        using (Trainer again = Trainer.ResumeTraining(run, steps: 1536)) again.Run();
        Assert.Equal(1536, RunFolder.Open(folder).CheckpointSteps()[^1]);
    }

    [Fact]
    public void A_run_whose_folder_is_deleted_mid_run_stops_with_an_error_and_does_not_recreate_it()
    {
        string folder = Path.Combine(_dir, "deleted");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, ["n_timesteps=4096", "eval_freq=0"], 1, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        var deleter = new DeleteAfterFirstUpdate(folder);
        var e = Assert.Throws<PolicyLabException>(() => t.RunWithTrackers(deleter));
        Assert.Contains("was deleted while the run was using it", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, RunFolder.ConfigFileName)));
        Assert.True(t.Steps < 4096);
    }

    [Fact]
    public void Directory_flush_reaches_the_file_system_and_reports_a_missing_directory()
    {
        AtomicFile.FlushDirectory(_dir);
        AtomicFile.WriteAllBytesDurably(Path.Combine(_dir, "durable.bin"), [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_dir, "durable.bin")));
        if (OperatingSystem.IsLinux())
            Assert.Throws<IOException>(() => AtomicFile.FlushDirectory(Path.Combine(_dir, "no-such-folder")));
    }

    [Theory]
    [InlineData("{\"algorithm\": \"ppo\"")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("{\"algorithm\":\"ppo\",\"environment\":\"CartPole-v1\",\"seed\":1,\"parameters\":{},\"episodes\":[{\"step\":1,\"return\":1,\"length\":1e40}],\"updates\":[],\"evaluations\":[]}")]
    [InlineData("{\"algorithm\":\"ppo\",\"environment\":\"CartPole-v1\",\"seed\":-1,\"parameters\":{},\"episodes\":[],\"updates\":[],\"evaluations\":[]}")]
    [InlineData("{\"algorithm\":\"ppo\",\"environment\":\"CartPole-v1\",\"seed\":1,\"parameters\":{\"a\":3},\"episodes\":[],\"updates\":[],\"evaluations\":[]}")]
    [InlineData("{\"algorithm\":\"ppo\",\"environment\":\"CartPole-v1\",\"seed\":1,\"parameters\":{},\"episodes\":[{\"step\":1,\"return\":1e400,\"length\":3}],\"updates\":[],\"evaluations\":[]}")]
    [InlineData("{\"algorithm\":\"ppo\",\"environment\":\"CartPole-v1\",\"seed\":1,\"parameters\":{},\"episodes\":[],\"updates\":[7],\"evaluations\":[]}")]
    public void A_malformed_experiment_log_is_a_PolicyLab_error_naming_the_file(string json)
    {
        var e = Assert.Throws<PolicyLabException>(() => ExperimentLog.FromJson(System.Text.Encoding.UTF8.GetBytes(json), "run/checkpoints/5/log.json"));
        Assert.StartsWith("'run/checkpoints/5/log.json' is not a valid experiment log", e.Message, StringComparison.Ordinal);
    }

    private sealed class DeleteAfterFirstUpdate(string folder) : ITrainingObserver
    {
        public void OnUpdate(TrainingStatus status)
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }

        public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

        public void OnNotice(string message) { }
    }
}

/// <summary>One small finished run (PPO on CartPole, 1,024 steps, checkpoints at 512 and 1024) that tests copy.</summary>
public sealed class SmallRunFixture : IDisposable
{
    /// <summary>Its settings.</summary>
    public static readonly string[] Settings = ["n_timesteps=1024", "checkpoint_freq=512", "eval_freq=0", "eval_episodes=2"];

    private readonly string _root = Directory.CreateTempSubdirectory("policylab-template-").FullName;

    /// <summary>Trains the run.</summary>
    public SmallRunFixture()
    {
        Folder = Path.Combine(_root, "run");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", null, Settings, 1, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(Folder));
        t.Run();
    }

    /// <summary>The run folder (do not modify: copy it).</summary>
    public string Folder { get; }

    /// <summary>Copies a folder tree.</summary>
    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (string d in Directory.GetDirectories(from)) Copy(d, Path.Combine(to, Path.GetFileName(d)));
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(_root, recursive: true);
}
