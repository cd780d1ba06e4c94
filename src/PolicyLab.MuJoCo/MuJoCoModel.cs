using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PolicyLab.MuJoCo.Native;

namespace PolicyLab.MuJoCo;

/// <summary>MuJoCo object types (<c>mjtObj</c> of 2.2.2) used for name look-ups.</summary>
public enum MuJoCoObject
{
    /// <summary>A body.</summary>
    Body = 1,
    /// <summary>A joint.</summary>
    Joint = 3,
    /// <summary>A geom.</summary>
    Geom = 5,
    /// <summary>A site.</summary>
    Site = 6,
    /// <summary>A tendon.</summary>
    Tendon = 17,
    /// <summary>An actuator.</summary>
    Actuator = 18,
}

/// <summary>
/// A compiled MuJoCo model (<c>mjModel</c>). It is read-only while simulating, so any number of
/// <see cref="MuJoCoSimulation"/>s (each with its own <c>mjData</c>) on any threads share one.
/// </summary>
/// <remarks>Models of the built-in tasks are compiled once per process and shared (<see cref="Embedded"/>); they are
/// never freed. A model loaded from a file belongs to its caller.</remarks>
public sealed unsafe class MuJoCoModel : IDisposable
{
    private const int ErrorBufferSize = 1000;
    private static readonly ConcurrentDictionary<string, Lazy<MuJoCoModel>> Shared = new(StringComparer.Ordinal);
    private readonly bool _shared;
    private IntPtr _handle;

    private MuJoCoModel(IntPtr handle, string name, bool shared)
    {
        _handle = handle;
        Name = name;
        _shared = shared;
        var view = new ModelView(handle);
        Nq = view.Int(MjLayout.Model.nq);
        Nv = view.Int(MjLayout.Model.nv);
        Nu = view.Int(MjLayout.Model.nu);
        Na = view.Int(MjLayout.Model.na);
        BodyCount = view.Int(MjLayout.Model.nbody);
        JointCount = view.Int(MjLayout.Model.njnt);
        GeomCount = view.Int(MjLayout.Model.ngeom);
        SiteCount = view.Int(MjLayout.Model.nsite);
        TendonCount = view.Int(MjLayout.Model.ntendon);
        Timestep = *(double*)((byte*)handle + MjLayout.Model.opt_timestep);
        VerifyLayout();
    }

    /// <summary>The file or resource the model was compiled from.</summary>
    public string Name { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(Name);

    /// <summary>Number of position coordinates (nq).</summary>
    public int Nq { get; }

    /// <summary>Number of degrees of freedom (nv).</summary>
    public int Nv { get; }

    /// <summary>Number of actuators (nu).</summary>
    public int Nu { get; }

    /// <summary>Number of actuator activations (na).</summary>
    public int Na { get; }

    /// <summary>Number of bodies including the world (nbody).</summary>
    public int BodyCount { get; }

    /// <summary>Number of joints (njnt).</summary>
    public int JointCount { get; }

    /// <summary>Number of geoms (ngeom).</summary>
    public int GeomCount { get; }

    /// <summary>Number of sites (nsite).</summary>
    public int SiteCount { get; }

    /// <summary>Number of tendons (ntendon).</summary>
    public int TendonCount { get; }

    /// <summary>The simulation time step (opt.timestep, seconds).</summary>
    public double Timestep { get; }

    /// <summary>The integrator (opt.integrator: 0 Euler, 1 RK4, 2 implicit).</summary>
    public int Integrator => *(int*)((byte*)Handle + MjLayout.Model.opt_integrator);

    /// <summary>Initial positions (qpos0).</summary>
    public ReadOnlySpan<double> Qpos0 => Doubles(MjLayout.Model.qpos0, Nq);

    /// <summary>Body masses.</summary>
    public ReadOnlySpan<double> BodyMass => Doubles(MjLayout.Model.body_mass, BodyCount);

    /// <summary>Actuator control ranges, two per actuator (low, high).</summary>
    public ReadOnlySpan<double> ActuatorControlRange => Doubles(MjLayout.Model.actuator_ctrlrange, 2 * Nu);

    /// <summary>Geom types (mjtGeom: 0 plane, 2 sphere, 3 capsule, 4 ellipsoid, 5 cylinder, 6 box).</summary>
    public ReadOnlySpan<int> GeomType => Ints(MjLayout.Model.geom_type, GeomCount);

    /// <summary>Geom sizes, three per geom.</summary>
    public ReadOnlySpan<double> GeomSize => Doubles(MjLayout.Model.geom_size, 3 * GeomCount);

    /// <summary>Geom colours, four floats (RGBA) per geom.</summary>
    public ReadOnlySpan<float> GeomRgba => new((void*)*(IntPtr*)((byte*)Handle + MjLayout.Model.geom_rgba), 4 * GeomCount);

    /// <summary>The body each geom belongs to.</summary>
    public ReadOnlySpan<int> GeomBody => Ints(MjLayout.Model.geom_bodyid, GeomCount);

    /// <summary>The id of a named object, or −1 when the model has none by that name.</summary>
    public int Id(MuJoCoObject type, string name)
    {
        byte[] bytes = MuJoCoLibrary.Utf8(name);
        fixed (byte* p = bytes)
            return MuJoCoLibrary.mj_name2id(Handle, (int)type, p);
    }

    /// <summary>The id of a named object; throws when the model has none.</summary>
    public int RequireId(MuJoCoObject type, string name)
    {
        int id = Id(type, name);
        return id >= 0 ? id : throw new PolicyLabException($"MuJoCo model '{Name}' has no {type.ToString().ToLowerInvariant()} named '{name}'. Use a model file that defines it.");
    }

    /// <summary>A double array field of mjModel.</summary>
    internal ReadOnlySpan<double> Doubles(int fieldOffset, int length) =>
        new((void*)*(IntPtr*)((byte*)Handle + fieldOffset), length);

    /// <summary>An int array field of mjModel.</summary>
    internal ReadOnlySpan<int> Ints(int fieldOffset, int length) =>
        new((void*)*(IntPtr*)((byte*)Handle + fieldOffset), length);

    /// <summary>Compiles MJCF text. <paramref name="name"/> names it in error messages.</summary>
    /// <exception cref="PolicyLabException">The library is missing, or the model does not compile (MuJoCo's message).</exception>
    public static MuJoCoModel FromXml(string xml, string name)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentNullException.ThrowIfNull(name);
        return new MuJoCoModel(Compile(xml, name), name, shared: false);
    }

    /// <summary>Compiles an MJCF file (include and mesh paths relative to it work as in MuJoCo).</summary>
    public static MuJoCoModel FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        MuJoCoLibrary.EnsureLoaded();
        if (!File.Exists(path))
            throw new PolicyLabException($"The MuJoCo model file '{path}' does not exist. Pass the path of an MJCF (.xml) file.");
        byte[] file = MuJoCoLibrary.Utf8(Path.GetFullPath(path));
        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        IntPtr model;
        fixed (byte* f = file)
            model = MuJoCoLibrary.mj_loadXML((IntPtr)f, IntPtr.Zero, error, ErrorBufferSize);
        if (model == IntPtr.Zero)
            throw CompileError(path, Marshal.PtrToStringUTF8((IntPtr)error) ?? "");
        return new MuJoCoModel(model, path, shared: false);
    }

    /// <summary>The shared compiled model of one of the embedded model files (e.g. <c>hopper.xml</c>).</summary>
    public static MuJoCoModel Embedded(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        MuJoCoLibrary.EnsureLoaded();
        Lazy<MuJoCoModel> entry = Shared.GetOrAdd(fileName, n => new Lazy<MuJoCoModel>(
            () => new MuJoCoModel(Compile(EmbeddedModels.Read(n), n), n, shared: true), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            Shared.TryRemove(fileName, out _);
            throw;
        }
    }

    private static IntPtr Compile(string xml, string name)
    {
        MuJoCoLibrary.EnsureLoaded();
        byte[] text = System.Text.Encoding.UTF8.GetBytes(xml);
        byte[] fileName = MuJoCoLibrary.Utf8(Path.GetFileName(name));
        IntPtr vfs = (IntPtr)NativeMemory.AllocZeroed((nuint)MjLayout.Vfs.size);
        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        try
        {
            MuJoCoLibrary.mj_defaultVFS(vfs);
            fixed (byte* f = fileName)
            {
                if (MuJoCoLibrary.mj_makeEmptyFileVFS(vfs, f, text.Length) != 0)
                    throw new PolicyLabException($"MuJoCo could not make an in-memory file for the model '{name}'.");
                int index = MuJoCoLibrary.mj_findFileVFS(vfs, f);
                byte* data = (byte*)((IntPtr*)((byte*)vfs + MjLayout.Vfs.filedata))[index];
                text.CopyTo(new Span<byte>(data, text.Length));
                IntPtr model = MuJoCoLibrary.mj_loadXML((IntPtr)f, vfs, error, ErrorBufferSize);
                if (model == IntPtr.Zero)
                    throw CompileError(name, Marshal.PtrToStringUTF8((IntPtr)error) ?? "");
                return model;
            }
        }
        finally
        {
            MuJoCoLibrary.mj_deleteVFS(vfs);
            NativeMemory.Free((void*)vfs);
        }
    }

    private static PolicyLabException CompileError(string name, string message) =>
        new($"The MuJoCo model '{name}' does not compile. MuJoCo says: {message.Trim().ReplaceLineEndings(" ")} Fix the MJCF at the element and line named (MuJoCo 2.2.2 needs limited=\"true\" or <compiler autolimits=\"true\"/> for a range, and reads angles in degrees unless <compiler angle=\"radian\"/>).");

    /// <summary>
    /// Checks the generated field offsets against the live library: MuJoCo 2.2.2 lays the arrays of mjModel and mjData
    /// out one after another in a single buffer, each starting on a 64-byte boundary, in the X-macro order. A wrong
    /// offset would read a pointer that breaks that chain.
    /// </summary>
    private void VerifyLayout()
    {
        var view = new ModelView(_handle);
        string? problem = CheckChain(_handle, MjLayout.Model.buffer, MjLayout.ModelPointers, view, "mjModel");
        IntPtr data = MuJoCoLibrary.mj_makeData(_handle);
        if (data == IntPtr.Zero)
            throw new PolicyLabException($"MuJoCo could not allocate simulation data for the model '{Name}' (out of memory).");
        problem ??= CheckChain(data, MjLayout.Data.buffer, MjLayout.DataPointers, view, "mjData");
        MuJoCoLibrary.mj_deleteData(data);
        if (problem is not null)
        {
            if (!_shared)
                MuJoCoLibrary.mj_deleteModel(_handle);
            _handle = IntPtr.Zero;
            throw new PolicyLabException($"The loaded libmujoco does not match the struct layout generated from the MuJoCo 2.2.2 headers ({problem}). Reinstall the library with `{MuJoCoLibrary.InstallCommand}`, or regenerate the layout with scripts/generate-mujoco-layout.sh against the installed headers.");
        }
    }

    private static string? CheckChain(IntPtr structure, int bufferOffset, LayoutField[] fields, ModelView view, string what)
    {
        long expected = (long)*(IntPtr*)((byte*)structure + bufferOffset);
        foreach (LayoutField field in fields)
        {
            long actual = (long)*(IntPtr*)((byte*)structure + field.Offset);
            if (actual != expected)
                return $"{what}.{field.Name} is not where the layout puts it";
            long bytes = field.Length(view) * field.ElementSize;
            expected = actual + (bytes + 63) / 64 * 64;
        }
        return null;
    }

    /// <summary>Frees a model loaded from a file or XML text (shared built-in models stay alive).</summary>
    public void Dispose()
    {
        if (!_shared && _handle != IntPtr.Zero)
        {
            MuJoCoLibrary.mj_deleteModel(_handle);
            _handle = IntPtr.Zero;
        }
    }
}
