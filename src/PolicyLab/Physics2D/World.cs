namespace PolicyLab.Physics2D;

/// <summary>The nearest fixture hit by a ray cast.</summary>
/// <param name="Fixture">The fixture hit.</param>
/// <param name="Point">The world point of the hit.</param>
/// <param name="Normal">The surface normal at the hit, facing the ray.</param>
/// <param name="Fraction">Where along p1 → p2 the hit lies (0 at p1, 1 at p2).</param>
public readonly record struct RayCastHit(Fixture Fixture, Vec2 Point, Vec2 Normal, double Fraction);

/// <summary>
/// A 2-D rigid-body world stepped with a fixed time step: semi-implicit Euler integration, contacts and joints solved by
/// sequential impulses with warm starting (velocity iterations), then non-linear Gauss–Seidel position correction
/// (position iterations), per island of bodies connected by touching contacts and joints. An island whose bodies all
/// stay below the sleep tolerances for <see cref="PhysicsSettings.TimeToSleep"/> falls asleep and is not simulated
/// until something wakes it. Everything runs in a fixed order in double precision, so the same calls give
/// bit-identical results.
/// </summary>
public sealed class World
{
    private readonly List<Body> _bodies = [];
    private readonly List<Fixture> _fixtures = [];
    private readonly List<Fixture> _dynamicFixtures = [];
    private readonly List<RevoluteJoint> _joints = [];
    private readonly List<Contact> _contacts = [];
    private readonly Dictionary<long, Contact> _contactByKey = [];
    private readonly Stack<Contact> _contactPool = new();
    // What Recycle kept for reuse, handed out again in the order it was created.
    private readonly Stack<Body> _bodyPool = new();
    private readonly Stack<Fixture> _fixturePool = new();
    private readonly Stack<RevoluteJoint> _jointPool = new();
    private readonly List<Body> _islandBodies = [];
    private readonly List<Contact> _islandContacts = [];
    private readonly List<RevoluteJoint> _islandJoints = [];
    private SolverBody[] _solverBodies = new SolverBody[8];
    private int[] _parent = new int[8];
    private int[] _next = new int[8];
    private int[] _head = new int[8];
    private int[] _tail = new int[8];
    private bool[] _islandAwake = new bool[8];
    private int _fixtureIds, _bodyIds, _stamp, _islandStamp;
    private bool _locked;

    /// <summary>Creates an empty world.</summary>
    /// <param name="gravity">Acceleration of gravity (m/s²), e.g. (0, −10).</param>
    public World(Vec2 gravity) => Gravity = gravity;

    /// <summary>Acceleration of gravity (m/s²).</summary>
    public Vec2 Gravity { get; set; }

    /// <summary>Whether islands at rest may fall asleep.</summary>
    public bool AllowSleeping { get; set; } = true;

    /// <summary>Receives begin/end-contact events during <see cref="Step"/>.</summary>
    public IContactListener? ContactListener { get; set; }

    /// <summary>The bodies, in creation order.</summary>
    public IReadOnlyList<Body> Bodies => _bodies;

    /// <summary>The joints, in creation order.</summary>
    public IReadOnlyList<RevoluteJoint> Joints => _joints;

    /// <summary>The current contacts (pairs with overlapping bounds; see <see cref="Contact.IsTouching"/>).</summary>
    public IReadOnlyList<Contact> Contacts => _contacts;

    /// <summary>Velocity iterations of the last step that actually ran (at most the number asked for; a sweep that
    /// changes no impulse by more than <see cref="PhysicsSettings.VelocityConvergence"/> ends the phase).</summary>
    public int LastVelocityIterations { get; private set; }

    internal int NextFixtureId() => _fixtureIds++;

    internal void CheckUnlocked()
    {
        if (_locked)
            throw new PolicyLabException("Physics2D: the world cannot be changed during a step (for example from a contact listener). Record what to change and apply it after Step returns.");
    }

    /// <summary>Adds a body whose origin is at <paramref name="position"/> with <paramref name="angle"/>.</summary>
    public Body CreateBody(BodyType type, Vec2 position, double angle = 0)
    {
        CheckUnlocked();
        if (!double.IsFinite(position.X) || !double.IsFinite(position.Y) || !double.IsFinite(angle))
            throw new PolicyLabException($"Physics2D: a body needs a finite position and angle; got ({position.X}, {position.Y}), {angle}.");
        Body body;
        if (_bodyPool.TryPop(out Body? spare))
        {
            body = spare;
            body.Initialize(type, position, angle, _bodyIds++);
        }
        else
        {
            body = new Body(this, type, position, angle, _bodyIds++);
        }
        _bodies.Add(body);
        return body;
    }

    internal Fixture NewFixture(Body body, Shape shape, in FixtureDefinition definition)
    {
        if (!_fixturePool.TryPop(out Fixture? fixture))
            return new Fixture(body, shape, definition, NextFixtureId());
        fixture.Initialize(body, shape, definition, NextFixtureId());
        return fixture;
    }

    internal void AddFixture(Fixture fixture)
    {
        _fixtures.Add(fixture);
        if (fixture.Body.Type == BodyType.Dynamic)
            _dynamicFixtures.Add(fixture);
    }

    /// <summary>Pins two bodies together with a revolute joint (both are woken).</summary>
    public RevoluteJoint CreateRevoluteJoint(RevoluteJointDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CheckUnlocked();
        if (definition.BodyA.World != this || definition.BodyB.World != this)
            throw new PolicyLabException("Physics2D: both bodies of a joint must belong to the world that creates it.");
        RevoluteJoint joint;
        if (_jointPool.TryPop(out RevoluteJoint? spare))
        {
            joint = spare;
            joint.Initialize(definition);
        }
        else
        {
            joint = new RevoluteJoint(definition);
        }
        _joints.Add(joint);
        definition.BodyA.Joints.Add(joint);
        definition.BodyB.Joints.Add(joint);
        definition.BodyA.SetAwake(true);
        definition.BodyB.SetAwake(true);
        if (!joint.CollideConnected)
        {
            // Contacts between the joined bodies end now.
            for (int i = _contacts.Count - 1; i >= 0; i--)
            {
                Contact c = _contacts[i];
                if ((c.FixtureA.Body == joint.BodyA && c.FixtureB.Body == joint.BodyB) || (c.FixtureA.Body == joint.BodyB && c.FixtureB.Body == joint.BodyA))
                    DestroyContactAt(i, report: true);
            }
        }
        return joint;
    }

    /// <summary>Removes a body with its fixtures, joints and contacts (touching contacts report their end).</summary>
    public void DestroyBody(Body body)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckUnlocked();
        if (body.World != this || !_bodies.Remove(body))
            throw new PolicyLabException("Physics2D: the body does not belong to this world (or was already destroyed).");
        foreach (RevoluteJoint joint in body.Joints)
        {
            _joints.Remove(joint);
            Body other = joint.BodyA == body ? joint.BodyB : joint.BodyA;
            other.Joints.Remove(joint);
            other.SetAwake(true);
        }
        body.Joints.Clear();
        for (int i = _contacts.Count - 1; i >= 0; i--)
        {
            Contact c = _contacts[i];
            if (c.FixtureA.Body == body || c.FixtureB.Body == body)
                DestroyContactAt(i, report: true);
        }
        foreach (Fixture f in body.FixtureList)
        {
            _fixtures.Remove(f);
            _dynamicFixtures.Remove(f);
        }
    }

    /// <summary>Removes every body, joint and contact without reporting contact ends (a fresh world, keeping the pools).</summary>
    public void Clear()
    {
        CheckUnlocked();
        ClearContents();
    }

    /// <summary>
    /// Removes everything as <see cref="Clear"/> does and keeps the removed bodies, fixtures and joints to be handed out
    /// again, in their creation order, by the next <see cref="CreateBody"/>, <see cref="Body.CreateFixture"/> and
    /// <see cref="CreateRevoluteJoint"/> calls, each reset to exactly what a new object holds; so a world rebuilt the
    /// same way after it allocates nothing and steps bit-identically. Bodies, fixtures and joints obtained before the
    /// call must not be used after it.
    /// </summary>
    public void Recycle()
    {
        CheckUnlocked();
        for (int i = _joints.Count - 1; i >= 0; i--)
            _jointPool.Push(_joints[i]);
        for (int i = _bodies.Count - 1; i >= 0; i--)
        {
            List<Fixture> fixtures = _bodies[i].FixtureList;
            for (int k = fixtures.Count - 1; k >= 0; k--)
                _fixturePool.Push(fixtures[k]);
            _bodyPool.Push(_bodies[i]);
        }
        ClearContents();
    }

    private void ClearContents()
    {
        foreach (Contact c in _contacts)
        {
            c.Release();
            _contactPool.Push(c);
        }
        _contacts.Clear();
        _contactByKey.Clear();
        _bodies.Clear();
        _fixtures.Clear();
        _dynamicFixtures.Clear();
        _joints.Clear();
        _fixtureIds = 0;
        _bodyIds = 0;
    }

    private void DestroyContactAt(int index, bool report)
    {
        Contact c = _contacts[index];
        if (c.IsTouching)
        {
            if (report)
                ContactListener?.EndContact(c);
            if (!c.IsSensor)
            {
                c.FixtureA.Body.SetAwake(true);
                c.FixtureB.Body.SetAwake(true);
            }
        }
        c.Release();
        _contacts.RemoveAt(index);
        _contactByKey.Remove(c.Key);
        _contactPool.Push(c);
    }

    private static bool Jointed(Body a, Body b)
    {
        foreach (RevoluteJoint j in a.Joints)
        {
            if (!j.CollideConnected && (j.BodyA == b || j.BodyB == b))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Advances the world by <paramref name="dt"/> seconds: updates contacts (reporting touch changes), then solves
    /// each awake island with the given iteration counts, integrates, corrects positions, updates sleep timers, and
    /// clears all forces and torques.
    /// </summary>
    public void Step(double dt, int velocityIterations, int positionIterations)
    {
        if (!(dt > 0) || !double.IsFinite(dt))
            throw new PolicyLabException($"Physics2D: the time step must be positive and finite; got {dt}.");
        if (velocityIterations < 1 || positionIterations < 0)
            throw new PolicyLabException($"Physics2D: need at least one velocity iteration and no negative position iterations; got {velocityIterations} and {positionIterations}.");
        _locked = true;
        try
        {
            Collide();
            Solve(dt, velocityIterations, positionIterations);
        }
        finally
        {
            _locked = false;
        }
        foreach (Body b in _bodies)
            b.ClearForces();
    }

    private static bool Active(Body b) => b.Type == BodyType.Dynamic && b.IsAwake;

    private void Collide()
    {
        int stamp = ++_stamp;
        // Existing contacts: drop the pairs whose bounds separated; refresh the rest (unless both bodies sleep).
        for (int i = _contacts.Count - 1; i >= 0; i--)
        {
            Contact c = _contacts[i];
            Body a = c.FixtureA.Body, b = c.FixtureB.Body;
            c.Stamp = stamp;
            if (!Active(a) && !Active(b))
                continue;
            if (!c.FixtureA.Aabb.Overlaps(c.FixtureB.Aabb))
                DestroyContactAt(i, report: true);
        }
        // New pairs: every dynamic fixture against every fixture of another body (dynamic pairs once).
        foreach (Fixture d in _dynamicFixtures)
        {
            Body bd = d.Body;
            bool activeD = bd.IsAwake;
            foreach (Fixture f in _fixtures)
            {
                Body bf = f.Body;
                if (bf == bd || (bf.Type == BodyType.Dynamic && f.Id <= d.Id))
                    continue;
                if (!activeD && !Active(bf))
                    continue;
                if (!d.Aabb.Overlaps(f.Aabb) || !CollisionFilter.ShouldCollide(d.Filter, f.Filter))
                    continue;
                if (!Narrowphase.Order(d, f, out Fixture fa, out Fixture fb))
                    continue;
                long key = (long)Math.Min(d.Id, f.Id) << 32 | (uint)Math.Max(d.Id, f.Id);
                if (_contactByKey.ContainsKey(key) || Jointed(bd, bf))
                    continue;
                Contact c = _contactPool.Count > 0 ? _contactPool.Pop() : new Contact();
                c.Initialize(fa, fb, key);
                c.Stamp = stamp - 1;
                _contacts.Add(c);
                _contactByKey.Add(key, c);
            }
        }
        // Narrow phase for every contact with an awake body, in list order.
        foreach (Contact c in _contacts)
        {
            if (Active(c.FixtureA.Body) || Active(c.FixtureB.Body))
                c.Update(ContactListener);
        }
    }

    private int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]];
            i = _parent[i];
        }
        return i;
    }

    private void Union(Body a, Body b)
    {
        if (a.Type != BodyType.Dynamic || b.Type != BodyType.Dynamic)
            return;
        int ra = Find(a.IslandIndex), rb = Find(b.IslandIndex);
        if (ra == rb)
            return;
        if (ra < rb)
            _parent[rb] = ra;
        else
            _parent[ra] = rb;
    }

    private void Grow(int n)
    {
        if (_parent.Length >= n)
            return;
        int size = Math.Max(n, 2 * _parent.Length);
        _parent = new int[size];
        _next = new int[size];
        _head = new int[size];
        _tail = new int[size];
        _islandAwake = new bool[size];
    }

    private void Solve(double dt, int velocityIterations, int positionIterations)
    {
        int n = _bodies.Count;
        Grow(n);
        for (int i = 0; i < n; i++)
        {
            _bodies[i].IslandIndex = i;
            _parent[i] = i;
        }
        foreach (Contact c in _contacts)
        {
            if (c.IsTouching && !c.IsSensor)
                Union(c.FixtureA.Body, c.FixtureB.Body);
        }
        foreach (RevoluteJoint j in _joints)
            Union(j.BodyA, j.BodyB);
        for (int i = 0; i < n; i++)
        {
            _head[i] = -1;
            _islandAwake[i] = false;
        }
        for (int i = 0; i < n; i++)
        {
            Body b = _bodies[i];
            if (b.Type != BodyType.Dynamic)
                continue;
            int r = Find(i);
            _next[i] = -1;
            if (_head[r] < 0)
                _head[r] = i;
            else
                _next[_tail[r]] = i;
            _tail[r] = i;
            _islandAwake[r] |= b.IsAwake;
        }
        for (int r = 0; r < n; r++)
        {
            if (_head[r] < 0 || !_islandAwake[r])
                continue;
            _islandBodies.Clear();
            _islandContacts.Clear();
            _islandJoints.Clear();
            int stamp = ++_islandStamp;
            for (int i = _head[r]; i >= 0; i = _next[i])
            {
                Body b = _bodies[i];
                b.SetAwake(true);
                b.IslandStamp = stamp;
                _islandBodies.Add(b);
            }
            foreach (Contact c in _contacts)
            {
                if (c.IsTouching && !c.IsSensor && (c.FixtureA.Body.IslandStamp == stamp || c.FixtureB.Body.IslandStamp == stamp))
                    _islandContacts.Add(c);
            }
            foreach (RevoluteJoint j in _joints)
            {
                if (j.BodyA.IslandStamp == stamp || j.BodyB.IslandStamp == stamp)
                    _islandJoints.Add(j);
            }
            SolveIsland(dt, velocityIterations, positionIterations, stamp);
        }
    }

    private void SolveIsland(double dt, int velocityIterations, int positionIterations, int stamp)
    {
        int dynamicCount = _islandBodies.Count;
        // Static bodies touching the island get solver slots after the dynamic ones.
        foreach (Contact c in _islandContacts)
        {
            AddStatic(c.FixtureA.Body, stamp);
            AddStatic(c.FixtureB.Body, stamp);
        }
        foreach (RevoluteJoint j in _islandJoints)
        {
            AddStatic(j.BodyA, stamp);
            AddStatic(j.BodyB, stamp);
        }
        if (_solverBodies.Length < _islandBodies.Count)
            _solverBodies = new SolverBody[Math.Max(_islandBodies.Count, 2 * _solverBodies.Length)];
        SolverBody[] sb = _solverBodies;
        Vec2 gravity = Gravity;
        for (int i = 0; i < _islandBodies.Count; i++)
        {
            Body b = _islandBodies[i];
            b.IslandIndex = i;
            ref SolverBody s = ref sb[i];
            s.C = b.Center;
            s.A = b.Angle;
            if (i < dynamicCount)
            {
                Vec2 v = b.LinearVelocity + dt * (b.GravityScale * gravity + b.InverseMass * b.Force);
                double w = b.AngularVelocity + dt * b.InverseInertia * b.Torque;
                v = 1.0 / (1.0 + dt * b.LinearDamping) * v;
                w *= 1.0 / (1.0 + dt * b.AngularDamping);
                s.V = v;
                s.W = w;
            }
            else
            {
                s.V = default;
                s.W = 0;
            }
        }

        foreach (Contact c in _islandContacts)
            c.InitVelocityConstraints(sb);
        foreach (RevoluteJoint j in _islandJoints)
            j.InitVelocityConstraints(sb, dt);
        int iterations = 0;
        for (int it = 0; it < velocityIterations; it++)
        {
            iterations++;
            double largest = 0;
            foreach (RevoluteJoint j in _islandJoints)
                largest = Math.Max(largest, j.SolveVelocityConstraints(sb, dt));
            foreach (Contact c in _islandContacts)
                largest = Math.Max(largest, c.SolveVelocityConstraints(sb));
            if (largest < PhysicsSettings.VelocityConvergence)
                break;
        }
        LastVelocityIterations = iterations;

        for (int i = 0; i < dynamicCount; i++)
        {
            ref SolverBody s = ref sb[i];
            Vec2 translation = dt * s.V;
            if (translation.LengthSquared > PhysicsSettings.MaxTranslation * PhysicsSettings.MaxTranslation)
                s.V = PhysicsSettings.MaxTranslation / translation.Length * s.V;
            double rotation = dt * s.W;
            if (rotation * rotation > PhysicsSettings.MaxRotation * PhysicsSettings.MaxRotation)
                s.W *= PhysicsSettings.MaxRotation / Math.Abs(rotation);
            s.C += dt * s.V;
            s.A += dt * s.W;
        }

        bool positionSolved = false;
        for (int it = 0; it < positionIterations; it++)
        {
            double minSeparation = 0;
            foreach (Contact c in _islandContacts)
                minSeparation = Math.Min(minSeparation, c.SolvePositionConstraints(sb));
            bool contactsOkay = minSeparation >= -3 * PhysicsSettings.LinearSlop;
            bool jointsOkay = true;
            foreach (RevoluteJoint j in _islandJoints)
                jointsOkay &= j.SolvePositionConstraints(sb);
            if (contactsOkay && jointsOkay)
            {
                positionSolved = true;
                break;
            }
        }

        double minSleepTime = double.MaxValue;
        for (int i = 0; i < dynamicCount; i++)
        {
            Body b = _islandBodies[i];
            ref SolverBody s = ref sb[i];
            b.SetSolverState(s.C, s.A);
            b.LinearVelocity = s.V;
            b.AngularVelocity = s.W;
            b.RefreshFixtureBounds();
            if (AllowSleeping)
                b.AdvanceSleepTimer(dt, ref minSleepTime);
        }
        if (AllowSleeping && minSleepTime >= PhysicsSettings.TimeToSleep && positionSolved)
        {
            for (int i = 0; i < dynamicCount; i++)
                _islandBodies[i].SetAwake(false);
        }
    }

    private void AddStatic(Body b, int stamp)
    {
        if (b.Type == BodyType.Static && b.IslandStamp != stamp)
        {
            b.IslandStamp = stamp;
            _islandBodies.Add(b);
        }
    }

    /// <summary>
    /// The nearest fixture crossed by the segment p1 → p2 among fixtures whose category shares a bit with
    /// <paramref name="categoryMask"/> (ties keep the earlier-created fixture).
    /// </summary>
    public bool RayCastClosest(Vec2 p1, Vec2 p2, out RayCastHit hit, ushort categoryMask = 0xFFFF)
    {
        hit = default;
        double best = 1;
        bool found = false;
        var ray = new Aabb(Vec2.Min(p1, p2), Vec2.Max(p1, p2));
        foreach (Fixture f in _fixtures)
        {
            if ((f.Filter.Category & categoryMask) == 0 || !f.Aabb.Overlaps(ray))
                continue;
            if (f.Shape.RayCast(p1, p2, best, f.Body.Transform, out double fraction, out Vec2 normal) && (!found || fraction < best))
            {
                best = fraction;
                found = true;
                hit = new RayCastHit(f, p1 + fraction * (p2 - p1), normal, fraction);
            }
        }
        return found;
    }
}
