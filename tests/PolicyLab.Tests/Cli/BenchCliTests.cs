using System.Text.Json;

namespace PolicyLab.Tests.Cli;

/// <summary>The Box2D benchmarks through the CLI, in-process (what they count, not how fast).</summary>
[Collection("Console")]
public sealed class BenchCliTests
{
    private static JsonElement LastJson(string output)
    {
        string text = ("\n" + output)[("\n" + output).LastIndexOf("\n{", StringComparison.Ordinal)..];
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public void Lander_training_benchmark_trains_the_asked_budget_and_reports_the_cores_it_got()
    {
        (int code, string output, string error) = Cli.CliRunner.Run(["bench", "ppo-lunarlander", "--repeats", "1", "--steps", "16384", "--json"]);
        Assert.True(code == 0, error);
        JsonElement json = LastJson(output);
        Assert.Equal(16384, json.GetProperty("steps").GetInt64());
        Assert.True(json.GetProperty("steps_per_second_one_core").GetDouble() > 0);
        Assert.True(json.GetProperty("median_cores_obtained_two_cores").GetDouble() > 0);
    }

    [Fact]
    public void Lander_vector_benchmark_reports_the_scaling_of_16_copies()
    {
        (int code, string output, string error) = Cli.CliRunner.Run(["bench", "lunarlander-vector", "--repeats", "1", "--steps", "20", "--json"]);
        Assert.True(code == 0, error);
        JsonElement json = LastJson(output);
        Assert.Equal(16, json.GetProperty("copies").GetInt32());
        Assert.True(json.GetProperty("median_scaling").GetDouble() > 0);
    }

    [Fact]
    public void Generic_vector_benchmark_steps_the_given_id_with_a_fixed_action()
    {
        (int code, string output, string error) = Cli.CliRunner.Run(["bench", "vector", "--env", "highway-fast-v0", "--copies", "3", "--action", "1", "--repeats", "1", "--steps", "5", "--json"]);
        Assert.True(code == 0, error);
        JsonElement json = LastJson(output);
        Assert.Equal("highway-fast-v0", json.GetProperty("env").GetString());
        Assert.Equal(3, json.GetProperty("copies").GetInt32());
        Assert.Equal(1, json.GetProperty("fixed_action").GetDouble());
        Assert.True(json.GetProperty("median_scaling_independent_halves").GetDouble() > 0);
    }

    [Fact]
    public void Vector_benchmark_errors_name_the_option()
    {
        (int code, _, string error) = Cli.CliRunner.Run(["bench", "vector"]);
        Assert.Equal(2, code);
        Assert.Contains("--env", error, StringComparison.Ordinal);
        (code, _, error) = Cli.CliRunner.Run(["bench", "vector", "--env", "CartPole-v1", "--action", "left"]);
        Assert.Equal(2, code);
        Assert.Contains("--action", error, StringComparison.Ordinal);
        (code, _, error) = Cli.CliRunner.Run(["bench", "highway-vector", "--copies", "4"]);
        Assert.Equal(2, code);
        Assert.Contains("bench vector", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lander_vector_benchmark_refuses_a_non_positive_step_count()
    {
        (int code, _, string error) = Cli.CliRunner.Run(["bench", "lunarlander-vector", "--steps", "0"]);
        Assert.Equal(2, code);
        Assert.Contains("--steps", error, StringComparison.Ordinal);
    }
}
