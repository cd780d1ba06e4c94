using PolicyLab.Environments.Rendering;
using PolicyLab.Training;

namespace PolicyLab.Tracking.Video;

/// <summary>
/// Films an evaluation of a run into <c>eval.mp4</c> (ffmpeg) or <c>eval.gif</c> (PolicyLab's encoder, at half
/// size to keep it small) in the run folder, and refreshes the run's report.html so it links the video.
/// </summary>
public sealed class EvaluationFilm : IDisposable
{
    private readonly string _stem;
    private VideoFile? _video;
    private int _frames;

    /// <summary>Prepares to film into <paramref name="folder"/>.</summary>
    public EvaluationFilm(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Folder = folder;
        _stem = Path.Combine(folder.Path, "eval");
    }

    /// <summary>The run folder.</summary>
    public RunFolder Folder { get; }

    /// <summary>Which encoder is used and why (set at the first frame).</summary>
    public string? Notice { get; private set; }

    /// <summary>Frames so far.</summary>
    public int Frames => _video?.Frames ?? _frames;

    /// <summary>Adds a frame (pass this method as the evaluation's film callback).</summary>
    public void AddFrame(RgbFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_video is null)
        {
            bool gif = VideoFile.FindFfmpeg() is null;
            (int w, int h) = gif ? (frame.Width / 2, frame.Height / 2) : (frame.Width, frame.Height);
            _video = VideoFile.Create(_stem, w, h, TrainingVideoTracker.FramesPerSecond, out string notice);
            Notice = notice;
        }
        _video.AddFrame(_video.Width == frame.Width ? frame : FrameOps.Resize(frame, _video.Width, _video.Height));
    }

    /// <summary>Completes the video, rewrites report.html, and returns the video's path (null when no frame was filmed).</summary>
    public string? Finish()
    {
        if (_video is null) return null;
        string path = _video.Finish();
        _frames = _video.Frames;
        _video = null;
        string log = Path.Combine(Folder.Path, "experiment.json");
        if (File.Exists(log)) RunReport.Write(Folder, ExperimentLog.FromJson(File.ReadAllBytes(log)));
        return path;
    }

    /// <inheritdoc/>
    public void Dispose() => _video?.Dispose();
}
