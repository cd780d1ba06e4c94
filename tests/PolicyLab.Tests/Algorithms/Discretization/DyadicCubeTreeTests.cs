using PolicyLab.Algorithms.Discretization;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Algorithms.Discretization;

public class DyadicCubeTreeTests
{
    /// <summary>A tree split at random leaves until it cannot grow (or <paramref name="splits"/> splits).</summary>
    private static DyadicCubeTree RandomTree(int ds, int da, CubeSplit split, int budget, int splits, ulong seed)
    {
        var tree = new DyadicCubeTree(ds, da, budget, 12, split);
        var rng = new Rng(seed);
        for (int i = 0; i < splits; i++)
        {
            int node = tree.LeafAtSlot(rng.NextInt(tree.LeafCount));
            if (tree.CanSplit(node)) tree.SplitCube(node);
        }
        return tree;
    }

    private static bool Contains(DyadicCubeTree tree, int node, ReadOnlySpan<float> point)
    {
        for (int k = 0; k < tree.Dimensions; k++)
        {
            float lo = tree.Lower(node, k), hi = lo + tree.Side(node, k);
            if (point[k] < lo || (point[k] >= hi && hi < 1f)) return false;
        }
        return true;
    }

    [Theory]
    [InlineData(1, 1, CubeSplit.Full)]
    [InlineData(2, 1, CubeSplit.Full)]
    [InlineData(3, 2, CubeSplit.Cyclic)]
    public void Every_point_lies_in_exactly_one_leaf_and_every_state_has_relevant_cubes_tiling_the_actions(int ds, int da, CubeSplit split)
    {
        DyadicCubeTree tree = RandomTree(ds, da, split, 2000, 400, 3);
        Assert.True(tree.LeafCount > 50);
        var rng = new Rng(11);
        var point = new float[ds + da];
        var relevant = new List<int>();
        for (int trial = 0; trial < 300; trial++)
        {
            for (int k = 0; k < point.Length; k++) point[k] = trial % 10 == 0 ? 1f : rng.NextFloat(); // include the upper face
            int leaf = tree.Locate(point);
            Assert.True(tree.IsLeaf(leaf));
            Assert.True(Contains(tree, leaf, point));
            int containing = 0;
            for (int s = 0; s < tree.LeafCount; s++)
                if (Contains(tree, tree.LeafAtSlot(s), point)) containing++;
            Assert.Equal(1, containing);

            tree.Relevant(point.AsSpan(0, ds), relevant);
            Assert.NotEmpty(relevant);
            Assert.Contains(leaf, relevant);
            double actionVolume = 0;
            foreach (int r in relevant)
            {
                Assert.True(tree.ContainsState(r, point.AsSpan(0, ds)));
                double v = 1;
                for (int k = ds; k < ds + da; k++) v *= tree.Side(r, k);
                actionVolume += v;
            }
            Assert.Equal(1.0, actionVolume, 9); // the relevant cubes partition the action box
        }
    }

    [Fact]
    public void A_full_split_makes_two_to_the_d_half_cubes_and_a_cyclic_split_halves_one_dimension_in_turn()
    {
        var full = new DyadicCubeTree(1, 2, 100, 5);
        int first = full.SplitCube(0);
        Assert.Equal(8, full.LeafCount);
        for (int j = 0; j < 8; j++)
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(0.5f, full.Side(first + j, k));
                Assert.Equal(((j >> k) & 1) * 0.5f, full.Lower(first + j, k));
            }

        var cyclic = new DyadicCubeTree(1, 2, 100, 5, CubeSplit.Cyclic, cycleDimensions: [1, 2]);
        int a = cyclic.SplitCube(0);                  // depth 0 → halves dimension 1
        Assert.Equal([1f, 0.5f, 1f], [cyclic.Side(a, 0), cyclic.Side(a, 1), cyclic.Side(a, 2)]);
        int b = cyclic.SplitCube(a + 1);              // depth 1 → halves dimension 2
        Assert.Equal([1f, 0.5f, 0.5f], [cyclic.Side(b, 0), cyclic.Side(b, 1), cyclic.Side(b, 2)]);
        Assert.Equal(0.5f, cyclic.Lower(b + 1, 1));
        Assert.Equal(0.5f, cyclic.Lower(b + 1, 2));
        Assert.Equal(3, cyclic.LeafCount);
    }

    [Fact]
    public void Slots_stay_dense_the_first_child_keeps_the_parents_slot_and_children_inherit_statistics()
    {
        var tree = new DyadicCubeTree(0, 1, 16, 6, initialDepth: 2);
        Assert.Equal(4, tree.LeafCount);
        int parent = tree.LeafAtSlot(2);
        tree.Stats(parent).Value = 3.5;
        tree.Stats(parent).Visits = 9;
        int first = tree.SplitCube(parent);
        Assert.Equal(5, tree.LeafCount);
        Assert.Equal(2, tree.Slot(first));
        Assert.Equal(4, tree.Slot(first + 1));
        Assert.Equal(-1, tree.Slot(parent));
        Assert.Equal(3.5, tree.Stats(first + 1).Value);
        Assert.Equal(9, tree.Stats(first).Visits);
        var seen = new HashSet<int>();
        for (int s = 0; s < tree.LeafCount; s++) Assert.True(seen.Add(tree.LeafAtSlot(s)));
    }

    [Fact]
    public void The_budget_and_the_depth_limit_stop_splits()
    {
        var tree = new DyadicCubeTree(0, 1, 5, 3);
        Assert.True(tree.CanSplit(0));
        tree.SplitCube(0);
        tree.SplitCube(tree.LeafAtSlot(0));
        tree.SplitCube(tree.LeafAtSlot(0));  // depth 3 reached on the left
        Assert.False(tree.CanSplit(tree.LeafAtSlot(0)));
        tree.SplitCube(tree.LeafAtSlot(1));
        Assert.Equal(5, tree.LeafCount);
        for (int s = 0; s < tree.LeafCount; s++) Assert.False(tree.CanSplit(tree.LeafAtSlot(s))); // budget of 5 leaves spent
        Assert.Throws<InvalidOperationException>(() => tree.SplitCube(tree.LeafAtSlot(1)));
    }

    [Fact]
    public void A_lookup_visits_one_cube_per_level_even_with_ten_thousand_cells()
    {
        DyadicCubeTree tree = RandomTree(1, 1, CubeSplit.Full, 10_000, 20_000, 5);
        Assert.True(tree.LeafCount > 9_000);
        var rng = new Rng(2);
        var point = new float[2];
        int deepest = 0;
        for (int i = 0; i < 1000; i++)
        {
            point[0] = rng.NextFloat();
            point[1] = rng.NextFloat();
            int leaf = tree.Locate(point);
            Assert.Equal(tree.Depth(leaf), tree.LastDescent);
            deepest = Math.Max(deepest, tree.LastDescent);
        }
        Assert.True(deepest <= 12);
    }

    [Fact]
    public void Saved_state_rebuilds_the_same_partition_and_statistics()
    {
        DyadicCubeTree tree = RandomTree(1, 1, CubeSplit.Full, 300, 60, 9);
        for (int node = 0; node < tree.NodeCount; node++) tree.Stats(node).Value = node * 0.25;
        var state = new StateDictionary();
        tree.SaveState(state, "t");
        var copy = new DyadicCubeTree(1, 1, 300, 12);
        copy.LoadState(state, "t");
        Assert.Equal(tree.NodeCount, copy.NodeCount);
        for (int s = 0; s < tree.LeafCount; s++)
        {
            int a = tree.LeafAtSlot(s), b = copy.LeafAtSlot(s);
            Assert.Equal(a, b);
            Assert.Equal(tree.Lower(a, 0), copy.Lower(b, 0));
            Assert.Equal(tree.Side(a, 1), copy.Side(b, 1));
            Assert.Equal(tree.Stats(a).Value, copy.Stats(b).Value);
        }
    }

    [Theory]
    [InlineData(0, 5, 0, "budget")]
    [InlineData(5_000_000, 5, 0, "budget")]
    [InlineData(10, 21, 0, "maximum depth")]
    [InlineData(10, 4, 5, "initial depth")]
    [InlineData(10, 6, 2, "larger than the cell budget")]
    public void Out_of_range_budgets_and_depths_are_refused_in_plain_words(int budget, int maxDepth, int initialDepth, string expected)
    {
        var e = Assert.Throws<PolicyLabException>(() => new DyadicCubeTree(1, 1, budget, maxDepth, CubeSplit.Full, initialDepth));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
