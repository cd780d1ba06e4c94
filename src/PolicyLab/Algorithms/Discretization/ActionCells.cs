namespace PolicyLab.Algorithms.Discretization;

/// <summary>
/// One group of discrete choices that a value head scores: the whole action of a joint head, or one axis of
/// a branching (factored) head. The head reserves <see cref="Capacity"/> rows; rows [0, <see cref="Active"/>)
/// are in use. A stored action is the group's slice of the replay buffer's action: the 0-based index for a
/// Discrete space, a point of [−1, 1]^<see cref="Dimensions"/> for a Box.
/// </summary>
public abstract class ActionCells
{
    private long[] _plays = [];

    /// <summary>Rows the head reserves (the most cells the group can ever have).</summary>
    public abstract int Capacity { get; }

    /// <summary>Cells in use now; they are the rows [0, Active).</summary>
    public abstract int Active { get; }

    /// <summary>Floats of the stored action this group reads and writes.</summary>
    public abstract int Dimensions { get; }

    /// <summary>The cell of a stored action.</summary>
    public abstract int CellOf(ReadOnlySpan<float> stored);

    /// <summary>The stored action that playing <paramref name="cell"/> applies (its centre for a Box).</summary>
    public abstract void ActionOf(int cell, Span<float> stored);

    /// <summary>Times each cell was played since it was created (the split rule and UCB's counts), by row.</summary>
    public long[] Plays => _plays.Length == Capacity ? _plays : (_plays = new long[Capacity]);
}

/// <summary>The n actions of a Discrete space, one cell each.</summary>
public sealed class DiscreteCells(int count) : ActionCells
{
    /// <inheritdoc/>
    public override int Capacity => count;

    /// <inheritdoc/>
    public override int Active => count;

    /// <inheritdoc/>
    public override int Dimensions => 1;

    /// <inheritdoc/>
    public override int CellOf(ReadOnlySpan<float> stored) => Math.Clamp((int)stored[0], 0, count - 1);

    /// <inheritdoc/>
    public override void ActionOf(int cell, Span<float> stored) => stored[0] = cell;
}

/// <summary>
/// A uniform grid of <c>bins</c> equal cells per axis over [−1, 1]^d (bins^d cells, row-major), each playing its
/// centre −1 + (2i + 1)/bins; it never splits. With bins = 2ᵏ its cells are those of a depth-k dyadic tree.
/// </summary>
public sealed class UniformGridCells : ActionCells
{
    private readonly int _bins, _dimensions, _count;

    /// <summary>Creates the grid.</summary>
    /// <exception cref="PolicyLabException">bins &lt; 2 or the grid has more than 2²⁰ cells.</exception>
    public UniformGridCells(int dimensions, int bins)
    {
        if (bins < 2) throw new PolicyLabException($"A uniform action grid needs at least 2 cells per axis (got action_bins={bins}).");
        double count = Math.Pow(bins, dimensions);
        if (count > 1 << 20)
            throw new PolicyLabException($"A joint grid of {bins} cells on each of {dimensions} axes has {count:0} cells (more than 2^20); use branching=true (one head per axis) or fewer action_bins.");
        (_bins, _dimensions, _count) = (bins, dimensions, (int)count);
    }

    /// <inheritdoc/>
    public override int Capacity => _count;

    /// <inheritdoc/>
    public override int Active => _count;

    /// <inheritdoc/>
    public override int Dimensions => _dimensions;

    /// <inheritdoc/>
    public override int CellOf(ReadOnlySpan<float> stored)
    {
        int cell = 0;
        for (int k = 0; k < _dimensions; k++)
            cell = cell * _bins + Math.Clamp((int)MathF.Floor((stored[k] + 1f) * 0.5f * _bins), 0, _bins - 1);
        return cell;
    }

    /// <inheritdoc/>
    public override void ActionOf(int cell, Span<float> stored)
    {
        for (int k = _dimensions - 1; k >= 0; k--)
        {
            stored[k] = -1f + (2 * (cell % _bins) + 1f) / _bins;
            cell /= _bins;
        }
    }
}

/// <summary>
/// Action zooming: the leaves of an action-only <see cref="DyadicCubeTree"/> over [−1, 1]^d are the cells, in
/// the tree's slot order; a cell of side s splits into 2ᵈ children once it was played ⌈(1/s)²⌉ = 4^depth times
/// (see <see cref="ActionZooming"/>). A cell plays its centre.
/// </summary>
public sealed class ZoomingCells : ActionCells
{
    private readonly float[] _unit;

    /// <summary>Creates the tree, already split <paramref name="initialDepth"/> times.</summary>
    /// <exception cref="PolicyLabException">A depth or the budget is out of range, or the initial grid exceeds the budget.</exception>
    public ZoomingCells(int dimensions, int initialDepth, int maxDepth, int budget)
    {
        Tree = new DyadicCubeTree(0, dimensions, budget, maxDepth, CubeSplit.Full, initialDepth);
        _unit = new float[dimensions];
    }

    /// <summary>The tree whose leaves are the cells.</summary>
    public DyadicCubeTree Tree { get; }

    /// <inheritdoc/>
    public override int Capacity => Tree.Budget;

    /// <inheritdoc/>
    public override int Active => Tree.LeafCount;

    /// <inheritdoc/>
    public override int Dimensions => Tree.ActionDimensions;

    /// <inheritdoc/>
    public override int CellOf(ReadOnlySpan<float> stored)
    {
        for (int k = 0; k < _unit.Length; k++) _unit[k] = Math.Clamp(0.5f * (stored[k] + 1f), 0f, 1f);
        return Tree.Slot(Tree.Locate(_unit));
    }

    /// <inheritdoc/>
    public override void ActionOf(int cell, Span<float> stored)
    {
        Tree.ActionCentre(Tree.LeafAtSlot(cell), stored);
        for (int k = 0; k < Dimensions; k++) stored[k] = 2f * stored[k] - 1f;
    }

    /// <summary>Plays after which the cell in row <paramref name="cell"/> splits: ⌈(1/s)²⌉ for side s = 2^−depth.</summary>
    public long SplitThreshold(int cell) => 1L << (2 * Tree.Depth(Tree.LeafAtSlot(cell)));
}

/// <summary>One split made by <see cref="ActionZooming.SplitMostPlayed"/>: the parent's row (kept by its first child) and the new rows.</summary>
/// <param name="Group">Index of the cell group.</param>
/// <param name="ParentRow">The parent's row, now its first child's.</param>
/// <param name="FirstNewRow">The first new row; the new rows are consecutive.</param>
/// <param name="NewRows">How many rows were added.</param>
public readonly record struct CellSplit(int Group, int ParentRow, int FirstNewRow, int NewRows);

/// <summary>The split rule of action zooming over one or several groups (one per axis for a factored head) sharing a global cell budget.</summary>
public static class ActionZooming
{
    /// <summary>
    /// Splits every cell played at least its threshold number of times, the most played first (ties: lower group,
    /// then lower row), while the groups' total cells stay within <paramref name="globalBudget"/> and each tree
    /// allows it. Children start with zero plays. Returns the splits made, in order.
    /// </summary>
    public static List<CellSplit> SplitMostPlayed(IReadOnlyList<ZoomingCells> groups, int globalBudget)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var candidates = new List<(long Plays, int Group, int Row)>();
        int total = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            ZoomingCells cells = groups[g];
            total += cells.Active;
            for (int row = 0; row < cells.Active; row++)
                if (cells.Plays[row] >= cells.SplitThreshold(row) && cells.Tree.CanSplit(cells.Tree.LeafAtSlot(row)))
                    candidates.Add((cells.Plays[row], g, row));
        }
        candidates.Sort((a, b) => a.Plays != b.Plays ? b.Plays.CompareTo(a.Plays) : a.Group != b.Group ? a.Group.CompareTo(b.Group) : a.Row.CompareTo(b.Row));
        var splits = new List<CellSplit>();
        foreach ((_, int g, int row) in candidates)
        {
            ZoomingCells cells = groups[g];
            int extra = cells.Tree.ChildrenPerSplit - 1;
            int node = cells.Tree.LeafAtSlot(row);
            if (total + extra > globalBudget || !cells.Tree.CanSplit(node)) continue;
            int firstNew = cells.Active;
            cells.Tree.SplitCube(node);
            cells.Plays[row] = 0;
            for (int r = firstNew; r < firstNew + extra; r++) cells.Plays[r] = 0;
            total += extra;
            splits.Add(new CellSplit(g, row, firstNew, extra));
        }
        return splits;
    }
}
