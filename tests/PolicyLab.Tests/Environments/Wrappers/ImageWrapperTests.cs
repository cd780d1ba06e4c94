using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Tests.Environments.Wrappers;

public class ImageWrapperTests
{
    /// <summary>A 4×6 RGB uint8 image whose pixel (y, x, c) is 10·t + y + x + c at step t.</summary>
    private sealed class Counter() : EnvironmentBase(Box.Image(4, 6, 3), new Discrete(2))
    {
        private int _t;
        protected override void ResetState(ResetOptions? options) => _t = 0;
        protected override StepResult StepState(ReadOnlySpan<float> action)
        {
            if (action[0] is not (0f or 1f)) ThrowInvalidDiscreteAction(action[0], 2);
            _t++;
            return new StepResult(0, false, _t >= 20);
        }
        protected override void WriteObservation(Span<float> observation)
        {
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 6; x++)
                    for (int c = 0; c < 3; c++) observation[(y * 6 + x) * 3 + c] = 10 * _t + y + x + c;
        }
        public override RgbFrame Render() => new(6, 4);
    }

    [Fact]
    public void FrameStack_stacks_along_channels_oldest_first_and_pads_with_the_reset_frame()
    {
        using var env = new FrameStack(new Counter(), 3);
        var space = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal([4, 6, 9], space.Shape);
        Assert.True(space.IsImage);
        var obs = new float[space.FlatSize];
        env.Reset(obs, 0);
        // Pixel (1, 2) channel 0 is 3 at t = 0; all three frames are the reset frame.
        Assert.Equal([3f, 4, 5, 3, 4, 5, 3, 4, 5], obs.AsSpan((1 * 6 + 2) * 9, 9).ToArray());
        env.Step([0], obs);
        env.Step([0], obs);
        Assert.Equal([3f, 4, 5, 13, 14, 15, 23, 24, 25], obs.AsSpan((1 * 6 + 2) * 9, 9).ToArray());
        env.Step([0], obs);
        Assert.Equal([13f, 14, 15, 23, 24, 25, 33, 34, 35], obs.AsSpan((1 * 6 + 2) * 9, 9).ToArray());
        Assert.Empty(EnvironmentChecker.Check(new FrameStack(new Counter(), 2), seed: 1, checkRender: false));
    }

    [Fact]
    public void Grayscale_uses_luminance_weights_and_keeps_the_channel_axis()
    {
        using var env = new GrayscaleObservation(new Counter());
        Assert.Equal([4, 6, 1], env.ObservationSpace.Shape);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, 0);
        env.Step([0], obs);
        // Pixel (2, 3) at t = 1: R, G, B = 15, 16, 17.
        Assert.Equal(Math.Floor(0.2125 * 15 + 0.7154 * 16 + 0.0721 * 17), obs[2 * 6 + 3]);
        Assert.Throws<PolicyLabException>(() => new GrayscaleObservation(new FrameStack(new Counter(), 2)));
    }

    [Fact]
    public void Resize_averages_areas()
    {
        using var env = new ResizeObservation(new Counter(), 2, 3);
        Assert.Equal([2, 3, 3], env.ObservationSpace.Shape);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, 0);
        // Output (1, 2) covers inner rows 2–3 and columns 4–5: mean of y + x over them = 2.5 + 4.5 = 7 (channel 0).
        Assert.Equal(7f, obs[(1 * 3 + 2) * 3]);
        Assert.Equal(8f, obs[(1 * 3 + 2) * 3 + 1]);
        Assert.Empty(EnvironmentChecker.Check(new ResizeObservation(new Counter(), 3, 5), seed: 1, checkRender: false));
    }

    [Fact]
    public void Image_wrappers_reject_vector_observations()
    {
        var e = Assert.Throws<PolicyLabException>(() => new FrameStack(EnvironmentRegistry.Make("CartPole-v1"), 4));
        Assert.Contains("(height, width, channels)", e.Message, StringComparison.Ordinal);
    }
}
