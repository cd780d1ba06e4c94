using System.Globalization;
using System.Text.Json;
using PolicyLab.IO;

namespace PolicyLab.Training;

/// <summary>
/// An exclusive lock on a run folder for the lifetime of one command (a train, a resume): <c>.lock</c> held open
/// with an operating-system lock (released by the system when the process dies, so a killed run never leaves the
/// folder locked), and <c>.lock-owner.json</c> saying who holds it, for the message a second command prints.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name.</summary>
    public const string LockFileName = ".lock";

    /// <summary>The file naming the holder.</summary>
    public const string OwnerFileName = ".lock-owner.json";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock on <paramref name="folder"/> for <paramref name="purpose"/> (e.g. "train").</summary>
    /// <exception cref="PolicyLabException">Another command holds it (the message says which).</exception>
    public static RunLock Acquire(string folder, string purpose)
    {
        string path = Path.Combine(folder, LockFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsReadOnlyFileSystem(e))
        {
            throw new PolicyLabException($"The run folder '{folder}' is on a read-only file system ({e.Message.TrimEnd('.')}), so this command cannot lock it " +
                "or write to it. Copy the run to a writable place and run the command there (eval and plot read a read-only run as it is).", e);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new PolicyLabException($"The run folder '{folder}' is in use by {Holder(folder)}; wait for it to finish (or stop it) " +
                "before starting another command on this run, or pick another --out.");
        }
        try
        {
            var owner = new Dictionary<string, object>
            {
                ["pid"] = Environment.ProcessId,
                ["host"] = Environment.MachineName,
                ["command"] = purpose,
                ["since_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            };
            AtomicFile.WriteAllBytes(Path.Combine(folder, OwnerFileName), JsonSerializer.SerializeToUtf8Bytes(owner));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new RunLock(stream);
    }

    /// <summary>Whether <paramref name="e"/> says the file system is mounted read-only (EROFS).</summary>
    internal static bool IsReadOnlyFileSystem(IOException e) =>
        e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) || (e.HResult & 0xFFFF) == 30;

    /// <summary>Who holds the lock, from the owner file ("another command" when it cannot be read).</summary>
    public static string Holder(string folder)
    {
        try
        {
            string path = Path.Combine(folder, OwnerFileName);
            if (new FileInfo(path).Length > 4096) return "another command";
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement r = doc.RootElement;
            return string.Create(CultureInfo.InvariantCulture,
                $"`policylab {r.GetProperty("command").GetString()}` (process {r.GetProperty("pid").GetInt32()} on {r.GetProperty("host").GetString()}, since {r.GetProperty("since_utc").GetString()} UTC)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return "another command";
        }
    }

    /// <summary>Releases the lock (the empty lock file stays: deleting it could let two commands lock two different files).</summary>
    public void Dispose()
    {
        if (_stream.SafeFileHandle.IsClosed) return;
        try
        {
            File.Delete(Path.Combine(Path.GetDirectoryName(_stream.Name)!, OwnerFileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The owner note is informational; a stale one is overwritten by the next holder.
        }
        _stream.Dispose();
    }
}
