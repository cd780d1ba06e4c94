using System.Runtime.CompilerServices;

namespace PolicyLab.Physics2D;

/// <summary>Receives the moments two fixtures start and stop touching (called from inside <see cref="World.Step"/>; do not change the world there).</summary>
public interface IContactListener
{
    /// <summary>The two fixtures of <paramref name="contact"/> started touching.</summary>
    void BeginContact(Contact contact);

    /// <summary>The two fixtures of <paramref name="contact"/> stopped touching (or one of them was destroyed).</summary>
    void EndContact(Contact contact);
}

/// <summary>
/// A pair of fixtures whose bounding boxes overlap, with its contact manifold. It is touching while the manifold has
/// points; the solver treats each point as a non-penetration row (with restitution) and a Coulomb friction row, and
/// solves the two normal rows of a two-point manifold together as one 2×2 complementarity problem.
/// </summary>
public sealed class Contact
{
    private Manifold _manifold;
    private ConstraintPoints _constraint;
    private Vec2 _normal;
    private int _indexA, _indexB;
    private double _mA, _mB, _iA, _iB, _radiusA, _radiusB;
    private Vec2 _localCenterA, _localCenterB;
    private double _k11, _k12, _k22;
    private bool _blockSolve;

    internal Contact() { FixtureA = null!; FixtureB = null!; }

    /// <summary>The first fixture (the edge or polygon when the pair has one).</summary>
    public Fixture FixtureA { get; private set; }

    /// <summary>The second fixture.</summary>
    public Fixture FixtureB { get; private set; }

    /// <summary>True while the shapes are within contact distance (the manifold has points).</summary>
    public bool IsTouching { get; private set; }

    /// <summary>True when either fixture is a sensor: the contact tells overlap only and has no points.</summary>
    public bool IsSensor { get; private set; }

    /// <summary>Number of contact points (0 to 2).</summary>
    public int PointCount => _manifold.PointCount;

    /// <summary>Combined friction √(f_A f_B).</summary>
    public double Friction { get; private set; }

    /// <summary>Combined restitution max(r_A, r_B).</summary>
    public double Restitution { get; private set; }

    /// <summary>The accumulated normal impulse (N·s) of contact point <paramref name="index"/> in the last step.</summary>
    public double NormalImpulse(int index) => _manifold.Points[index].NormalImpulse;

    internal long Key;
    internal int Stamp;

    internal void Initialize(Fixture a, Fixture b, long key)
    {
        FixtureA = a;
        FixtureB = b;
        Key = key;
        IsTouching = false;
        IsSensor = a.IsSensor || b.IsSensor;
        _manifold = default;
        Friction = Math.Sqrt(a.Friction * b.Friction);
        Restitution = Math.Max(a.Restitution, b.Restitution);
    }

    /// <summary>Recomputes the manifold, carries matching points' impulses over, and reports touch changes.</summary>
    internal void Update(IContactListener? listener)
    {
        Manifold old = _manifold;
        bool wasTouching = IsTouching;
        Body bodyA = FixtureA.Body, bodyB = FixtureB.Body;
        Narrowphase.Collide(ref _manifold, FixtureA.Shape, bodyA.Transform, FixtureB.Shape, bodyB.Transform);
        if (IsSensor)
        {
            // Overlap within the two skins, as a manifold with points would say; the points themselves are dropped.
            IsTouching = _manifold.PointCount > 0;
            _manifold.PointCount = 0;
            if (IsTouching != wasTouching)
            {
                if (IsTouching)
                    listener?.BeginContact(this);
                else
                    listener?.EndContact(this);
            }
            return;
        }
        for (int i = 0; i < _manifold.PointCount; i++)
        {
            ref ManifoldPoint p = ref _manifold.Points[i];
            p.NormalImpulse = 0;
            p.TangentImpulse = 0;
            for (int j = 0; j < old.PointCount; j++)
            {
                if (old.Points[j].Id == p.Id)
                {
                    p.NormalImpulse = old.Points[j].NormalImpulse;
                    p.TangentImpulse = old.Points[j].TangentImpulse;
                    break;
                }
            }
        }
        IsTouching = _manifold.PointCount > 0;
        if (IsTouching != wasTouching)
        {
            bodyA.SetAwake(true);
            bodyB.SetAwake(true);
            if (IsTouching)
                listener?.BeginContact(this);
            else
                listener?.EndContact(this);
        }
    }

    /// <summary>Forgets the touch state without reporting it (the world is being cleared).</summary>
    internal void Release()
    {
        IsTouching = false;
        _manifold.PointCount = 0;
    }

    /// <summary>World contact points and the normal (from A to B) at the bodies' current transforms.</summary>
    /// <param name="points">Receives up to two points (midway between the two surfaces).</param>
    /// <param name="separations">Receives the signed distances between the surfaces (negative: overlap).</param>
    /// <returns>The normal pointing from A to B.</returns>
    public Vec2 GetWorldManifold(Span<Vec2> points, Span<double> separations) =>
        WorldManifold(FixtureA.Body.Transform, FixtureB.Body.Transform, points, separations);

    private Vec2 WorldManifold(in Transform2 xfA, in Transform2 xfB, Span<Vec2> points, Span<double> separations)
    {
        double rA = FixtureA.Shape.Radius, rB = FixtureB.Shape.Radius;
        Vec2 normal;
        switch (_manifold.Type)
        {
            case ManifoldType.Circles:
            {
                Vec2 pA = xfA.Apply(_manifold.LocalPoint), pB = xfB.Apply(_manifold.Points[0].LocalPoint);
                normal = (pB - pA).LengthSquared > double.Epsilon * double.Epsilon ? (pB - pA).Normalized() : new Vec2(1, 0);
                Vec2 cA = pA + rA * normal, cB = pB - rB * normal;
                points[0] = 0.5 * (cA + cB);
                separations[0] = Vec2.Dot(cB - cA, normal);
                break;
            }
            default:
            {
                // The reference face belongs to A (FaceA) or B (FaceB); the points lie on the other, incident shape.
                bool faceA = _manifold.Type == ManifoldType.FaceA;
                Transform2 xfRef = faceA ? xfA : xfB, xfInc = faceA ? xfB : xfA;
                double rRef = faceA ? rA : rB, rInc = faceA ? rB : rA;
                normal = xfRef.Rotate(_manifold.LocalNormal);
                Vec2 planePoint = xfRef.Apply(_manifold.LocalPoint);
                for (int i = 0; i < _manifold.PointCount; i++)
                {
                    Vec2 clip = xfInc.Apply(_manifold.Points[i].LocalPoint);
                    Vec2 cRef = clip + (rRef - Vec2.Dot(clip - planePoint, normal)) * normal, cInc = clip - rInc * normal;
                    points[i] = 0.5 * (cRef + cInc);
                    separations[i] = Vec2.Dot(cInc - cRef, normal);
                }
                if (!faceA)
                    normal = -normal;
                break;
            }
        }
        return normal;
    }

    private struct ConstraintPoint
    {
        public Vec2 RA, RB;
        public double NormalMass, TangentMass, VelocityBias;
    }

    [InlineArray(2)]
    private struct ConstraintPoints
    {
        private ConstraintPoint _element;
    }

    private static Transform2 SolverTransform(in SolverBody b, Vec2 localCenter)
    {
        var q = new Transform2(default, b.A);
        return new Transform2(b.C - q.Rotate(localCenter), q.C, q.S);
    }

    /// <summary>Prepares the velocity rows from the manifold and the island's positions, then warm-starts.</summary>
    internal void InitVelocityConstraints(SolverBody[] bodies)
    {
        Body bodyA = FixtureA.Body, bodyB = FixtureB.Body;
        _indexA = bodyA.IslandIndex;
        _indexB = bodyB.IslandIndex;
        _mA = bodyA.InverseMass;
        _mB = bodyB.InverseMass;
        _iA = bodyA.InverseInertia;
        _iB = bodyB.InverseInertia;
        _localCenterA = bodyA.LocalCenter;
        _localCenterB = bodyB.LocalCenter;
        _radiusA = FixtureA.Shape.Radius;
        _radiusB = FixtureB.Shape.Radius;
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        Span<Vec2> points = stackalloc Vec2[2];
        Span<double> separations = stackalloc double[2];
        _normal = WorldManifold(SolverTransform(a, _localCenterA), SolverTransform(b, _localCenterB), points, separations);
        Vec2 tangent = Vec2.Cross(_normal, 1.0);
        for (int i = 0; i < _manifold.PointCount; i++)
        {
            ref ConstraintPoint cp = ref _constraint[i];
            cp.RA = points[i] - a.C;
            cp.RB = points[i] - b.C;
            double rnA = Vec2.Cross(cp.RA, _normal), rnB = Vec2.Cross(cp.RB, _normal);
            double kNormal = _mA + _mB + _iA * rnA * rnA + _iB * rnB * rnB;
            cp.NormalMass = kNormal > 0 ? 1 / kNormal : 0;
            double rtA = Vec2.Cross(cp.RA, tangent), rtB = Vec2.Cross(cp.RB, tangent);
            double kTangent = _mA + _mB + _iA * rtA * rtA + _iB * rtB * rtB;
            cp.TangentMass = kTangent > 0 ? 1 / kTangent : 0;
            double vRel = Vec2.Dot(_normal, b.V + Vec2.Cross(b.W, cp.RB) - a.V - Vec2.Cross(a.W, cp.RA));
            cp.VelocityBias = vRel < -PhysicsSettings.VelocityThreshold ? -Restitution * vRel : 0;
            ref ManifoldPoint mp = ref _manifold.Points[i];
            Vec2 p = mp.NormalImpulse * _normal + mp.TangentImpulse * tangent;
            a.W -= _iA * Vec2.Cross(cp.RA, p);
            a.V -= _mA * p;
            b.W += _iB * Vec2.Cross(cp.RB, p);
            b.V += _mB * p;
        }
        _blockSolve = false;
        if (_manifold.PointCount == 2)
        {
            double rn1A = Vec2.Cross(_constraint[0].RA, _normal), rn1B = Vec2.Cross(_constraint[0].RB, _normal);
            double rn2A = Vec2.Cross(_constraint[1].RA, _normal), rn2B = Vec2.Cross(_constraint[1].RB, _normal);
            _k11 = _mA + _mB + _iA * rn1A * rn1A + _iB * rn1B * rn1B;
            _k22 = _mA + _mB + _iA * rn2A * rn2A + _iB * rn2B * rn2B;
            _k12 = _mA + _mB + _iA * rn1A * rn2A + _iB * rn1B * rn2B;
            // Solve the pair as a block only while K is well conditioned (the points are not nearly redundant).
            _blockSolve = _k11 * _k11 < 1000.0 * (_k11 * _k22 - _k12 * _k12);
        }
    }

    /// <summary>One Gauss–Seidel sweep over the friction rows then the normal rows; returns the largest impulse change.</summary>
    internal double SolveVelocityConstraints(SolverBody[] bodies)
    {
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        Vec2 normal = _normal, tangent = Vec2.Cross(normal, 1.0);
        double largest = 0;
        int count = _manifold.PointCount;
        for (int i = 0; i < count; i++)
        {
            ref ConstraintPoint cp = ref _constraint[i];
            ref ManifoldPoint mp = ref _manifold.Points[i];
            Vec2 dv = b.V + Vec2.Cross(b.W, cp.RB) - a.V - Vec2.Cross(a.W, cp.RA);
            double lambda = -cp.TangentMass * Vec2.Dot(dv, tangent);
            double maxFriction = Friction * mp.NormalImpulse;
            double updated = Math.Clamp(mp.TangentImpulse + lambda, -maxFriction, maxFriction);
            lambda = updated - mp.TangentImpulse;
            mp.TangentImpulse = updated;
            ApplyImpulse(ref a, ref b, cp, lambda * tangent);
            largest = Math.Max(largest, Math.Abs(lambda));
        }
        if (count == 2 && _blockSolve)
        {
            largest = Math.Max(largest, SolveNormalBlock(ref a, ref b, normal));
            return largest;
        }
        for (int i = 0; i < count; i++)
        {
            ref ConstraintPoint cp = ref _constraint[i];
            ref ManifoldPoint mp = ref _manifold.Points[i];
            Vec2 dv = b.V + Vec2.Cross(b.W, cp.RB) - a.V - Vec2.Cross(a.W, cp.RA);
            double lambda = -cp.NormalMass * (Vec2.Dot(dv, normal) - cp.VelocityBias);
            double updated = Math.Max(mp.NormalImpulse + lambda, 0);
            lambda = updated - mp.NormalImpulse;
            mp.NormalImpulse = updated;
            ApplyImpulse(ref a, ref b, cp, lambda * normal);
            largest = Math.Max(largest, Math.Abs(lambda));
        }
        return largest;
    }

    /// <summary>Applies the impulse <paramref name="p"/> at a contact point: −p to body A, +p to body B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyImpulse(ref SolverBody a, ref SolverBody b, in ConstraintPoint cp, Vec2 p)
    {
        a.V -= _mA * p;
        a.W -= _iA * Vec2.Cross(cp.RA, p);
        b.V += _mB * p;
        b.W += _iB * Vec2.Cross(cp.RB, p);
    }

    /// <summary>
    /// Both normal rows of a two-point manifold at once: the 2×2 linear complementarity problem (impulses ≥ 0,
    /// separating speeds ≥ 0, one of each pair zero) solved exactly by trying its four cases in turn.
    /// </summary>
    private double SolveNormalBlock(ref SolverBody a, ref SolverBody b, Vec2 normal)
    {
        ref ConstraintPoint c1 = ref _constraint[0];
        ref ConstraintPoint c2 = ref _constraint[1];
        ref ManifoldPoint m1 = ref _manifold.Points[0];
        ref ManifoldPoint m2 = ref _manifold.Points[1];
        double ax = m1.NormalImpulse, ay = m2.NormalImpulse;
        double vn1 = Vec2.Dot(b.V + Vec2.Cross(b.W, c1.RB) - a.V - Vec2.Cross(a.W, c1.RA), normal);
        double vn2 = Vec2.Dot(b.V + Vec2.Cross(b.W, c2.RB) - a.V - Vec2.Cross(a.W, c2.RA), normal);
        // b' = vn − bias − K·a: the speeds the accumulated impulses a would leave if removed.
        double bx = vn1 - c1.VelocityBias - (_k11 * ax + _k12 * ay);
        double by = vn2 - c2.VelocityBias - (_k12 * ax + _k22 * ay);
        double x1, x2;
        double det = _k11 * _k22 - _k12 * _k12;
        x1 = -(_k22 * bx - _k12 * by) / det;
        x2 = -(_k11 * by - _k12 * bx) / det;
        if (!(x1 >= 0 && x2 >= 0))
        {
            x1 = -c1.NormalMass * bx;
            x2 = 0;
            if (!(x1 >= 0 && _k12 * x1 + by >= 0))
            {
                x1 = 0;
                x2 = -c2.NormalMass * by;
                if (!(x2 >= 0 && _k12 * x2 + bx >= 0))
                {
                    x1 = 0;
                    x2 = 0;
                    if (!(bx >= 0 && by >= 0))
                        return 0; // no case holds (degenerate); keep the impulses
                }
            }
        }
        double d1 = x1 - ax, d2 = x2 - ay;
        Vec2 p1 = d1 * normal, p2 = d2 * normal;
        a.V -= _mA * (p1 + p2);
        a.W -= _iA * (Vec2.Cross(c1.RA, p1) + Vec2.Cross(c2.RA, p2));
        b.V += _mB * (p1 + p2);
        b.W += _iB * (Vec2.Cross(c1.RB, p1) + Vec2.Cross(c2.RB, p2));
        m1.NormalImpulse = x1;
        m2.NormalImpulse = x2;
        return Math.Max(Math.Abs(d1), Math.Abs(d2));
    }

    /// <summary>One non-linear Gauss–Seidel pass removing a Baumgarte fraction of the penetration beyond the slop;
    /// returns the smallest separation found.</summary>
    internal double SolvePositionConstraints(SolverBody[] bodies)
    {
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        double minSeparation = 0;
        for (int i = 0; i < _manifold.PointCount; i++)
        {
            Transform2 xfA = SolverTransform(a, _localCenterA), xfB = SolverTransform(b, _localCenterB);
            Vec2 normal, point;
            double separation;
            switch (_manifold.Type)
            {
                case ManifoldType.Circles:
                {
                    Vec2 pA = xfA.Apply(_manifold.LocalPoint), pB = xfB.Apply(_manifold.Points[0].LocalPoint);
                    normal = (pB - pA).Normalized();
                    point = 0.5 * (pA + pB);
                    separation = Vec2.Dot(pB - pA, normal) - _radiusA - _radiusB;
                    break;
                }
                default:
                {
                    bool faceA = _manifold.Type == ManifoldType.FaceA;
                    Transform2 xfRef = faceA ? xfA : xfB, xfInc = faceA ? xfB : xfA;
                    normal = xfRef.Rotate(_manifold.LocalNormal);
                    Vec2 clip = xfInc.Apply(_manifold.Points[i].LocalPoint);
                    separation = Vec2.Dot(clip - xfRef.Apply(_manifold.LocalPoint), normal) - _radiusA - _radiusB;
                    point = clip;
                    if (!faceA)
                        normal = -normal;
                    break;
                }
            }
            Vec2 rA = point - a.C, rB = point - b.C;
            minSeparation = Math.Min(minSeparation, separation);
            double c = Math.Clamp(PhysicsSettings.Baumgarte * (separation + PhysicsSettings.LinearSlop), -PhysicsSettings.MaxLinearCorrection, 0);
            double rnA = Vec2.Cross(rA, normal), rnB = Vec2.Cross(rB, normal);
            double k = _mA + _mB + _iA * rnA * rnA + _iB * rnB * rnB;
            double impulse = k > 0 ? -c / k : 0;
            Vec2 p = impulse * normal;
            a.C -= _mA * p;
            a.A -= _iA * Vec2.Cross(rA, p);
            b.C += _mB * p;
            b.A += _iB * Vec2.Cross(rB, p);
        }
        return minSeparation;
    }
}
