using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments.Spaces;

public class SpaceTests
{
    [Fact]
    public void Box_contains_samples_and_rejects_nan_and_out_of_bounds()
    {
        var box = new Box([-1f, 0f, float.NegativeInfinity], [1f, 5f, float.PositiveInfinity]);
        var rng = new Rng(1UL);
        for (int i = 0; i < 200; i++)
            Assert.True(box.Contains(box.Sample(rng)));
        Assert.False(box.Contains([0f, 0f, float.NaN]));
        Assert.False(box.Contains([1.5f, 0f, 0f]));
        Assert.False(box.Contains([0f, 0f]));
        Assert.Equal(3, box.FlatSize);
        Assert.Equal("Box([-1 0 -inf], [1 5 inf], (3,), float32)", box.ToString());
    }

    [Fact]
    public void Half_bounded_box_samples_stay_on_the_bounded_side()
    {
        var box = new Box([2f, float.NegativeInfinity], [float.PositiveInfinity, -3f]);
        var rng = new Rng(9UL);
        for (int i = 0; i < 200; i++)
        {
            float[] s = box.Sample(rng);
            Assert.True(s[0] >= 2f && s[1] <= -3f);
        }
    }

    [Fact]
    public void Box_with_shared_bounds_and_shape()
    {
        var box = new Box(-2f, 2f, 2, 3);
        Assert.Equal(6, box.FlatSize);
        Assert.Equal(new[] { 2, 3 }, box.Shape);
        Assert.Equal("Box(-2, 2, (2, 3), float32)", box.ToString());
        var value = new float[] { -3, 0, 3, 1, 1, 1 };
        box.Clip(value);
        Assert.Equal(new float[] { -2, 0, 2, 1, 1, 1 }, value);
        Assert.Throws<ArgumentException>(() => new Box([1f], [0f]));
    }

    [Fact]
    public void Discrete_with_start_contains_only_integers_in_range_and_one_hot_encodes()
    {
        var space = new Discrete(3, start: -1);
        Assert.True(space.Contains([-1f]));
        Assert.True(space.Contains([1f]));
        Assert.False(space.Contains([2f]));
        Assert.False(space.Contains([0.5f]));
        Assert.False(space.Contains([float.NaN]));
        Assert.Equal(1, space.FlatSize);
        Assert.Equal(3, space.EncodedSize);
        var encoded = new float[3];
        space.Encode([0f], encoded);
        Assert.Equal(new float[] { 0, 1, 0 }, encoded);
        Assert.Equal("Discrete(3, start=-1)", space.ToString());
        Assert.Equal("Discrete(4)", new Discrete(4).ToString());
        var rng = new Rng(3UL);
        var seen = new HashSet<float>();
        for (int i = 0; i < 100; i++)
        {
            float[] s = space.Sample(rng);
            Assert.True(space.Contains(s));
            seen.Add(s[0]);
        }
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void MultiDiscrete_and_MultiBinary()
    {
        var md = new MultiDiscrete(3, 2);
        Assert.True(md.Contains([2f, 1f]));
        Assert.False(md.Contains([3f, 0f]));
        Assert.False(md.Contains([-1f, 0f]));
        Assert.Equal(5, md.EncodedSize);
        var encoded = new float[5];
        md.Encode([1f, 1f], encoded);
        Assert.Equal(new float[] { 0, 1, 0, 0, 1 }, encoded);
        Assert.Equal("MultiDiscrete([3 2])", md.ToString());

        var mb = new MultiBinary(4);
        Assert.True(mb.Contains([0f, 1f, 1f, 0f]));
        Assert.False(mb.Contains([0f, 2f, 1f, 0f]));
        var rng = new Rng(5UL);
        for (int i = 0; i < 50; i++)
            Assert.True(mb.Contains(mb.Sample(rng)));
        Assert.Equal("MultiBinary(4)", mb.ToString());
    }

    [Fact]
    public void Sampling_is_reproducible_from_the_seed()
    {
        var box = new Box(-1f, 1f, 5);
        Assert.Equal(box.Sample(new Rng(11UL)), box.Sample(new Rng(11UL)));
    }
}
