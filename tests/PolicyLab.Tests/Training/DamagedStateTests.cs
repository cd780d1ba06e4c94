using PolicyLab.Configuration;
using PolicyLab.Numerics.Serialization;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

/// <summary>
/// A state.safetensors whose header is valid and whose manifest matches (as an edit followed by a new manifest would
/// leave it) but whose values cannot be right: restoring it is refused with a message naming the file and the entry,
/// and a counter that stalls the loop is caught by the progress guard instead of spinning forever.
/// </summary>
public sealed class DamagedStateTests(SmallRunFixture template) : IDisposable, IClassFixture<SmallRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Edits the latest checkpoint's state and rewrites its manifest, so only the values are wrong.</summary>
    private static void Edit(RunFolder folder, Action<StateDictionary> edit)
    {
        string checkpoint = folder.CheckpointPath(folder.CheckpointSteps()[^1]);
        string path = Path.Combine(checkpoint, Checkpoint.StateFileName);
        StateDictionary state = StateDictionary.Load(path);
        edit(state);
        state.Save(path);
        File.Delete(Path.Combine(checkpoint, CheckpointManifest.FileName));
        CheckpointManifest.Write(checkpoint);
    }

    public static TheoryData<string, string> Damage => new()
    {
        { "zero-rng", "'rng' is not a valid state (An all-zero Rng state is invalid" },
        { "zero-evaluation-rng", "'evaluation_rng' is not a valid state" },
        { "nan-lr", "'optimizer.lr' is NaN, not a finite learning rate" },
        { "negative-optimizer-step", "'optimizer.step' is -4, a negative step count" },
        { "nan-moment", "'optimizer.exp_avg_sq' holds NaN at index 7" },
        { "nan-weights", "its weights are not usable (" },
        { "huge-weights", "= 1E+38: NaN, infinite or so large" },
        { "negative-steps", "'trainer.total_steps' is -3" },
        { "other-step", "trainer.total_steps is 512, not the folder's step 1024" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void Impossible_values_in_the_state_are_refused_naming_the_file_and_the_entry(string damage, string expected)
    {
        string copy = Path.Combine(_dir, damage);
        SmallRunFixture.Copy(template.Folder, copy);
        var folder = RunFolder.Open(copy);
        Edit(folder, state =>
        {
            switch (damage)
            {
                case "zero-rng": state.Set("rng", new ulong[4]); break;
                case "zero-evaluation-rng": state.Set("evaluation_rng", new ulong[4]); break;
                case "nan-lr": state.SetScalar("optimizer.lr", double.NaN); break;
                case "negative-optimizer-step": state.SetScalar("optimizer.step", -4L); break;
                case "nan-moment":
                    float[] moments = state.ReadFloats("optimizer.exp_avg_sq");
                    moments[7] = float.NaN;
                    state.Set("optimizer.exp_avg_sq", moments);
                    break;
                case "nan-weights" or "huge-weights":
                    float[] weights = state.ReadFloats("policy");
                    Array.Fill(weights, damage == "nan-weights" ? float.NaN : 1e38f, 0, 4);
                    state.Set("policy", weights);
                    break;
                case "negative-steps": state.SetScalar("trainer.total_steps", -3L); break;
                case "other-step": state.SetScalar("trainer.total_steps", 512L); break;
            }
        });
        var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(folder, steps: 2048));
        Assert.Contains($"checkpoint 1024 cannot be restored: {Path.Combine(folder.CheckpointPath(1024), Checkpoint.StateFileName)}", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("--checkpoint latest-intact", e.Message, StringComparison.Ordinal);
        // eval reads the same state and refuses it the same way
        Assert.Contains(expected, Assert.Throws<PolicyLabException>(() => RunEvaluation.Evaluate(folder, 1024L, 1, true)).Message, StringComparison.Ordinal);
    }

    private string SmallSacRun(string name)
    {
        (RunSettings run, Hyperparameters s) = SettingsResolver.Resolve(new SettingsRequest("sac", "Pendulum-v1", null,
            ["policy_layers=[8]", "critic_layers=[8]", "learning_starts=64", "batch_size=8", "log_interval=64", "n_timesteps=128",
             "eval_freq=0", "eval_episodes=1", "tensorboard=false"], 0, null));
        string folder = Path.Combine(_dir, name);
        using Trainer t = Trainer.Start(run, s, RunFolder.CreateAt(folder));
        t.Run();
        return folder;
    }

    [Fact]
    public void A_negative_replay_counter_is_refused_and_a_stalled_step_counter_stops_the_loop()
    {
        var negative = RunFolder.Open(SmallSacRun("negative-replay"));
        Edit(negative, state => state.SetScalar("replay.rows_written", -5L));
        var e = Assert.Throws<PolicyLabException>(() => Trainer.ResumeTraining(negative, steps: 256));
        Assert.Contains("state.safetensors is damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains("negative row count (-5)", e.Message, StringComparison.Ordinal);

        // offpolicy.steps of 1e9: the algorithm believes its budget is spent, so no update steps the environments.
        var stalled = RunFolder.Open(SmallSacRun("stalled"));
        Edit(stalled, state => state.SetScalar("offpolicy.steps", 1_000_000_000L));
        using Trainer t = Trainer.ResumeTraining(stalled, steps: 256);
        var spin = Assert.Throws<PolicyLabException>(() => t.Run());
        Assert.Contains($"Training made no progress: {Trainer.MaxStalledUpdates} updates in a row took no environment step (at step 128 of 256)", spin.Message, StringComparison.Ordinal);
        Assert.Contains("--checkpoint STEP or latest-intact", spin.Message, StringComparison.Ordinal);
    }
}
