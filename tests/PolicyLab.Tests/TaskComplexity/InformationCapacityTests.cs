using PolicyLab.TaskComplexity;

namespace PolicyLab.Tests.TaskComplexity;

public class InformationCapacityTests
{
    [Fact]
    public void Poic_of_two_policies_matches_the_closed_form()
    {
        // Policy 0 returns 0 (= r_max) or −1 with equal frequency, policy 1 always −1: with x = e^(−1/η), p₀ = (1 + x)/2,
        // p₁ = x, and POIC(η) = H_b((1 + 3x)/4) − (H_b((1 + x)/2) + H_b(x))/2. Its supremum is at η → 0: H_b(1/4) − ln 2 / 2.
        var returns = new double[2, 4];
        for (int j = 0; j < 4; j++) { returns[0, j] = j % 2 == 0 ? 0 : -1; returns[1, j] = -1; }
        foreach (double eta in new[] { 0.05, 0.3, 1, 4, 50, 1e4 })
        {
            double x = Math.Exp(-1 / eta);
            Assert.Equal(H((1 + 3 * x) / 4) - (H((1 + x) / 2) + H(x)) / 2, InformationCapacity.Poic(returns, eta), 13);
        }
        Assert.Equal(H(0.25) - Math.Log(2) / 2, InformationCapacity.MaximizePoic(returns).Value, 12);
    }

    [Fact]
    public void The_temperature_search_finds_the_maximum_of_a_fine_brute_force_scan()
    {
        var rng = new PolicyLab.Numerics.Rng(5);
        var returns = new double[30, 20];
        for (int i = 0; i < 30; i++)
        {
            double skill = 50 * rng.NextDouble();
            for (int j = 0; j < 20; j++) returns[i, j] = skill + 20 * rng.Normal();
        }
        double best = double.NegativeInfinity, bestEta = 0;
        for (int k = 0; k <= 4_000; k++)
        {
            double eta = Math.Exp(Math.Log(1e-4) + (Math.Log(2e4) - Math.Log(1e-4)) * k / 4_000);
            double v = InformationCapacity.Poic(returns, eta);
            if (v > best) (best, bestEta) = (v, eta);
        }
        Assert.InRange(bestEta, 1, 1000); // an interior maximum
        PoicResult r = InformationCapacity.MaximizePoic(returns);
        Assert.True(r.Value >= best - 1e-12, $"search {r.Value} < scan {best}");
        Assert.Equal(bestEta, r.Eta, bestEta * 1e-2);
    }

    [Fact]
    public void Pic_of_a_bijection_is_the_return_entropy_and_of_a_constant_return_zero()
    {
        // Four policies, each always returning its own value: H(R) = ln 4, H(R | θ) = 0. Miller–Madow adds (4 − 1)/(2·N·M).
        int n = 4, m = 20;
        var returns = new double[n, m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) returns[i, j] = i * 10.0;
        (double corrected, double plug) = InformationCapacity.Pic(returns, 4);
        Assert.Equal(Math.Log(4), plug, 12);
        Assert.Equal(Math.Log(4) + 3.0 / (2 * n * m), corrected, 12);
        Assert.Equal(4, InformationCapacity.MaximizePic(returns).Bins); // ≥ 4 bins separate the policies; more add nothing

        var constant = new double[3, 10];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 10; j++) constant[i, j] = 7;
        Assert.Equal(0, InformationCapacity.MaximizePic(constant).Value);
        Assert.Equal(0, InformationCapacity.MaximizePoic(constant).Value, 15);
    }

    [Fact]
    public void Invalid_temperature_ranges_and_non_finite_returns_are_clear_errors()
    {
        var returns = new double[2, 2];
        foreach ((double lo, double hi) in new[] { (0.0, 1.0), (-1.0, 1.0), (5.0, 5.0), (5.0, 1.0), (1.0, double.PositiveInfinity), (double.NaN, 1.0) })
            Assert.Contains("0 < η_min < η_max", Assert.Throws<PolicyLabException>(() => InformationCapacity.MaximizePoic(returns, lo, hi)).Message, StringComparison.Ordinal);
        returns[1, 1] = double.NaN;
        Assert.Contains("finite returns", Assert.Throws<PolicyLabException>(() => InformationCapacity.MaximizePoic(returns)).Message, StringComparison.Ordinal);
    }

    private static double H(double p) => InformationCapacity.BinaryEntropy(p, 1 - p);
}
