using PolicyLab.Environments;
using PolicyLab.Environments.Box2D;
using PolicyLab.Numerics;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Environments.Box2D;

/// <summary>Episode statistics over seeds 0–99 compared with Gymnasium 1.0's figures from issue 15.</summary>
public class LunarLanderStatisticsTests(ITestOutputHelper output)
{
    private static LanderEvaluation Run(string id, Func<int, Action<ReadOnlySpan<float>, Span<float>>> policyForSeed) =>
        LanderEvaluation.Run(id, policyForSeed, 100);

    internal static Action<ReadOnlySpan<float>, Span<float>> RandomPolicy(int seed, bool continuous)
    {
        var rng = new Rng(Rng.DeriveSeed((ulong)seed, 777));
        return continuous
            ? (_, a) => { a[0] = (float)rng.Uniform(-1, 1); a[1] = (float)rng.Uniform(-1, 1); }
            : (_, a) => a[0] = rng.NextInt(4);
    }

    [Theory]
    [Trait("Category", "Long")]
    [InlineData("LunarLander-v3", false, 252.8, 78.5, 85, "95 land, 2 crash, 2 out, 1 truncated; length 253")]
    [InlineData("LunarLanderContinuous-v3", true, 280.5, 47.3, 90, "99 land; length 207")]
    public void The_heuristic_agrees_with_gymnasium(string id, bool continuous, double gymMean, double gymStd, int minLanded, string gymDetail)
    {
        LanderEvaluation s = Run(id, _ => LunarLanderHeuristic.Policy(continuous));
        output.WriteLine($"heuristic {id}: {s}   Gymnasium: {gymMean} ± {gymStd} ({gymDetail})");
        // Agreement: the means differ by less than two standard errors of the difference of two 100-episode samples
        // (√(σ₁²/100 + σ₂²/100)), and about as many episodes land.
        double tolerance = 2 * Math.Sqrt((gymStd * gymStd + s.StdReturn * s.StdReturn) / 100);
        Assert.InRange(s.MeanReturn, gymMean - tolerance, gymMean + tolerance);
        Assert.True(s.Landed >= minLanded, $"only {s.Landed} of 100 landed");
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Random_policy_agrees_with_gymnasium()
    {
        LanderEvaluation d = Run("LunarLander-v3", seed => RandomPolicy(seed, false));
        LanderEvaluation c = Run("LunarLanderContinuous-v3", seed => RandomPolicy(seed, true));
        output.WriteLine($"random LunarLander-v3: {d}   Gymnasium: -191.0 ± 106.9 (90 crash, 10 out; length 90.5)");
        output.WriteLine($"random LunarLanderContinuous-v3: {c}   Gymnasium: -206.7 ± 115.5 (71 crash, 29 out; length 109)");
        Assert.InRange(d.MeanReturn, -191.0 - 2 * Math.Sqrt((106.9 * 106.9 + d.StdReturn * d.StdReturn) / 100), -191.0 + 2 * Math.Sqrt((106.9 * 106.9 + d.StdReturn * d.StdReturn) / 100));
        Assert.InRange(c.MeanReturn, -206.7 - 2 * Math.Sqrt((115.5 * 115.5 + c.StdReturn * c.StdReturn) / 100), -206.7 + 2 * Math.Sqrt((115.5 * 115.5 + c.StdReturn * c.StdReturn) / 100));
        Assert.InRange(d.MeanLength, 70, 115);
        Assert.InRange(c.MeanLength, 85, 135);
    }
}
