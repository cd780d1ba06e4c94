using System.Text.Json;

namespace PolicyLab.Tests.Finance;

/// <summary>`policylab execution compare|frontier`: tables, plots, agents loaded from run folders, user errors.</summary>
[Collection("Console")]
public sealed class ExecutionCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-execution-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => Cli.CliRunner.Run(args);

    [Theory]
    [InlineData(new[] { "execution", "compare", "--episodes", "1" }, "--episodes must be at least 2")]
    [InlineData(new[] { "execution", "compare", "--env", "CartPole-v1", "--episodes", "10" }, "not a liquidation environment")]
    [InlineData(new[] { "execution", "frontier", "--agents", "/nonexistent/run" }, "not a PolicyLab run folder")]
    public void User_errors_exit_2_with_a_plain_message(string[] args, string expected)
    {
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_and_frontier_with_a_trained_agent_write_the_table_and_plot_and_end_with_json()
    {
        string run = Path.Combine(_dir, "sac");
        (int trained, _, string trainError) = Run("train", "--algo", "sac", "--env", "Liquidation-v0", "--steps", "300", "--out", run,
            "--set", "learning_starts=100", "--set", "eval_freq=0", "--set", "eval_episodes=2", "--set", "tensorboard=false");
        Assert.True(trained == 0, trainError);

        string plot = Path.Combine(_dir, "out", "frontier.svg");
        (int code, string output, string error) = Run("execution", "frontier", "--agents", run, "--episodes", "300", "-o", plot, "--json");
        Assert.True(code == 0, error);
        Assert.Contains("<svg", File.ReadAllText(plot), StringComparison.Ordinal);
        string table = File.ReadAllText(Path.Combine(_dir, "out", "execution_compare.md"));
        Assert.Contains("Almgren–Chriss λ=1E-06 (reference)", table, StringComparison.Ordinal);
        Assert.Contains("| SAC (sac) |", table, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(output[output.IndexOf('{')..]);
        JsonElement rows = json.RootElement.GetProperty("rows");
        Assert.Equal(5, rows.GetArrayLength()); // AC, TWAP, VWAP, immediate, the agent
        Assert.True(rows[4].GetProperty("agent").GetBoolean());
        Assert.Equal(0.0, rows[0].GetProperty("relative_to_reference").GetDouble());
        Assert.Equal(2_562_500, rows[3].GetProperty("mean_shortfall").GetDouble(), 3);

        // Same seed, same numbers.
        (int again, string second, _) = Run("execution", "compare", "--agents", run, "--episodes", "300", "-o", Path.Combine(_dir, "again"), "--json");
        Assert.Equal(0, again);
        using JsonDocument json2 = JsonDocument.Parse(second[second.IndexOf('{')..]);
        Assert.Equal(rows[4].GetProperty("utility").GetDouble(), json2.RootElement.GetProperty("rows")[4].GetProperty("utility").GetDouble());
    }
}
