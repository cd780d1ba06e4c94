using System.Globalization;
using System.Net;
using System.Text;
using PolicyLab.Tracking.Charts;
using PolicyLab.Training;

namespace PolicyLab.Tracking;

/// <summary>
/// <c>report.html</c> of a run folder: learning curves (inline SVG), every diagnostic over training, the final
/// evaluation, the resolved configuration and links to the run's videos and pages. Self-contained and offline;
/// it depends only on the experiment log and the files present, so the same seed gives the same page.
/// </summary>
public static class RunReport
{
    /// <summary>The report's file name.</summary>
    public const string FileName = "report.html";

    /// <summary>Files the report links to when they exist, with their descriptions.</summary>
    private static readonly (string File, string Description)[] Media =
    [
        ("training.mp4", "training video (all parallel environments, tiled)"),
        ("training.gif", "training video (all parallel environments, tiled)"),
        ("eval.mp4", "evaluation video"),
        ("eval.gif", "evaluation video"),
        ("first_observation_value.html", "value function of the first observation of each batch, over training"),
        ("metrics.csv", "metrics per update (CSV)"),
        ("experiment.json", "every episode, update and evaluation (JSON)"),
        ("config.yaml", "resolved configuration"),
        ("tb", "TensorBoard events (tensorboard --logdir tb)"),
    ];

    /// <summary>Writes report.html into <paramref name="folder"/> from <paramref name="log"/>.</summary>
    public static void Write(RunFolder folder, ExperimentLog log)
    {
        ArgumentNullException.ThrowIfNull(folder);
        folder.WriteText(FileName, Render(folder.Path, log));
    }

    /// <summary>The page's HTML.</summary>
    public static string Render(string folderPath, ExperimentLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        string title = $"{log.Algorithm} on {log.Environment}, seed {log.Seed}";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{E(title)} — PolicyLab report</title>
            <style>
            body {"{"} font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; {"}"}
            h1 {"{"} font-size: 24px; margin-bottom: 4px; {"}"} h2 {"{"} font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; {"}"}
            table {"{"} border-collapse: collapse; font-size: 13px; {"}"} td, th {"{"} border: 1px solid #ddd; padding: 3px 8px; text-align: left; {"}"}
            .grid {"{"} display: flex; flex-wrap: wrap; gap: 8px; {"}"} .muted {"{"} color: #666; {"}"}
            video, img.video {"{"} max-width: 100%; border: 1px solid #ccc; {"}"}
            </style></head>
            <body>
            <h1>{E(title)}</h1>
            <p class="muted">PolicyLab run report · {E(log.EndReason ?? "run in progress")}</p>

            """);
        long steps = log.Updates.Count > 0 ? log.Updates[^1].Step : 0;
        sb.Append(CultureInfo.InvariantCulture, $"<h2>Summary</h2>\n<table>\n<tr><th>environment steps</th><td>{steps:N0}</td></tr>\n<tr><th>updates</th><td>{log.Updates.Count:N0}</td></tr>\n<tr><th>training episodes</th><td>{log.Episodes.Count:N0}</td></tr>\n");
        if (log.Episodes.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>mean return, last 10 training episodes</th><td>{log.RecentMeanReturn():0.##}</td></tr>\n");
        if (log.Evaluations.Count > 0)
        {
            EvaluationResult final = log.Evaluations[^1];
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>final evaluation (step {final.Step:N0})</th><td id=\"final-evaluation\">{final.MeanReturn:0.##} ± {final.StdReturn:0.##} over {final.Returns.Length} episodes (deterministic), mean length {final.MeanLength:0.#}</td></tr>\n");
        }
        sb.Append("</table>\n");

        sb.Append("<h2>Learning curve</h2>\n");
        sb.Append(SvgChart.Render(LearningCurve(log)));
        var names = new List<string>();
        foreach (UpdateRecord u in log.Updates)
            foreach (KeyValuePair<string, double> kv in u.Values)
                if (!names.Contains(kv.Key)) names.Add(kv.Key);
        if (names.Count > 0)
        {
            sb.Append("<h2>Diagnostics per update</h2>\n<div class=\"grid\">\n");
            int colour = 0;
            foreach (string name in names)
            {
                double[] x = log.Updates.Select(u => (double)u.Step).ToArray();
                double[] y = log.Updates.Select(u => u.Values.FirstOrDefault(kv => kv.Key == name) is { Key: not null } kv ? kv.Value : double.NaN).ToArray();
                var chart = new LineChart { Title = name, XLabel = "environment steps", YLabel = name, Width = 480, Height = 300, ShowLegend = false };
                chart.Series.Add(new ChartSeries(name, LineChart.Palette[colour++ % LineChart.Palette.Count], x, y));
                sb.Append(SvgChart.Render(chart));
            }
            sb.Append("</div>\n");
        }

        sb.Append("<h2>Videos and files</h2>\n<ul id=\"media\">\n");
        foreach ((string file, string description) in Media)
        {
            string path = Path.Combine(folderPath, file);
            if (File.Exists(path) || Directory.Exists(path))
                sb.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{E(file)}\">{E(file)}</a> — {E(description)}</li>\n");
        }
        sb.Append("</ul>\n");
        foreach (string video in new[] { "training", "eval" })
        {
            if (File.Exists(Path.Combine(folderPath, video + ".mp4")))
                sb.Append(CultureInfo.InvariantCulture, $"<p>{video}.mp4</p><video src=\"{video}.mp4\" controls muted loop preload=\"metadata\"></video>\n");
            else if (File.Exists(Path.Combine(folderPath, video + ".gif")))
                sb.Append(CultureInfo.InvariantCulture, $"<p>{video}.gif</p><img class=\"video\" src=\"{video}.gif\" alt=\"{video} video\">\n");
        }

        sb.Append("<h2>Configuration</h2>\n<table id=\"configuration\">\n");
        foreach (KeyValuePair<string, string> kv in log.Parameters)
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(kv.Key)}</th><td>{E(kv.Value)}</td></tr>\n");
        sb.Append("</table>\n");
        sb.Append("""
            <script>
            // Clicking a chart opens it alone in a new tab (as an SVG); the attribute below tells the browser test the script ran.
            document.addEventListener('DOMContentLoaded', function () {
              document.querySelectorAll('svg').forEach(function (svg) {
                svg.style.cursor = 'zoom-in';
                svg.addEventListener('click', function () {
                  const blob = new Blob([svg.outerHTML], { type: 'image/svg+xml' });
                  window.open(URL.createObjectURL(blob), '_blank');
                });
              });
              document.body.setAttribute('data-report-ready', String(document.querySelectorAll('svg').length));
            });
            </script>
            </body></html>

            """);
        return sb.ToString();
    }

    /// <summary>The training return (mean of the last 10 episodes) and the evaluations against steps.</summary>
    public static LineChart LearningCurve(ExperimentLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var chart = new LineChart { Title = $"Episodic return — {log.Algorithm} on {log.Environment}", XLabel = "environment steps", YLabel = "episodic return" };
        var run = new RecordedRun("", log, double.NaN);
        (double[] x, double[] y) = run.Curve(CurveAxis.Steps, 10);
        chart.Series.Add(new ChartSeries("training (mean of last 10 episodes)", LineChart.Palette[0], x, y));
        if (log.Evaluations.Count > 0)
            chart.Series.Add(new ChartSeries("deterministic evaluation (mean)", LineChart.Palette[1],
                log.Evaluations.Select(e => (double)e.Step).ToArray(), log.Evaluations.Select(e => e.MeanReturn).ToArray(), Markers: true));
        return chart;
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}

/// <summary>Writes report.html when a run finishes.</summary>
public sealed class RunReportTracker : ITrainingObserver
{
    private TrainingRunContext? _run;

    /// <inheritdoc/>
    public void OnRunStarted(TrainingRunContext run) => _run = run;

    /// <inheritdoc/>
    public void OnRunFinished(TrainingStatus status, TrainingResult result)
    {
        if (_run is not null) RunReport.Write(_run.Folder, _run.Log);
    }

    /// <inheritdoc/>
    public void OnUpdate(TrainingStatus status) { }

    /// <inheritdoc/>
    public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

    /// <inheritdoc/>
    public void OnNotice(string message) { }
}
