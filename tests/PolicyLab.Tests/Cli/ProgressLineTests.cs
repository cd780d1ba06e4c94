using System.Text.RegularExpressions;
using PolicyLab.Cli;
using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tests.Cli;

/// <summary>The live progress line: fits 60, 80 and 160 columns by dropping fields, an ETA from a smoothed rate, redrawn
/// at least once a second even inside one long off-policy iteration.</summary>
public sealed partial class ProgressLineTests
{
    private static readonly ProgressLine.Fields Sample = new("sac Pendulum-v1", 12_345, 100_000, 1_234.4, 321, -812.34, 3725);

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(160)]
    public void The_line_fits_the_width_and_keeps_the_most_useful_fields(int width)
    {
        string line = ProgressLine.Render(Sample, width);
        Assert.True(line.Length <= width - 1, $"{line.Length} characters at width {width}: '{line}'");
        Assert.DoesNotContain('\n', line);
        Assert.Contains(" 12%", line, StringComparison.Ordinal);
        Assert.Contains("12,345/100,000", line, StringComparison.Ordinal);
        Assert.Contains("eta 1:02:05", line, StringComparison.Ordinal);
        Assert.Contains("return -812.3", line, StringComparison.Ordinal);
        Match bar = BarRegex().Match(line);
        if (width == 160)
        {
            Assert.StartsWith("sac Pendulum-v1 [", line, StringComparison.Ordinal);
            Assert.Contains("1,234 sps", line, StringComparison.Ordinal);
            Assert.Contains("ep 321", line, StringComparison.Ordinal);
            Assert.Equal(40, bar.Groups[1].Length);
        }
        else
        {
            Assert.DoesNotContain("sac Pendulum-v1", line, StringComparison.Ordinal); // the title goes first
            Assert.True(bar.Success, line);
            Assert.InRange(bar.Groups[1].Length, 10, 40);
        }
        if (width == 60) Assert.DoesNotContain("ep 321", line, StringComparison.Ordinal);
        Assert.Equal(width == 160 ? 5 : width == 80 ? 2 : 1, bar.Groups[1].Value.Count(c => c == '#'));
    }

    [Fact]
    public void A_narrow_terminal_keeps_percentage_and_steps_and_never_wraps()
    {
        foreach (int width in new[] { 40, 30, 20, 12 })
        {
            string line = ProgressLine.Render(Sample, width);
            Assert.True(line.Length <= width - 1, $"width {width}: '{line}'");
            Assert.StartsWith(" 12%", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Eta_is_unknown_until_a_rate_is_measured_then_follows_a_smoothed_rate()
    {
        Assert.Equal("--:--", ProgressLine.Eta(null));
        Assert.Equal("00:09", ProgressLine.Eta(8.2));
        Assert.Equal("10:00", ProgressLine.Eta(600));
        Assert.Equal("1:00:00", ProgressLine.Eta(3600));
        var eta = new EtaEstimator();
        eta.Observe(0, 0.1);
        Assert.Null(eta.Remaining(0, 10_000)); // no "00:00:00" before the first rate
        eta.Observe(1_000, 1.1);
        Assert.Equal(9.0, eta.Remaining(1_000, 10_000)!.Value, 9); // 1,000 steps/s
        eta.Observe(1_000 + 100, 2.1); // one slow second moves the rate only part of the way: 1,100 steps in 2 s
        Assert.Equal(550, eta.Rate, 9);
        for (int t = 3; t <= 9; t++) eta.Observe(1_100 + (t - 2) * 100, t + 0.1); // a steady 100 steps/s …
        Assert.Equal(100, eta.Rate, 9); // … is all the 5-s window sees after a while
        Assert.Equal(0, eta.Remaining(10_000, 10_000));
    }

    [Fact]
    public void An_off_policy_iteration_is_redrawn_at_least_once_a_second_within_the_width()
    {
        string dir = Directory.CreateTempSubdirectory("policylab-progress-").FullName;
        try
        {
            (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest("sac", "Pendulum-v1", null,
                ["learning_starts=150", "log_interval=100000", "eval_freq=0", "eval_episodes=1", "batch_size=16", "checkpoint_freq=0"], 0, 200));
            double now = 0;
            var output = new StringWriter();
            var reporter = new ProgressReporter(quiet: false, output, width: 80, live: true, clock: () => now += 0.05); // 50 ms per look at the clock
            using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(dir, "run")));
            reporter.Run(run.TotalSteps, "sac Pendulum-v1", () => trainer.Run(reporter));
            string[] frames = [.. output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Replace("\u001b[K", "", StringComparison.Ordinal).TrimEnd('\n'))];
            long[] steps = [.. frames.Select(f => StepsRegex().Match(f)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture))];
            // One iteration covers all 200 steps (log_interval), so every frame below 200 came from inside it: 200 steps
            // at 50 ms are 10 s, so about ten redraws.
            Assert.True(steps.Count(s => s < 200) >= 8, $"only {steps.Count(s => s < 200)} redraws inside the iteration: {string.Join(" | ", frames)}");
            Assert.Equal(steps.Order(), steps);
            Assert.Equal(200, steps[^1]);
            Assert.All(frames, f => Assert.True(f.Length <= 79, f));
            Assert.Contains(frames, f => EtaRegex().IsMatch(f));
            Assert.DoesNotContain(frames, f => f.Contains("00:00:0 ", StringComparison.Ordinal) || f.EndsWith("00:00:0", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"\[([#.]+)\]")]
    private static partial Regex BarRegex();

    [GeneratedRegex(@"([\d,]+)/200\b")]
    private static partial Regex StepsRegex();

    [GeneratedRegex(@"eta \d\d:\d\d")]
    private static partial Regex EtaRegex();
}
