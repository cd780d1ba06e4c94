using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace PolicyLab.Tests.Cli;

[Collection("Console")]
public sealed class ExportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-export-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Export_writes_a_loadable_model_and_bad_requests_exit_with_code_2()
    {
        string run = Path.Combine(_dir, "run");
        (int code, _, string error) = Run("train", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "256", "--set", "n_envs=2", "--set", "n_steps=128",
            "--set", "tensorboard=false", "--set", "eval_episodes=1", "--out", run);
        Assert.True(code == 0, error);

        string model = Path.Combine(_dir, "policy.onnx");
        (code, string output, error) = Run("export", "--run", run, "--checkpoint", "256", "--format", "onnx", "-o", model, "--json");
        Assert.True(code == 0, error);
        using (JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal(256, root.GetProperty("checkpoint").GetInt64());
            Assert.Equal(Path.GetFullPath(model), root.GetProperty("path").GetString());
            Assert.Equal("int64", root.GetProperty("output").GetProperty("type").GetString());
            Assert.Equal(4, root.GetProperty("input").GetProperty("shape")[1].GetInt32());
        }
        using (var session = new InferenceSession(model))
            Assert.Equal([-1], session.OutputMetadata["action"].Dimensions);

        // Without -o the model goes into the run folder.
        (code, output, _) = Run("export", "--run", run);
        Assert.Equal(0, code);
        Assert.Contains("'action': int64 [batch]", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "policy.onnx")));

        (code, _, error) = Run("export", "--run", run, "--format", "tflite", "-o", model);
        Assert.Equal(2, code);
        Assert.Contains("--format tflite is unknown", error, StringComparison.Ordinal);

        (code, _, error) = Run("export", "--run", run, "-o", _dir);
        Assert.Equal(2, code);
        Assert.Contains("it is a folder", error, StringComparison.Ordinal);

        (code, _, error) = Run("export", "--run", run, "-o", Path.Combine(_dir, "missing", "p.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);

        (code, _, error) = Run("export", "--run", run, "--checkpoint", "5");
        Assert.Equal(2, code);
        Assert.Contains("no checkpoint at step 5", error, StringComparison.Ordinal);

        (code, _, error) = Run("export", "--format", "onnx");
        Assert.Equal(2, code);
        Assert.Contains("--run", error, StringComparison.Ordinal);

        string empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        File.Copy(Path.Combine(run, "config.yaml"), Path.Combine(empty, "config.yaml"));
        (code, _, error) = Run("export", "--run", empty, "-o", Path.Combine(_dir, "none.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("no checkpoint yet", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "none.onnx")));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
