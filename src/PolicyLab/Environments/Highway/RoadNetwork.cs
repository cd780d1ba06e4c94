namespace PolicyLab.Environments.Highway;

/// <summary>
/// The lanes of a road as a directed graph of named nodes: each edge (from → to) holds one or more parallel lanes,
/// numbered 0, 1, … from left to right, as highway-env's RoadNetwork. Every lane also gets a global integer index
/// (its position in <see cref="Lanes"/>), which is what vehicles store.
/// </summary>
public sealed class RoadNetwork
{
    private readonly List<string> _nodes = [];
    private readonly Dictionary<string, int> _nodeIds = new(StringComparer.Ordinal);
    private readonly List<Lane> _lanes = [];
    private Lane[] _laneArray = [];
    private readonly List<(int From, int To, int Id)> _laneKeys = [];
    // Edge (from, to) -> global lane indices in lane-id order.
    private readonly Dictionary<(int From, int To), List<int>> _edges = [];
    // Node -> outgoing edges' destination nodes in insertion order.
    private readonly List<List<int>> _successors = [];

    /// <summary>All lanes, by global index.</summary>
    public ReadOnlySpan<Lane> Lanes => _laneArray;

    /// <summary>Number of lanes.</summary>
    public int LaneCount => _lanes.Count;

    /// <summary>The (from, to, id) key of a lane.</summary>
    public (string From, string To, int Id) Key(int lane)
    {
        var (f, t, i) = _laneKeys[lane];
        return (_nodes[f], _nodes[t], i);
    }

    /// <summary>Adds a lane on edge from → to; its id on the edge is the number of lanes already there.</summary>
    /// <returns>The lane's global index.</returns>
    public int AddLane(string from, string to, Lane lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        int f = Node(from), t = Node(to);
        if (!_edges.TryGetValue((f, t), out List<int>? list))
        {
            list = [];
            _edges[(f, t)] = list;
            _successors[f].Add(t);
        }
        int index = _lanes.Count;
        _lanes.Add(lane);
        _laneArray = [.. _lanes];
        _laneKeys.Add((f, t, list.Count));
        list.Add(index);
        return index;
    }

    /// <summary>The global index of lane (from, to, id).</summary>
    public int LaneIndex(string from, string to, int id)
    {
        if (!_nodeIds.TryGetValue(from, out int f) || !_nodeIds.TryGetValue(to, out int t) || !_edges.TryGetValue((f, t), out List<int>? list))
            throw new PolicyLabException($"The road has no edge '{from}' → '{to}'.");
        if ((uint)id >= (uint)list.Count)
            throw new PolicyLabException($"The edge '{from}' → '{to}' has {list.Count} lane(s); lane {id} does not exist.");
        return list[id];
    }

    /// <summary>The lane id of a lane on its edge (0 = leftmost).</summary>
    public int LaneId(int lane) => _laneKeys[lane].Id;

    /// <summary>The number of parallel lanes on a lane's edge.</summary>
    public int LanesOnEdge(int lane) => _edges[(_laneKeys[lane].From, _laneKeys[lane].To)].Count;

    /// <summary>The lane with id <paramref name="id"/> on the same edge as <paramref name="lane"/>.</summary>
    public int Sibling(int lane, int id) => _edges[(_laneKeys[lane].From, _laneKeys[lane].To)][id];

    /// <summary>Whether two lanes are on the same edge.</summary>
    public bool SameEdge(int a, int b) => _laneKeys[a].From == _laneKeys[b].From && _laneKeys[a].To == _laneKeys[b].To;

    /// <summary>The left and right neighbours of a lane on its edge (−1 where there is none).</summary>
    public (int Left, int Right) SideLanes(int lane)
    {
        var (f, t, id) = _laneKeys[lane];
        List<int> list = _edges[(f, t)];
        return (id > 0 ? list[id - 1] : -1, id < list.Count - 1 ? list[id + 1] : -1);
    }

    /// <summary>The lane closest to a pose: least <see cref="Lane.DistanceWithHeading"/> (first lane on ties).</summary>
    public int ClosestLane(double x, double y, double heading)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        Lane[] lanes = _laneArray;
        for (int i = 0; i < lanes.Length; i++)
        {
            double d = lanes[i].DistanceWithHeading(x, y, heading);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }

    /// <summary>The node index of a name (for routes).</summary>
    public int NodeIndex(string name) =>
        _nodeIds.TryGetValue(name, out int id) ? id : throw new PolicyLabException($"The road has no node '{name}'.");

    /// <summary>The node a lane leads to.</summary>
    public int EndNode(int lane) => _laneKeys[lane].To;

    /// <summary>The node a lane starts from.</summary>
    public int StartNode(int lane) => _laneKeys[lane].From;

    /// <summary>Whether the network has any edge leaving <paramref name="node"/>.</summary>
    public bool HasSuccessors(int node) => _successors[node].Count > 0;

    /// <summary>
    /// The lane to continue on past the end of <paramref name="lane"/> (highway-env's next_lane): along the route when
    /// its next edge starts where the lane ends, otherwise the edge out of the end node whose best lane is closest to the
    /// lane-centre projection of (x, y). Same lane count → same lane id; else the closest lane. Returns the lane itself at
    /// a dead end. <paramref name="route"/> holds the remaining nodes to visit (route[0] = the node after the lane's end
    /// node once the current edge has been passed); <paramref name="routeStart"/> is advanced as edges are consumed.
    /// </summary>
    public int NextLane(int lane, double x, double y, int[]? route, ref int routeStart)
    {
        var (from, to, id) = _laneKeys[lane];
        int nextTo = -1;
        if (route is not null)
        {
            // The route is a node path; route[routeStart] is the first node not yet reached.
            // Drop the current edge from the route if it is its head.
            if (routeStart + 1 < route.Length && route[routeStart] == from && route[routeStart + 1] == to)
                routeStart++;
            if (routeStart + 1 < route.Length && route[routeStart] == to)
                nextTo = route[routeStart + 1];
        }
        Lane current = _lanes[lane];
        var (s, _) = current.LocalCoordinates(x, y);
        var (px, py) = current.Position(s, 0);
        if (nextTo < 0)
        {
            if (_successors[to].Count == 0)
                return lane;
            double best = double.PositiveInfinity;
            int bestLane = lane;
            foreach (int candidate in _successors[to])
            {
                var (nextLane, distance) = NextLaneOnEdge(from, to, id, candidate, px, py);
                if (distance < best)
                {
                    best = distance;
                    bestLane = nextLane;
                }
            }
            return bestLane;
        }
        if (!_edges.ContainsKey((to, nextTo)))
            return lane;
        return NextLaneOnEdge(from, to, id, nextTo, px, py).Lane;
    }

    private (int Lane, double Distance) NextLaneOnEdge(int from, int to, int id, int nextTo, double px, double py)
    {
        List<int> current = _edges[(from, to)];
        List<int> next = _edges[(to, nextTo)];
        int chosen;
        if (current.Count == next.Count)
            chosen = next[id];
        else
        {
            chosen = next[0];
            double best = double.PositiveInfinity;
            foreach (int candidate in next)
            {
                double d = _lanes[candidate].Distance(px, py);
                if (d < best)
                {
                    best = d;
                    chosen = candidate;
                }
            }
        }
        return (chosen, _lanes[chosen].Distance(px, py));
    }

    /// <summary>The shortest node path (fewest edges, breadth-first with successors in name order, as highway-env's search) from one node to another, or null.</summary>
    public int[]? ShortestPath(int start, int goal)
    {
        var previous = new int[_nodes.Count];
        Array.Fill(previous, -2);
        previous[start] = -1;
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            if (node == goal)
                break;
            foreach (int next in _successors[node].Order(Comparer<int>.Create((a, b) => string.CompareOrdinal(_nodes[a], _nodes[b]))))
            {
                if (previous[next] != -2)
                    continue;
                previous[next] = node;
                queue.Enqueue(next);
            }
        }
        if (previous[goal] == -2)
            return null;
        var path = new List<int>();
        for (int n = goal; n != -1; n = previous[n])
            path.Add(n);
        path.Reverse();
        return [.. path];
    }

    /// <summary>A network of <paramref name="lanes"/> parallel straight lanes "0" → "1" along +x, lane k at y = 4k (highway-env's straight_road_network).</summary>
    public static RoadNetwork StraightRoad(int lanes, double length = 10000, double speedLimit = 30)
    {
        var network = new RoadNetwork();
        for (int k = 0; k < lanes; k++)
        {
            LaneLine left = k == 0 ? LaneLine.Continuous : LaneLine.Striped;
            LaneLine right = k == lanes - 1 ? LaneLine.Continuous : LaneLine.None;
            network.AddLane("0", "1", new StraightLane(0, k * Lane.DefaultWidth, length, k * Lane.DefaultWidth,
                left: left, right: right, speedLimit: speedLimit));
        }
        return network;
    }

    private int Node(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_nodeIds.TryGetValue(name, out int id))
            return id;
        id = _nodes.Count;
        _nodes.Add(name);
        _nodeIds[name] = id;
        _successors.Add([]);
        return id;
    }
}
