using System.Diagnostics;
using PolicyLab.Tests.Training;
using PolicyLab.Training;

namespace PolicyLab.Tests.Cli;

/// <summary>
/// The CLI side of the run lifecycle and its conventions: exit code 2 with one line for argument errors and with one
/// paragraph for faults of the machine (full or read-only disks) and of files; RL Zoo's numbers and flags; resume to a
/// new budget; eval of a damaged run; the lock seen from a second command.
/// </summary>
[Collection("Console")]
public sealed class RunLifecycleCliTests(SmallRunFixture template) : IDisposable, IClassFixture<SmallRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cli-life-").FullName;
    private readonly List<string> _mounts = [];

    public void Dispose()
    {
        foreach (string m in _mounts) Process.Start("umount", m)?.WaitForExit();
        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Error) Run(params string[] args) => CliRunner.Run(args);

    private string CopyOfSmallRun(string name)
    {
        string folder = Path.Combine(_dir, name);
        SmallRunFixture.Copy(template.Folder, folder);
        return folder;
    }

    [Theory]
    [InlineData(new[] { "train", "--steps", "1e5x" }, "--steps: '1e5x' is not a whole number")]
    [InlineData(new[] { "train", "--seed", "9007199254740993" }, "too large (at most 9007199254740992 = 2^53)")]
    [InlineData(new[] { "train", "--frobnicate" }, "--frobnicate")]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "trian" }, "There is no command 'trian'; the commands are train, eval")]
    [InlineData(new[] { "help", "trian" }, "There is no command 'trian'")]
    [InlineData(new[] { "train", "--set", "learning_rate=Infinity" }, "'Infinity' is not a finite number")]
    [InlineData(new[] { "train", "--set", "learning_rate=1e400" }, "'1e400' is not a finite number")]
    [InlineData(new[] { "train", "--set", "n_steps=1e10" }, "too large (at most 2147483647)")]
    [InlineData(new[] { "train", "--set", "n_timesteps=1e16" }, "too large")]
    [InlineData(new[] { "train", "--out", "" }, "--out needs a folder path")]
    [InlineData(new[] { "train", "--checkpoint", "latest" }, "use it with --resume RUN")]
    [InlineData(new[] { "eval", "--run", "a", "b" }, "either positionally")]
    public void Argument_errors_exit_2_with_one_short_message(string[] args, string expected)
    {
        (int code, string output, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", output + error, StringComparison.Ordinal); // not the whole help
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.True(error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 1, error);
    }

    [Fact]
    public void Help_works_for_the_tool_and_for_one_command_and_names_policylab()
    {
        (int code, string output, _) = Run("help");
        Assert.Equal(0, code);
        Assert.Contains("policylab [command]", output, StringComparison.Ordinal);
        (code, output, _) = Run("help", "train");
        Assert.Equal(0, code);
        Assert.Contains("--n-timesteps", output, StringComparison.Ordinal);
        Assert.Contains("--resume", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100k", 100_000)]
    [InlineData("1e5", 100_000)]
    [InlineData("1_000_000", 1_000_000)]
    [InlineData("2.5M", 2_500_000)]
    [InlineData("100000.0", 100_000)]
    public void Step_counts_are_written_as_people_write_them(string text, long expected)
    {
        (int code, string output, _) = Run("train", "-n", text, "--list-settings");
        Assert.Equal(0, code);
        Assert.Matches($@"(?m)^n_timesteps\s+{expected}\s", output);
        (code, output, _) = Run("train", "--set", $"n_timesteps={text}", "--list-settings");
        Assert.Equal(0, code);
        Assert.Matches($@"(?m)^n_timesteps\s+{expected}\s", output);
    }

    [Fact]
    public void RL_Zoo_flags_set_the_settings_they_name()
    {
        (int code, string output, string error) = Run("train", "--n-timesteps", "20k", "--n-envs", "16", "--eval-freq", "5k", "--eval-episodes", "3",
            "--save-freq", "4096", "--tensorboard-log", "tb", "-P", "--list-settings");
        Assert.True(code == 0, error);
        foreach (string line in new[] { @"n_timesteps\s+20000", @"n_envs\s+16", @"eval_freq\s+5000", @"eval_episodes\s+3", @"checkpoint_freq\s+4096", @"tensorboard\s+true" })
            Assert.Matches("(?m)^" + line + @"\s", output);
    }

    [Fact]
    public void A_config_file_without_a_section_for_the_environment_is_an_error()
    {
        string file = Path.Combine(_dir, "pendulum.yml");
        File.WriteAllText(file, "Pendulum-v1:\n  n_envs: 2\n");
        (int code, _, string error) = Run("train", "--config", file, "--list-settings");
        Assert.Equal(2, code);
        Assert.Contains("has sections for Pendulum-v1 but none for CartPole-v1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_with_steps_says_where_it_resumes_and_trains_to_the_new_total()
    {
        string folder = CopyOfSmallRun("resume");
        (int code, string output, string error) = Run("train", "--resume", folder, "-n", "1536", "--eval-freq", "512");
        Assert.True(code == 0, error);
        Assert.Contains($"resuming from checkpoint 1024 of {folder} with eval_freq=512, n_timesteps=1536", output, StringComparison.Ordinal);
        Assert.Equal(1536, RunFolder.Open(folder).CheckpointSteps()[^1]);

        (code, _, error) = Run("train", "--resume", folder, "--set", "policy_layers=[8]");
        Assert.Equal(2, code);
        Assert.Contains("--resume cannot change policy_layers", error, StringComparison.Ordinal);
        (code, _, error) = Run("train", "--resume", folder, "--env", "Acrobot-v1");
        Assert.Equal(2, code);
        Assert.Contains("--env cannot be given with it", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_takes_the_run_positionally_and_names_a_damaged_checkpoint()
    {
        string folder = CopyOfSmallRun("eval");
        (int code, string output, string error) = Run("eval", folder, "--episodes", "2");
        Assert.True(code == 0, error);
        Assert.StartsWith("checkpoint 1024:", output, StringComparison.Ordinal);

        string model = Path.Combine(RunFolder.Open(folder).CheckpointPath(1024), "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 1;
        File.WriteAllBytes(model, bytes);
        (code, _, error) = Run("eval", folder, "--episodes", "2");
        Assert.Equal(2, code);
        Assert.Contains("checkpoint 1024 is damaged: model.safetensors (its SHA-256 does not match", error, StringComparison.Ordinal);
        Assert.Contains("Intact checkpoints: 512", error, StringComparison.Ordinal);
        (code, output, error) = Run("eval", folder, "--episodes", "2", "--checkpoint", "latest-intact");
        Assert.True(code == 0, error);
        Assert.StartsWith("checkpoint 512:", output, StringComparison.Ordinal);
        (code, output, error) = Run("train", "--resume", folder, "--checkpoint", "latest-intact", "--steps", "1024");
        Assert.True(code == 0, error);
        Assert.Contains("resuming from checkpoint 512", output, StringComparison.Ordinal);
        Assert.Null(CheckpointManifest.Problem(RunFolder.Open(folder).CheckpointPath(1024))); // rewritten by the resumed run
    }

    [Fact]
    public void A_second_command_on_a_locked_run_exits_2_naming_the_holder()
    {
        string folder = CopyOfSmallRun("locked");
        using (RunLock.Acquire(folder, "train --resume"))
        {
            (int code, _, string error) = Run("train", "--resume", folder, "--steps", "2048");
            Assert.Equal(2, code);
            Assert.Contains($"is in use by `policylab train --resume` (process {Environment.ProcessId}", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Out_naming_a_file_is_an_error()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        (int code, _, string error) = Run("train", "--out", file, "--steps", "512");
        Assert.Equal(2, code);
        Assert.Contains("names an existing file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_disk_and_a_read_only_disk_exit_2_with_one_paragraph()
    {
        string full = Path.Combine(_dir, "full"), readOnly = Path.Combine(_dir, "ro");
        if (!Mount(full, "size=160k") || !Mount(readOnly, "ro,size=1m"))
        {
            Console.WriteLine("skipped: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN); the full- and read-only-disk cases were not exercised.");
            return;
        }
        (int code, _, string error) = Run("train", "--out", Path.Combine(full, "run"), "--steps", "4096", "--set", "checkpoint_freq=512", "--set", "eval_freq=0");
        Assert.Equal(2, code);
        Assert.Contains("the disk is full", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(full, "run", "checkpoints")), d => d.Contains(".tmp-", StringComparison.Ordinal));

        (code, _, error) = Run("train", "--out", Path.Combine(readOnly, "run"), "--steps", "512");
        Assert.Equal(2, code);
        Assert.Contains("Read-only file system", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private bool Mount(string path, string options)
    {
        Directory.CreateDirectory(path);
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null) return false;
            p.WaitForExit();
            if (p.ExitCode != 0) return false;
            _mounts.Add(path);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
