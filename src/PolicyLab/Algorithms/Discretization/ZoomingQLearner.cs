using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.Discretization;

/// <summary>
/// Adaptive Q-learning over a zooming partition (Sinclair, Banerjee, Yu, SIGMETRICS 2020) for an episodic task of
/// horizon H with states in [0, 1]^d_S, actions in [0, 1]^d_A and rewards in [0, 1]. One
/// <see cref="DyadicCubeTree"/> per stage h = 0 … H−1, each starting as one cube with Q = H. At stage h and state x:
///   B = argmax { Q(B) : B active, x ∈ state projection of B }     (ties: the first relevant cube)
/// play an action of B (its centre, or uniform inside it), observe r and x′, then with t = n(B) + 1:
///   α_t = (H + 1)/(H + t),  b(t) = c/√t,
///   V_{h+1}(x′) = min(H, max { Q(B′) : B′ relevant for x′ at stage h+1 }),  V_H ≡ 0,
///   Q(B) ← (1 − α_t)·Q(B) + α_t·(r + V_{h+1}(x′) + b(t)),
/// and B splits once t ≥ (1/diam B)² (4^depth for full splits), its children inheriting Q and n.
/// With splitting disabled and an initial depth k it is the same learner on a fixed uniform grid.
/// </summary>
public sealed class ZoomingQLearner
{
    private readonly DyadicCubeTree[] _stages;
    private readonly List<int> _relevant = [];
    private readonly int _horizon;

    /// <summary>Creates the H partitions.</summary>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="stateDimensions">d_S ≥ 0.</param>
    /// <param name="actionDimensions">d_A ≥ 1.</param>
    /// <param name="budget">Most cubes per stage.</param>
    /// <param name="maxDepth">Most splits from the root.</param>
    /// <param name="bonusScale">c of the bonus c/√t, ≥ 0.</param>
    /// <param name="split">Full (2ᵈ children) or cyclic binary splits.</param>
    /// <param name="initialDepth">Uniform splits at the start.</param>
    /// <param name="splitting">False: keep the initial partition (a uniform-grid baseline).</param>
    /// <exception cref="PolicyLabException">An argument is out of range (see <see cref="DyadicCubeTree"/>).</exception>
    public ZoomingQLearner(int horizon, int stateDimensions, int actionDimensions, int budget, int maxDepth, double bonusScale,
        CubeSplit split = CubeSplit.Full, int initialDepth = 0, bool splitting = true)
    {
        if (horizon < 1 || horizon > 100_000) throw new PolicyLabException($"The horizon H must lie in [1, 100000] (got {horizon}).");
        if (!(bonusScale >= 0)) throw new PolicyLabException($"The bonus scale must be ≥ 0 (got {bonusScale}).");
        _horizon = horizon;
        BonusScale = bonusScale;
        Splitting = splitting;
        _stages = new DyadicCubeTree[horizon];
        for (int h = 0; h < horizon; h++)
        {
            _stages[h] = new DyadicCubeTree(stateDimensions, actionDimensions, budget, maxDepth, split, initialDepth);
            for (int node = 0; node < _stages[h].NodeCount; node++) _stages[h].Stats(node).Value = horizon;
        }
    }

    /// <summary>H.</summary>
    public int Horizon => _horizon;

    /// <summary>c of the bonus c/√t.</summary>
    public double BonusScale { get; }

    /// <summary>Whether cubes split.</summary>
    public bool Splitting { get; }

    /// <summary>The partition of stage <paramref name="h"/>.</summary>
    public DyadicCubeTree Stage(int h) => _stages[h];

    /// <summary>Active cubes summed over stages.</summary>
    public int TotalCells => _stages.Sum(t => t.LeafCount);

    /// <summary>The relevant cube of largest Q at stage <paramref name="h"/> for state <paramref name="state"/> (first on ties).</summary>
    public int Select(int h, ReadOnlySpan<float> state)
    {
        DyadicCubeTree tree = _stages[h];
        tree.Relevant(state, _relevant);
        int best = _relevant[0];
        for (int i = 1; i < _relevant.Count; i++)
            if (tree.Stats(_relevant[i]).Value > tree.Stats(best).Value) best = _relevant[i];
        return best;
    }

    /// <summary>V_h(x) = min(H, max relevant Q) for h &lt; H, and 0 for h = H.</summary>
    public double Value(int h, ReadOnlySpan<float> state)
    {
        if (h >= _horizon) return 0;
        DyadicCubeTree tree = _stages[h];
        return Math.Min(_horizon, tree.Stats(Select(h, state)).Value);
    }

    /// <summary>
    /// The update of cube <paramref name="cube"/> of stage <paramref name="h"/> after reward <paramref name="reward"/> ∈ [0, 1]
    /// and next state <paramref name="nextState"/> (ignored when <paramref name="terminal"/>: no bootstrap), then its split
    /// if it reached its threshold. Returns whether it split.
    /// </summary>
    public bool Update(int h, int cube, double reward, ReadOnlySpan<float> nextState, bool terminal)
    {
        DyadicCubeTree tree = _stages[h];
        ref CubeStatistics s = ref tree.Stats(cube);
        long t = ++s.Updates;
        s.Visits++;
        double alpha = (_horizon + 1.0) / (_horizon + t);
        double next = terminal ? 0 : Value(h + 1, nextState);
        double bonus = BonusScale / Math.Sqrt(t);
        s.Value = (1 - alpha) * s.Value + alpha * (reward + next + bonus);
        double diameter = tree.Diameter(cube);
        if (Splitting && t >= 1.0 / (diameter * diameter) && tree.CanSplit(cube))
        {
            tree.SplitCube(cube);
            return true;
        }
        return false;
    }

    /// <summary>Stores every stage under <paramref name="prefix"/>.</summary>
    public void SaveState(StateDictionary state, string prefix)
    {
        for (int h = 0; h < _horizon; h++) _stages[h].SaveState(state, $"{prefix}.stage{h}");
    }

    /// <summary>Restores what <see cref="SaveState"/> stored (into a learner built with the same arguments).</summary>
    public void LoadState(StateDictionary state, string prefix)
    {
        for (int h = 0; h < _horizon; h++) _stages[h].LoadState(state, $"{prefix}.stage{h}");
    }

    /// <summary>Writes the action of cube <paramref name="cube"/> at stage <paramref name="h"/>: its centre, or uniform inside it from <paramref name="rng"/>.</summary>
    public void Action(int h, int cube, Rng? rng, Span<float> action)
    {
        if (rng is null) _stages[h].ActionCentre(cube, action);
        else _stages[h].SampleAction(cube, rng, action);
    }
}
