using PolicyLab.Numerics;

namespace PolicyLab.Tests.Numerics;

public class RngTests
{
    [Fact]
    public void Same_seed_same_stream_and_state_round_trips()
    {
        var a = new Rng(42UL);
        var b = new Rng(42UL);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        ulong[] state = a.GetState();
        double x = a.Normal();
        var c = Rng.FromState(state);
        Assert.Equal(x, c.Normal());
        Assert.NotEqual(new Rng(43UL).NextUInt64(), new Rng(42UL).NextUInt64());
    }

    [Fact]
    public void Uniform_ints_are_in_range_and_roughly_uniform()
    {
        var rng = new Rng(7UL);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500)); // ±5 standard errors (σ ≈ 91)
    }

    [Fact]
    public void Normals_have_unit_moments()
    {
        var rng = new Rng(8UL);
        var v = new float[200_001];
        rng.FillNormal(v);
        double mean = v.Average(x => (double)x);
        double var = v.Average(x => (x - mean) * (x - mean));
        Assert.InRange(mean, -0.011, 0.011);   // 5 standard errors of the mean (1/√200001 ≈ 0.0022)
        Assert.InRange(var, 0.984, 1.016);     // 5 standard errors of the variance (√(2/200001) ≈ 0.0032)
    }

    [Fact]
    public void Zero_state_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Rng.FromState(new ulong[4]));
    }
}
