namespace PolicyLab.Physics2D;

/// <summary>The settings of a revolute joint: two bodies pinned at a common point, free to rotate relative to each other.</summary>
/// <param name="BodyA">The first body.</param>
/// <param name="BodyB">The second body.</param>
/// <param name="LocalAnchorA">The pin in body A's coordinates.</param>
/// <param name="LocalAnchorB">The pin in body B's coordinates.</param>
public sealed record RevoluteJointDefinition(Body BodyA, Body BodyB, Vec2 LocalAnchorA, Vec2 LocalAnchorB)
{
    /// <summary>Body B's angle minus body A's angle at which the joint angle is zero.</summary>
    public double ReferenceAngle { get; init; }

    /// <summary>Keep the joint angle within [<see cref="LowerAngle"/>, <see cref="UpperAngle"/>].</summary>
    public bool EnableLimit { get; init; }

    /// <summary>Lower joint angle (rad).</summary>
    public double LowerAngle { get; init; }

    /// <summary>Upper joint angle (rad).</summary>
    public double UpperAngle { get; init; }

    /// <summary>Drive the relative angular speed towards <see cref="MotorSpeed"/> with at most <see cref="MaxMotorTorque"/>.</summary>
    public bool EnableMotor { get; init; }

    /// <summary>Target relative angular speed (rad/s).</summary>
    public double MotorSpeed { get; init; }

    /// <summary>The largest torque (N·m) the motor exerts.</summary>
    public double MaxMotorTorque { get; init; }

    /// <summary>Whether the two bodies still collide with each other.</summary>
    public bool CollideConnected { get; init; }
}

/// <summary>
/// A revolute (pin) joint solved with sequential impulses: a 2-D point constraint; an optional angle limit, solved
/// together with the point rows as one 3×3 block while the angle is at a limit (one-sided: released when it would
/// pull) and corrected in the position phase; and an optional velocity motor whose accumulated impulse per step is
/// bounded by the maximum torque times the step (solved in one block with the point rows while no limit is active,
/// and as its own row before the limit block when one is; driving into an active limit it sits at the bound).
/// </summary>
public sealed class RevoluteJoint
{
    private Vec2 _impulse;
    private double _motorImpulse, _limitImpulse;
    private LimitState _limitState;
    private int _indexA, _indexB;
    private Vec2 _localCenterA, _localCenterB, _rA, _rB;
    private double _mA, _mB, _iA, _iB, _axialMass;
    private double _k11, _k12, _k13, _k22, _k23, _k33;

    internal RevoluteJoint(RevoluteJointDefinition d) => Initialize(d);

    /// <summary>Sets every field as a new joint from <paramref name="d"/> has it, solver state included (also for a
    /// recycled joint, see <see cref="World.Recycle"/>).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(BodyA), nameof(BodyB))]
    internal void Initialize(RevoluteJointDefinition d)
    {
        if (d.BodyA == d.BodyB)
            throw new PolicyLabException("Physics2D: a revolute joint needs two different bodies.");
        if (d.EnableLimit && !(d.LowerAngle <= d.UpperAngle))
            throw new PolicyLabException($"Physics2D: revolute joint lower angle {d.LowerAngle} must not exceed upper angle {d.UpperAngle}.");
        if (!(d.MaxMotorTorque >= 0))
            throw new PolicyLabException($"Physics2D: revolute joint max motor torque must be ≥ 0; got {d.MaxMotorTorque}.");
        BodyA = d.BodyA;
        BodyB = d.BodyB;
        LocalAnchorA = d.LocalAnchorA;
        LocalAnchorB = d.LocalAnchorB;
        ReferenceAngle = d.ReferenceAngle;
        EnableLimit = d.EnableLimit;
        LowerAngle = d.LowerAngle;
        UpperAngle = d.UpperAngle;
        EnableMotor = d.EnableMotor;
        MotorSpeed = d.MotorSpeed;
        MaxMotorTorque = d.MaxMotorTorque;
        CollideConnected = d.CollideConnected;
        _impulse = default;
        _motorImpulse = _limitImpulse = 0;
        _limitState = LimitState.Inactive;
        _indexA = _indexB = 0;
        _localCenterA = _localCenterB = _rA = _rB = default;
        _mA = _mB = _iA = _iB = _axialMass = 0;
        _k11 = _k12 = _k13 = _k22 = _k23 = _k33 = 0;
    }

    /// <summary>The first body.</summary>
    public Body BodyA { get; private set; }

    /// <summary>The second body.</summary>
    public Body BodyB { get; private set; }

    /// <summary>The pin in body A's coordinates.</summary>
    public Vec2 LocalAnchorA { get; private set; }

    /// <summary>The pin in body B's coordinates.</summary>
    public Vec2 LocalAnchorB { get; private set; }

    /// <summary>Angle offset at which the joint angle is zero.</summary>
    public double ReferenceAngle { get; private set; }

    /// <summary>Whether the angle limit is active.</summary>
    public bool EnableLimit { get; set; }

    /// <summary>Lower angle limit (rad).</summary>
    public double LowerAngle { get; set; }

    /// <summary>Upper angle limit (rad).</summary>
    public double UpperAngle { get; set; }

    /// <summary>Whether the motor is active.</summary>
    public bool EnableMotor { get; set; }

    /// <summary>Motor target speed (rad/s).</summary>
    public double MotorSpeed { get; set; }

    /// <summary>Motor torque bound (N·m).</summary>
    public double MaxMotorTorque { get; set; }

    /// <summary>Whether the joined bodies collide.</summary>
    public bool CollideConnected { get; private set; }

    /// <summary>Body B's angle minus body A's angle minus the reference angle.</summary>
    public double JointAngle => BodyB.Angle - BodyA.Angle - ReferenceAngle;

    /// <summary>Relative angular speed (rad/s).</summary>
    public double JointSpeed => BodyB.AngularVelocity - BodyA.AngularVelocity;

    /// <summary>The motor torque of the last step (N·m).</summary>
    public double MotorTorque(double inverseDt) => inverseDt * _motorImpulse;

    /// <summary>The pin on body A in world coordinates.</summary>
    public Vec2 AnchorA => BodyA.GetWorldPoint(LocalAnchorA);

    /// <summary>The pin on body B in world coordinates.</summary>
    public Vec2 AnchorB => BodyB.GetWorldPoint(LocalAnchorB);

    internal void InitVelocityConstraints(SolverBody[] bodies, double dt)
    {
        _indexA = BodyA.IslandIndex;
        _indexB = BodyB.IslandIndex;
        _localCenterA = BodyA.LocalCenter;
        _localCenterB = BodyB.LocalCenter;
        _mA = BodyA.InverseMass;
        _mB = BodyB.InverseMass;
        _iA = BodyA.InverseInertia;
        _iB = BodyB.InverseInertia;
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        _rA = new Transform2(default, a.A).Rotate(LocalAnchorA - _localCenterA);
        _rB = new Transform2(default, b.A).Rotate(LocalAnchorB - _localCenterB);
        // K of the point and angle rows: [k11 k12 k13; k12 k22 k23; k13 k23 k33].
        _k11 = _mA + _mB + _rA.Y * _rA.Y * _iA + _rB.Y * _rB.Y * _iB;
        _k12 = -_rA.Y * _rA.X * _iA - _rB.Y * _rB.X * _iB;
        _k13 = -_rA.Y * _iA - _rB.Y * _iB;
        _k22 = _mA + _mB + _rA.X * _rA.X * _iA + _rB.X * _rB.X * _iB;
        _k23 = _rA.X * _iA + _rB.X * _iB;
        _k33 = _iA + _iB;
        bool fixedRotation = _k33 == 0;
        _axialMass = fixedRotation ? 0 : 1 / _k33;
        if (!EnableMotor || fixedRotation)
            _motorImpulse = 0;
        if (EnableLimit && !fixedRotation)
        {
            double angle = b.A - a.A - ReferenceAngle;
            LimitState state;
            if (Math.Abs(UpperAngle - LowerAngle) < 2 * PhysicsSettings.AngularSlop)
                state = LimitState.Equal;
            else if (angle <= LowerAngle)
                state = LimitState.AtLower;
            else if (angle >= UpperAngle)
                state = LimitState.AtUpper;
            else
                state = LimitState.Inactive;
            if (state != _limitState || state == LimitState.Inactive)
                _limitImpulse = 0;
            _limitState = state;
        }
        else
        {
            _limitState = LimitState.Inactive;
            _limitImpulse = 0;
        }
        // Warm start with last step's impulses.
        double axial = _motorImpulse + _limitImpulse;
        a.V -= _mA * _impulse;
        a.W -= _iA * (Vec2.Cross(_rA, _impulse) + axial);
        b.V += _mB * _impulse;
        b.W += _iB * (Vec2.Cross(_rB, _impulse) + axial);
        _ = dt;
    }

    internal double SolveVelocityConstraints(SolverBody[] bodies, double dt)
    {
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        double largest = 0;
        bool fixedRotation = _axialMass == 0;
        bool motor = EnableMotor && _limitState != LimitState.Equal && !fixedRotation;
        if (motor && _limitState == LimitState.Inactive)
        {
            // Motor and point rows as one block: the motor row is an equality on the relative speed until its
            // accumulated impulse reaches the torque bound, then the point rows are solved with the motor held there.
            Vec2 c1 = b.V + Vec2.Cross(b.W, _rB) - a.V - Vec2.Cross(a.W, _rA);
            (double x, double y, double z) = Solve33(-c1.X, -c1.Y, -(b.W - a.W - MotorSpeed));
            double max = dt * MaxMotorTorque;
            double accumulated = _motorImpulse + z;
            if (accumulated > max || accumulated < -max)
            {
                accumulated = Math.Clamp(accumulated, -max, max);
                z = accumulated - _motorImpulse;
                Vec2 reduced = Solve22(_k11, _k12, _k22, new Vec2(-c1.X - z * _k13, -c1.Y - z * _k23));
                x = reduced.X;
                y = reduced.Y;
            }
            _motorImpulse = accumulated;
            var pm = new Vec2(x, y);
            _impulse += pm;
            a.V -= _mA * pm;
            a.W -= _iA * (Vec2.Cross(_rA, pm) + z);
            b.V += _mB * pm;
            b.W += _iB * (Vec2.Cross(_rB, pm) + z);
            return Math.Max(Math.Abs(z), Math.Max(Math.Abs(x), Math.Abs(y)));
        }
        if (motor)
        {
            double impulse;
            double old = _motorImpulse, max = dt * MaxMotorTorque;
            if ((_limitState == LimitState.AtLower && MotorSpeed < 0) || (_limitState == LimitState.AtUpper && MotorSpeed > 0))
            {
                // Driving into an active limit the motor can never reach its speed, so its impulse sits at the bound
                // (iterating the row would only grow it towards the bound by a fixed amount per sweep).
                _motorImpulse = MotorSpeed < 0 ? -max : max;
            }
            else
            {
                impulse = -_axialMass * (b.W - a.W - MotorSpeed);
                _motorImpulse = Math.Clamp(old + impulse, -max, max);
            }
            impulse = _motorImpulse - old;
            a.W -= _iA * impulse;
            b.W += _iB * impulse;
            largest = Math.Abs(impulse);
        }
        Vec2 cdot1 = b.V + Vec2.Cross(b.W, _rB) - a.V - Vec2.Cross(a.W, _rA);
        Vec2 p;
        double angular = 0;
        if (_limitState != LimitState.Inactive && !fixedRotation)
        {
            // Point and angle rows solved together, the angle row one-sided at a limit.
            double cdot2 = b.W - a.W;
            (double x, double y, double z) = Solve33(-cdot1.X, -cdot1.Y, -cdot2);
            double accumulated = _limitImpulse + z;
            if ((_limitState == LimitState.AtLower && accumulated < 0) || (_limitState == LimitState.AtUpper && accumulated > 0))
            {
                // The limit would pull: release it and solve the point rows alone, undoing its impulse.
                Vec2 reduced = Solve22(_k11, _k12, _k22, new Vec2(-cdot1.X + _limitImpulse * _k13, -cdot1.Y + _limitImpulse * _k23));
                x = reduced.X;
                y = reduced.Y;
                z = -_limitImpulse;
                _limitImpulse = 0;
            }
            else
            {
                _limitImpulse = accumulated;
            }
            p = new Vec2(x, y);
            angular = z;
        }
        else
        {
            p = Solve22(_k11, _k12, _k22, -cdot1);
        }
        _impulse += p;
        a.V -= _mA * p;
        a.W -= _iA * (Vec2.Cross(_rA, p) + angular);
        b.V += _mB * p;
        b.W += _iB * (Vec2.Cross(_rB, p) + angular);
        return Math.Max(largest, Math.Max(Math.Abs(angular), Math.Max(Math.Abs(p.X), Math.Abs(p.Y))));
    }

    private (double X, double Y, double Z) Solve33(double bx, double by, double bz)
    {
        // Cramer's rule on the symmetric K.
        double c11 = _k22 * _k33 - _k23 * _k23, c12 = _k13 * _k23 - _k12 * _k33, c13 = _k12 * _k23 - _k13 * _k22;
        double det = _k11 * c11 + _k12 * c12 + _k13 * c13;
        if (det != 0)
            det = 1 / det;
        double c22 = _k11 * _k33 - _k13 * _k13, c23 = _k12 * _k13 - _k11 * _k23, c33 = _k11 * _k22 - _k12 * _k12;
        return (det * (c11 * bx + c12 * by + c13 * bz), det * (c12 * bx + c22 * by + c23 * bz), det * (c13 * bx + c23 * by + c33 * bz));
    }

    private enum LimitState
    {
        Inactive,
        AtLower,
        AtUpper,
        Equal,
    }

    internal bool SolvePositionConstraints(SolverBody[] bodies)
    {
        ref SolverBody a = ref bodies[_indexA];
        ref SolverBody b = ref bodies[_indexB];
        double angularError = 0;
        bool fixedRotation = _iA + _iB == 0;
        if (EnableLimit && !fixedRotation)
        {
            double angle = b.A - a.A - ReferenceAngle;
            double c = 0;
            if (Math.Abs(UpperAngle - LowerAngle) < 2 * PhysicsSettings.AngularSlop)
                c = Math.Clamp(angle - LowerAngle, -PhysicsSettings.MaxAngularCorrection, PhysicsSettings.MaxAngularCorrection);
            else if (angle <= LowerAngle)
                c = Math.Clamp(angle - LowerAngle + PhysicsSettings.AngularSlop, -PhysicsSettings.MaxAngularCorrection, 0);
            else if (angle >= UpperAngle)
                c = Math.Clamp(angle - UpperAngle - PhysicsSettings.AngularSlop, 0, PhysicsSettings.MaxAngularCorrection);
            double limitImpulse = -_axialMass * c;
            a.A -= _iA * limitImpulse;
            b.A += _iB * limitImpulse;
            angularError = Math.Abs(c);
        }
        Vec2 rA = new Transform2(default, a.A).Rotate(LocalAnchorA - _localCenterA);
        Vec2 rB = new Transform2(default, b.A).Rotate(LocalAnchorB - _localCenterB);
        Vec2 error = b.C + rB - a.C - rA;
        double positionError = error.Length;
        double k11 = _mA + _mB + _iA * rA.Y * rA.Y + _iB * rB.Y * rB.Y;
        double k12 = -_iA * rA.X * rA.Y - _iB * rB.X * rB.Y;
        double k22 = _mA + _mB + _iA * rA.X * rA.X + _iB * rB.X * rB.X;
        Vec2 impulse = -Solve22(k11, k12, k22, error);
        a.C -= _mA * impulse;
        a.A -= _iA * Vec2.Cross(rA, impulse);
        b.C += _mB * impulse;
        b.A += _iB * Vec2.Cross(rB, impulse);
        return positionError <= PhysicsSettings.LinearSlop && angularError <= PhysicsSettings.AngularSlop;
    }

    internal void ResetImpulses()
    {
        _impulse = default;
        _motorImpulse = _limitImpulse = 0;
        _limitState = LimitState.Inactive;
    }

    /// <summary>Solves the symmetric 2×2 system [k11 k12; k12 k22] x = b (0 when singular).</summary>
    private static Vec2 Solve22(double k11, double k12, double k22, Vec2 b)
    {
        double det = k11 * k22 - k12 * k12;
        if (det != 0)
            det = 1 / det;
        return new Vec2(det * (k22 * b.X - k12 * b.Y), det * (k11 * b.Y - k12 * b.X));
    }
}

/// <summary>The solver's working copy of a body: centre of mass, angle and velocities.</summary>
internal struct SolverBody
{
    public Vec2 C;
    public double A;
    public Vec2 V;
    public double W;
}
