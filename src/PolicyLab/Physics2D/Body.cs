namespace PolicyLab.Physics2D;

/// <summary>How a body moves.</summary>
public enum BodyType
{
    /// <summary>Never moves; infinite mass.</summary>
    Static,
    /// <summary>Moves under forces, contacts and joints.</summary>
    Dynamic,
}

/// <summary>
/// A rigid body: a position and angle of its origin, a centre of mass computed from its fixtures, linear and angular
/// velocity, accumulated force and torque (cleared after every step), damping, and a sleep state.
/// </summary>
public sealed class Body
{
    private readonly List<Fixture> _fixtures = [];
    private Vec2 _origin;
    private double _angle;

    internal Body(World world, BodyType type, Vec2 position, double angle, int id)
    {
        World = world;
        Initialize(type, position, angle, id);
    }

    /// <summary>Sets every field as a new body of <paramref name="type"/> at <paramref name="position"/> has it (also
    /// when the world hands out a recycled body, see <see cref="World.Recycle"/>).</summary>
    internal void Initialize(BodyType type, Vec2 position, double angle, int id)
    {
        Type = type;
        _fixtures.Clear();
        Joints.Clear();
        _origin = position;
        _angle = angle;
        Center = position;
        Transform = new Transform2(position, angle);
        LocalCenter = default;
        LinearVelocity = default;
        AngularVelocity = 0;
        Mass = type == BodyType.Dynamic ? 1 : 0;
        InverseMass = Mass;
        Inertia = 0;
        InverseInertia = 0;
        LinearDamping = 0;
        AngularDamping = 0;
        GravityScale = 1;
        AllowSleep = true;
        IsAwake = type == BodyType.Dynamic;
        Force = default;
        Torque = 0;
        UserData = null;
        SleepTime = 0;
        Id = id;
        IslandIndex = 0;
        IslandStamp = 0;
    }

    /// <summary>The world the body lives in.</summary>
    public World World { get; }

    /// <summary>Static or dynamic.</summary>
    public BodyType Type { get; private set; }

    /// <summary>The fixtures attached to the body, in creation order.</summary>
    public IReadOnlyList<Fixture> Fixtures => _fixtures;

    internal List<Fixture> FixtureList => _fixtures;

    /// <summary>The world position of the body origin.</summary>
    public Vec2 Position => _origin;

    /// <summary>The body angle (rad, counter-clockwise).</summary>
    public double Angle => _angle;

    /// <summary>The body transform (origin and angle).</summary>
    public Transform2 Transform { get; private set; }

    /// <summary>The centre of mass in world coordinates.</summary>
    public Vec2 WorldCenter => Center;

    /// <summary>The centre of mass in body coordinates.</summary>
    public Vec2 LocalCenter { get; private set; }

    /// <summary>Velocity of the centre of mass (m/s).</summary>
    public Vec2 LinearVelocity { get; set; }

    /// <summary>Angular velocity (rad/s, counter-clockwise).</summary>
    public double AngularVelocity { get; set; }

    /// <summary>Mass (kg); 0 for static bodies.</summary>
    public double Mass { get; private set; }

    /// <summary>Rotational inertia about the centre of mass (kg·m²).</summary>
    public double Inertia { get; private set; }

    /// <summary>Velocity damping rate (1/s): each step scales the velocity by 1/(1 + dt·damping).</summary>
    public double LinearDamping { get; set; }

    /// <summary>Angular velocity damping rate (1/s).</summary>
    public double AngularDamping { get; set; }

    /// <summary>Scale of world gravity for this body.</summary>
    public double GravityScale { get; set; } = 1;

    /// <summary>Whether the body may fall asleep when at rest.</summary>
    public bool AllowSleep { get; set; } = true;

    /// <summary>False once the body's island has been at rest for <see cref="PhysicsSettings.TimeToSleep"/>; a sleeping body is not simulated until something wakes it.</summary>
    public bool IsAwake { get; private set; }

    /// <summary>The force accumulated for the next step (N).</summary>
    public Vec2 Force { get; private set; }

    /// <summary>The torque accumulated for the next step (N·m).</summary>
    public double Torque { get; private set; }

    /// <summary>Anything the user wants to reach from the body.</summary>
    public object? UserData { get; set; }

    internal Vec2 Center;
    internal double InverseMass;
    internal double InverseInertia;
    internal double SleepTime;
    internal int Id;
    internal int IslandIndex;
    internal int IslandStamp;
    internal readonly List<RevoluteJoint> Joints = [];

    /// <summary>Attaches a shape with the given material and filter; dynamic bodies recompute their mass.</summary>
    public Fixture CreateFixture(Shape shape, in FixtureDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(shape);
        World.CheckUnlocked();
        Fixture fixture = World.NewFixture(this, shape, definition);
        fixture.Aabb = shape.ComputeAabb(Transform);
        _fixtures.Add(fixture);
        World.AddFixture(fixture);
        if (Type == BodyType.Dynamic)
            ResetMassData();
        return fixture;
    }

    /// <summary>Recomputes mass, centre of mass and inertia from the fixtures (a body without density gets mass 1).</summary>
    public void ResetMassData()
    {
        Mass = 0;
        InverseMass = 0;
        Inertia = 0;
        InverseInertia = 0;
        LocalCenter = default;
        if (Type == BodyType.Static)
        {
            Center = _origin;
            return;
        }
        double mass = 0, inertia = 0;
        Vec2 center = default;
        foreach (Fixture f in _fixtures)
        {
            if (f.Density == 0)
                continue;
            MassData m = f.Shape.ComputeMass(f.Density);
            mass += m.Mass;
            center += m.Mass * m.Center;
            inertia += m.InertiaAboutOrigin;
        }
        if (mass > 0)
        {
            Mass = mass;
            InverseMass = 1 / mass;
            center = (1 / mass) * center;
        }
        else
        {
            Mass = 1;
            InverseMass = 1;
        }
        if (inertia > 0)
        {
            Inertia = inertia - Mass * Vec2.Dot(center, center);
            InverseInertia = Inertia > 0 ? 1 / Inertia : 0;
        }
        Vec2 oldCenter = Center;
        LocalCenter = center;
        Center = Transform.Apply(center);
        LinearVelocity += Vec2.Cross(AngularVelocity, Center - oldCenter);
    }

    /// <summary>Moves the body origin to <paramref name="position"/> with <paramref name="angle"/> (velocities are kept).</summary>
    public void SetTransform(Vec2 position, double angle)
    {
        World.CheckUnlocked();
        _origin = position;
        _angle = angle;
        Transform = new Transform2(position, angle);
        Center = Transform.Apply(LocalCenter);
        foreach (Fixture f in _fixtures)
            f.Aabb = f.Shape.ComputeAabb(Transform);
    }

    /// <summary>Wakes the body (resetting its sleep timer) or puts it to sleep (clearing velocities and forces).</summary>
    public void SetAwake(bool awake)
    {
        if (Type == BodyType.Static)
            return;
        if (awake)
        {
            if (!IsAwake)
            {
                IsAwake = true;
                SleepTime = 0;
            }
        }
        else
        {
            IsAwake = false;
            SleepTime = 0;
            LinearVelocity = default;
            AngularVelocity = 0;
            Force = default;
            Torque = 0;
        }
    }

    /// <summary>Adds a force (N) at a world point for the next step; it also produces a torque about the centre of mass.</summary>
    /// <param name="force">The force in world coordinates.</param>
    /// <param name="point">The world point where it acts.</param>
    /// <param name="wake">Wake the body if it sleeps (otherwise a sleeping body ignores the force).</param>
    public void ApplyForce(Vec2 force, Vec2 point, bool wake = true)
    {
        if (!Prepare(wake))
            return;
        Force += force;
        Torque += Vec2.Cross(point - Center, force);
    }

    /// <summary>Adds a force (N) at the centre of mass for the next step.</summary>
    public void ApplyForceToCenter(Vec2 force, bool wake = true)
    {
        if (Prepare(wake))
            Force += force;
    }

    /// <summary>Adds a torque (N·m) for the next step.</summary>
    public void ApplyTorque(double torque, bool wake = true)
    {
        if (Prepare(wake))
            Torque += torque;
    }

    /// <summary>Changes the velocity at once by an impulse (N·s) at a world point (linear and angular velocity change).</summary>
    public void ApplyLinearImpulse(Vec2 impulse, Vec2 point, bool wake = true)
    {
        if (!Prepare(wake))
            return;
        LinearVelocity += InverseMass * impulse;
        AngularVelocity += InverseInertia * Vec2.Cross(point - Center, impulse);
    }

    /// <summary>Changes the velocity at once by an impulse (N·s) at the centre of mass.</summary>
    public void ApplyLinearImpulseToCenter(Vec2 impulse, bool wake = true)
    {
        if (Prepare(wake))
            LinearVelocity += InverseMass * impulse;
    }

    /// <summary>Changes the angular velocity at once by an angular impulse (N·m·s).</summary>
    public void ApplyAngularImpulse(double impulse, bool wake = true)
    {
        if (Prepare(wake))
            AngularVelocity += InverseInertia * impulse;
    }

    private bool Prepare(bool wake)
    {
        if (Type != BodyType.Dynamic)
            return false;
        if (wake && !IsAwake)
            SetAwake(true);
        return IsAwake;
    }

    /// <summary>Maps a body-local point to world coordinates.</summary>
    public Vec2 GetWorldPoint(Vec2 local) => Transform.Apply(local);

    /// <summary>Maps a world point to body coordinates.</summary>
    public Vec2 GetLocalPoint(Vec2 world) => Transform.ApplyInverse(world);

    /// <summary>Rotates a body-local vector into world orientation.</summary>
    public Vec2 GetWorldVector(Vec2 local) => Transform.Rotate(local);

    /// <summary>The velocity of the material point at a world position.</summary>
    public Vec2 GetLinearVelocityFromWorldPoint(Vec2 world) => LinearVelocity + Vec2.Cross(AngularVelocity, world - Center);

    /// <summary>Kinetic energy (J).</summary>
    public double KineticEnergy => 0.5 * (Mass * LinearVelocity.LengthSquared + Inertia * AngularVelocity * AngularVelocity);

    internal void ClearForces()
    {
        Force = default;
        Torque = 0;
    }

    /// <summary>Writes back the solver's centre-of-mass position and angle and refreshes the transform.</summary>
    internal void SetSolverState(Vec2 center, double angle)
    {
        Center = center;
        _angle = angle;
        var t = new Transform2(default, angle);
        _origin = center - t.Rotate(LocalCenter);
        Transform = new Transform2(_origin, t.C, t.S);
    }

    internal void RefreshFixtureBounds()
    {
        foreach (Fixture f in _fixtures)
            f.Aabb = f.Shape.ComputeAabb(Transform);
    }

    internal void AdvanceSleepTimer(double dt, ref double minSleepTime)
    {
        if (!AllowSleep
            || AngularVelocity * AngularVelocity > PhysicsSettings.AngularSleepTolerance * PhysicsSettings.AngularSleepTolerance
            || LinearVelocity.LengthSquared > PhysicsSettings.LinearSleepTolerance * PhysicsSettings.LinearSleepTolerance)
        {
            SleepTime = 0;
            minSleepTime = 0;
        }
        else
        {
            SleepTime += dt;
            minSleepTime = Math.Min(minSleepTime, SleepTime);
        }
    }
}
