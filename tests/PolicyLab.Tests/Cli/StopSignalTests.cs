using System.Diagnostics;
using PolicyLab.Agents;
using PolicyLab.Training;

namespace PolicyLab.Tests.Cli;

/// <summary>Ctrl-C (SIGINT) and SIGTERM stop `policylab train` after the current update with a final checkpoint.</summary>
public sealed class StopSignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_stops_training_with_a_loadable_checkpoint(string signal, int expectedExit)
    {
        string run = Path.Combine(_dir, signal);
        // A process started with SIGINT ignored keeps it ignored (POSIX; .NET then installs no Ctrl-C handler), and a
        // test host started as a background job of a non-interactive shell has SIGINT ignored, so its children would
        // too. The run starts through `env --default-signal=INT`, which restores the default disposition first.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "PolicyLab.Cli.dll"), "train", "--algo", "ppo", "--env", "Pendulum-v1",
            "--steps", "10000000", "--set", "n_steps=64", "--set", "n_envs=1", "--set", "batch_size=64", "--set", "eval_freq=0", "--set", "checkpoint_freq=0", "--set", "tensorboard=false", "--out", run })
            start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        // checkpoint_freq=0: however fast the machine, the only checkpoint is the one the stop writes.
        // Wait until training is under way (the config is written when the run starts), then a little more.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "config.yaml")) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
        Thread.Sleep(1500);
        Assert.False(process.HasExited, "the run ended before the signal");
        using (Process kill = Process.Start("kill", ["-s", signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(process.WaitForExit(120_000), "the run did not stop within two minutes of the signal");
        string errorText = await error, outputText = await output;
        Assert.True(process.ExitCode == expectedExit, $"exit {process.ExitCode}: {errorText}");
        Assert.Contains("checkpoint at step", outputText, StringComparison.Ordinal);

        IReadOnlyList<long> steps = RunFolder.Open(run).CheckpointSteps();
        long step = Assert.Single(steps);
        Assert.InRange(step, 1, 9_999_999);
        Assert.Contains("cancelled at step", File.ReadAllText(Path.Combine(run, "experiment.json")), StringComparison.Ordinal);
        using Agent resumed = Agent.Load(run);
        Assert.Equal(step, resumed.Steps);
    }
}
