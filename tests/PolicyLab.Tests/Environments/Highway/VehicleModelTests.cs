using PolicyLab.Environments.Highway;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments.Highway;

public class VehicleModelTests
{
    [Fact]
    public void Bicycle_model_over_one_step_matches_the_equations()
    {
        var v = new Vehicle();
        v.Initialize(VehicleKind.DirectControlled, 1, 2, 0.3, 20);
        v.Steering = 0.2;
        v.Acceleration = 1.5;
        const double dt = 0.1;
        BicycleModel.Step(v, dt);
        double beta = Math.Atan(0.5 * Math.Tan(0.2));
        Assert.Equal(1 + 20 * Math.Cos(0.3 + beta) * dt, v.X, 12);
        Assert.Equal(2 + 20 * Math.Sin(0.3 + beta) * dt, v.Y, 12);
        Assert.Equal(0.3 + 20 * Math.Sin(beta) / 2.5 * dt, v.Heading, 12);
        Assert.Equal(20.15, v.Speed, 12);
    }

    [Fact]
    public void Crashed_vehicles_brake_straight_and_speed_stays_in_bounds()
    {
        var v = new Vehicle();
        v.Initialize(VehicleKind.Idm, 0, 0, 0, 20);
        v.Crashed = true;
        v.Steering = 0.5;
        v.Acceleration = 3;
        BicycleModel.Step(v, 0.2);
        Assert.Equal(0, v.Heading);
        Assert.Equal(20 - 20 * 0.2, v.Speed, 12);
        var fast = new Vehicle();
        fast.Initialize(VehicleKind.Idm, 0, 0, 0, 41);
        fast.Acceleration = 5;
        BicycleModel.ClipCommands(fast);
        Assert.Equal(-1, fast.Acceleration, 12);
    }

    [Fact]
    public void Steering_controller_follows_its_definition()
    {
        var lane = new StraightLane(0, 0, 1000, 0);
        var v = new Vehicle();
        v.Initialize(VehicleKind.MetaControlled, 50, 1.0, 0.05, 25);
        double lateralSpeed = -1 / 0.6 * 1.0;
        double headingCommand = Math.Asin(lateralSpeed / 25);
        double rate = 5 * (0 + headingCommand - 0.05);
        double slip = Math.Asin(2.5 / 25 * rate);
        Assert.Equal(Math.Atan(2 * Math.Tan(slip)), Controllers.SteeringControl(lane, v), 12);
        // Far off the lane the heading command saturates at π/4 and the steering at π/3.
        v.Y = 100;
        v.Heading = 0;
        v.Speed = 1;
        Assert.Equal(-Math.PI / 3, Controllers.SteeringControl(lane, v), 12);
        Assert.Equal((30 - 25) / 0.6, Controllers.SpeedControl(30, 25), 12);
    }

    [Fact]
    public void Rectangles_collide_by_separating_axes()
    {
        Span<double> a = stackalloc double[8];
        Span<double> b = stackalloc double[8];
        Collisions.Corners(0, 0, 0, 5, 2, a);
        // Overlapping: centres 4.9 m apart along x (half lengths 2.5 + 2.5).
        Collisions.Corners(4.9, 0, 0, 5, 2, b);
        Assert.True(Collisions.Test(a, b, 0, 0, 0, 0).Intersecting);
        Collisions.Corners(5.1, 0, 0, 5, 2, b);
        var apart = Collisions.Test(a, b, 0, 0, 0, 0);
        Assert.False(apart.Intersecting);
        Assert.False(apart.WillIntersect);
        // Closing at 1 m over the step: they will intersect, and the translation pushes a back along −x by the overlap 0.9.
        var closing = Collisions.Test(a, b, 1, 0, 0, 0);
        Assert.False(closing.Intersecting);
        Assert.True(closing.WillIntersect);
        Assert.Equal(-0.9, closing.TranslationX, 9);
        Assert.Equal(0, closing.TranslationY, 9);
        // A rectangle turned by 45° whose rear edge cuts through the front of the first (its back corner reaches 2.475 m
        // behind its centre).
        Collisions.Corners(4.7, 0, Math.PI / 4, 5, 2, b);
        Assert.True(Collisions.Test(a, b, 0, 0, 0, 0).Intersecting);
        Collisions.Corners(5.1, 3.0, Math.PI / 2, 5, 2, b);
        Assert.False(Collisions.Test(a, b, 0, 0, 0, 0).Intersecting);
    }

    [Fact]
    public void Collision_rules_crash_both_and_queue_half_impacts()
    {
        var road = new Road(RoadNetwork.StraightRoad(2), new Rng(1));
        Vehicle a = road.AddVehicle(VehicleKind.Idm, 100, 0, 0, 20);
        Vehicle b = road.AddVehicle(VehicleKind.Idm, 104, 0, 0, 20);
        Collisions.Handle(a, b, 0.2);
        Assert.True(a.Crashed && b.Crashed);
        // Traffic that does not check collisions passes through other traffic but not the checking ego.
        Vehicle c = road.AddVehicle(VehicleKind.Idm, 200, 0, 0, 20);
        Vehicle d = road.AddVehicle(VehicleKind.Idm, 203, 0, 0, 20);
        c.CheckCollisions = d.CheckCollisions = false;
        Collisions.Handle(c, d, 0.2);
        Assert.False(c.Crashed || d.Crashed);
        // Predicted only: impacts of half the translation each, crash at the next integration.
        Vehicle e = road.AddVehicle(VehicleKind.Idm, 300, 4, 0, 20);
        Vehicle f = road.AddVehicle(VehicleKind.Idm, 305.5, 4, 0, 10);
        Collisions.Handle(e, f, 0.2); // closes 2 m over the step, gap 0.5 m
        Assert.False(e.Crashed || f.Crashed);
        Assert.True(e.HasImpact && f.HasImpact);
        Assert.Equal(-e.ImpactX, f.ImpactX, 12);
        Assert.Equal(-0.75, e.ImpactX, 9);
        BicycleModel.Step(e, 0.2);
        Assert.True(e.Crashed);
    }
}
