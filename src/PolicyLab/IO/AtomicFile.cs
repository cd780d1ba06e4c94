using System.Text;

namespace PolicyLab.IO;

/// <summary>
/// Writes files so that a reader sees either the complete old content or the complete new content,
/// never a half-written file: the data goes to a uniquely named temporary file in the same directory,
/// is flushed to disk, and is then renamed over the destination. If anything fails, the temporary file
/// is deleted and the existing destination file is left untouched.
/// </summary>
/// <remarks>
/// The rename is atomic on the same volume (POSIX <c>rename</c>, Windows <c>MoveFileEx</c> with replace).
/// Temporary files are named <c>&lt;name&gt;.tmp-&lt;process&gt;-&lt;counter&gt;</c> and are created with
/// <see cref="FileMode.CreateNew"/>, so concurrent writers never share one. A process killed mid-write can
/// leave such a file behind; it never replaces the destination and may be deleted by hand.
/// </remarks>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static long s_counter;

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>.</summary>
    /// <param name="path">The destination file; its directory must exist.</param>
    /// <param name="contents">The complete new content.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        string fullPath = FullPath(path);
        FileStream stream = CreateTemporary(fullPath, out string tempPath);
        try
        {
            using (stream)
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDeleteFile(tempPath);
            throw;
        }
    }

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>, then
    /// flushes the directory entry too, so the new content survives a power loss.</summary>
    /// <param name="path">The destination file; its directory must exist.</param>
    /// <param name="contents">The complete new content.</param>
    public static void WriteAllBytesDurably(string path, ReadOnlySpan<byte> contents)
    {
        WriteAllBytes(path, contents);
        FlushDirectory(Path.GetDirectoryName(FullPath(path))!);
    }

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="text"/>
    /// encoded as UTF-8 without a byte-order mark.</summary>
    /// <param name="path">The destination file; its directory must exist.</param>
    /// <param name="text">The complete new content.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, Utf8NoBom.GetBytes(text));
    }

    /// <summary>
    /// Atomically replaces (or creates) <paramref name="path"/> with whatever <paramref name="writer"/>
    /// writes to the stream it is given. If <paramref name="writer"/> throws, the exception propagates,
    /// the partial output is deleted and the old file stays as it was.
    /// </summary>
    /// <param name="path">The destination file; its directory must exist.</param>
    /// <param name="writer">Writes the complete new content. It must not dispose the stream.</param>
    /// <exception cref="InvalidOperationException"><paramref name="writer"/> closed the stream.</exception>
    public static void Write(string path, Action<Stream> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        string fullPath = FullPath(path);
        FileStream stream = CreateTemporary(fullPath, out string tempPath);
        try
        {
            using (stream)
            {
                writer(stream);
                if (!stream.CanWrite)
                    throw new InvalidOperationException("The writer callback of AtomicFile.Write closed the stream; it must leave closing to AtomicFile.");
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDeleteFile(tempPath);
            throw;
        }
    }

    /// <summary>
    /// Publishes a directory as a unit: <paramref name="populate"/> fills a fresh sibling directory
    /// named <c>&lt;path&gt;.tmp-…</c>, which is then renamed to <paramref name="path"/>. If
    /// <paramref name="populate"/> throws, the sibling is deleted and <paramref name="path"/> is untouched.
    /// </summary>
    /// <param name="path">The directory to publish; its parent must exist.</param>
    /// <param name="populate">Receives the temporary directory's full path and writes the content into it.
    /// Files written there should be flushed to disk (for example with <see cref="WriteAllBytes"/>).</param>
    /// <param name="overwrite">Whether an existing directory at <paramref name="path"/> is replaced.</param>
    /// <remarks>
    /// Creating a new directory is a single atomic rename. Replacing an existing one takes two renames
    /// (old directory aside, new directory in), so for a moment <paramref name="path"/> does not exist;
    /// it is never observed half-written. If the second rename fails the old directory is moved back.
    /// </remarks>
    /// <exception cref="IOException"><paramref name="path"/> exists and <paramref name="overwrite"/> is false.</exception>
    public static void PublishDirectory(string path, Action<string> populate, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(populate);
        string fullPath = Path.TrimEndingDirectorySeparator(FullPath(path));
        if (!overwrite && Directory.Exists(fullPath))
            throw new IOException($"The directory '{fullPath}' already exists.");

        string tempPath = CreateTemporaryDirectory(fullPath);
        string parent = Path.GetDirectoryName(fullPath)!;
        try
        {
            populate(tempPath);
            // The files' directory entries reach the disk before the rename publishes them, and the rename itself
            // after it: a power loss (not only a kill) leaves either the old directory or the complete new one.
            FlushDirectory(tempPath);
            if (!Directory.Exists(fullPath))
            {
                Directory.Move(tempPath, fullPath);
                FlushDirectory(parent);
                return;
            }
            if (!overwrite)
                throw new IOException($"The directory '{fullPath}' already exists.");

            string asidePath = UniqueSibling(fullPath, ".old-");
            Directory.Move(fullPath, asidePath);
            try
            {
                Directory.Move(tempPath, fullPath);
            }
            catch
            {
                Directory.Move(asidePath, fullPath);
                throw;
            }
            FlushDirectory(parent);
            TryDeleteDirectory(asidePath);
        }
        catch
        {
            TryDeleteDirectory(tempPath);
            throw;
        }
    }

    /// <summary>
    /// Flushes a directory's entries (the names of the files created, renamed or deleted in it) to disk, so a
    /// rename survives a power loss. A no-op where the platform has no directory fsync (Windows flushes
    /// metadata with the file).
    /// </summary>
    /// <param name="path">An existing directory.</param>
    /// <exception cref="IOException">The operating system reported an error while flushing.</exception>
    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            return;
        DirectorySync.Flush(Path.GetFullPath(path));
    }

    private static string FullPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetFullPath(path);
    }

    private static string UniqueSibling(string fullPath, string marker)
    {
        long n = Interlocked.Increment(ref s_counter);
        return $"{fullPath}{marker}{Environment.ProcessId:x}-{n:x}";
    }

    private static FileStream CreateTemporary(string fullPath, out string tempPath)
    {
        for (int attempt = 0; ; attempt++)
        {
            tempPath = UniqueSibling(fullPath, ".tmp-");
            try
            {
                return new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            }
            catch (IOException) when (attempt < 100 && File.Exists(tempPath))
            {
                // A leftover from a crashed process that had the same id; try the next name.
            }
        }
    }

    private static string CreateTemporaryDirectory(string fullPath)
    {
        for (int attempt = 0; ; attempt++)
        {
            string tempPath = UniqueSibling(fullPath, ".tmp-");
            if (Directory.Exists(tempPath) || File.Exists(tempPath))
            {
                if (attempt < 100)
                    continue;
                throw new IOException($"Could not find a free temporary name next to '{fullPath}'.");
            }
            Directory.CreateDirectory(tempPath);
            return tempPath;
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original exception is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the original exception is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }
}
