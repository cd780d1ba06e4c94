using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;

namespace PolicyLab.Tests.Environments.Wrappers;

public class ImageWrapperTests
{
    /// <summary>A 4×6 RGB uint8 image whose pixel (y, x, c) is 10·t + y + x + c at step t; step t pays t; truncated at 20.</summary>
    private sealed class Counter() : EnvironmentBase(Box.Image(4, 6, 3), new Discrete(2))
    {
        private int _t;
        protected override void ResetState(ResetOptions? options) => _t = 0;
        protected override StepResult StepState(ReadOnlySpan<float> action)
        {
            if (action[0] is not (0f or 1f)) ThrowInvalidDiscreteAction(action[0], 2);
            _t++;
            return new StepResult(_t, false, _t >= 20);
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

    [Fact]
    public void FrameSkip_repeats_the_action_sums_the_rewards_and_stops_at_the_episode_end()
    {
        using var env = new FrameSkip(new Counter(), 3);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, 0);
        StepResult r = env.Step([1], obs);
        Assert.Equal(1 + 2 + 3, r.Reward);
        Assert.Equal(30f, obs[0]); // the observation after the third inner step
        for (int k = 0; k < 5; k++)
            r = env.Step([0], obs); // inner steps 4–18
        Assert.False(r.Done);
        r = env.Step([0], obs); // 19, 20 (truncated there), not 21
        Assert.Equal(19 + 20, r.Reward);
        Assert.True(r.Truncated);
        Assert.Equal(200f, obs[0]);
        Assert.Throws<PolicyLabException>(() => new FrameSkip(new Counter(), 0));
    }

    [Fact]
    public void The_run_settings_preprocess_every_copy_in_RL_Zoo_order_and_refuse_image_wrappers_on_vectors()
    {
        var run = new PolicyLab.Training.RunSettings { Environment = "CarRacing-v3", FrameSkip = 2, Resize = [64, 64], Grayscale = true, FrameStack = 2 };
        using IEnvironment env = run.Preprocess(EnvironmentRegistry.Make("CarRacing-v3"));
        Assert.Equal([64, 64, 2], env.ObservationSpace.Shape);
        Assert.True(((Box)env.ObservationSpace).IsImage);
        var stack = Assert.IsType<FrameStack>(env);
        var gray = Assert.IsType<GrayscaleObservation>(stack.Inner);
        var resize = Assert.IsType<ResizeObservation>(gray.Inner);
        Assert.IsType<FrameSkip>(resize.Inner);

        var vector = new PolicyLab.Training.RunSettings { Environment = "CartPole-v1", Grayscale = true };
        var e = Assert.Throws<PolicyLabException>(() => vector.Preprocess(EnvironmentRegistry.Make("CartPole-v1")));
        Assert.Contains("image observations", e.Message, StringComparison.Ordinal);
        Assert.Contains("Remove them", e.Message, StringComparison.Ordinal);
        // frame_skip alone works on any environment.
        using IEnvironment skipped = new PolicyLab.Training.RunSettings { FrameSkip = 4 }.Preprocess(EnvironmentRegistry.Make("CartPole-v1"));
        Assert.IsType<FrameSkip>(skipped);
    }

    [Fact]
    public void A_preprocessed_copy_saves_its_frame_stack_and_continues_bit_identically_after_loading()
    {
        var run = new PolicyLab.Training.RunSettings { Environment = "CarRacing-v3", FrameSkip = 2, Resize = [48, 48], Grayscale = true, FrameStack = 3 };
        using IEnvironment a = run.Preprocess(EnvironmentRegistry.Make("CarRacing-v3"));
        var obsA = new float[a.ObservationSpace.FlatSize];
        var obsB = new float[a.ObservationSpace.FlatSize];
        a.Reset(obsA, 5);
        for (int t = 0; t < 12; t++)
            a.Step([0.3f * MathF.Sin(t), 0.6f, 0f], obsA);
        var state = new PolicyLab.Numerics.Serialization.StateDictionary();
        Assert.True(((IStatefulEnvironment)a).CanSaveState);
        ((IStatefulEnvironment)a).SaveState(state, "env");
        using IEnvironment b = run.Preprocess(EnvironmentRegistry.Make("CarRacing-v3"));
        ((IStatefulEnvironment)b).LoadState(state, "env");
        for (int t = 0; t < 5; t++)
        {
            StepResult ra = a.Step([-0.5f, 0.2f, 0.1f], obsA), rb = b.Step([-0.5f, 0.2f, 0.1f], obsB);
            Assert.Equal(ra, rb);
            Assert.Equal(obsA, obsB);
        }
    }
}
