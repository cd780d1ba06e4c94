using System.Diagnostics;
using System.Text.Json;
using PolicyLab.Tests.Training;
using PolicyLab.Training;

namespace PolicyLab.Tests.Cli;

/// <summary>
/// The faults of issue 14's list that earlier tests did not cover, each through the CLI: settings that divided by zero,
/// overflowed or asked for more memory than the machine has (refused from the estimate, before allocating); a full
/// disk that must not claim a checkpoint it never wrote; a read-only run on resume; and the best/ checkpoint.
/// The tmpfs cases skip, saying so, where the test cannot mount.
/// </summary>
[Collection("Console")]
public sealed class FaultCliTests(SmallRunFixture template) : IDisposable, IClassFixture<SmallRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cli-fault-").FullName;
    private readonly List<string> _mounts = [];

    public void Dispose()
    {
        foreach (string m in Enumerable.Reverse(_mounts)) Process.Start("umount", m)?.WaitForExit();
        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Error) Run(params string[] args) => CliRunner.Run(args);

    private static void AssertOneParagraph(int code, string error, string expected)
    {
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(new[] { "--algo", "annealing", "--set", "group_size=0" }, "group_size must be > 0")]
    [InlineData(new[] { "--set", "n_steps=100000000" }, "rollout/replay buffers 32.8 GB")]
    [InlineData(new[] { "--set", "policy_layers=[2000000000]" }, "This configuration needs at least")]
    [InlineData(new[] { "--set", "policy_layers=[100000,100000]" }, "networks and optimizer state 149 GB")]
    [InlineData(new[] { "--set", "n_envs=100000000" }, "100,000,000 environment copies")]
    [InlineData(new[] { "--max-memory", "1K" }, "more than the 1 KB --max-memory allows")]
    [InlineData(new[] { "--max-memory", "lots" }, "--max-memory takes a size such as 4G")]
    public void Settings_that_overflow_or_exceed_memory_exit_2_naming_the_fix_and_leave_no_folder(string[] args, string expected)
    {
        string run = Path.Combine(_dir, "refused");
        (int code, _, string error) = Run(["train", "--out", run, "--steps", "512", .. args]);
        AssertOneParagraph(code, error, expected);
        Assert.False(Directory.Exists(run), "a refused configuration left its run folder behind");
    }

    [Theory]
    [InlineData("256k")]
    [InlineData("640k")]
    public void A_full_disk_says_which_checkpoint_is_intact_or_that_there_is_none(string size)
    {
        string disk = Path.Combine(_dir, "full-" + size);
        if (!Mount(disk, "tmpfs", "-o", $"size={size}"))
        {
            Console.WriteLine("skipped: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN); the full-disk case was not exercised.");
            return;
        }
        string run = Path.Combine(disk, "run");
        (int code, _, string error) = Run("train", "--out", run, "--steps", "4096", "--set", "checkpoint_freq=512", "--set", "eval_freq=0",
            "--set", "tensorboard=false");
        AssertOneParagraph(code, error, "the disk is full");
        IReadOnlyList<long> saved = RunFolder.Open(run).CheckpointSteps();
        if (saved.Count == 0)
        {
            Assert.Contains("no checkpoint had been written yet", error, StringComparison.Ordinal);
            Assert.DoesNotContain("intact:", error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"its last checkpoint, step {saved[^1]}, is intact", error, StringComparison.Ordinal);
            Assert.Null(CheckpointManifest.Problem(RunFolder.Open(run).CheckpointPath(saved[^1])));
        }
    }

    [Fact]
    public void A_read_only_run_is_refused_on_resume_and_still_evaluates()
    {
        string copy = Path.Combine(_dir, "writable");
        SmallRunFixture.Copy(template.Folder, copy);
        string readOnly = Path.Combine(_dir, "read-only");
        if (!Mount(readOnly, "--bind", copy) || !Remount(readOnly))
        {
            Console.WriteLine("skipped: cannot bind-mount read-only here (needs root / CAP_SYS_ADMIN); the read-only resume case was not exercised.");
            return;
        }
        (int code, _, string error) = Run("train", "--resume", readOnly, "--steps", "2048");
        AssertOneParagraph(code, error, "is on a read-only file system");
        Assert.Contains("Copy the run to a writable place", error, StringComparison.Ordinal);
        (code, string output, _) = Run("eval", readOnly, "--episodes", "1");
        Assert.Equal(0, code);
        Assert.Contains("checkpoint 1024: mean return", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_and_export_take_checkpoint_best_and_resume_refuses_it()
    {
        string run = Path.Combine(_dir, "best");
        SmallRunFixture.Copy(template.Folder, run);
        (int code, string output, string error) = Run("eval", run, "--checkpoint", "best", "--episodes", "1", "--json");
        Assert.True(code == 0, error);
        using (JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
        {
            Assert.True(doc.RootElement.GetProperty("best").GetBoolean());
            Assert.Equal(1024, doc.RootElement.GetProperty("checkpoint").GetInt64()); // the only evaluation: the final one
        }
        (code, output, error) = Run("export", "--run", run, "--checkpoint", "best", "-o", Path.Combine(_dir, "best.onnx"));
        Assert.True(code == 0, error);
        Assert.Contains("checkpoint 1024 of ppo", output, StringComparison.Ordinal);
        (code, _, error) = Run("train", "--resume", run, "--checkpoint", "best");
        AssertOneParagraph(code, error, "--checkpoint best names the best/ checkpoint");
    }

    private bool Mount(string path, params string[] arguments)
    {
        Directory.CreateDirectory(path);
        string[] all = arguments[0] == "--bind" ? [.. arguments, path] : ["-t", .. arguments, "tmpfs", path];
        if (!RunTool("mount", all)) return false;
        _mounts.Add(path);
        return true;
    }

    private static bool Remount(string path) => RunTool("mount", ["-o", "remount,bind,ro", path]);

    private static bool RunTool(string tool, string[] arguments)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null) return false;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
