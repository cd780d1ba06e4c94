using System.Diagnostics;
using PolicyLab.Agents;
using PolicyLab.Training;

namespace PolicyLab.Tests.Cli;

/// <summary>Custom environments from a user's assembly, and environment arguments, from the CLI.</summary>
[Collection("Console")]
public sealed class EnvironmentCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-envcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string PluginPath => Path.Combine(AppContext.BaseDirectory, "PolicyLab.TestEnvironments.dll");

    /// <summary>Runs the CLI as its own process (a fresh registry: nothing registered but what it loads itself).</summary>
    internal static (int Code, string Out, string Error) RunProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PolicyLab.Cli.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [Fact]
    public void A_custom_environment_from_a_separate_assembly_trains_evaluates_and_resumes_from_the_cli()
    {
        string run = Path.Combine(_dir, "corridor");
        (int code, _, string error) = CliRunner.Run("train", "--algo", "ppo", "--env", "Corridor-v0", "--env-assembly", PluginPath,
            "--env-kwargs", "length=4", "--steps", "2048", "--set", "n_steps=256", "--set", "eval_freq=0", "--set", "tensorboard=false", "--out", run);
        Assert.True(code == 0, error);
        string config = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains($"env_assembly: '{PluginPath}'", config, StringComparison.Ordinal);
        Assert.Contains("env_kwargs: '{length: 4}'", config, StringComparison.Ordinal);

        // eval in a new process: the run's recorded assembly is loaded again, the arguments honoured.
        (code, string output, error) = RunProcess("eval", "--run", run, "--episodes", "3", "--json");
        Assert.True(code == 0, error);
        Assert.Contains("\"mean_return\"", output, StringComparison.Ordinal);

        // resume (to a larger budget through the library, then from the CLI).
        using (Agent agent = Agent.Load(run))
        {
            Assert.Equal(2048, agent.Steps);
            Assert.Equal(2304, agent.Learn(256).Steps);
        }
        (code, _, error) = CliRunner.Run("train", "--resume", run);
        Assert.True(code == 0, error);
        Assert.Equal(2304L, RunFolder.Open(run).CheckpointSteps()[^1]);
    }

    [Fact]
    public void Environment_arguments_are_checked_saved_and_honoured()
    {
        (int code, _, string error) = CliRunner.Run("train", "--env", "Pendulum-v1", "--env-kwargs", "gg=9.81", "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains("no argument 'gg'", error, StringComparison.Ordinal);
        Assert.Contains("'g'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));

        // From a YAML config as a mapping; the evaluation environments get it too (g = 0: no gravity, other returns).
        string yaml = Path.Combine(_dir, "c.yaml");
        File.WriteAllText(yaml, "env_kwargs:\n  g: 0.0\nn_steps: 256\neval_freq: 0\ntensorboard: false\n");
        string light = Path.Combine(_dir, "light"), normal = Path.Combine(_dir, "normal");
        Assert.Equal(0, CliRunner.Run("train", "--env", "Pendulum-v1", "--config", yaml, "--steps", "512", "--out", light).Code);
        Assert.Equal(0, CliRunner.Run("train", "--env", "Pendulum-v1", "--set", "n_steps=256", "--set", "eval_freq=0", "--set", "tensorboard=false",
            "--steps", "512", "--out", normal).Code);
        Assert.Contains("env_kwargs: '{g: 0}'", File.ReadAllText(Path.Combine(light, "config.yaml")), StringComparison.Ordinal);
        double Evaluate(string run) => RunEvaluation.Evaluate(RunFolder.Open(run), null, 2, true, seed: 1).MeanReturn;
        Assert.NotEqual(Evaluate(normal), Evaluate(light));
    }

    [Fact]
    public void List_envs_shows_spaces_and_arguments_and_bad_assemblies_are_refused()
    {
        (int code, string output, _) = CliRunner.Run("list", "envs");
        Assert.Equal(0, code);
        Assert.Contains("observations Box(", output, StringComparison.Ordinal);
        Assert.Contains("env_kwargs: g=10", output, StringComparison.Ordinal);

        string text = Path.Combine(_dir, "notes.dll");
        File.WriteAllText(text, "not an assembly");
        (code, _, string error) = CliRunner.Run("train", "--env", "X-v0", "--env-assembly", text);
        Assert.Equal(2, code);
        Assert.Contains("is not a .NET assembly", error, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("train", "--env", "X-v0", "--env-assembly", Path.Combine(AppContext.BaseDirectory, "PolicyLab.dll"));
        Assert.Equal(2, code);
        Assert.Contains("registers no environment", error, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("train", "--env", "X-v0", "--env-assembly", Path.Combine(_dir, "missing.dll"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }
}
