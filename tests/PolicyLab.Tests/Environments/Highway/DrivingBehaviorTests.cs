using PolicyLab.Environments.Highway;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments.Highway;

public class DrivingBehaviorTests
{
    private static Road StraightRoad(int lanes = 3) => new(RoadNetwork.StraightRoad(lanes), new Rng(3));

    [Fact]
    public void Idm_free_road_and_interaction_terms()
    {
        Road road = StraightRoad();
        Vehicle follower = road.AddVehicle(VehicleKind.Idm, 100, 4, 0, 20);
        follower.TargetSpeed = 25;
        Vehicle leader = road.AddVehicle(VehicleKind.Idm, 140, 4, 0, 15);
        // Free road: 3·(1 − (20/25)^4).
        Assert.Equal(3 * (1 - Math.Pow(20.0 / 25, 4)), DrivingBehavior.Acceleration(road, 4, 0, -1), 12);
        // With the leader 40 m ahead closing at 5 m/s: s* = 10 + 20·1.5 + 20·5/(2·√15).
        double sStar = 10 + 20 * 1.5 + 20 * 5 / (2 * Math.Sqrt(15));
        Assert.Equal(sStar, DrivingBehavior.DesiredGap(follower, leader), 12);
        double expected = 3 * (1 - Math.Pow(20.0 / 25, 4)) - 3 * Math.Pow(sStar / 40, 2);
        Assert.Equal(expected, DrivingBehavior.Acceleration(road, 4, 0, 1), 12);
        // The desired speed is capped by the lane's limit (30 m/s).
        follower.TargetSpeed = 50;
        Assert.Equal(3 * (1 - Math.Pow(20.0 / 30, 4)), DrivingBehavior.Acceleration(road, 4, 0, -1), 12);
        // Another δ changes the free term only.
        Assert.Equal(3 * (1 - Math.Pow(20.0 / 30, 3.5)), DrivingBehavior.Acceleration(road, 3.5, 0, -1), 12);
    }

    [Fact]
    public void Neighbours_are_the_closest_ahead_and_behind_on_the_lane()
    {
        Road road = StraightRoad();
        road.AddVehicle(VehicleKind.Idm, 100, 4, 0, 20);     // 0: the query
        road.AddVehicle(VehicleKind.Idm, 150, 4, 0, 20);     // 1: ahead, farther
        road.AddVehicle(VehicleKind.Idm, 130, 4.5, 0, 20);   // 2: ahead, closest
        road.AddVehicle(VehicleKind.Idm, 80, 4, 0, 20);      // 3: behind
        road.AddVehicle(VehicleKind.Idm, 120, 0, 0, 20);     // 4: other lane
        road.AddVehicle(VehicleKind.Idm, 90, 6.9, 0, 20);    // 5: 2.9 m off lane 1's centre: within the 1 m margin
        Assert.Equal((2, 5), road.Neighbours(0, 1));
        Assert.Equal((4, -1), road.Neighbours(0, 0));
    }

    [Fact]
    public void Mobil_takes_a_faster_free_lane_and_refuses_one_that_brakes_the_follower()
    {
        Road road = StraightRoad(2);
        Vehicle self = road.AddVehicle(VehicleKind.Idm, 100, 0, 0, 25);
        self.TargetSpeed = 30;
        road.AddVehicle(VehicleKind.Idm, 125, 0, 0, 15); // slow leader 25 m ahead on lane 0
        // Lane 1 is empty: the gain is a_free − a_behind_leader, far above 0.2.
        Assert.True(DrivingBehavior.Mobil(road, 0, 1));

        // A fast follower right behind on lane 1 would have to brake hard: unsafe.
        Vehicle follower = road.AddVehicle(VehicleKind.Idm, 92, 4, 0, 30);
        follower.TargetSpeed = 30;
        double imposed = DrivingBehavior.Acceleration(road, 4, 2, 0);
        Assert.True(imposed < -2, $"the follower's predicted acceleration {imposed} should be below −2");
        Assert.False(DrivingBehavior.Mobil(road, 0, 1));
    }

    [Fact]
    public void Mobil_incentive_threshold_is_0_2()
    {
        Road road = StraightRoad(2);
        Vehicle self = road.AddVehicle(VehicleKind.Idm, 100, 0, 0, 20);
        self.TargetSpeed = 20; // free-road acceleration 0 at the desired speed
        // Leaders at the same speed on both lanes, the one on lane 1 a little farther away.
        road.AddVehicle(VehicleKind.Idm, 160, 0, 0, 20);
        road.AddVehicle(VehicleKind.Idm, 161, 4, 0, 20);
        double selfA = DrivingBehavior.Acceleration(road, 4, 0, 1);
        double selfPredA = -3 * Math.Pow((10 + 20 * 1.5) / 61.0, 2);
        Assert.True(selfPredA - selfA < 0.2);
        Assert.False(DrivingBehavior.Mobil(road, 0, 1));
        // Move the lane-1 leader far ahead: now the gain exceeds the threshold.
        road.VehicleAt(2).X = 400;
        road.Invalidate();
        Assert.True(DrivingBehavior.Mobil(road, 0, 1));
    }

    [Fact]
    public void Speed_index_rounds_half_to_even_and_clips()
    {
        double[] speeds = [20, 25, 30];
        Assert.Equal(1, DrivingActions.SpeedToIndex(speeds, 25));
        Assert.Equal(0, DrivingActions.SpeedToIndex(speeds, 22.5)); // 0.5 → 0
        Assert.Equal(2, DrivingActions.SpeedToIndex(speeds, 27.5)); // 1.5 → 2
        Assert.Equal(0, DrivingActions.SpeedToIndex(speeds, 3));
        Assert.Equal(2, DrivingActions.SpeedToIndex(speeds, 80));
    }
}
