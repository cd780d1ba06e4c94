using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.Discretization;

/// <summary>How a cube of a <see cref="DyadicCubeTree"/> splits.</summary>
public enum CubeSplit
{
    /// <summary>Into 2ᵈ children of half the side along every dimension (Sinclair et al.'s split).</summary>
    Full,
    /// <summary>Into 2 children along one dimension, the dimensions taken in turn with depth (scales to many dimensions).</summary>
    Cyclic,
}

/// <summary>What the algorithms keep per cube. A split copies the parent's statistics into its children
/// (inheritance); an algorithm that wants fresh children resets what it does not inherit.</summary>
public struct CubeStatistics
{
    /// <summary>Times the cube was chosen (played).</summary>
    public long Visits { get; set; }

    /// <summary>Times the cube's estimate was updated.</summary>
    public long Updates { get; set; }

    /// <summary>The cube's value estimate (Q of the cube).</summary>
    public double Value { get; set; }

    /// <summary>The cube's policy preference (logit).</summary>
    public double Preference { get; set; }

    /// <summary>Sum of the samples accumulated since the last reset (e.g. advantages).</summary>
    public double Sum { get; set; }

    /// <summary>Sum of their squares.</summary>
    public double SumSquares { get; set; }

    /// <summary>Number of accumulated samples.</summary>
    public long Samples { get; set; }

    /// <summary>Variance of the accumulated samples (0 with fewer than 2).</summary>
    public readonly double SampleVariance => Samples < 2 ? 0 : Math.Max(0, (SumSquares - Sum * Sum / Samples) / (Samples - 1));
}

/// <summary>
/// A tree of dyadic cubes over the unit box [0, 1]ᵈ, d = d_S + d_A (state coordinates first, then action
/// coordinates; d_S = 0 for an action-only tree). The leaves ("active cubes") partition the box: a point
/// belongs to exactly one leaf, each coordinate to the half-open interval [lower, lower + side) (the upper
/// face of the box to the last cell). A split replaces a leaf by 2ᵈ children of half the side
/// (<see cref="CubeSplit.Full"/>) or by 2 halves along one dimension, cycling through the split dimensions
/// with depth (<see cref="CubeSplit.Cyclic"/>). The number of leaves never exceeds the cell budget; no cube
/// is split more than <see cref="MaxDepth"/> times from the root.
/// <para>Every leaf has a dense <em>slot</em> in [0, <see cref="LeafCount"/>): a split gives the parent's
/// slot to its first child and new slots to the others, so a value head indexed by slot keeps its rows.</para>
/// <para>Lookups descend from the root: <see cref="Locate"/> costs O(depth); <see cref="Relevant"/> (the
/// leaves whose state projection contains x, which partition the action box) costs O(depth) per relevant
/// leaf. Randomness comes only from the stream passed to <see cref="SampleAction"/>.</para>
/// </summary>
public sealed class DyadicCubeTree
{
    /// <summary>The largest allowed number of splits from the root (sides stay exact in float32).</summary>
    public const int MaxDepthLimit = 20;

    /// <summary>The largest allowed cell budget.</summary>
    public const int MaxBudget = 1 << 22;

    private readonly int[] _cycle;
    private float[] _lower = [];
    private byte[] _level = [];
    private int[] _depth = [], _parent = [], _firstChild = [], _slot = [];
    private CubeStatistics[] _stats = [];
    private readonly int[] _slotToNode;

    /// <summary>Creates the tree with its root split <paramref name="initialDepth"/> times everywhere (a uniform grid).</summary>
    /// <param name="stateDimensions">d_S (0 for an action-only tree).</param>
    /// <param name="actionDimensions">d_A ≥ 1.</param>
    /// <param name="budget">Most leaves at any time, in [1, <see cref="MaxBudget"/>].</param>
    /// <param name="maxDepth">Most splits from the root, in [0, <see cref="MaxDepthLimit"/>].</param>
    /// <param name="split">Full (2ᵈ children) or cyclic binary splits.</param>
    /// <param name="initialDepth">Uniform splits made at creation, in [0, maxDepth].</param>
    /// <param name="cycleDimensions">The dimensions cyclic splits go through, in order (default: all).</param>
    /// <exception cref="PolicyLabException">A dimension, budget or depth is out of range, or the initial grid exceeds the budget.</exception>
    public DyadicCubeTree(int stateDimensions, int actionDimensions, int budget, int maxDepth, CubeSplit split = CubeSplit.Full,
        int initialDepth = 0, IReadOnlyList<int>? cycleDimensions = null)
    {
        if (stateDimensions < 0 || actionDimensions < 1)
            throw new PolicyLabException($"A cube tree needs ≥ 0 state and ≥ 1 action dimensions (got {stateDimensions} and {actionDimensions}).");
        StateDimensions = stateDimensions;
        ActionDimensions = actionDimensions;
        Dimensions = stateDimensions + actionDimensions;
        if (split == CubeSplit.Full && Dimensions > 12)
            throw new PolicyLabException($"Full splits of a {Dimensions}-dimensional cube would make 2^{Dimensions} children; use cyclic (binary) splits.");
        if (budget < 1 || budget > MaxBudget)
            throw new PolicyLabException($"The cell budget must lie in [1, {MaxBudget}] (got {budget}).");
        if (maxDepth < 0 || maxDepth > MaxDepthLimit)
            throw new PolicyLabException($"The maximum depth must lie in [0, {MaxDepthLimit}] (got {maxDepth}).");
        if (initialDepth < 0 || initialDepth > maxDepth)
            throw new PolicyLabException($"The initial depth must lie in [0, max depth = {maxDepth}] (got {initialDepth}).");
        Split = split;
        Budget = budget;
        MaxDepth = maxDepth;
        _cycle = cycleDimensions is null ? [.. Enumerable.Range(0, Dimensions)] : [.. cycleDimensions];
        if (_cycle.Length == 0 || _cycle.Any(k => k < 0 || k >= Dimensions))
            throw new PolicyLabException($"The cyclic split dimensions must be a non-empty list of dimensions in [0, {Dimensions}).");
        ChildrenPerSplit = split == CubeSplit.Full ? 1 << Dimensions : 2;
        double initialLeaves = Math.Pow(ChildrenPerSplit, initialDepth);
        if (initialLeaves > budget)
            throw new PolicyLabException($"The initial grid (depth {initialDepth}: {initialLeaves:0} cells) is larger than the cell budget {budget}; lower the initial depth or raise the budget.");
        _slotToNode = new int[budget];
        Grow(Math.Min(2 * budget + 1, 1024));
        NodeCount = 1;
        _parent[0] = -1;
        _firstChild[0] = -1;
        _slot[0] = 0;
        _slotToNode[0] = 0;
        LeafCount = 1;
        for (int level = 0; level < initialDepth; level++)
        {
            int count = NodeCount;
            for (int node = 0; node < count; node++)
                if (IsLeaf(node)) SplitCube(node);
        }
    }

    /// <summary>d = d_S + d_A.</summary>
    public int Dimensions { get; }

    /// <summary>d_S.</summary>
    public int StateDimensions { get; }

    /// <summary>d_A.</summary>
    public int ActionDimensions { get; }

    /// <summary>The split rule.</summary>
    public CubeSplit Split { get; }

    /// <summary>2ᵈ (full) or 2 (cyclic).</summary>
    public int ChildrenPerSplit { get; }

    /// <summary>Most leaves at any time.</summary>
    public int Budget { get; }

    /// <summary>Most splits from the root.</summary>
    public int MaxDepth { get; }

    /// <summary>Cubes ever created (leaves and split ones); ids are [0, NodeCount), the root is 0.</summary>
    public int NodeCount { get; private set; }

    /// <summary>Active cubes (leaves).</summary>
    public int LeafCount { get; private set; }

    /// <summary>Whether <paramref name="node"/> is active (not split).</summary>
    public bool IsLeaf(int node) => _firstChild[node] < 0;

    /// <summary>Splits from the root to <paramref name="node"/>.</summary>
    public int Depth(int node) => _depth[node];

    /// <summary>The parent cube (−1 for the root).</summary>
    public int Parent(int node) => _parent[node];

    /// <summary>The first child of a split cube (children are consecutive ids), −1 for a leaf.</summary>
    public int FirstChild(int node) => _firstChild[node];

    /// <summary>The leaf's slot in [0, LeafCount), −1 for a split cube.</summary>
    public int Slot(int node) => _slot[node];

    /// <summary>The leaf holding <paramref name="slot"/>.</summary>
    public int LeafAtSlot(int slot) => (uint)slot < (uint)LeafCount ? _slotToNode[slot] : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>Lower corner of <paramref name="node"/> along <paramref name="dimension"/>.</summary>
    public float Lower(int node, int dimension) => _lower[node * Dimensions + dimension];

    /// <summary>Side of <paramref name="node"/> along <paramref name="dimension"/> (2^−level).</summary>
    public float Side(int node, int dimension) => 1f / (1 << _level[node * Dimensions + dimension]);

    /// <summary>The largest side of <paramref name="node"/> (its sup-norm diameter).</summary>
    public float Diameter(int node)
    {
        int min = int.MaxValue;
        for (int k = 0; k < Dimensions; k++) min = Math.Min(min, _level[node * Dimensions + k]);
        return 1f / (1 << min);
    }

    /// <summary>The statistics of <paramref name="node"/>, by reference.</summary>
    public ref CubeStatistics Stats(int node) => ref _stats[node];

    /// <summary>Whether <paramref name="node"/> is a leaf that may split without exceeding the depth or the budget.</summary>
    public bool CanSplit(int node) => IsLeaf(node) && _depth[node] < MaxDepth && LeafCount + ChildrenPerSplit - 1 <= Budget;

    /// <summary>The dimension a cyclic split of <paramref name="node"/> halves (−1 for full splits).</summary>
    public int SplitDimension(int node) => Split == CubeSplit.Full ? -1 : _cycle[_depth[node] % _cycle.Length];

    /// <summary>
    /// Splits the leaf <paramref name="node"/>; its children copy its statistics. The first child takes the
    /// parent's slot, the others the next free slots. Returns the first child's id (children are consecutive).
    /// </summary>
    /// <exception cref="InvalidOperationException">The cube cannot split (<see cref="CanSplit"/> is false).</exception>
    public int SplitCube(int node)
    {
        if (!CanSplit(node)) throw new InvalidOperationException($"Cube {node} cannot split (leaf: {IsLeaf(node)}, depth {_depth[node]}/{MaxDepth}, leaves {LeafCount}/{Budget}).");
        int d = Dimensions, c = ChildrenPerSplit;
        if (NodeCount + c > _parent.Length) Grow(Math.Max(_parent.Length * 2, NodeCount + c));
        int first = NodeCount, splitDim = SplitDimension(node);
        for (int j = 0; j < c; j++)
        {
            int child = first + j;
            for (int k = 0; k < d; k++)
            {
                float lower = _lower[node * d + k];
                byte level = _level[node * d + k];
                bool halves = splitDim < 0 || splitDim == k;
                bool upper = splitDim < 0 ? ((j >> k) & 1) == 1 : j == 1;
                if (halves)
                {
                    level++;
                    if (upper) lower += 1f / (1 << level);
                }
                _lower[child * d + k] = lower;
                _level[child * d + k] = level;
            }
            _depth[child] = _depth[node] + 1;
            _parent[child] = node;
            _firstChild[child] = -1;
            _stats[child] = _stats[node];
            int slot = j == 0 ? _slot[node] : LeafCount + j - 1;
            _slot[child] = slot;
            _slotToNode[slot] = child;
        }
        _firstChild[node] = first;
        _slot[node] = -1;
        NodeCount += c;
        LeafCount += c - 1;
        return first;
    }

    /// <summary>The child of split cube <paramref name="node"/> containing <paramref name="point"/> (all d coordinates).</summary>
    private int ChildContaining(int node, ReadOnlySpan<float> point)
    {
        int d = Dimensions, first = _firstChild[node];
        int splitDim = SplitDimension(node);
        if (splitDim >= 0) return first + (point[splitDim] >= Middle(node, splitDim) ? 1 : 0);
        int index = 0;
        for (int k = 0; k < d; k++)
            if (point[k] >= Middle(node, k)) index |= 1 << k;
        return first + index;
    }

    private float Middle(int node, int k) => _lower[node * Dimensions + k] + 0.5f / (1 << _level[node * Dimensions + k]);

    /// <summary>Children visited by the last <see cref="Locate"/> (its leaf's depth): the lookup's cost.</summary>
    internal int LastDescent { get; private set; }

    /// <summary>The leaf containing <paramref name="point"/> ∈ [0, 1]ᵈ, in O(depth).</summary>
    public int Locate(ReadOnlySpan<float> point)
    {
        if (point.Length < Dimensions) throw new ArgumentException($"A point of this tree has {Dimensions} coordinates; got {point.Length}.");
        int node = 0, steps = 0;
        while (_firstChild[node] >= 0)
        {
            node = ChildContaining(node, point);
            steps++;
        }
        LastDescent = steps;
        return node;
    }

    /// <summary>
    /// The leaves whose state projection contains <paramref name="state"/> ∈ [0, 1]^d_S (every leaf of an
    /// action-only tree), appended to <paramref name="leaves"/> (cleared first). They partition the action box,
    /// so there is always at least one. Allocates nothing once the list has room.
    /// </summary>
    public void Relevant(ReadOnlySpan<float> state, List<int> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (state.Length < StateDimensions) throw new ArgumentException($"A state of this tree has {StateDimensions} coordinates; got {state.Length}.");
        leaves.Clear();
        Collect(0, state, leaves);
    }

    private void Collect(int node, ReadOnlySpan<float> state, List<int> leaves)
    {
        int first = _firstChild[node];
        if (first < 0)
        {
            leaves.Add(node);
            return;
        }
        int splitDim = SplitDimension(node), ds = StateDimensions;
        if (splitDim >= 0)
        {
            if (splitDim < ds) Collect(first + (state[splitDim] >= Middle(node, splitDim) ? 1 : 0), state, leaves);
            else
            {
                Collect(first, state, leaves);
                Collect(first + 1, state, leaves);
            }
            return;
        }
        int stateBits = 0;
        for (int k = 0; k < ds; k++)
            if (state[k] >= Middle(node, k)) stateBits |= 1 << k;
        for (int j = 0; j < 1 << ActionDimensions; j++) Collect(first + (stateBits | (j << ds)), state, leaves);
    }

    /// <summary>Whether the state projection of <paramref name="node"/> contains <paramref name="state"/> (half-open faces, closed at 1).</summary>
    public bool ContainsState(int node, ReadOnlySpan<float> state)
    {
        for (int k = 0; k < StateDimensions; k++)
        {
            float lower = Lower(node, k), upper = lower + Side(node, k);
            if (state[k] < lower || (state[k] >= upper && upper < 1f) || state[k] > 1f) return false;
        }
        return true;
    }

    /// <summary>The centre of the action face of <paramref name="node"/> in [0, 1]^d_A.</summary>
    public void ActionCentre(int node, Span<float> action)
    {
        for (int k = 0; k < ActionDimensions; k++)
            action[k] = Lower(node, StateDimensions + k) + 0.5f * Side(node, StateDimensions + k);
    }

    /// <summary>A uniform point of the action face of <paramref name="node"/>, drawn from <paramref name="rng"/>.</summary>
    public void SampleAction(int node, Rng rng, Span<float> action)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int k = 0; k < ActionDimensions; k++)
            action[k] = Lower(node, StateDimensions + k) + rng.NextFloat() * Side(node, StateDimensions + k);
    }

    private void Grow(int capacity)
    {
        int d = Dimensions;
        Array.Resize(ref _lower, capacity * d);
        Array.Resize(ref _level, capacity * d);
        Array.Resize(ref _depth, capacity);
        Array.Resize(ref _parent, capacity);
        Array.Resize(ref _firstChild, capacity);
        Array.Resize(ref _slot, capacity);
        Array.Resize(ref _stats, capacity);
    }

    // ------------------------------------------------------------------ checkpoints

    /// <summary>Stores the structure and every cube's statistics under <paramref name="prefix"/>.</summary>
    public void SaveState(StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = NodeCount;
        state.SetScalar($"{prefix}.nodes", n);
        var structure = new long[n];
        for (int i = 0; i < n; i++) structure[i] = _firstChild[i];
        state.Set($"{prefix}.first_child", structure);
        var counts = new long[2 * n];
        var values = new double[5 * n];
        for (int i = 0; i < n; i++)
        {
            ref CubeStatistics s = ref _stats[i];
            counts[2 * i] = s.Visits;
            counts[2 * i + 1] = s.Updates;
            values[5 * i] = s.Value;
            values[5 * i + 1] = s.Preference;
            values[5 * i + 2] = s.Sum;
            values[5 * i + 3] = s.SumSquares;
            values[5 * i + 4] = s.Samples;
        }
        state.Set($"{prefix}.counts", counts);
        state.Set($"{prefix}.values", values);
    }

    /// <summary>Restores what <see cref="SaveState"/> stored into a tree built with the same arguments.</summary>
    /// <exception cref="PolicyLabException">The saved structure does not fit this tree.</exception>
    public void LoadState(StateDictionary state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = (int)state.ReadScalarInt64($"{prefix}.nodes");
        var structure = new long[n];
        state.Read($"{prefix}.first_child", structure);
        // Replay the splits in id order: children are always created after their parent, in split order.
        var pending = new SortedDictionary<long, int>();
        for (int i = 0; i < n; i++)
            if (structure[i] >= 0) pending[structure[i]] = i;
        foreach ((long first, int parent) in pending)
        {
            if (first < NodeCount) continue; // made by the initial grid
            if (first != NodeCount || !CanSplit(parent))
                throw new PolicyLabException($"The saved cube tree '{prefix}' does not fit this configuration (budget, depth or split rule changed).");
            SplitCube(parent);
        }
        if (NodeCount != n) throw new PolicyLabException($"The saved cube tree '{prefix}' has {n} cubes; rebuilding it gave {NodeCount}.");
        var counts = new long[2 * n];
        var values = new double[5 * n];
        state.Read($"{prefix}.counts", counts);
        state.Read($"{prefix}.values", values);
        for (int i = 0; i < n; i++)
            _stats[i] = new CubeStatistics
            {
                Visits = counts[2 * i], Updates = counts[2 * i + 1], Value = values[5 * i], Preference = values[5 * i + 1],
                Sum = values[5 * i + 2], SumSquares = values[5 * i + 3], Samples = (long)values[5 * i + 4],
            };
    }
}
