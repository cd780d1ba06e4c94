using PolicyLab.Physics2D;

namespace PolicyLab.Tests.Physics2D;

public class WorldTests
{
    private const double Dt = 1.0 / 60;

    private static World Ground(out Body ground, double friction = 0.6, double restitution = 0)
    {
        var world = new World(new Vec2(0, -10));
        ground = world.CreateBody(BodyType.Static, default);
        ground.CreateFixture(new EdgeShape(new Vec2(-50, 0), new Vec2(50, 0)), new FixtureDefinition(0, friction, restitution));
        return world;
    }

    private sealed class Recorder : IContactListener
    {
        public List<string> Events { get; } = [];
        public void BeginContact(Contact contact) => Events.Add("begin");
        public void EndContact(Contact contact) => Events.Add("end");
    }

    [Fact]
    public void A_box_dropped_on_a_plane_comes_to_rest_on_it_and_falls_asleep()
    {
        World world = Ground(out _);
        Body box = world.CreateBody(BodyType.Dynamic, new Vec2(0, 2), 0.3);
        box.CreateFixture(PolygonShape.Box(0.5, 0.5), new FixtureDefinition(1, 0.6));
        int sleptAt = -1;
        for (int i = 0; i < 600 && sleptAt < 0; i++)
        {
            world.Step(Dt, 8, 3);
            if (!box.IsAwake)
                sleptAt = i;
        }
        Assert.True(sleptAt > 0, "the box never fell asleep in 10 s");
        // Resting flat on a face: centre at half-height plus the two skins, minus the allowed slop.
        double expected = 0.5 + 2 * PhysicsSettings.PolygonRadius - PhysicsSettings.LinearSlop;
        Assert.InRange(box.Position.Y, expected - 0.01, expected + 0.01);
        double angle = Math.IEEERemainder(box.Angle, Math.PI / 2);
        Assert.InRange(angle, -0.01, 0.01);
        Assert.Equal(default, box.LinearVelocity);
        // Asleep, it stays exactly where it is.
        Vec2 before = box.Position;
        for (int i = 0; i < 30; i++)
            world.Step(Dt, 8, 3);
        Assert.Equal(before, box.Position);
        // A push wakes it.
        box.ApplyLinearImpulseToCenter(new Vec2(1, 0));
        Assert.True(box.IsAwake);
    }

    [Fact]
    public void A_pendulum_on_a_revolute_joint_keeps_its_small_angle_period_and_amplitude()
    {
        var world = new World(new Vec2(0, -9.81)) { AllowSleeping = false };
        Body pivot = world.CreateBody(BodyType.Static, new Vec2(0, 5));
        double length = 2.0, half = 0.05;
        double theta0 = 0.1;
        Body bob = world.CreateBody(BodyType.Dynamic, new Vec2(length * Math.Sin(theta0), 5 - length * Math.Cos(theta0)));
        bob.CreateFixture(PolygonShape.Box(half, half), new FixtureDefinition(10));
        world.CreateRevoluteJoint(new RevoluteJointDefinition(pivot, bob, default, bob.GetLocalPoint(new Vec2(0, 5))));
        // Compound pendulum: T = 2π √(I_pivot / (m g L)) with I_pivot = I_cm + m L², times the finite-amplitude factor
        // 1 + θ₀²/16.
        double iPivot = bob.Inertia + bob.Mass * length * length;
        double expected = 2 * Math.PI * Math.Sqrt(iPivot / (bob.Mass * 9.81 * length)) * (1 + theta0 * theta0 / 16);
        double dt = 1.0 / 240;
        var crossings = new List<double>();
        double previousX = bob.Position.X, maxX = 0;
        for (int i = 1; i <= (int)(10 * expected / dt); i++)
        {
            world.Step(dt, 10, 8);
            double x = bob.Position.X;
            if (previousX > 0 && x <= 0)
                crossings.Add((i - 1 + previousX / (previousX - x)) * dt);
            previousX = x;
            if (i * dt > 8 * expected)
                maxX = Math.Max(maxX, x);
        }
        Assert.True(crossings.Count >= 9, $"only {crossings.Count} crossings");
        double period = (crossings[^1] - crossings[0]) / (crossings.Count - 1);
        Assert.InRange(period, expected * 0.995, expected * 1.005);
        // Semi-implicit Euler keeps the amplitude (no numerical damping beyond a few per cent over 10 periods).
        Assert.InRange(maxX, 0.95 * length * Math.Sin(theta0), 1.02 * length * Math.Sin(theta0));
        // The pin holds: the bob stays at the arm length from the pivot.
        Assert.InRange((bob.Position - new Vec2(0, 5)).Length, length - 0.005, length + 0.005);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void A_ball_rebounds_with_the_restitution_times_its_impact_speed(double restitution)
    {
        World world = Ground(out _, 0.2, restitution);
        world.AllowSleeping = false;
        Body ball = world.CreateBody(BodyType.Dynamic, new Vec2(0, 3));
        ball.CreateFixture(new CircleShape(0.25), new FixtureDefinition(1, 0.2, restitution));
        double impact = 0, rebound = 0;
        for (int i = 0; i < 300; i++)
        {
            double before = ball.LinearVelocity.Y;
            world.Step(Dt, 8, 3);
            double after = ball.LinearVelocity.Y;
            if (before < -1 && after > before + 1)
            {
                impact = before;
                rebound = after;
                break;
            }
        }
        Assert.True(impact < -5, $"no impact seen (speed {impact})");
        // The approach speed at the contact includes this step's gravity; the contact reverses it scaled by e.
        double approach = impact - 10 * Dt;
        Assert.Equal(-restitution * approach, rebound, 9);
    }

    [Theory]
    [InlineData(0.2, 0.5)]  // μ < tan θ (≈ 0.364): slides with a = g (sin θ − μ cos θ)
    [InlineData(0.5, 0.0)]  // μ > tan θ: static friction holds it
    public void A_box_on_a_slope_slides_or_sticks_as_coulomb_friction_says(double friction, double dummy)
    {
        _ = dummy;
        double theta = 20 * Math.PI / 180;
        var world = new World(new Vec2(0, -10)) { AllowSleeping = false };
        Body slope = world.CreateBody(BodyType.Static, default, -theta);
        slope.CreateFixture(PolygonShape.Box(50, 0.5), new FixtureDefinition(0, friction));
        Vec2 up = new Transform2(default, -theta).Rotate(new Vec2(0, 1));
        Body box = world.CreateBody(BodyType.Dynamic, 0.5 * up + 0.51 * up, -theta);
        box.CreateFixture(PolygonShape.Box(0.5, 0.5), new FixtureDefinition(1, friction));
        for (int i = 0; i < 30; i++)
            world.Step(Dt, 8, 3);
        Vec2 down = new Transform2(default, -theta).Rotate(new Vec2(1, 0));
        double v0 = Vec2.Dot(box.LinearVelocity, down);
        int n = 60;
        for (int i = 0; i < n; i++)
            world.Step(Dt, 8, 3);
        double v1 = Vec2.Dot(box.LinearVelocity, down);
        double acceleration = (v1 - v0) / (n * Dt);
        double expected = Math.Max(0, 10 * (Math.Sin(theta) - friction * Math.Cos(theta)));
        Assert.InRange(acceleration, expected - 0.02, expected + 0.02);
        if (expected == 0)
            Assert.InRange(v1, -1e-3, 1e-3);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 0.0)]
    [InlineData(0.4, 0.5)]
    public void Momentum_is_conserved_in_a_free_collision_and_energy_too_when_elastic(double offset, double restitution)
    {
        var world = new World(default);
        double friction = restitution == 1 ? 0 : 0.3; // friction would turn some energy into heat
        Body a = world.CreateBody(BodyType.Dynamic, new Vec2(-2, 0));
        a.CreateFixture(new CircleShape(0.5), new FixtureDefinition(1, friction, restitution));
        Body b = world.CreateBody(BodyType.Dynamic, new Vec2(2, offset), 0.2);
        b.CreateFixture(PolygonShape.Box(0.4, 0.6), new FixtureDefinition(3, friction, restitution));
        a.LinearVelocity = new Vec2(6, 0);
        b.LinearVelocity = new Vec2(-2, 0.5);
        b.AngularVelocity = 1;
        Vec2 p0 = a.Mass * a.LinearVelocity + b.Mass * b.LinearVelocity;
        double l0 = AngularMomentum(a) + AngularMomentum(b);
        double e0 = a.KineticEnergy + b.KineticEnergy;
        bool touched = false;
        for (int i = 0; i < 120; i++)
        {
            world.Step(Dt, 8, 3);
            touched |= world.Contacts.Any(c => c.IsTouching);
        }
        Assert.True(touched);
        Vec2 p1 = a.Mass * a.LinearVelocity + b.Mass * b.LinearVelocity;
        Assert.Equal(p0.X, p1.X, 9);
        Assert.Equal(p0.Y, p1.Y, 9);
        // Angular momentum about the origin: the velocity impulses conserve it exactly (equal, opposite, at one point);
        // the position correction moves the centres without changing velocities, which shifts it slightly.
        Assert.InRange(AngularMomentum(a) + AngularMomentum(b), l0 - 0.03 * Math.Abs(l0) - 1e-9, l0 + 0.03 * Math.Abs(l0) + 1e-9);
        double e1 = a.KineticEnergy + b.KineticEnergy;
        Assert.True(e1 <= e0 * (1 + 1e-9), "a collision must not create energy");
        if (restitution == 1 && offset == 0)
            Assert.InRange(e1, 0.97 * e0, e0 * (1 + 1e-9));
        if (restitution == 0)
            Assert.True(e1 < 0.95 * e0, "an inelastic collision loses energy");
    }

    private static double AngularMomentum(Body b) => b.Inertia * b.AngularVelocity + b.Mass * Vec2.Cross(b.WorldCenter, b.LinearVelocity);

    [Fact]
    public void A_box_sunk_into_an_edge_near_its_end_is_pushed_out_along_the_edge_normal()
    {
        // The box sinks 0.1 m into the edge and hangs 0.102 m past its end, so its left face separates from the edge
        // slightly less (−0.098 m) than the edge's normal does (−0.1 m). Box2D's edge collider keeps the edge's normal
        // unless the polygon's face is better by its tolerances (0.98 · s + 0.001); a sideways push here is what made
        // the BipedalWalker's legs, snapped into the ground at reset, kick the walker backwards.
        var world = new World(default);
        Body ground = world.CreateBody(BodyType.Static, default);
        ground.CreateFixture(new EdgeShape(new Vec2(0, 0), new Vec2(1, 0)), new FixtureDefinition(Friction: 0.5));
        Body box = world.CreateBody(BodyType.Dynamic, new Vec2(1.002, 0.4));
        box.CreateFixture(PolygonShape.Box(0.1, 0.5), new FixtureDefinition(Density: 1, Friction: 0.5));
        world.Step(1.0 / 50, 8, 3);
        Contact contact = Assert.Single(world.Contacts, c => c.IsTouching);
        Span<Vec2> points = stackalloc Vec2[2];
        Span<double> separations = stackalloc double[2];
        Vec2 normal = contact.GetWorldManifold(points, separations);
        Assert.Equal(0, normal.X, 9);
        Assert.Equal(1, Math.Abs(normal.Y), 9);
        Assert.True(box.Position.Y > 0.4 && Math.Abs(box.Position.X - 1.002) < 1e-3, $"the box moved to {box.Position}");
    }

    [Fact]
    public void A_ray_cast_returns_the_nearest_hit_of_the_categories_asked_for()
    {
        var world = new World(default);
        Body far = world.CreateBody(BodyType.Static, new Vec2(8, 0));
        far.CreateFixture(PolygonShape.Box(0.5, 2), new FixtureDefinition(0));
        Body near = world.CreateBody(BodyType.Static, new Vec2(4, 0.5), Math.PI / 4);
        near.CreateFixture(PolygonShape.Box(0.5, 0.5), new FixtureDefinition(0, 0.2, 0, new CollisionFilter(0x0002, 0xFFFF)));
        Body disc = world.CreateBody(BodyType.Static, new Vec2(6, 0));
        disc.CreateFixture(new CircleShape(0.5), new FixtureDefinition(0));
        Body edge = world.CreateBody(BodyType.Static, default);
        edge.CreateFixture(new EdgeShape(new Vec2(10, -5), new Vec2(10, 5)), new FixtureDefinition(0));

        Assert.True(world.RayCastClosest(new Vec2(0, 0.5), new Vec2(20, 0.5), out RayCastHit hit));
        Assert.Same(near, hit.Fixture.Body);
        // The rotated square's left corner is at x = 4 − 0.5·√2, at height 0.5.
        Assert.Equal(4 - 0.5 * Math.Sqrt(2), hit.Point.X, 9);
        Assert.Equal(0.05 * (4 - 0.5 * Math.Sqrt(2)), hit.Fraction, 9);

        Assert.True(world.RayCastClosest(new Vec2(0, 0.5), new Vec2(20, 0.5), out hit, categoryMask: 0x0001));
        Assert.Same(disc, hit.Fixture.Body);
        Assert.Equal(6 - Math.Sqrt(0.25 - 0.25), hit.Point.X, 9); // grazing the disc's top at x = 6
        Assert.True(world.RayCastClosest(new Vec2(0, 0), new Vec2(20, 0), out hit, categoryMask: 0x0001));
        Assert.Equal(5.5, hit.Point.X, 9);
        Assert.Equal(-1, hit.Normal.X, 9);
        Assert.True(world.RayCastClosest(new Vec2(0, 3), new Vec2(20, 3), out hit));
        Assert.Same(edge, hit.Fixture.Body);
        Assert.Equal(10, hit.Point.X, 9);
        Assert.Equal(-1, hit.Normal.X, 9);
        Assert.False(world.RayCastClosest(new Vec2(0, 6), new Vec2(20, 6), out _));
        Assert.False(world.RayCastClosest(new Vec2(0, 0), new Vec2(3, 0), out _));
    }

    [Fact]
    public void Category_and_mask_bits_decide_which_fixtures_collide()
    {
        World world = Ground(out _);
        Body passes = world.CreateBody(BodyType.Dynamic, new Vec2(-2, 1));
        passes.CreateFixture(PolygonShape.Box(0.2, 0.2), new FixtureDefinition(1, 0.2, 0, new CollisionFilter(0x0004, 0xFFFE)));
        Body lands = world.CreateBody(BodyType.Dynamic, new Vec2(2, 1));
        lands.CreateFixture(PolygonShape.Box(0.2, 0.2), new FixtureDefinition(1, 0.2, 0, new CollisionFilter(0x0004, 0x0001)));
        for (int i = 0; i < 120; i++)
            world.Step(Dt, 8, 3);
        Assert.True(passes.Position.Y < -5, "the masked-out box should fall through the ground");
        Assert.InRange(lands.Position.Y, 0.2, 0.25);
        Assert.False(CollisionFilter.ShouldCollide(new CollisionFilter(1, 0xFFFF, -3), new CollisionFilter(1, 0xFFFF, -3)));
        Assert.True(CollisionFilter.ShouldCollide(new CollisionFilter(1, 0, 2), new CollisionFilter(1, 0, 2)));
    }

    [Fact]
    public void The_contact_listener_reports_each_touch_begin_and_end_once()
    {
        World world = Ground(out _, 0.2, 0.8);
        world.AllowSleeping = false;
        var recorder = new Recorder();
        world.ContactListener = recorder;
        Body ball = world.CreateBody(BodyType.Dynamic, new Vec2(0, 2));
        ball.CreateFixture(new CircleShape(0.2), new FixtureDefinition(1, 0.2, 0.8));
        int touches = 0;
        bool wasTouching = false;
        for (int i = 0; i < 120; i++)
        {
            world.Step(Dt, 8, 3);
            bool touching = world.Contacts.Any(c => c.IsTouching);
            if (touching && !wasTouching)
                touches++;
            wasTouching = touching;
        }
        Assert.True(touches >= 2, "the ball should bounce at least twice");
        Assert.Equal("begin", recorder.Events[0]);
        for (int i = 1; i < recorder.Events.Count; i++)
            Assert.NotEqual(recorder.Events[i - 1], recorder.Events[i]); // strictly alternating
        Assert.Equal(touches, recorder.Events.Count(e => e == "begin"));
    }

    [Fact]
    public void A_joint_motor_reaches_its_speed_when_strong_enough_and_the_limit_holds_the_angle()
    {
        var world = new World(default) { AllowSleeping = false };
        Body hub = world.CreateBody(BodyType.Static, default);
        Body wheel = world.CreateBody(BodyType.Dynamic, default);
        wheel.CreateFixture(new CircleShape(1), new FixtureDefinition(1));
        RevoluteJoint motor = world.CreateRevoluteJoint(new RevoluteJointDefinition(hub, wheel, default, default) { EnableMotor = true, MotorSpeed = 2, MaxMotorTorque = 1 });
        // I = π/2; torque 1 accelerates at 2/π rad/s², so 2 rad/s takes π s.
        for (int i = 0; i < 60; i++)
            world.Step(Dt, 8, 3);
        Assert.Equal(2 / Math.PI * 1.0, wheel.AngularVelocity, 6);
        for (int i = 0; i < 180; i++)
            world.Step(Dt, 8, 3);
        Assert.Equal(2, wheel.AngularVelocity, 9);
        Assert.Equal(2, motor.JointSpeed, 9);

        motor.EnableLimit = true;
        motor.LowerAngle = -10;
        motor.UpperAngle = wheel.Angle + 0.5;
        for (int i = 0; i < 120; i++)
            world.Step(Dt, 8, 3);
        Assert.InRange(motor.JointAngle, motor.UpperAngle - 0.01, motor.UpperAngle + PhysicsSettings.AngularSlop);
        Assert.InRange(wheel.AngularVelocity, -1e-6, 1e-6);
    }

    [Fact]
    public void Forces_impulses_and_damping_change_the_motion_as_defined()
    {
        var world = new World(default) { AllowSleeping = false };
        Body body = world.CreateBody(BodyType.Dynamic, new Vec2(1, 2));
        body.CreateFixture(PolygonShape.Box(1, 0.5), new FixtureDefinition(2));
        double m = body.Mass, inertia = body.Inertia;
        Assert.Equal(2 * 2 * 1, m, 12);
        Assert.Equal(m * (4 + 1) / 12, inertia, 12);
        // An impulse J at an offset r from the centre: Δv = J/m, Δω = (r × J)/I.
        body.ApplyLinearImpulse(new Vec2(0, 3), new Vec2(1.5, 2));
        Assert.Equal(new Vec2(0, 3 / m), body.LinearVelocity);
        Assert.Equal(0.5 * 3 / inertia, body.AngularVelocity, 12);
        // A force for one step: Δv = F dt / m, and it is cleared afterwards.
        body.LinearVelocity = default;
        body.AngularVelocity = 0;
        body.ApplyForceToCenter(new Vec2(8, 0));
        world.Step(0.1, 8, 3);
        Assert.Equal(8 * 0.1 / m, body.LinearVelocity.X, 12);
        world.Step(0.1, 8, 3);
        Assert.Equal(8 * 0.1 / m, body.LinearVelocity.X, 12);
        Assert.Equal(default, body.Force);
        // Damping: each step multiplies the speed by 1 / (1 + dt·c).
        body.LinearDamping = 0.5;
        body.AngularDamping = 2;
        body.AngularVelocity = 1;
        double v = body.LinearVelocity.X;
        for (int i = 0; i < 10; i++)
            world.Step(0.1, 8, 3);
        Assert.Equal(v * Math.Pow(1 / 1.05, 10), body.LinearVelocity.X, 12);
        Assert.Equal(Math.Pow(1 / 1.2, 10), body.AngularVelocity, 12);
    }

    [Fact]
    public void Polygon_mass_properties_match_closed_forms()
    {
        var triangle = new PolygonShape([new Vec2(0, 0), new Vec2(3, 0), new Vec2(0, 3)]);
        MassData t = triangle.ComputeMass(2);
        Assert.Equal(2 * 4.5, t.Mass, 12);
        Assert.Equal(1, t.Center.X, 12);
        Assert.Equal(1, t.Center.Y, 12);
        // Right isosceles triangle with legs a about the right-angle vertex: ρ a⁴ / 6.
        Assert.Equal(2 * 81.0 / 6, t.InertiaAboutOrigin, 10);
        // Clockwise input is rewound; a non-convex outline is refused.
        Assert.Equal(t.Mass, new PolygonShape([new Vec2(0, 3), new Vec2(3, 0), new Vec2(0, 0)]).ComputeMass(2).Mass, 12);
        Assert.Throws<PolicyLabException>(() => new PolygonShape([new Vec2(0, 0), new Vec2(2, 0), new Vec2(1, 0.2), new Vec2(2, 2), new Vec2(0, 2)]));
        MassData c = new CircleShape(0.5, new Vec2(1, 0)).ComputeMass(1);
        Assert.Equal(Math.PI * 0.25, c.Mass, 12);
        Assert.Equal(c.Mass * (0.125 + 1), c.InertiaAboutOrigin, 12);
    }

    [Fact]
    public void The_same_inputs_give_bit_identical_results()
    {
        static double[] Simulate()
        {
            World world = Ground(out _, 0.4, 0.2);
            var bodies = new List<Body>();
            for (int i = 0; i < 6; i++)
            {
                Body b = world.CreateBody(BodyType.Dynamic, new Vec2(0.3 * i, 1 + 1.1 * i), 0.1 * i);
                b.CreateFixture(i % 2 == 0 ? PolygonShape.Box(0.4, 0.3) : new CircleShape(0.35), new FixtureDefinition(1 + i, 0.4, 0.2));
                bodies.Add(b);
            }
            world.CreateRevoluteJoint(new RevoluteJointDefinition(bodies[0], bodies[1], new Vec2(0, 0.5), new Vec2(0, -0.5)) { EnableLimit = true, LowerAngle = -0.3, UpperAngle = 0.3 });
            for (int step = 0; step < 300; step++)
            {
                bodies[step % 6].ApplyForce(new Vec2(Math.Sin(step), 2), bodies[step % 6].WorldCenter + new Vec2(0.1, 0));
                world.Step(Dt, 8, 3);
            }
            return [.. bodies.SelectMany(b => new[] { b.Position.X, b.Position.Y, b.Angle, b.LinearVelocity.X, b.LinearVelocity.Y, b.AngularVelocity })];
        }
        double[] first = Simulate(), second = Simulate();
        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void A_world_rebuilt_after_recycle_steps_bit_identically_to_a_new_world_and_allocates_nothing_for_its_objects()
    {
        var edge = new EdgeShape(new Vec2(-50, 0), new Vec2(50, 0));
        // Builds a scene (ground, a jointed pair, a ball), perturbs it and steps it; the state is the result.
        static double[] Scene(World world, EdgeShape ground, int variant)
        {
            Body g = world.CreateBody(BodyType.Static, default);
            g.CreateFixture(ground, new FixtureDefinition(0, 0.5));
            Body a = world.CreateBody(BodyType.Dynamic, new Vec2(0, 1.5 + 0.1 * variant), 0.2);
            a.CreateFixture(PolygonShape.Box(0.6, 0.3), new FixtureDefinition(2, 0.4, 0.1));
            Body b = world.CreateBody(BodyType.Dynamic, new Vec2(0.8, 1.5), -0.1);
            b.CreateFixture(PolygonShape.Box(0.1, 0.4), new FixtureDefinition(1, 0.3, 0, new CollisionFilter(0x0002, 0x0001)));
            b.LinearDamping = 0.3;
            world.CreateRevoluteJoint(new RevoluteJointDefinition(a, b, new Vec2(0.6, 0), new Vec2(0, 0.3))
            {
                EnableLimit = true, LowerAngle = -0.4, UpperAngle = 0.2, EnableMotor = true, MotorSpeed = 0.5, MaxMotorTorque = 3,
            });
            Body ball = world.CreateBody(BodyType.Dynamic, new Vec2(-1, 3), 0);
            ball.CreateFixture(new CircleShape(0.25), new FixtureDefinition(1, 0.6, 0.5));
            ball.GravityScale = 0.5;
            for (int step = 0; step < 240; step++)
            {
                if (step % 40 == 0)
                    a.ApplyLinearImpulse(new Vec2(0.5 * variant - 1, 2), a.WorldCenter + new Vec2(0.2, 0));
                world.Step(Dt, 8, 3);
            }
            return [.. new[] { a, b, ball }.SelectMany(x => new[] { x.Position.X, x.Position.Y, x.Angle, x.LinearVelocity.X, x.LinearVelocity.Y, x.AngularVelocity, x.IsAwake ? 1.0 : 0.0 })];
        }
        var recycled = new World(new Vec2(0, -10));
        for (int variant = 0; variant < 3; variant++)
        {
            if (variant > 0)
                recycled.Recycle();
            var fresh = new World(new Vec2(0, -10));
            long start = GC.GetAllocatedBytesForCurrentThread();
            double[] expected = Scene(fresh, edge, variant);
            long before = GC.GetAllocatedBytesForCurrentThread();
            double[] actual = Scene(recycled, edge, variant);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before, allocatedFresh = before - start;
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(4, recycled.Bodies.Count);
            Assert.Single(recycled.Joints);
            if (variant > 0)
            {
                // Only the scene's own new shapes, the joint definition and the result — not the bodies, fixtures,
                // joint and contacts with their lists, which the same scene in a new world allocates.
                Assert.True(allocatedFresh - allocated >= 1_500, $"a rebuild after Recycle allocated {allocated} bytes, the scene in a new world {allocatedFresh}");
            }
        }
    }

    [Fact]
    public void A_sensor_reports_a_body_passing_through_it_once_each_way_and_never_touches_its_motion()
    {
        static (List<string> Events, double[] Track) Fall(bool withSensor)
        {
            var listener = new Recorder();
            var world = new World(new Vec2(0, -10)) { ContactListener = listener };
            if (withSensor)
            {
                Body gate = world.CreateBody(BodyType.Static, new Vec2(0, 3));
                gate.CreateFixture(PolygonShape.Box(2, 0.5), new FixtureDefinition(0, 0.9, 0.5, IsSensor: true));
            }
            Body ball = world.CreateBody(BodyType.Dynamic, new Vec2(0.2, 6), 0);
            ball.CreateFixture(new CircleShape(0.3), new FixtureDefinition(1, 0.5));
            ball.AngularVelocity = 1;
            var track = new List<double>();
            for (int i = 0; i < 90; i++)
            {
                world.Step(Dt, 8, 3);
                track.AddRange([ball.Position.X, ball.Position.Y, ball.Angle, ball.LinearVelocity.Y]);
                Assert.All(world.Contacts, c => Assert.Equal(0, c.PointCount));
            }
            return (listener.Events, [.. track]);
        }
        (List<string> events, double[] withSensor) = Fall(withSensor: true);
        (List<string> none, double[] withoutSensor) = Fall(withSensor: false);
        // In 1.5 s the ball falls about 11 m: through the 1 m gate, which it enters and leaves once.
        Assert.Equal(["begin", "end"], events);
        Assert.Empty(none);
        Assert.Equal(withoutSensor.Select(BitConverter.DoubleToInt64Bits), withSensor.Select(BitConverter.DoubleToInt64Bits));

        // A box resting on a sensor floor falls through it (a sensor holds nothing up) and never sleeps on it.
        var world2 = new World(new Vec2(0, -10));
        Body floor = world2.CreateBody(BodyType.Static, default);
        floor.CreateFixture(new EdgeShape(new Vec2(-5, 0), new Vec2(5, 0)), new FixtureDefinition(0, 0.6, IsSensor: true));
        Body box = world2.CreateBody(BodyType.Dynamic, new Vec2(0, 0.5), 0);
        box.CreateFixture(PolygonShape.Box(0.5, 0.5), new FixtureDefinition(1, 0.6));
        for (int i = 0; i < 60; i++)
            world2.Step(Dt, 8, 3);
        Assert.True(box.Position.Y < -3, $"the box stayed at y = {box.Position.Y} on a sensor floor");
        Assert.True(box.IsAwake);
    }

    [Fact]
    public void A_polygon_built_from_points_is_their_convex_hull_without_repeats_or_collinear_points()
    {
        // A self-crossing "bow tie" outline of the unit square → the square, counter-clockwise.
        PolygonShape bowTie = PolygonShape.ConvexHull([new(0, 0), new(1, 1), new(1, 0), new(0, 1)]);
        Assert.Equal(4, bowTie.VertexList.Count);
        Assert.Equal(1.0, bowTie.Area, 12);
        // A dented quad → the triangle around it; a point on an edge and a near-duplicate point drop out.
        PolygonShape dented = PolygonShape.ConvexHull([new(0, 0), new(2, 0), new(0.5, 0.5), new(0, 2)]);
        Assert.Equal(3, dented.VertexList.Count);
        Assert.Equal(2.0, dented.Area, 12);
        PolygonShape extras = PolygonShape.ConvexHull([new(0, 0), new(1, 0), new(2, 0), new(2, 2), new(2, 2 + 1e-4), new(0, 2)]);
        Assert.Equal(4, extras.VertexList.Count);
        Assert.Equal(4.0, extras.Area, 6);
        for (int i = 0; i < extras.VertexList.Count; i++)
        {
            Vec2 a = extras.VertexList[i], b = extras.VertexList[(i + 1) % 4], c = extras.VertexList[(i + 2) % 4];
            Assert.True(Vec2.Cross(b - a, c - b) > 0, "the hull winds counter-clockwise");
        }
        var flat = Assert.Throws<PolicyLabException>(() => PolygonShape.ConvexHull([new(0, 0), new(1, 0), new(2, 0)]));
        Assert.Contains("collinear", flat.Message);
    }

    [Fact]
    public void Bad_definitions_are_refused_with_a_clear_error()
    {
        var world = new World(default);
        Body body = world.CreateBody(BodyType.Dynamic, default);
        Assert.Contains("radius", Assert.Throws<PolicyLabException>(() => new CircleShape(0)).Message);
        Assert.Contains("density", Assert.Throws<PolicyLabException>(() => body.CreateFixture(new CircleShape(1), new FixtureDefinition(-1))).Message);
        Assert.Contains("time step", Assert.Throws<PolicyLabException>(() => world.Step(0, 8, 3)).Message);
        Assert.Contains("two different bodies", Assert.Throws<PolicyLabException>(() => world.CreateRevoluteJoint(new RevoluteJointDefinition(body, body, default, default))).Message);
        Assert.Contains("finite", Assert.Throws<PolicyLabException>(() => world.CreateBody(BodyType.Dynamic, new Vec2(double.NaN, 0))).Message);
    }
}
