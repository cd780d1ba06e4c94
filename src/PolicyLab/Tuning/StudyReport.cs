using System.Globalization;
using System.Net;
using System.Text;

namespace PolicyLab.Tuning;

/// <summary>
/// The HTML report of a study (offline, inline SVG): the best trials, parameter importances, the objective of every
/// trial against its number with the best so far, and one slice plot per parameter (objective against the
/// parameter's value, complete trials).
/// </summary>
public static class StudyReport
{
    private const string Complete = "#1f77b4", Pruned = "#b0b0b0", Failed = "#d62728", Best = "#ff7f0e";

    /// <summary>The page.</summary>
    public static string Html(string studyName, TuneSettings settings, SearchSpace space, IReadOnlyList<TrialRecord> trials, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        var sb = new StringBuilder();
        string title = $"Study {studyName}: {settings.Algorithm} on {settings.Environment}";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title))
          .Append("</title><style>body{font-family:Helvetica,Arial,sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}</style></head><body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{trials.Count(t => t.State == TrialState.Complete)} complete, {trials.Count(t => t.State == TrialState.Pruned)} pruned, " +
            $"{trials.Count(t => t.State == TrialState.Failed)} failed, {trials.Count(t => t.State == TrialState.Running)} running; " +
            $"{settings.StepsPerTrial:N0} steps per trial, an evaluation of {settings.EvaluationEpisodes} episodes every {settings.EvaluateEvery:N0} steps; " +
            $"sampler {settings.Sampler}, pruner {settings.Pruner}, objective: {(settings.Objective == "last" ? "the last evaluation's mean return" : "the mean of all evaluations")}, seed {settings.Seed}; " +
            $"{trials.Sum(t => t.EnvironmentSteps):N0} environment steps in all.</p>\n");

        List<TrialRecord> best = [.. trials.Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Value).ThenBy(t => t.Number).Take(top)];
        sb.Append("<h2>Best trials</h2>\n<table><tr><th>trial</th><th>objective</th>");
        foreach (SearchParameter p in space.Parameters) sb.Append("<th>").Append(E(p.Name)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (TrialRecord t in best)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{t.Number}</td><td>{t.Value:G6}</td>");
            foreach (SearchParameter p in space.Parameters)
                sb.Append("<td>").Append(t.Parameters.TryGetValue(p.Name, out double v) ? E(Short(p, v)) : "–").Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");

        sb.Append("<h2>Parameter importances</h2>\n<p>Correlation ratio η² of the objective over complete trials grouped by the parameter's value (numeric parameters in four equal-count bins), scaled to sum to 1.</p>\n<table>");
        foreach ((string name, double importance) in ParameterImportance.Compute(space, trials))
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"text-align:left\">{E(name)}</td><td>{importance:F3}</td><td style=\"text-align:left\"><div style=\"background:{Complete};height:10px;width:{importance * 300:F0}px\"></div></td></tr>\n");
        sb.Append("</table>\n");

        sb.Append("<h2>Objective by trial</h2>\n<p><span style=\"color:").Append(Complete).Append("\">●</span> complete <span style=\"color:").Append(Pruned)
          .Append("\">●</span> pruned (last value) <span style=\"color:").Append(Best).Append("\">—</span> best so far</p>\n");
        var points = trials.Where(t => t.IsFinished && t.Value is double v && double.IsFinite(v))
            .Select(t => (X: (double)t.Number, Y: t.Value!.Value, Color: t.State == TrialState.Complete ? Complete : Pruned)).ToList();
        var bestSoFar = new List<(double X, double Y)>();
        double running = double.NegativeInfinity;
        foreach (TrialRecord t in trials.Where(t => t.State == TrialState.Complete && t.Value is double v && double.IsFinite(v)).OrderBy(t => t.Number))
        {
            running = Math.Max(running, t.Value!.Value);
            bestSoFar.Add((t.Number, running));
        }
        sb.Append(Scatter(points, bestSoFar, "trial", "objective", 720, 320, logX: false, labels: null)).Append('\n');

        sb.Append("<h2>Slices</h2>\n<p>The objective of each complete trial against one parameter's value.</p>\n<div style=\"display:flex;flex-wrap:wrap\">\n");
        foreach (SearchParameter p in space.Parameters)
        {
            var slice = trials.Where(t => t.State == TrialState.Complete && t.Value is double v && double.IsFinite(v) && t.Parameters.ContainsKey(p.Name))
                .Select(t => (X: t.Parameters[p.Name], Y: t.Value!.Value, Color: Complete)).ToList();
            sb.Append("<div>").Append(Scatter(slice, [], p.Name, "objective", 340, 240, p.Log, p.Kind == ParameterKind.Categorical ? p.Choices : null)).Append("</div>\n");
        }
        sb.Append("</div>\n");
        if (trials.Any(t => t.State == TrialState.Failed))
        {
            sb.Append("<h2>Failed trials</h2>\n<table><tr><th>trial</th><th style=\"text-align:left\">error</th></tr>\n");
            foreach (TrialRecord t in trials.Where(t => t.State == TrialState.Failed))
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{t.Number}</td><td style=\"text-align:left\">{E(t.Error ?? "")}</td></tr>\n");
            sb.Append("</table>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>A parameter value as a short text (4 significant digits for reals).</summary>
    public static string Short(SearchParameter parameter, double value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Kind == ParameterKind.Float ? value.ToString("G4", CultureInfo.InvariantCulture) : parameter.SettingText(value);
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Scatter(List<(double X, double Y, string Color)> points, List<(double X, double Y)> line, string xLabel, string yLabel,
        int width, int height, bool logX, IReadOnlyList<string>? labels)
    {
        const double left = 60, right = 15, top = 12, bottom = 42;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"11\"><rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        double Tx(double x) => logX ? Math.Log10(x) : x;
        double[] xs = [.. points.Select(p => Tx(p.X)), .. line.Select(p => Tx(p.X))];
        double[] ys = [.. points.Select(p => p.Y), .. line.Select(p => p.Y)];
        if (labels is not null) xs = [.. xs, -0.5, labels.Count - 0.5];
        if (xs.Length == 0)
            return sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\">{E(xLabel)}: no complete trial yet</text></svg>").ToString();
        (double x0, double x1) = Range(xs);
        (double y0, double y1) = Range(ys);
        double Px(double x) => left + (Tx(x) - x0) / (x1 - x0) * (width - left - right);
        double Py(double y) => height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom);
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{width - left - right}\" height=\"{height - top - bottom}\" fill=\"none\" stroke=\"#444\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Py(yv) + 4:0.#}\" text-anchor=\"end\">{yv:G4}</text>");
        }
        if (labels is not null)
            for (int i = 0; i < labels.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(i):0.#}\" y=\"{height - bottom + 14}\" text-anchor=\"middle\">{E(labels[i])}</text>");
        else
            for (int i = 0; i <= 4; i++)
            {
                double xv = x0 + (x1 - x0) * i / 4;
                string text = (logX ? Math.Pow(10, xv) : xv).ToString("G3", CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (xv - x0) / (x1 - x0) * (width - left - right):0.#}\" y=\"{height - bottom + 14}\" text-anchor=\"middle\">{text}</text>");
            }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"12\">{E(xLabel)}{(logX ? " (log scale)" : "")}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(12 {(top + height - bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{E(yLabel)}</text>");
        if (line.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Best}\" stroke-width=\"2\" points=\"");
            foreach ((double x, double y) in line) sb.Append(CultureInfo.InvariantCulture, $"{Px(x):0.#},{Py(y):0.#} ");
            sb.Append("\"/>");
        }
        foreach ((double x, double y, string color) in points)
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(x):0.#}\" cy=\"{Py(y):0.#}\" r=\"3.5\" fill=\"{color}\" fill-opacity=\"0.8\"/>");
        return sb.Append("</svg>").ToString();
    }

    private static (double, double) Range(double[] v)
    {
        double lo = v.Min(), hi = v.Max();
        if (hi - lo < 1e-12) (lo, hi) = (lo - 1, hi + 1);
        double pad = 0.05 * (hi - lo);
        return (lo - pad, hi + pad);
    }
}
