using PolicyLab.Environments.Highway;

namespace PolicyLab.Tests.Environments.Highway;

public class LaneTests
{
    [Fact]
    public void Straight_lane_coordinates_round_trip_and_follow_the_definition()
    {
        var lane = new StraightLane(10, 4, 10 + 30, 4 + 40); // length 50, direction (0.6, 0.8)
        Assert.Equal(50, lane.Length, 12);
        Assert.Equal(Math.Atan2(40, 30), lane.HeadingAt(7), 12);
        var (x, y) = lane.Position(10, 2);
        // start + 10·(0.6, 0.8) + 2·(−0.8, 0.6)
        Assert.Equal(10 + 6 - 1.6, x, 12);
        Assert.Equal(4 + 8 + 1.2, y, 12);
        var (s, r) = lane.LocalCoordinates(x, y);
        Assert.Equal(10, s, 12);
        Assert.Equal(2, r, 12);
    }

    [Fact]
    public void On_lane_and_reachable_use_highway_env_margins()
    {
        var lane = new StraightLane(0, 0, 100, 0);
        Assert.True(lane.OnLane(50, 1.99, 0));
        Assert.False(lane.OnLane(50, 2.01, 0));
        Assert.True(lane.OnLane(-4.9, 0, 0));
        Assert.False(lane.OnLane(-5.1, 0, 0));
        Assert.True(lane.OnLane(104.9, 0, 0));
        Assert.False(lane.OnLane(105, 0, 0));
        Assert.True(lane.IsReachableFrom(50, 7.9));
        Assert.False(lane.IsReachableFrom(50, 8.1));
        Assert.False(lane.IsReachableFrom(-0.1, 0));
        Assert.True(lane.AfterEnd(97.6));
        Assert.False(lane.AfterEnd(97.4));
        var forbidden = new StraightLane(0, 0, 100, 0, forbidden: true);
        Assert.False(forbidden.IsReachableFrom(50, 0));
    }

    [Fact]
    public void Sine_lane_offsets_the_straight_line_by_the_sine()
    {
        var lane = new SineLane(0, 0, 80, 0, amplitude: 3.25, pulsation: 2 * Math.PI / 80, phase: Math.PI / 2);
        var (x, y) = lane.Position(20, 0.5);
        Assert.Equal(20, x, 12);
        Assert.Equal(0.5 + 3.25 * Math.Sin(2 * Math.PI / 80 * 20 + Math.PI / 2), y, 12);
        var (s, r) = lane.LocalCoordinates(x, y);
        Assert.Equal(20, s, 12);
        Assert.Equal(0.5, r, 12);
        double slope = 3.25 * 2 * Math.PI / 80 * Math.Cos(2 * Math.PI / 80 * 20 + Math.PI / 2);
        Assert.Equal(Math.Atan(slope), lane.HeadingAt(20), 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Circular_lane_coordinates_round_trip(bool clockwise)
    {
        double start = clockwise ? 0.3 : 2.0, end = clockwise ? 2.0 : 0.3;
        var lane = new CircularLane(5, -3, 20, start, end, clockwise);
        Assert.Equal(20 * 1.7, lane.Length, 12);
        var (x, y) = lane.Position(10, 1.5);
        var (s, r) = lane.LocalCoordinates(x, y);
        Assert.Equal(10, s, 10);
        Assert.Equal(1.5, r, 10);
        // Distance from the centre: radius − r·direction.
        Assert.Equal(20 - 1.5 * (clockwise ? 1 : -1), Math.Sqrt((x - 5) * (x - 5) + (y + 3) * (y + 3)), 10);
        // The heading is tangent: moving along s follows it.
        var (x2, y2) = lane.Position(10 + 1e-6, 0);
        var (x1, y1) = lane.Position(10, 0);
        Assert.Equal(lane.HeadingAt(10), Math.Atan2(y2 - y1, x2 - x1), 5);
    }

    [Fact]
    public void Network_gives_neighbours_closest_lane_and_routes()
    {
        RoadNetwork road = RoadNetwork.StraightRoad(3);
        Assert.Equal(3, road.LaneCount);
        Assert.Equal((-1, 1), road.SideLanes(0));
        Assert.Equal((0, 2), road.SideLanes(1));
        Assert.Equal((1, -1), road.SideLanes(2));
        Assert.Equal(2, road.ClosestLane(100, 7.1, 0));
        Assert.Equal(1, road.ClosestLane(100, 5.9, 0));
        Assert.Equal(LaneLine.Continuous, road.Lanes[0].LeftLine);
        Assert.Equal(LaneLine.Continuous, road.Lanes[2].RightLine);

        var net = new RoadNetwork();
        net.AddLane("a", "b", new StraightLane(0, 0, 100, 0));
        net.AddLane("a", "b", new StraightLane(0, 4, 100, 4));
        int bc = net.AddLane("b", "c", new StraightLane(100, 0, 200, 0));
        net.AddLane("b", "c", new StraightLane(100, 4, 200, 4));
        int bd = net.AddLane("b", "d", new StraightLane(100, 8, 200, 40));
        int[] path = net.ShortestPath(net.NodeIndex("a"), net.NodeIndex("d"))!;
        Assert.Equal(["a", "b", "d"], path.Select(n => n == net.NodeIndex("a") ? "a" : n == net.NodeIndex("b") ? "b" : "d"));
        // Past the end of (a, b, 0) along the route a→b→d: the single lane of b→d.
        int start = 0;
        Assert.Equal(bd, net.NextLane(net.LaneIndex("a", "b", 0), 99, 0, path, ref start));
        // Without a route: same lane id on the edge whose lane is closest to the projection.
        int none = 0;
        Assert.Equal(bc, net.NextLane(net.LaneIndex("a", "b", 0), 99, 0.5, null, ref none));
    }
}
