using BenchmarkDotNet.Attributes;
using PolicyLab.Algorithms.Discretization;
using PolicyLab.Numerics;

namespace PolicyLab.Benchmarks;

/// <summary>
/// Cost of the dyadic-cube tree's lookups at about 10⁴ cells (one operation = 1000 lookups): <see cref="DyadicCubeTree.Locate"/>
/// of a state-action point and <see cref="DyadicCubeTree.Relevant"/> for a state, in a 1-D state × 1-D action tree split at
/// random leaves (full splits) until it holds 10⁴ cells.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CubeTreeBenchmarks
{
    private const int Lookups = 1000;
    private DyadicCubeTree _tree = null!;
    private float[] _points = null!;
    private readonly List<int> _relevant = new(4096);

    [GlobalSetup]
    public void Setup()
    {
        _tree = new DyadicCubeTree(1, 1, 10_000, 12);
        var rng = new Rng(5UL);
        while (_tree.LeafCount + 3 <= _tree.Budget)
        {
            int node = _tree.LeafAtSlot(rng.NextInt(_tree.LeafCount));
            if (_tree.CanSplit(node)) _tree.SplitCube(node);
        }
        _points = new float[2 * Lookups];
        rng.FillUniform(_points, 0f, 1f);
    }

    /// <summary>1000 point lookups (O(depth) each).</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Locate()
    {
        int sum = 0;
        for (int i = 0; i < Lookups; i++) sum += _tree.Locate(_points.AsSpan(2 * i, 2));
        return sum;
    }

    /// <summary>1000 relevant-set queries (O(depth) per relevant cube).</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Relevant()
    {
        int sum = 0;
        for (int i = 0; i < Lookups; i++)
        {
            _tree.Relevant(_points.AsSpan(2 * i, 1), _relevant);
            sum += _relevant.Count;
        }
        return sum;
    }
}
