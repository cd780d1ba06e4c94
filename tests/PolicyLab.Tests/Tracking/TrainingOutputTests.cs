using Xunit.Abstractions;
using System.Text.Json;

namespace PolicyLab.Tests.Tracking;

/// <summary>What a PPO run on CartPole leaves in its folder: TensorBoard events, CSV, report, video, value page.</summary>
public sealed class TrainingOutputTests(ITestOutputHelper log)
{
    [Fact]
    public void Every_run_writes_tensorboard_events_with_returns_sps_learning_rate_and_diagnostics()
    {
        string tb = Path.Combine(VisualizationRuns.Full, "tb");
        string file = Assert.Single(Directory.GetFiles(tb));
        Assert.Matches(@"^events\.out\.tfevents\.\d+\.", Path.GetFileName(file));
        TensorBoardDecoding.Decoded d = TensorBoardDecoding.Decode(File.ReadAllBytes(file));
        Assert.Equal("brain.Event:2", d.FileVersion);
        var tags = d.Scalars.Select(s => s.Tag).ToHashSet();
        foreach (string expected in new[] { "charts/episodic_return", "charts/episodic_length", "charts/SPS", "charts/learning_rate",
            "train/policy_loss", "train/value_loss", "train/entropy", "train/approx_kl", "train/clip_fraction", "eval/mean_return" })
            Assert.Contains(expected, tags);
        // Episodic returns match experiment.json's episodes, in order and at the same steps.
        using JsonDocument log = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VisualizationRuns.Full, "experiment.json")));
        var episodes = log.RootElement.GetProperty("episodes").EnumerateArray().Select(e => (e.GetProperty("step").GetInt64(), (float)e.GetProperty("return").GetDouble())).ToList();
        var returns = d.Scalars.Where(s => s.Tag == "charts/episodic_return").Select(s => (s.Step, s.Value)).ToList();
        Assert.Equal(episodes, returns);
        (string tag, string text) = Assert.Single(d.Texts);
        Assert.Equal("hyperparameters", tag);
        Assert.Contains("|learning_rate|", text, StringComparison.Ordinal);
        Assert.Contains("|render|full|", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_report_video_and_value_page_are_written()
    {
        string run = VisualizationRuns.Full;
        Assert.True(File.Exists(Path.Combine(run, "metrics.csv")));
        string report = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("<svg", report, StringComparison.Ordinal);
        Assert.Contains("id=\"final-evaluation\"", report, StringComparison.Ordinal);
        Assert.Contains("id=\"configuration\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", report.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal); // offline
        Assert.DoesNotContain("https://", report, StringComparison.Ordinal);
        string video = File.Exists(Path.Combine(run, "training.mp4")) ? "training.mp4" : "training.gif";
        Assert.True(new FileInfo(Path.Combine(run, video)).Length > 1000, $"{video} is missing or empty");
        Assert.Contains($"href=\"{video}\"", report, StringComparison.Ordinal);
        Assert.Contains("href=\"first_observation_value.html\"", report, StringComparison.Ordinal);
        string value = File.ReadAllText(Path.Combine(run, "first_observation_value.html"));
        Assert.Contains("<input id=\"slider\" type=\"range\"", value, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", value, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(run, "*.tmp-*"));
    }

    [Fact]
    public void Training_video_has_the_tiled_grid_size_and_frames_when_ffmpeg_is_present()
    {
        string mp4 = Path.Combine(VisualizationRuns.Full, "training.mp4");
        if (!File.Exists(mp4) || !Tools.Has("ffprobe"))
        {
            Tools.Skip(log, "SKIPPED Training_video_has_the_tiled_grid_size_and_frames_when_ffmpeg_is_present: ffmpeg/ffprobe not installed (the run wrote a GIF).");
            return;
        }
        (int code, string output) = Tools.Run("ffprobe", $"-v error -count_frames -show_entries stream=width,height,nb_read_frames -of csv=p=0 \"{mp4}\"", ".");
        Assert.True(code == 0, output);
        int[] parts = output.Trim().Split(',').Select(int.Parse).ToArray();
        Assert.Equal(3 * 240, parts[0]); // 8 copies: 3 columns of 240-px tiles
        Assert.Equal(3 * 160 + 22, parts[1]); // 3 rows of 160-px tiles and the header
        Assert.True(parts[2] > 32, $"only {parts[2]} frames");
    }

    [Fact]
    public void Report_depends_only_on_the_seed()
    {
        string a = VisualizationRuns.Train($"same-seed-a-{Guid.NewGuid():N}", "ppo", 7, ["eval_freq=1024"], 2048);
        string b = VisualizationRuns.Train($"same-seed-b-{Guid.NewGuid():N}", "ppo", 7, ["eval_freq=1024"], 2048);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "report.html")), File.ReadAllBytes(Path.Combine(b, "report.html")));
    }

    [Fact]
    public void Value_page_is_not_written_for_algorithms_without_a_value_function()
    {
        string run = VisualizationRuns.Train($"reinforce-plots-{Guid.NewGuid():N}", "reinforce", 0, ["render=plots", "eval_freq=0"], 1000);
        Assert.False(File.Exists(Path.Combine(run, "first_observation_value.html")));
        Assert.True(File.Exists(Path.Combine(run, "report.html")));
    }
}
