using System.Diagnostics;
using System.Globalization;
using PolicyLab.Environments.Vector;
using PolicyLab.Training;

namespace PolicyLab.Cli;

/// <summary>
/// Shows training progress: on a terminal, one live line redrawn in place at least once a second (also inside a long
/// off-policy iteration: the steps are counted as the environments step) and laid out for the terminal's width by
/// <see cref="ProgressLine"/>; otherwise (CI logs, pipes) a plain line every 5 s. Quiet in --json mode except for errors.
/// </summary>
internal sealed class ProgressReporter : ITrainingObserver, IVectorStepListener
{
    private const double LiveRefreshSeconds = 1.0, MinRedrawSeconds = 0.1, PlainLineSeconds = 5;
    private readonly bool _quiet;
    private readonly TextWriter _out;
    private readonly int? _width;
    private readonly Func<double> _seconds;
    private readonly EtaEstimator _eta = new();
    private double _lastDraw = double.NegativeInfinity;
    private bool _live;
    private bool _lineOpen;
    private string _title = "";
    private TrainingStatus _status;
    private long _stepsSinceUpdate;
    private long _episodesAtUpdate;
    private IVectorStepListener? _inner;
    private VectorEpisodeStatistics? _environments;

    /// <summary>A reporter on the console (quiet with --json).</summary>
    public ProgressReporter(bool quiet) : this(quiet, Console.Out, width: null, live: null) { }

    /// <summary>A reporter writing to <paramref name="output"/>; <paramref name="width"/> overrides the terminal's width,
    /// <paramref name="live"/> whether the line is redrawn in place (default: when the console is a terminal), and
    /// <paramref name="clock"/> the wall clock in seconds (default: a stopwatch started now).</summary>
    internal ProgressReporter(bool quiet, TextWriter output, int? width, bool? live, Func<double>? clock = null)
    {
        if (clock is null)
        {
            var stopwatch = Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed.TotalSeconds;
        }
        _seconds = clock;
        _quiet = quiet;
        _out = output;
        _width = width;
        _live = live ?? IsTerminal;
        if (!_live) _lastDraw = 0; // plain lines: the first one after 5 s, as every later one
    }

    public static bool IsTerminal => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>The width the live line is laid out for: the override, else $COLUMNS, else the console's, else 80.</summary>
    public int Width
    {
        get
        {
            if (_width is int w) return w;
            if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int columns) && columns > 0) return columns;
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> with the live line titled <paramref name="title"/>; ends the line afterwards.</summary>
    public T Run<T>(long totalSteps, string title, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _title = title;
        _status = new TrainingStatus(0, totalSteps, 0, 0, double.NaN, double.NaN, TimeSpan.Zero);
        try
        {
            return body();
        }
        finally
        {
            if (_lineOpen)
            {
                _out.WriteLine();
                _lineOpen = false;
            }
        }
    }

    public void OnRunStarted(TrainingRunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_quiet) return;
        _environments = run.Environments;
        _episodesAtUpdate = run.Environments.EpisodeCount;
        _inner = run.Environments.Listener; // a video tracker may listen already: keep it in the chain
        run.Environments.Listener = this;
    }

    public void OnRunFinished(TrainingStatus status, TrainingResult result)
    {
        if (_environments is not null && ReferenceEquals(_environments.Listener, this)) _environments.Listener = _inner;
    }

    public void BeforeStep(VectorEpisodeStatistics environments) => _inner?.BeforeStep(environments);

    public void AfterStep(VectorEpisodeStatistics environments, ReadOnlySpan<double> returns)
    {
        ArgumentNullException.ThrowIfNull(environments);
        _inner?.AfterStep(environments, returns);
        _stepsSinceUpdate += environments.Count;
        double now = _seconds();
        if (now - _lastDraw < (_live ? LiveRefreshSeconds : PlainLineSeconds)) return;
        long steps = Math.Min(_status.Steps + _stepsSinceUpdate, _status.TotalSteps);
        Show(_status with { Steps = steps, Episodes = _status.Episodes + (environments.EpisodeCount - _episodesAtUpdate) }, now);
    }

    public void OnUpdate(TrainingStatus s)
    {
        if (_quiet) return;
        _status = s;
        _stepsSinceUpdate = 0;
        if (_environments is not null) _episodesAtUpdate = _environments.EpisodeCount;
        double now = _seconds();
        if (now - _lastDraw >= (_live ? MinRedrawSeconds : PlainLineSeconds) || (_live && s.Steps >= s.TotalSteps)) Show(s, now);
    }

    private void Show(TrainingStatus s, double now)
    {
        _eta.Observe(s.Steps, now, s.Elapsed.TotalSeconds >= 0.5 ? s.StepsPerSecond : double.NaN);
        _lastDraw = now;
        var fields = new ProgressLine.Fields(_title, s.Steps, s.TotalSteps, double.IsFinite(_eta.Rate) ? _eta.Rate : s.StepsPerSecond,
            s.Episodes, s.RecentMeanReturn, _eta.Remaining(s.Steps, s.TotalSteps));
        if (_live)
        {
            _out.Write("\r" + ProgressLine.Render(fields, Width) + "\u001b[K");
            _out.Flush();
            _lineOpen = true;
        }
        else
        {
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steps {s.Steps:N0}/{s.TotalSteps:N0}  sps {Format(fields.StepsPerSecond, "N0")}  episodes {s.Episodes:N0}  mean return {Format(s.RecentMeanReturn)}  eta {ProgressLine.Eta(fields.EtaSeconds)}"));
        }
    }

    public void OnEvaluation(TrainingStatus s, EvaluationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (_quiet) return;
        WriteAbove(string.Create(CultureInfo.InvariantCulture,
            $"eval at {r.Step:N0} steps: mean return {r.MeanReturn:F2} ± {r.StdReturn:F2} over {r.Returns.Length} episodes"), Console.Out);
    }

    public void OnNotice(string message)
    {
        if (_live) WriteAbove(message, _out);
        else Console.Error.WriteLine($"note: {message}");
    }

    /// <summary>A whole line above the live line (which is redrawn at the next refresh).</summary>
    private void WriteAbove(string line, TextWriter fallback)
    {
        if (_lineOpen)
        {
            _out.Write("\r\u001b[K");
            _lineOpen = false;
            _lastDraw = double.NegativeInfinity;
        }
        (_live ? _out : fallback).WriteLine(line);
    }

    private static string Format(double v, string format = "F1") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
