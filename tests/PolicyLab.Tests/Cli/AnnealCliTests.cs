using System.Text.Json;

namespace PolicyLab.Tests.Cli;

[Collection("Console")]
public sealed class AnnealCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-anneal-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args) => Cli.CliRunner.Run(args);

    [Fact]
    public void Bandit_demo_reports_json_and_draws_the_probabilities()
    {
        string folder = Path.Combine(_dir, "demo");
        (int code, string output, _) = Run("demo", "annealing-bandit", "--seed", "2", "--out", folder, "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement annealing = doc.RootElement.GetProperty("methods").GetProperty("annealing_regularizer");
        Assert.True(annealing.GetProperty("max_deviation_from_boltzmann").GetDouble() < 1e-4);
        Assert.True(doc.RootElement.GetProperty("methods").GetProperty("entropy_bonus").GetProperty("std_p_c_steps_200_300").GetDouble() > 0.01);
        foreach (string f in new[] { "experiment.json", "probabilities.svg", "probabilities.png", "probabilities.html" })
            Assert.True(File.Exists(Path.Combine(folder, f)), f);
    }

    [Fact]
    public void Anneal_runs_several_seeds_into_numbered_run_folders_with_reference_keys()
    {
        string root = Path.Combine(_dir, "runs");
        (int code, string output, string error) = Run("anneal", "--num-runs", "2", "--num-episode-batches", "2", "--batch-size", "8",
            "--group-size", "4", "--num-optim-steps", "3", "--out", root);
        Assert.True(code == 0, error);
        Assert.Contains("Annealing [2/2 (16 episodes)", output, StringComparison.Ordinal);
        foreach (string run in new[] { "000", "001" })
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, run, "experiment.json")));
            Assert.Equal(2, doc.RootElement.GetProperty("rewards")[0].GetArrayLength());
            Assert.Equal("8", doc.RootElement.GetProperty("parameters").GetProperty("batch_size").GetString());
        }
    }

    [Fact]
    public void The_difference_alias_is_refused_with_a_pointer_to_direct()
    {
        (int code, _, string error) = Run("anneal", "--value-function", "difference");
        Assert.Equal(2, code);
        Assert.Contains("use --value-function direct", error, StringComparison.Ordinal);
    }
}
