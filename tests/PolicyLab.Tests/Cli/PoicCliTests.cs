using System.Text.Json;
using PolicyLab.Environments.Latent;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Cli;

[Collection("Console")]
public sealed class PoicCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-poic-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Poic_states_the_prior_and_reports_every_seed_with_its_temperature()
    {
        (int code, string output, _) = CliRunner.Run("poic", "--env", "Pendulum-v1", "--samples", "6", "--episodes", "3", "--seeds", "2");
        Assert.Equal(0, code);
        Assert.Contains("N(0, 0.1²)", output, StringComparison.Ordinal);
        Assert.Contains("seed 0: POIC", output, StringComparison.Ordinal);
        Assert.Contains("seed 1: POIC", output, StringComparison.Ordinal);
        Assert.Contains("η* =", output, StringComparison.Ordinal);

        (code, output, _) = CliRunner.Run("poic", "--env", "LunarLanderContinuous-v3", "--latent", "1", "--samples", "4", "--episodes", "2", "--seeds", "1", "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(1, json.RootElement.GetProperty("latent_dim").GetInt32());
        Assert.True(json.RootElement.GetProperty("eta")[0].GetDouble() > 0);
    }

    [Theory]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--latent", "0" }, "between 1 and the action size")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--latent", "2" }, "between 1 and the action size")]
    [InlineData(new[] { "poic", "--env", "CartPole-v1", "--latent", "1" }, "Box")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--reward", "shaped" }, "Unknown reward mode")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--eta-min", "0" }, "0 < η_min < η_max")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--eta-min", "10", "--eta-max", "1" }, "0 < η_min < η_max")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--samples", "1" }, "at least 2 policy samples")]
    [InlineData(new[] { "poic", "--env", "Pendulm-v1" }, "Pendulum-v1")]
    [InlineData(new[] { "poic", "--env", "Pendulum-v1", "--prior-std", "0" }, "--prior-std must be a positive number")]
    [InlineData(new[] { "projector-search", "--env", "LunarLanderContinuous-v3", "--latent", "3" }, "between 1 and the action size")]
    [InlineData(new[] { "projector-search", "--env", "CartPole-v1", "--latent", "1" }, "Box")]
    public void Bad_input_is_a_clear_error_with_exit_code_2(string[] args, string message)
    {
        (int code, _, string error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_projector_file_of_the_wrong_shape_is_a_clear_error()
    {
        string wrong = Path.Combine(_dir, "wrong.safetensors");
        ActionProjector.Random(2, new Box(-1f, 1f, 5), 0).Save(wrong);
        (int code, _, string error) = CliRunner.Run("poic", "--env", "LunarLanderContinuous-v3", "--projector", wrong);
        Assert.Equal(2, code);
        Assert.Contains("must be", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Projector_search_saves_the_best_and_worst_projector_and_a_summary()
    {
        string folder = Path.Combine(_dir, "search");
        (int code, string output, string error) = CliRunner.Run("projector-search", "--env", "LunarLanderContinuous-v3", "--latent", "1",
            "--projectors", "3", "--seeds", "2", "--samples", "4", "--episodes", "2", "--out", folder);
        Assert.True(code == 0, error);
        Assert.Contains("= 48 episodes, at most 48,000 steps", output, StringComparison.Ordinal);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        JsonElement candidates = summary.RootElement.GetProperty("candidates");
        Assert.Equal(3, candidates.GetArrayLength());
        double[] means = candidates.EnumerateArray().Select(c => c.GetProperty("mean").GetDouble()).ToArray();
        int best = summary.RootElement.GetProperty("best").GetProperty("index").GetInt32();
        int worst = summary.RootElement.GetProperty("worst").GetProperty("index").GetInt32();
        Assert.Equal(means.Max(), means[best]);
        Assert.Equal(means.Min(), means[worst]);
        var box = new Box(-1f, 1f, 2);
        ActionProjector saved = ActionProjector.Load(Path.Combine(folder, "best_projector.safetensors"), box);
        ulong seed = ulong.Parse(candidates[best].GetProperty("projector_seed").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ActionProjector.Random(1, box, seed).Serialize(), saved.Serialize());
        Assert.True(File.Exists(Path.Combine(folder, "worst_projector.safetensors")));
    }
}
