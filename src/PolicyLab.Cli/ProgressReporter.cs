using System.Diagnostics;
using System.Globalization;
using PolicyLab.Training;
using Spectre.Console;

namespace PolicyLab.Cli;

/// <summary>
/// Shows training progress: a live progress bar on a terminal (steps, SPS, episodes, recent mean return,
/// ETA), plain log lines every few seconds otherwise (CI logs, pipes). Quiet in --json mode except for errors.
/// </summary>
internal sealed class ProgressReporter : ITrainingObserver
{
    private readonly bool _quiet;
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private ProgressTask? _task;

    public ProgressReporter(bool quiet) => _quiet = quiet;

    public static bool IsTerminal => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>Runs <paramref name="body"/> with a live bar when on a terminal.</summary>
    public T Run<T>(long totalSteps, string title, Func<T> body)
    {
        if (_quiet || !IsTerminal) return body();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _task = ctx.AddTask(Markup.Escape(title), maxValue: totalSteps);
                result = body();
                _task.Value = _task.MaxValue;
            });
        return result;
    }

    public void OnUpdate(TrainingStatus s)
    {
        if (_quiet) return;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"steps {s.Steps:N0}/{s.TotalSteps:N0}  sps {s.StepsPerSecond:N0}  episodes {s.Episodes:N0}  mean return {Format(s.RecentMeanReturn)}");
        if (_task is not null)
        {
            _task.Value = Math.Min(s.Steps, s.TotalSteps);
            _task.Description = Markup.Escape(line);
        }
        else if (_sinceLine.Elapsed.TotalSeconds >= 5)
        {
            _sinceLine.Restart();
            double eta = s.StepsPerSecond > 0 ? (s.TotalSteps - s.Steps) / s.StepsPerSecond : double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}  eta {Format(eta)} s"));
        }
    }

    public void OnEvaluation(TrainingStatus s, EvaluationResult r)
    {
        if (_quiet) return;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"eval at {r.Step:N0} steps: mean return {r.MeanReturn:F2} ± {r.StdReturn:F2} over {r.Returns.Length} episodes");
        if (_task is not null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }

    public void OnNotice(string message)
    {
        if (_task is not null) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
        else Console.Error.WriteLine($"note: {message}");
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
