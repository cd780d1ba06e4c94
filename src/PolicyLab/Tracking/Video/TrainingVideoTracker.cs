using System.Globalization;
using PolicyLab.Environments.Rendering;
using PolicyLab.Tracking.Imaging;
using PolicyLab.Training;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Tracking.Video;

/// <summary>
/// <c>training.mp4</c> (or <c>.gif</c>) of a run, filmed in batches: a batch starts with the rollout of every
/// <c>render_every</c>-th update (by default spaced so that about <see cref="AutomaticBatches"/> batches are filmed
/// over the step budget) and shows all parallel environments tiled in a grid of ⌈√N⌉ columns, each tile
/// labelled with its episode return so far. A tile whose episode ends freezes on its last frame, greyed and
/// tinted green when the return reached the reward threshold, red otherwise (plain grey when the task has no threshold). The batch goes on (across updates)
/// until every tile is frozen or it has <see cref="MaxBatchFrames"/> frames; the grid then holds still for half a
/// second. Cost: one render of every copy per filmed step (about 1 ms per CartPole copy, plus encoding).
/// </summary>
public sealed class TrainingVideoTracker : ITrainingObserver, IVectorStepListener, IDisposable
{
    /// <summary>Frames per second of the video.</summary>
    public const int FramesPerSecond = 30;

    /// <summary>Frames of stillness after each filmed update.</summary>
    public const int PauseFrames = 15;

    /// <summary>Most frames of one filmed batch (bounds the cost when episodes are long).</summary>
    public const int MaxBatchFrames = 600;

    /// <summary>Filmed batches per run when render_every is 0.</summary>
    public const int AutomaticBatches = 8;

    private const int HeaderHeight = 22;
    private int _startUpdates;
    private int _batchFrames, _batchStart;
    private TrainingRunContext? _run;
    private VideoFile? _video;
    private int _columns, _tileWidth, _tileHeight, _updatesDone, _every;
    private bool _filming;
    private RgbFrame? _frame;
    private RgbFrame?[] _frozen = [];
    private double[] _returns = [];
    private long _renderTicks;

    /// <summary>Wall-clock seconds spent rendering and encoding so far (to report the overhead).</summary>
    public double RenderSeconds => _renderTicks / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <inheritdoc/>
    public void OnRunStarted(TrainingRunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!run.Environments.CanRender)
        {
            run.Notify($"render=full: the environments of {run.Settings.Environment} cannot be drawn, so no training video is made.");
            return;
        }
        _run = run;
        _every = run.Settings.RenderEvery;
        _updatesDone = _startUpdates = run.Log.Updates.Count;
        int n = run.Environments.Count;
        _columns = (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (n + _columns - 1) / _columns;
        RgbFrame sample;
        try
        {
            sample = run.Environments.Render(0);
        }
        catch (NotSupportedException e)
        {
            run.Notify($"render=full: {run.Settings.Environment} cannot be drawn ({e.Message}), so no training video is made.");
            _run = null;
            return;
        }
        double scale = Math.Min(1.0, (VideoFile.FindFfmpeg() is null ? 160.0 : 240.0) / sample.Width); // smaller tiles for GIFs
        _tileWidth = Math.Max(2, (int)Math.Round(sample.Width * scale / 2) * 2);
        _tileHeight = Math.Max(2, (int)Math.Round(sample.Height * scale / 2) * 2);
        _frame = new RgbFrame(_columns * _tileWidth, rows * _tileHeight + HeaderHeight);
        _frozen = new RgbFrame?[n];
        _returns = new double[n];
        _video = VideoFile.Create(Path.Combine(run.Folder.Path, "training"), _frame.Width, _frame.Height, FramesPerSecond, out string notice);
        run.Notify($"render=full: {notice}; filming {(_every > 0 ? $"a batch every {_every} update(s)" : $"about {AutomaticBatches} batches")} ({n} environments tiled).");
        run.Environments.Listener = this;
    }

    /// <inheritdoc/>
    public void BeforeStep(VectorEpisodeStatistics environments)
    {
        ArgumentNullException.ThrowIfNull(environments);
        if (_video is null) return;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!_filming)
        {
            if (_every == 0 ? _updatesDone != _startUpdates : _updatesDone % _every != 0) return;
            _filming = true;
            _batchFrames = 0;
            _batchStart = _updatesDone + 1;
            Array.Clear(_frozen);
            new Canvas(_frame!).Clear(new RgbColor(40, 40, 40));
            environments.RunningReturns.CopyTo(_returns);
        }
        DrawHeader(_updatesDone + 1, -1, done: false);
        for (int i = 0; i < environments.Count; i++)
            if (_frozen[i] is null) Place(i, FrameOps.Resize(environments.Render(i), _tileWidth, _tileHeight));
        _video.AddFrame(_frame!);
        _batchFrames++;
        _renderTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    /// <inheritdoc/>
    public void AfterStep(VectorEpisodeStatistics environments, ReadOnlySpan<double> returns)
    {
        ArgumentNullException.ThrowIfNull(environments);
        if (!_filming || _video is null) return;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < environments.Count; i++)
        {
            if (_frozen[i] is not null) continue;
            _returns[i] = returns[i];
            if (!environments.Terminated[i] && !environments.Truncated[i]) continue;
            var tile = new RgbFrame(_tileWidth, _tileHeight);
            Copy(i, tile);
            // Green when the return reached the reward threshold, red when not; plain grey when the task has none.
            double threshold = _run!.RewardThreshold;
            bool solved = returns[i] >= threshold;
            FrameOps.GreyAndTint(tile, solved ? new RgbColor(0, 190, 0) : new RgbColor(230, 0, 0), double.IsFinite(threshold) ? 0.25 : 0);
            _frozen[i] = tile;
            Place(i, tile);
        }
        _renderTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    /// <inheritdoc/>
    public void OnIteration(TrainingStatus status, UpdateRecord update, IReadOnlyList<EpisodeRecord> episodes)
    {
        ArgumentNullException.ThrowIfNull(update);
        _updatesDone = update.Iteration;
        if (_every == 0 && update.Step > 0 && _run is not null)
        {
            double stepsPerUpdate = (double)update.Step / update.Iteration;
            _every = Math.Max(1, (int)Math.Round(_run.Settings.TotalSteps / stepsPerUpdate / AutomaticBatches));
        }
        if (!_filming || _video is null) return;
        if (_batchFrames < MaxBatchFrames && _frozen.Any(f => f is null)) return; // the batch goes on in the next rollout
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        _filming = false;
        DrawHeader(update.Iteration, update.Step, done: true);
        for (int i = 0; i < _frozen.Length; i++)
            if (_frozen[i] is null) Place(i, FrameOps.Resize(_run!.Environments.Render(i), _tileWidth, _tileHeight));
        for (int k = 0; k < PauseFrames; k++) _video.AddFrame(_frame!);
        _renderTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    /// <inheritdoc/>
    public void OnRunFinished(TrainingStatus status, TrainingResult result)
    {
        if (_video is null || _run is null) return;
        _run.Environments.Listener = null;
        int frames = _video.Frames;
        if (frames == 0)
        {
            _video.Dispose();
            _run.Notify("render=full: no frames were recorded (this algorithm steps environments of its own), so there is no training video.");
        }
        else
        {
            string path = _video.Finish();
            _run.Notify(string.Create(CultureInfo.InvariantCulture,
                $"training video: {Path.GetFileName(path)} ({frames} frames, {RenderSeconds:F1} s spent rendering and encoding)"));
        }
        _video = null;
    }

    /// <inheritdoc/>
    public void OnUpdate(TrainingStatus status) { }

    /// <inheritdoc/>
    public void OnEvaluation(TrainingStatus status, EvaluationResult result) { }

    /// <inheritdoc/>
    public void OnNotice(string message) { }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_run is not null) _run.Environments.Listener = null;
        _video?.Dispose();
        _video = null;
    }

    private void Place(int i, RgbFrame tile)
    {
        int x = i % _columns * _tileWidth, y = HeaderHeight + i / _columns * _tileHeight;
        FrameOps.Paste(_frame!, tile, x, y);
        var canvas = new Canvas(_frame!);
        var border = new RgbColor(160, 160, 160); // exact pixel rows inside the tile
        canvas.FillRectangle(x, y, x + _tileWidth, y + 1, border);
        canvas.FillRectangle(x + _tileWidth - 1, y, x + _tileWidth, y + _tileHeight, border);
        FrameOps.LabelBottomRight(canvas, x, y, _tileWidth, _tileHeight, string.Create(CultureInfo.InvariantCulture, $"R: {_returns[i]:0.0}"), _tileWidth >= 200 ? 2 : 1);
    }

    private void Copy(int i, RgbFrame tile)
    {
        int x = i % _columns * _tileWidth, y = HeaderHeight + i / _columns * _tileHeight;
        for (int row = 0; row < _tileHeight; row++)
            Array.Copy(_frame!.Pixels, ((y + row) * _frame.Width + x) * 3, tile.Pixels, row * _tileWidth * 3, _tileWidth * 3);
    }

    private void DrawHeader(int update, long step, bool done)
    {
        var canvas = new Canvas(_frame!);
        canvas.FillRectangle(0, 0, _frame!.Width, HeaderHeight, new RgbColor(40, 40, 40));
        string text = done
            ? string.Create(CultureInfo.InvariantCulture, $"updates {_batchStart}-{update}, {step:N0} steps: batch done")
            : string.Create(CultureInfo.InvariantCulture, $"update {update} (rollout)");
        BitmapFont.Draw(canvas, 6, 4, text, 2, RgbColor.White);
    }
}
