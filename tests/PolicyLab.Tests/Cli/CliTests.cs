using System.Text.Json;

namespace PolicyLab.Tests.Cli;

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The CLI in-process: exit codes, plain error messages, --json output, nothing damaged on disk.</summary>
[Collection("Console")]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => Cli.CliRunner.Run(args);

    [Theory]
    [InlineData(new[] { "train", "--algo", "ppq" }, "Unknown algorithm 'ppq'")]
    [InlineData(new[] { "train", "--env", "CartPol-v1" }, "CartPole-v1")]
    [InlineData(new[] { "train", "--set", "n_epoch=3" }, "'n_epochs'")]
    [InlineData(new[] { "train", "--set", "learning_rate=-0.1" }, "learning_rate must be ≥ 0")]
    [InlineData(new[] { "train", "--set", "gae_lambda=2" }, "gae_lambda must lie in [0, 1]")]
    [InlineData(new[] { "train", "--set", "clip_range=0" }, "clip_range must be > 0")]
    [InlineData(new[] { "eval", "--run", "/nonexistent/run" }, "not a PolicyLab run folder")]
    [InlineData(new[] { "list", "things" }, "'algos' or 'envs'")]
    [InlineData(new[] { "eval" }, "--policy heuristic")]
    [InlineData(new[] { "eval", "--policy", "heuristic", "--env", "CartPole-v1" }, "LunarLander-v3 or LunarLanderContinuous-v3")]
    [InlineData(new[] { "eval", "--policy", "autopilot" }, "'heuristic'")]
    public void User_errors_exit_2_with_a_plain_message(string[] args, string expected)
    {
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public void Eval_runs_the_lunar_lander_heuristic_without_a_run_folder()
    {
        (int code, string output, _) = Run("eval", "--policy", "heuristic", "--env", "LunarLanderContinuous-v3", "--episodes", "3", "--seed", "5", "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(3, doc.RootElement.GetProperty("returns").GetArrayLength());
        Assert.Equal(3, doc.RootElement.GetProperty("landed").GetInt32() + doc.RootElement.GetProperty("crashed").GetInt32()
            + doc.RootElement.GetProperty("out_of_view").GetInt32() + doc.RootElement.GetProperty("truncated").GetInt32());
        Assert.True(doc.RootElement.GetProperty("mean_return").GetDouble() > 100, "the heuristic should land the lander");
    }

    [Fact]
    public void Batch_larger_than_the_rollout_is_refused_before_anything_is_written()
    {
        string folder = Path.Combine(_dir, "big-batch");
        (int code, _, string error) = Run("train", "--out", folder, "--set", "batch_size=100000");
        Assert.Equal(2, code);
        Assert.Contains("batch_size 100000 is larger than the rollout", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any());
    }

    [Fact]
    public void An_existing_run_folder_is_not_overwritten()
    {
        string folder = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "precious");
        (int code, _, string error) = Run("train", "--out", folder, "--steps", "256");
        Assert.Equal(2, code);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(folder, "keep.txt")));
    }

    [Fact]
    public void Train_then_eval_with_json_and_a_damaged_checkpoint_is_refused()
    {
        string folder = Path.Combine(_dir, "run");
        (int code, string output, _) = Run("train", "--out", folder, "--steps", "2048", "--set", "eval_freq=0", "--set", "eval_episodes=2", "--json");
        Assert.Equal(0, code);
        using (JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
        {
            Assert.Equal(2048, doc.RootElement.GetProperty("env_steps").GetInt64());
            Assert.Equal(2, doc.RootElement.GetProperty("episodes").GetInt32());
        }
        (code, output, _) = Run("eval", "--run", folder, "--episodes", "3", "--json");
        Assert.Equal(0, code);
        using (JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
            Assert.Equal(3, doc.RootElement.GetProperty("returns").GetArrayLength());

        string state = Path.Combine(folder, "checkpoints", "2048", "state.safetensors");
        byte[] bytes = File.ReadAllBytes(state);
        File.WriteAllBytes(state, bytes[..(bytes.Length / 2)]);
        (code, _, string error) = Run("eval", "--run", folder);
        Assert.Equal(2, code);
        Assert.Contains("state.safetensors", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "experiment.json")));
    }
}
