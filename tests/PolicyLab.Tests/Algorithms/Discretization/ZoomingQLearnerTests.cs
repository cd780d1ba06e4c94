using PolicyLab.Algorithms.Discretization;
using PolicyLab.Numerics;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Algorithms.Discretization;

/// <summary>
/// A short-horizon metric MDP with a known optimum (a moving-target variant of Sinclair et al.'s oil-discovery
/// problem): state x ∈ [0, 1], action a ∈ [0, 1], reward r = 1 − |a − g(x)| with g(x) = 0.25 + 0.5x, next state
/// x′ = a, start x = 0.5. Playing a = g(x) earns 1 every step, so V* = H and an episode's regret is H − its return.
/// </summary>
public class ZoomingQLearnerTests(ITestOutputHelper output)
{
    private const int Horizon = 4, Episodes = 3000;

    private static float Target(float x) => 0.25f + 0.5f * x;

    /// <summary>Per-episode regret of <paramref name="learner"/> over <see cref="Episodes"/> episodes.</summary>
    private static double[] Run(ZoomingQLearner learner, ulong seed)
    {
        var rng = new Rng(seed);
        var regret = new double[Episodes];
        Span<float> x = stackalloc float[1], a = stackalloc float[1];
        for (int k = 0; k < Episodes; k++)
        {
            x[0] = 0.5f;
            double ret = 0;
            for (int h = 0; h < Horizon; h++)
            {
                int cube = learner.Select(h, x);
                learner.Action(h, cube, rng, a);
                double r = 1 - Math.Abs(a[0] - Target(x[0]));
                ret += r;
                float next = a[0];
                learner.Update(h, cube, r, [next], terminal: false);
                x[0] = next;
            }
            regret[k] = Horizon - ret;
        }
        return regret;
    }

    private static double Sum(double[] v, int from, int to)
    {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i];
        return s;
    }

    [Fact]
    public void Regret_grows_sublinearly_and_beats_a_uniform_grid_of_the_same_final_size()
    {
        var zooming = new ZoomingQLearner(Horizon, 1, 1, budget: 4096, maxDepth: 10, bonusScale: 0.1);
        double[] regret = Run(zooming, 1);
        double firstTenth = Sum(regret, 0, Episodes / 10), lastTenth = Sum(regret, Episodes - Episodes / 10, Episodes);
        double half = Sum(regret, 0, Episodes / 2), total = Sum(regret, 0, Episodes);
        int cellsPerStage = zooming.TotalCells / Horizon;

        // Uniform grid of (about) the same final size: depth k with 4^k cells per stage closest to zooming's count.
        int depth = (int)Math.Round(Math.Log(cellsPerStage) / Math.Log(4));
        var uniform = new ZoomingQLearner(Horizon, 1, 1, budget: 1 << (2 * depth), maxDepth: depth, bonusScale: 0.1, initialDepth: depth, splitting: false);
        double uniformTotal = Sum(Run(uniform, 1), 0, Episodes);
        output.WriteLine($"zooming: cells/stage {cellsPerStage}, regret first tenth {firstTenth:F1}, last tenth {lastTenth:F1}, first half {half:F1}, total {total:F1}; uniform 4^{depth} cells: total {uniformTotal:F1}");

        // Sublinear: the second half adds far less regret than the first (linear growth would add as much),
        // and the per-episode regret keeps falling.
        Assert.True(total - half < 0.6 * half, $"second half {total - half:F1} vs first half {half:F1}");
        Assert.True(lastTenth < 0.35 * firstTenth, $"last tenth {lastTenth:F1} vs first tenth {firstTenth:F1}");
        Assert.True(total < uniformTotal, $"zooming {total:F1} vs uniform {uniformTotal:F1}");
    }

    [Fact]
    public void Updates_follow_the_step_size_and_bonus_and_split_at_four_to_the_depth()
    {
        var learner = new ZoomingQLearner(2, 1, 1, budget: 64, maxDepth: 4, bonusScale: 0.5);
        DyadicCubeTree stage0 = learner.Stage(0);
        Assert.Equal(2.0, stage0.Stats(0).Value);  // optimistic start Q = H
        // Root: depth 0, diameter 1 → splits after its first update. α₁ = (H+1)/(H+1) = 1: Q = r + V₁(x′) + c.
        bool split = learner.Update(0, 0, 0.25, [0.3f], terminal: false);
        Assert.True(split);
        Assert.Equal(0.25 + 2.0 + 0.5, stage0.Stats(1).Value, 9); // children inherit Q (V₁ = min(H, 2) = 2)
        Assert.Equal(4, stage0.LeafCount);
        // A child (depth 1) splits at t ≥ 4: inherited t = 1, so three more updates.
        int child = stage0.FirstChild(0);
        Assert.False(learner.Update(0, child, 0, [0.3f], terminal: true));
        double alpha = (2 + 1.0) / (2 + 2);
        Assert.Equal((1 - alpha) * 2.75 + alpha * (0 + 0 + 0.5 / Math.Sqrt(2)), stage0.Stats(child).Value, 9);
        Assert.False(learner.Update(0, child, 0, [0.3f], terminal: true));
        Assert.True(learner.Update(0, child, 0, [0.3f], terminal: true));
        Assert.Equal(7, stage0.LeafCount);
    }

    [Fact]
    public void A_horizon_out_of_range_is_refused()
    {
        var e = Assert.Throws<PolicyLabException>(() => new ZoomingQLearner(0, 1, 1, 16, 4, 0.1));
        Assert.Contains("horizon", e.Message, StringComparison.Ordinal);
    }
}
