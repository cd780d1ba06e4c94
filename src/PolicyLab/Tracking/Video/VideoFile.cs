using System.Diagnostics;
using System.Globalization;
using PolicyLab.Environments.Rendering;

namespace PolicyLab.Tracking.Video;

/// <summary>
/// A video being written: H.264 MP4 through ffmpeg when it is on PATH (frames piped as raw rgb24), else an
/// animated GIF encoded by PolicyLab itself. The file appears under its final name only when
/// <see cref="Finish"/> succeeds (it is written to a temporary name and renamed).
/// </summary>
public sealed class VideoFile : IDisposable
{
    private readonly string _finalPath, _tempPath;
    private readonly Process? _ffmpeg;
    private readonly Task<string>? _ffmpegErrors;
    private readonly FileStream? _gifStream;
    private readonly GifEncoder? _gif;
    private readonly byte[]? _even;
    private bool _done;

    private VideoFile(string finalPath, string tempPath, int width, int height, int fps, string? ffmpeg)
    {
        (_finalPath, _tempPath, Width, Height) = (finalPath, tempPath, width, height);
        if (ffmpeg is not null)
        {
            (int w, int h) = (width + (width & 1), height + (height & 1)); // yuv420p needs even sizes
            if (w != width || h != height) _even = new byte[w * h * 3];
            var info = new ProcessStartInfo(ffmpeg)
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pixel_format", "rgb24",
                "-video_size", $"{w}x{h}", "-framerate", fps.ToString(CultureInfo.InvariantCulture), "-i", "-",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "23", "-movflags", "+faststart", "-f", "mp4", tempPath })
                info.ArgumentList.Add(a);
            _ffmpeg = Process.Start(info) ?? throw new PolicyLabException($"Could not start ffmpeg ('{ffmpeg}').");
            _ffmpegErrors = _ffmpeg.StandardError.ReadToEndAsync();
            _ = _ffmpeg.StandardOutput.ReadToEndAsync();
        }
        else
        {
            _gifStream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            _gif = new GifEncoder(_gifStream, width, height, fps);
        }
    }

    /// <summary>The file written (final name).</summary>
    public string Path => _finalPath;

    /// <summary>Whether this is a GIF (no ffmpeg): callers may want smaller frames.</summary>
    public bool IsGif => _gif is not null;

    /// <summary>Frame width.</summary>
    public int Width { get; }

    /// <summary>Frame height.</summary>
    public int Height { get; }

    /// <summary>Frames written so far.</summary>
    public int Frames { get; private set; }

    /// <summary>ffmpeg's path when it is on PATH and not disabled by <c>POLICYLAB_VIDEO=gif</c>, else null.</summary>
    public static string? FindFfmpeg()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("POLICYLAB_VIDEO"), "gif", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(dir, OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Starts <c>&lt;stem&gt;.mp4</c> (ffmpeg) or <c>&lt;stem&gt;.gif</c>; <paramref name="notice"/> says which and why.
    /// </summary>
    public static VideoFile Create(string stem, int width, int height, int fps, out string notice)
    {
        string? ffmpeg = FindFfmpeg();
        string ext = ffmpeg is null ? ".gif" : ".mp4";
        string final = stem + ext;
        string temp = $"{stem}.tmp-{Environment.ProcessId:x}{ext}";
        string name = System.IO.Path.GetFileName(final);
        notice = ffmpeg is not null
            ? $"writing {name} with ffmpeg ({ffmpeg}, H.264)"
            : Environment.GetEnvironmentVariable("POLICYLAB_VIDEO") is not null
                ? $"writing {name} with PolicyLab's own GIF encoder because POLICYLAB_VIDEO=gif"
                : $"ffmpeg is not on PATH, so {name} is written by PolicyLab's own GIF encoder (install ffmpeg for a smaller .mp4)";
        return new VideoFile(final, temp, width, height, fps, ffmpeg);
    }

    /// <summary>Appends a frame of the video's size.</summary>
    public void AddFrame(RgbFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"Frame is {frame.Width}×{frame.Height} but the video is {Width}×{Height}.", nameof(frame));
        Frames++;
        if (_gif is not null)
        {
            _gif.AddFrame(frame);
            return;
        }
        Stream stdin = _ffmpeg!.StandardInput.BaseStream;
        if (_even is null)
        {
            stdin.Write(frame.Pixels);
            return;
        }
        int w = Width + (Width & 1);
        for (int y = 0; y < Height + (Height & 1); y++)
        {
            int sy = Math.Min(y, Height - 1);
            Array.Copy(frame.Pixels, sy * Width * 3, _even, y * w * 3, Width * 3);
            if (w != Width) Array.Copy(frame.Pixels, (sy * Width + Width - 1) * 3, _even, (y * w + Width) * 3, 3);
        }
        stdin.Write(_even);
    }

    /// <summary>Completes the file and moves it to its final name; returns that path.</summary>
    /// <exception cref="PolicyLabException">ffmpeg failed.</exception>
    public string Finish()
    {
        if (_done) return _finalPath;
        _done = true;
        if (_gif is not null)
        {
            _gif.Finish();
            _gifStream!.Flush(flushToDisk: true);
            _gifStream.Dispose();
        }
        else
        {
            _ffmpeg!.StandardInput.Close();
            _ffmpeg.WaitForExit();
            string errors = _ffmpegErrors!.Result;
            int code = _ffmpeg.ExitCode;
            _ffmpeg.Dispose();
            if (code != 0)
            {
                File.Delete(_tempPath);
                throw new PolicyLabException($"ffmpeg failed (exit code {code}) writing {System.IO.Path.GetFileName(_finalPath)}: {errors.Trim()}");
            }
        }
        File.Move(_tempPath, _finalPath, overwrite: true);
        return _finalPath;
    }

    /// <summary>Abandons an unfinished video (its temporary file is deleted).</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try
        {
            if (_ffmpeg is not null)
            {
                _ffmpeg.StandardInput.Close();
                _ffmpeg.WaitForExit();
                _ffmpeg.Dispose();
            }
            _gifStream?.Dispose();
        }
        finally
        {
            if (File.Exists(_tempPath)) File.Delete(_tempPath);
        }
    }
}
