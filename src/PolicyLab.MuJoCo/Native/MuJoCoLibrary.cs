using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PolicyLab.MuJoCo.Native;

/// <summary>
/// The system's MuJoCo library (<c>libmujoco.so.2.2.2</c>), loaded once with <see cref="NativeLibrary"/>, its version
/// checked against the headers the field layout was generated from, and its entry points as unmanaged function pointers.
/// </summary>
internal static unsafe class MuJoCoLibrary
{
    /// <summary>The version the layout table and the models are written for (<c>mj_version()</c>).</summary>
    public const int RequiredVersion = 222;

    /// <summary>The apt command that installs the library.</summary>
    public const string InstallCommand = "apt-get install libmujoco-dev";

    private static readonly Lazy<string?> LoadError = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static IntPtr _handle;

    // Entry points (C calling convention).
    internal static delegate* unmanaged<int> mj_version;
    internal static delegate* unmanaged<IntPtr, IntPtr, byte*, int, IntPtr> mj_loadXML;
    internal static delegate* unmanaged<IntPtr, void> mj_deleteModel;
    internal static delegate* unmanaged<IntPtr, IntPtr> mj_makeData;
    internal static delegate* unmanaged<IntPtr, void> mj_deleteData;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> mj_resetData;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> mj_forward;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> mj_step;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> mj_rnePostConstraint;
    internal static delegate* unmanaged<IntPtr, int, byte*, int> mj_name2id;
    internal static delegate* unmanaged<IntPtr, void> mj_defaultVFS;
    internal static delegate* unmanaged<IntPtr, byte*, int, int> mj_makeEmptyFileVFS;
    internal static delegate* unmanaged<IntPtr, byte*, int> mj_findFileVFS;
    internal static delegate* unmanaged<IntPtr, void> mj_deleteVFS;

    /// <summary>True when the library loaded and has the required version.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Why the library cannot be used (one paragraph naming the fix), or null when it can.</summary>
    public static string? UnavailableReason => LoadError.Value;

    /// <summary>Throws <see cref="PolicyLabException"/> with <see cref="UnavailableReason"/> unless the library is usable.</summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } reason)
            throw new PolicyLabException(reason);
    }

    /// <summary>The last MuJoCo warning text on this thread (MuJoCo's own words), consumed by <see cref="TakeWarning"/>.</summary>
    [ThreadStatic] private static string? _lastWarning;

    /// <summary>Returns and clears the last warning MuJoCo reported on this thread.</summary>
    public static string? TakeWarning()
    {
        string? warning = _lastWarning;
        _lastWarning = null;
        return warning;
    }

    private static string? Load()
    {
        string[] names = ["libmujoco.so.2.2.2", "libmujoco.so"];
        string? failure = null;
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out _handle))
                break;
            failure ??= name;
        }
        if (_handle == IntPtr.Zero)
            return $"MuJoCo is not installed: the MuJoCo environments (HalfCheetah-v4, Hopper-v5, …) run on the system library libmujoco.so.2.2.2 (MuJoCo 2.2.2), which could not be loaded from the library search path. Install it with `{InstallCommand}` (Debian 12; as root or with sudo) and run again; nothing else in PolicyLab needs it.";
        try
        {
            mj_version = (delegate* unmanaged<int>)Export("mj_version");
            int version = mj_version();
            if (version != RequiredVersion || MjLayout.HeaderVersion != RequiredVersion)
                return $"The MuJoCo library found is version {version / 100}.{version / 10 % 10}.{version % 10} (mj_version() = {version}), but PolicyLab's MuJoCo binding is generated for MuJoCo 2.2.2 (mj_version() = {RequiredVersion}) and its struct layout differs between versions. Install 2.2.2 with `{InstallCommand}` (Debian 12), or make libmujoco.so.2.2.2 the first libmujoco on the library search path.";
            mj_loadXML = (delegate* unmanaged<IntPtr, IntPtr, byte*, int, IntPtr>)Export("mj_loadXML");
            mj_deleteModel = (delegate* unmanaged<IntPtr, void>)Export("mj_deleteModel");
            mj_makeData = (delegate* unmanaged<IntPtr, IntPtr>)Export("mj_makeData");
            mj_deleteData = (delegate* unmanaged<IntPtr, void>)Export("mj_deleteData");
            mj_resetData = (delegate* unmanaged<IntPtr, IntPtr, void>)Export("mj_resetData");
            mj_forward = (delegate* unmanaged<IntPtr, IntPtr, void>)Export("mj_forward");
            mj_step = (delegate* unmanaged<IntPtr, IntPtr, void>)Export("mj_step");
            mj_rnePostConstraint = (delegate* unmanaged<IntPtr, IntPtr, void>)Export("mj_rnePostConstraint");
            mj_name2id = (delegate* unmanaged<IntPtr, int, byte*, int>)Export("mj_name2id");
            mj_defaultVFS = (delegate* unmanaged<IntPtr, void>)Export("mj_defaultVFS");
            mj_makeEmptyFileVFS = (delegate* unmanaged<IntPtr, byte*, int, int>)Export("mj_makeEmptyFileVFS");
            mj_findFileVFS = (delegate* unmanaged<IntPtr, byte*, int>)Export("mj_findFileVFS");
            mj_deleteVFS = (delegate* unmanaged<IntPtr, void>)Export("mj_deleteVFS");
            // MuJoCo prints warnings (e.g. "Nan, Inf or huge value in QACC") to stdout by default; keep them instead,
            // so that the step that caused one can report it.
            *(delegate* unmanaged<byte*, void>*)Export("mju_user_warning") = &OnWarning;
        }
        catch (EntryPointNotFoundException missing)
        {
            return $"The MuJoCo library loaded lacks an entry point PolicyLab needs ({missing.Message}); it is not MuJoCo 2.2.2. Install it with `{InstallCommand}`.";
        }
        return null;
    }

    private static IntPtr Export(string name) => NativeLibrary.GetExport(_handle, name);

    [UnmanagedCallersOnly]
    private static void OnWarning(byte* message) => _lastWarning = Marshal.PtrToStringUTF8((IntPtr)message);

    /// <summary>Null-terminated UTF-8 bytes of a string.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] Utf8(string text)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
