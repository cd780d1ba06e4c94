using System.Text.Json;

namespace PolicyLab.Tests.Cli;

/// <summary>The black-box methods and their benchmark through the CLI, in-process.</summary>
[Collection("Console")]
public sealed class BlackBoxCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-bbcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => Cli.CliRunner.Run(args);

    private static JsonElement LastJson(string output)
    {
        string text = output[output.LastIndexOf("\n{", StringComparison.Ordinal)..];
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public void Es_benchmark_reports_candidate_episodes_per_second()
    {
        (int code, string output, string error) = Run("bench", "es-cartpole", "--repeats", "1", "--iterations", "2", "--json");
        Assert.True(code == 0, error);
        JsonElement json = LastJson("\n" + output);
        Assert.True(json.GetProperty("candidate_episodes_per_second_one_core").GetDouble() > 0);
        Assert.True(json.GetProperty("candidate_episodes_per_second_two_cores").GetDouble() > 0);
        Assert.True(json.GetProperty("median_scaling").GetDouble() > 0);
    }

    [Fact]
    public void Train_cem_on_CartPole_just_works()
    {
        string folder = Path.Combine(_dir, "run");
        (int code, _, string error) = Run("train", "--algo", "cem", "--env", "CartPole-v1", "--steps", "3000", "--out", folder);
        Assert.True(File.Exists(Path.Combine(folder, "metrics.csv")));
        Assert.True(code == 0, error);
    }

    [Fact]
    public void Unknown_variant_is_a_user_error()
    {
        (int code, _, string error) = Run("train", "--algo", "hill_climbing", "--set", "variant=steepest");
        Assert.Equal(2, code);
        Assert.Contains("steepest_ascent", error, StringComparison.Ordinal);
    }
}
