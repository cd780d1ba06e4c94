using PolicyLab.Numerics;

namespace PolicyLab.Environments.Highway;

/// <summary>
/// The simulated world: a <see cref="RoadNetwork"/>, its vehicles (traffic and the agent's cars, acting in list order)
/// and static objects (obstacles), the neighbour queries the drivers use, and one simulation frame (every vehicle acts,
/// then integrates, then every pair is checked for collisions), as highway-env's Road. Vehicles come from a pool that
/// survives resets, and lane coordinates of every body on a lane are cached per frame, so a frame allocates nothing.
/// </summary>
public sealed class Road
{
    private readonly List<Vehicle> _pool = [];
    private Vehicle[] _bodies = new Vehicle[64];
    private int _vehicleCount, _objectCount;
    // Lane-coordinate cache: per lane, the frame stamp it was filled at and (s, r) of every body by slot.
    private int[] _cacheStamp = [];
    private double[][] _cacheS = [];
    private double[][] _cacheR = [];
    private int _stamp = 1;

    /// <summary>Creates an empty road over a network.</summary>
    public Road(RoadNetwork network, Rng random)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Random = random ?? throw new ArgumentNullException(nameof(random));
        ResizeCache();
    }

    /// <summary>The lanes.</summary>
    public RoadNetwork Network { get; private set; }

    /// <summary>The random stream used by routing and scene creation.</summary>
    public Rng Random { get; }

    /// <summary>Number of vehicles (which act and move).</summary>
    public int VehicleCount => _vehicleCount;

    /// <summary>Number of static objects.</summary>
    public int ObjectCount => _objectCount;

    /// <summary>Vehicle <paramref name="i"/> in acting order.</summary>
    public Vehicle VehicleAt(int i) => _bodies[i];

    /// <summary>Object <paramref name="i"/>.</summary>
    public Vehicle ObjectAt(int i) => _bodies[_vehicleCount + i];

    /// <summary>Every body: vehicles first, then objects.</summary>
    public ReadOnlySpan<Vehicle> Bodies => _bodies.AsSpan(0, _vehicleCount + _objectCount);

    /// <summary>Removes every vehicle and object and, optionally, replaces the network.</summary>
    public void Clear(RoadNetwork? network = null)
    {
        _vehicleCount = _objectCount = 0;
        if (network is not null && !ReferenceEquals(network, Network))
        {
            Network = network;
            ResizeCache();
        }
        Invalidate();
    }

    /// <summary>Adds a vehicle (from the pool) at a pose; its lane is the closest lane, its target lane the same.</summary>
    public Vehicle AddVehicle(VehicleKind kind, double x, double y, double heading, double speed)
    {
        if (kind == VehicleKind.Obstacle)
            throw new ArgumentException("Use AddObstacle for obstacles.", nameof(kind));
        if (_objectCount > 0)
            throw new InvalidOperationException("Add vehicles before objects.");
        Vehicle v = Take();
        v.Initialize(kind, x, y, heading, speed);
        v.Lane = v.TargetLane = Network.ClosestLane(x, y, heading);
        EnsureCapacity(_vehicleCount + 1);
        _bodies[_vehicleCount++] = v;
        Invalidate();
        return v;
    }

    /// <summary>Adds a static obstacle at a position.</summary>
    public Vehicle AddObstacle(double x, double y, double heading = 0)
    {
        Vehicle v = Take();
        v.Initialize(VehicleKind.Obstacle, x, y, heading, 0);
        v.Lane = v.TargetLane = Network.ClosestLane(x, y, heading);
        EnsureCapacity(_vehicleCount + _objectCount + 1);
        _bodies[_vehicleCount + _objectCount++] = v;
        Invalidate();
        return v;
    }

    /// <summary>Marks cached lane coordinates stale (call after moving bodies by hand).</summary>
    public void Invalidate() => _stamp++;

    /// <summary>Lane coordinates (s, r) of body <paramref name="slot"/> on lane <paramref name="lane"/>, cached until bodies move.</summary>
    public (double S, double R) Coordinates(int lane, int slot)
    {
        if (_cacheStamp[lane] != _stamp)
            FillCache(lane);
        return (_cacheS[lane][slot], _cacheR[lane][slot]);
    }

    /// <summary>The slot of a body (its index in <see cref="Bodies"/>).</summary>
    public int SlotOf(Vehicle body)
    {
        Vehicle[] bodies = _bodies;
        int n = _vehicleCount + _objectCount;
        for (int i = 0; i < n; i++)
        {
            if (ReferenceEquals(bodies[i], body))
                return i;
        }
        throw new ArgumentException("The vehicle is not on this road.", nameof(body));
    }

    /// <summary>
    /// The closest body ahead (s_other ≥ s, ties to the later one) and behind (s_other &lt; s) of body
    /// <paramref name="slot"/> along <paramref name="lane"/>, among bodies on that lane within a 1 m margin (−1: none).
    /// </summary>
    public (int Front, int Rear) Neighbours(int slot, int lane)
    {
        if (_cacheStamp[lane] != _stamp)
            FillCache(lane);
        double[] ss = _cacheS[lane], rs = _cacheR[lane];
        Lane l = Network.Lanes[lane];
        double s = ss[slot];
        double half = l.Width / 2 + 1, length = l.Length;
        int front = -1, rear = -1;
        double sFront = double.PositiveInfinity, sRear = double.NegativeInfinity;
        int n = _vehicleCount + _objectCount;
        for (int i = 0; i < n; i++)
        {
            if (i == slot)
                continue;
            double sv = ss[i];
            if (!(Math.Abs(rs[i]) <= half && sv >= -Lane.VehicleLength && sv < length + Lane.VehicleLength))
                continue;
            if (s <= sv && sv <= sFront)
            {
                sFront = sv;
                front = i;
            }
            if (sv < s && sv > sRear)
            {
                sRear = sv;
                rear = i;
            }
        }
        return (front, rear);
    }

    /// <summary>s(other) − s(self) along self's current lane (highway-env's lane_distance_to).</summary>
    public double LaneDistance(int self, int other)
    {
        int lane = _bodies[self].Lane;
        return Coordinates(lane, other).S - Coordinates(lane, self).S;
    }

    /// <summary>Every vehicle decides its commands (in list order).</summary>
    public void Act()
    {
        for (int i = 0; i < _vehicleCount; i++)
        {
            Vehicle v = _bodies[i];
            switch (v.Kind)
            {
                case VehicleKind.MetaControlled:
                    DrivingBehavior.FollowTargets(this, v);
                    break;
                case VehicleKind.Idm:
                    DrivingBehavior.IdmAct(this, i);
                    break;
            }
        }
    }

    /// <summary>Every vehicle integrates over dt and updates its lane; then every pair (and vehicle–object) is checked for collisions.</summary>
    public void Step(double dt)
    {
        for (int i = 0; i < _vehicleCount; i++)
        {
            Vehicle v = _bodies[i];
            if (v.Kind == VehicleKind.Idm)
                v.Timer += dt;
            BicycleModel.Step(v, dt);
            v.Lane = Network.ClosestLane(v.X, v.Y, v.Heading);
        }
        Invalidate();
        int n = _vehicleCount + _objectCount;
        for (int i = 0; i < _vehicleCount; i++)
        {
            Vehicle v = _bodies[i];
            for (int j = i + 1; j < n; j++)
                Collisions.Handle(v, _bodies[j], dt);
        }
    }

    /// <summary>Whether a vehicle is on its current lane (highway-env's on_road).</summary>
    public bool OnRoad(Vehicle vehicle)
    {
        Lane lane = Network.Lanes[vehicle.Lane];
        return lane.ContainsPoint(vehicle.X, vehicle.Y);
    }

    private Vehicle Take()
    {
        int used = _vehicleCount + _objectCount;
        while (_pool.Count <= used)
            _pool.Add(new Vehicle());
        // Bodies in use are exactly _bodies[0..used); the pool hands out the entry not referenced there.
        return _pool[used];
    }

    private void EnsureCapacity(int count)
    {
        if (_bodies.Length < count)
            Array.Resize(ref _bodies, Math.Max(count, _bodies.Length * 2));
        foreach (double[] s in _cacheS)
            if (s.Length < _bodies.Length) { ResizeCache(); break; }
    }

    private void ResizeCache()
    {
        int lanes = Network.LaneCount;
        _cacheStamp = new int[lanes];
        _cacheS = new double[lanes][];
        _cacheR = new double[lanes][];
        for (int i = 0; i < lanes; i++)
        {
            _cacheS[i] = new double[_bodies.Length];
            _cacheR[i] = new double[_bodies.Length];
        }
    }

    private void FillCache(int lane)
    {
        Lane l = Network.Lanes[lane];
        double[] ss = _cacheS[lane], rs = _cacheR[lane];
        int n = _vehicleCount + _objectCount;
        for (int i = 0; i < n; i++)
        {
            Vehicle v = _bodies[i];
            (ss[i], rs[i]) = l.LocalCoordinates(v.X, v.Y);
        }
        _cacheStamp[lane] = _stamp;
    }
}
