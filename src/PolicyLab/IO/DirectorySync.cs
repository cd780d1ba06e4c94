using System.Runtime.InteropServices;

namespace PolicyLab.IO;

/// <summary>
/// fsync of a directory through the C library every POSIX system has (.NET opens no directory handles). This is a
/// system call, not a native dependency: nothing is shipped or installed.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY
    private const int EINTR = 4, EINVAL = 22;

    /// <summary>Flushes the entries of the directory at <paramref name="fullPath"/>.</summary>
    /// <exception cref="IOException">open or fsync failed (other than with EINVAL: a file system that cannot sync directories).</exception>
    public static void Flush(string fullPath)
    {
        int fd = Open(fullPath, ReadOnly);
        if (fd < 0)
            throw new IOException($"Could not open the directory '{fullPath}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            int result;
            do result = Fsync(fd);
            while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);
            int errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            if (result != 0 && errno != EINVAL)
                throw new IOException($"Could not flush the directory '{fullPath}' to disk (errno {errno}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
