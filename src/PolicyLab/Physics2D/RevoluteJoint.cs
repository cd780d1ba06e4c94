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
/// A revolute (pin) joint solved with sequential impulses: a 2-D point constraint, an optional angle limit (lower and
/// upper one-sided rows, speculative in the velocity phase and corrected in the position phase) and an optional
/// velocity motor whose accumulated impulse per step is bounded by the maximum torque times the step.
/// </summary>
public sealed class RevoluteJoint
{
    private Vec2 _impulse;
    private double _motorImpulse, _lowerImpulse, _upperImpulse;
    private int _indexA, _indexB;
    private Vec2 _localCenterA, _localCenterB, _rA, _rB;
    private double _mA, _mB, _iA, _iB, _axialMass, _angle;
    private double _k11, _k12, _k22;

    internal RevoluteJoint(RevoluteJointDefinition d)
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
    }

    /// <summary>The first body.</summary>
    public Body BodyA { get; }

    /// <summary>The second body.</summary>
    public Body BodyB { get; }

    /// <summary>The pin in body A's coordinates.</summary>
    public Vec2 LocalAnchorA { get; }

    /// <summary>The pin in body B's coordinates.</summary>
    public Vec2 LocalAnchorB { get; }

    /// <summary>Angle offset at which the joint angle is zero.</summary>
    public double ReferenceAngle { get; }

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
    public bool CollideConnected { get; }

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
        _k11 = _mA + _mB + _rA.Y * _rA.Y * _iA + _rB.Y * _rB.Y * _iB;
        _k12 = -_rA.Y * _rA.X * _iA - _rB.Y * _rB.X * _iB;
        _k22 = _mA + _mB + _rA.X * _rA.X * _iA + _rB.X * _rB.X * _iB;
        double angularMass = _iA + _iB;
        bool fixedRotation = angularMass == 0;
        _axialMass = fixedRotation ? 0 : 1 / angularMass;
        _angle = b.A - a.A - ReferenceAngle;
        if (!EnableLimit || fixedRotation)
        {
            _lowerImpulse = 0;
            _upperImpulse = 0;
        }
        if (!EnableMotor || fixedRotation)
            _motorImpulse = 0;
        // Warm start with last step's impulses.
        double axial = _motorImpulse + _lowerImpulse - _upperImpulse;
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
        if (EnableMotor && !fixedRotation)
        {
            double cdot = b.W - a.W - MotorSpeed;
            double impulse = -_axialMass * cdot;
            double old = _motorImpulse, max = dt * MaxMotorTorque;
            _motorImpulse = Math.Clamp(old + impulse, -max, max);
            impulse = _motorImpulse - old;
            a.W -= _iA * impulse;
            b.W += _iB * impulse;
            largest = Math.Abs(impulse);
        }
        if (EnableLimit && !fixedRotation)
        {
            // Lower limit: C = angle − lower ≥ 0; a positive C lets the bodies approach at C/dt (speculative).
            double c = _angle - LowerAngle;
            double impulse = -_axialMass * (b.W - a.W + Math.Max(c, 0) / dt);
            double old = _lowerImpulse;
            _lowerImpulse = Math.Max(old + impulse, 0);
            impulse = _lowerImpulse - old;
            a.W -= _iA * impulse;
            b.W += _iB * impulse;
            largest = Math.Max(largest, Math.Abs(impulse));
            // Upper limit: C = upper − angle ≥ 0, signs flipped.
            c = UpperAngle - _angle;
            impulse = -_axialMass * (a.W - b.W + Math.Max(c, 0) / dt);
            old = _upperImpulse;
            _upperImpulse = Math.Max(old + impulse, 0);
            impulse = _upperImpulse - old;
            a.W += _iA * impulse;
            b.W -= _iB * impulse;
            largest = Math.Max(largest, Math.Abs(impulse));
        }
        {
            Vec2 cdot = b.V + Vec2.Cross(b.W, _rB) - a.V - Vec2.Cross(a.W, _rA);
            Vec2 impulse = Solve22(_k11, _k12, _k22, -cdot);
            _impulse += impulse;
            a.V -= _mA * impulse;
            a.W -= _iA * Vec2.Cross(_rA, impulse);
            b.V += _mB * impulse;
            b.W += _iB * Vec2.Cross(_rB, impulse);
            largest = Math.Max(largest, Math.Max(Math.Abs(impulse.X), Math.Abs(impulse.Y)));
        }
        return largest;
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
        _motorImpulse = _lowerImpulse = _upperImpulse = 0;
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
