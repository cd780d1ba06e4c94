using PolicyLab.MuJoCo.Native;

namespace PolicyLab.MuJoCo;

/// <summary>
/// One simulation state (<c>mjData</c>) of a shared <see cref="MuJoCoModel"/>. The array properties are views into
/// MuJoCo's own memory (no copies); they stay valid until the simulation is disposed.
/// </summary>
public sealed unsafe class MuJoCoSimulation : IDisposable
{
    private IntPtr _data;

    /// <summary>Allocates the data of <paramref name="model"/> and resets it to the model's initial state.</summary>
    public MuJoCoSimulation(MuJoCoModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _data = MuJoCoLibrary.mj_makeData(model.Handle);
        if (_data == IntPtr.Zero)
            throw new PolicyLabException($"MuJoCo could not allocate simulation data for the model '{model.Name}' (out of memory).");
    }

    /// <summary>The model this state belongs to.</summary>
    public MuJoCoModel Model { get; }

    private IntPtr Data => _data != IntPtr.Zero ? _data : throw new ObjectDisposedException(nameof(MuJoCoSimulation));

    private Span<double> Field(int offset, int length) => new((void*)*(IntPtr*)((byte*)Data + offset), length);

    /// <summary>Simulation time (s).</summary>
    public double Time => *(double*)((byte*)Data + MjLayout.Data.time);

    /// <summary>Number of active contacts.</summary>
    public int ContactCount => *(int*)((byte*)Data + MjLayout.Data.ncon);

    /// <summary>Positions (nq).</summary>
    public Span<double> Qpos => Field(MjLayout.Data.qpos, Model.Nq);

    /// <summary>Velocities (nv).</summary>
    public Span<double> Qvel => Field(MjLayout.Data.qvel, Model.Nv);

    /// <summary>Accelerations (nv).</summary>
    public Span<double> Qacc => Field(MjLayout.Data.qacc, Model.Nv);

    /// <summary>Actuator activations (na).</summary>
    public Span<double> Act => Field(MjLayout.Data.act, Model.Na);

    /// <summary>Controls (nu).</summary>
    public Span<double> Ctrl => Field(MjLayout.Data.ctrl, Model.Nu);

    /// <summary>Body frame positions (nbody × 3).</summary>
    public Span<double> BodyPositions => Field(MjLayout.Data.xpos, 3 * Model.BodyCount);

    /// <summary>Body centre-of-mass positions (nbody × 3).</summary>
    public Span<double> BodyInertialPositions => Field(MjLayout.Data.xipos, 3 * Model.BodyCount);

    /// <summary>Geom positions (ngeom × 3).</summary>
    public Span<double> GeomPositions => Field(MjLayout.Data.geom_xpos, 3 * Model.GeomCount);

    /// <summary>Geom orientations, row-major 3×3 (ngeom × 9).</summary>
    public Span<double> GeomRotations => Field(MjLayout.Data.geom_xmat, 9 * Model.GeomCount);

    /// <summary>Site positions (nsite × 3).</summary>
    public Span<double> SitePositions => Field(MjLayout.Data.site_xpos, 3 * Model.SiteCount);

    /// <summary>Body inertias in the centre-of-mass frame (nbody × 10).</summary>
    public Span<double> BodyInertias => Field(MjLayout.Data.cinert, 10 * Model.BodyCount);

    /// <summary>Body velocities in the centre-of-mass frame (nbody × 6).</summary>
    public Span<double> BodyVelocities => Field(MjLayout.Data.cvel, 6 * Model.BodyCount);

    /// <summary>Actuator forces in joint space (nv).</summary>
    public Span<double> ActuatorForces => Field(MjLayout.Data.qfrc_actuator, Model.Nv);

    /// <summary>Constraint forces in joint space (nv).</summary>
    public Span<double> ConstraintForces => Field(MjLayout.Data.qfrc_constraint, Model.Nv);

    /// <summary>External (contact) forces on the bodies, valid after <see cref="ComputeContactForces"/> (nbody × 6).</summary>
    public Span<double> ExternalForces => Field(MjLayout.Data.cfrc_ext, 6 * Model.BodyCount);

    /// <summary>Tendon lengths (ntendon).</summary>
    public Span<double> TendonLengths => Field(MjLayout.Data.ten_length, Model.TendonCount);

    /// <summary>Tendon velocities (ntendon).</summary>
    public Span<double> TendonVelocities => Field(MjLayout.Data.ten_velocity, Model.TendonCount);

    /// <summary>How many times MuJoCo has raised warning <paramref name="index"/> (mjtWarning) on this data.</summary>
    internal int WarningCount(int index) =>
        *(int*)((byte*)Data + MjLayout.Data.warning + index * MjLayout.Data.warning_stride + MjLayout.Data.warning_number);

    /// <summary>Total count of the instability warnings (bad qpos, qvel, qacc or ctrl).</summary>
    internal int InstabilityWarnings =>
        WarningCount(MjLayout.Data.warn_badqpos) + WarningCount(MjLayout.Data.warn_badqvel) +
        WarningCount(MjLayout.Data.warn_badqacc) + WarningCount(MjLayout.Data.warn_badctrl);

    /// <summary><c>mj_resetData</c>: qpos ← qpos0, everything else zero, including the solver's warm start.</summary>
    public void Reset() => MuJoCoLibrary.mj_resetData(Model.Handle, Data);

    /// <summary><c>mj_forward</c>: recomputes every derived quantity of the current state without integrating.</summary>
    public void Forward() => MuJoCoLibrary.mj_forward(Model.Handle, Data);

    /// <summary><c>mj_step</c>: advances one time step.</summary>
    public void Step() => MuJoCoLibrary.mj_step(Model.Handle, Data);

    /// <summary><c>mj_rnePostConstraint</c>: fills the body accelerations and the internal and external forces.</summary>
    public void ComputeContactForces() => MuJoCoLibrary.mj_rnePostConstraint(Model.Handle, Data);

    /// <summary>
    /// Starts from a given state: resets the data (so no solver warm start carries over), writes qpos and qvel, then
    /// runs <see cref="Forward"/>. This is what makes a replay from a recorded state reproduce the recording.
    /// </summary>
    public void SetState(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel)
    {
        if (qpos.Length != Model.Nq || qvel.Length != Model.Nv)
            throw new PolicyLabException($"MuJoCo model '{Model.Name}': a state needs {Model.Nq} positions and {Model.Nv} velocities; got {qpos.Length} and {qvel.Length}.");
        Reset();
        qpos.CopyTo(Qpos);
        qvel.CopyTo(Qvel);
        Forward();
    }

    /// <summary>Frees the data.</summary>
    public void Dispose()
    {
        if (_data != IntPtr.Zero)
        {
            MuJoCoLibrary.mj_deleteData(_data);
            _data = IntPtr.Zero;
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the data if it was not disposed.</summary>
    ~MuJoCoSimulation()
    {
        if (_data != IntPtr.Zero)
            MuJoCoLibrary.mj_deleteData(_data);
    }
}
