using System.Globalization;
using System.Text;

namespace PolicyLab.Cli;

/// <summary>
/// The one-line live progress display, laid out for a terminal width: fields are dropped (least useful first) until the
/// line fits, so it never wraps; the bar takes what room is left (10–40 columns) or goes when there is none.
/// </summary>
internal static class ProgressLine
{
    /// <summary>What the line shows.</summary>
    /// <param name="Title">e.g. "ppo CartPole-v1".</param>
    /// <param name="Steps">Environment steps so far.</param>
    /// <param name="TotalSteps">The budget.</param>
    /// <param name="StepsPerSecond">Smoothed rate (NaN before it is known).</param>
    /// <param name="Episodes">Training episodes so far.</param>
    /// <param name="MeanReturn">Recent mean return (NaN before any episode).</param>
    /// <param name="EtaSeconds">Remaining seconds (null before the rate is known).</param>
    public readonly record struct Fields(string Title, long Steps, long TotalSteps, double StepsPerSecond, long Episodes, double MeanReturn, double? EtaSeconds);

    private const int MinBar = 10, MaxBar = 40;

    /// <summary>The line for a terminal of <paramref name="width"/> columns (at most width − 1 characters, so the cursor never wraps).</summary>
    public static string Render(Fields f, int width)
    {
        int room = Math.Max(width - 1, 8);
        double fraction = f.TotalSteps > 0 ? Math.Clamp((double)f.Steps / f.TotalSteps, 0, 1) : 0;
        // Display order, with each field's priority (0 = kept longest).
        var fields = new List<(string Text, int Priority, bool Bar)>
        {
            (f.Title, 7, false),
            ("", 4, true),
            (string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%"), 0, false),
            (string.Create(CultureInfo.InvariantCulture, $"{f.Steps:N0}/{f.TotalSteps:N0}"), 1, false),
            (double.IsFinite(f.StepsPerSecond) ? string.Create(CultureInfo.InvariantCulture, $"{f.StepsPerSecond:N0} sps") : "- sps", 5, false),
            (string.Create(CultureInfo.InvariantCulture, $"ep {f.Episodes:N0}"), 6, false),
            ("return " + (double.IsFinite(f.MeanReturn) ? f.MeanReturn.ToString("F1", CultureInfo.InvariantCulture) : "-"), 3, false),
            ("eta " + Eta(f.EtaSeconds), 2, false),
        };
        while (true)
        {
            int text = fields.Where(x => !x.Bar).Sum(x => x.Text.Length) + fields.Count - 1; // one space between fields
            bool hasBar = fields.Any(x => x.Bar);
            int barRoom = room - text; // the bar's brackets included
            if (!hasBar && text <= room) return Join(fields, 0, fraction);
            if (hasBar && barRoom >= MinBar + 2) return Join(fields, Math.Min(barRoom - 2, MaxBar), fraction);
            if (fields.Count == 1)
            {
                string only = fields[0].Bar ? "" : fields[0].Text;
                return only.Length <= room ? only : only[..room];
            }
            int drop = fields.Select((x, i) => (x.Priority, i)).Max().i;
            fields.RemoveAt(drop);
        }
    }

    /// <summary>Remaining time as MM:SS or H:MM:SS ("--:--" while unknown).</summary>
    public static string Eta(double? seconds)
    {
        if (seconds is not double s || !double.IsFinite(s) || s < 0) return "--:--";
        var t = TimeSpan.FromSeconds(Math.Min(Math.Ceiling(s), 359_999));
        return t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes:00}:{t.Seconds:00}");
    }

    private static string Join(List<(string Text, int Priority, bool Bar)> fields, int barWidth, double fraction)
    {
        var sb = new StringBuilder();
        foreach ((string text, _, bool bar) in fields)
        {
            if (sb.Length > 0) sb.Append(' ');
            if (!bar)
            {
                sb.Append(text);
                continue;
            }
            int done = (int)Math.Round(fraction * barWidth);
            sb.Append('[').Append('#', done).Append('.', barWidth - done).Append(']');
        }
        return sb.ToString();
    }
}

/// <summary>
/// Remaining time from a smoothed step rate: steps per second over a sliding window of the last 5 s of observations
/// (at least 0.5 s), so a slow start (JIT compilation, an off-policy run's learning_starts) leaves the estimate after a
/// few seconds and one stall moves it only part of the way; no estimate until the first half second of progress.
/// </summary>
internal sealed class EtaEstimator
{
    private const double Window = 5, MinInterval = 0.5;
    private readonly Queue<(double Seconds, long Steps)> _samples = new();

    /// <summary>The smoothed steps per second (NaN until known).</summary>
    public double Rate { get; private set; } = double.NaN;

    /// <summary>Adds an observation: <paramref name="steps"/> done at <paramref name="seconds"/> of wall time;
    /// <paramref name="averageSoFar"/> (the run's steps per second since it started or resumed, NaN if unknown) is the
    /// rate until the window spans half a second.</summary>
    public void Observe(long steps, double seconds, double averageSoFar = double.NaN)
    {
        if (_samples.Count > 0 && seconds - _samples.Last().Seconds < 0.05) return; // redraws in a burst add nothing
        _samples.Enqueue((seconds, steps));
        while (_samples.Count > 2 && seconds - _samples.ElementAt(1).Seconds >= Window) _samples.Dequeue(); // keep one sample at or beyond the window's start
        (double firstSeconds, long firstSteps) = _samples.Peek();
        if (seconds - firstSeconds >= MinInterval) Rate = (steps - firstSteps) / (seconds - firstSeconds);
        else if (double.IsNaN(Rate) && double.IsFinite(averageSoFar) && averageSoFar > 0) Rate = averageSoFar;
    }

    /// <summary>Seconds to go for the remaining steps, or null while the rate is unknown or zero.</summary>
    public double? Remaining(long steps, long total) =>
        steps >= total ? 0 : double.IsFinite(Rate) && Rate > 0 ? (total - steps) / Rate : null;
}
