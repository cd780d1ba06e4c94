using PolicyLab.Environments;
using PolicyLab.Tracking.Imaging;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

public sealed class MuJoCoRenderingTests(ITestOutputHelper output)
{
    /// <summary>A frame after a few steps shows the robot where the tracking camera keeps it: near the middle column
    /// the picture differs from the background (sky and floor), at the edges it is mostly background. Set
    /// POLICYLAB_MUJOCO_FRAMES to a folder to also write the frames as PNGs for a look.</summary>
    [Theory]
    [InlineData("Hopper-v5")]
    [InlineData("Walker2d-v5")]
    [InlineData("HalfCheetah-v5")]
    [InlineData("Ant-v5")]
    [InlineData("Humanoid-v5")]
    [InlineData("Swimmer-v5")]
    [InlineData("InvertedPendulum-v5")]
    [InlineData("InvertedDoublePendulum-v5")]
    [InlineData("Reacher-v5")]
    public void The_tracking_camera_keeps_the_robot_in_the_middle_of_the_frame(string id)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        var action = new float[env.ActionSpace.FlatSize];
        for (int t = 0; t < 30; t++)
            if (env.Step(action, obs).Done) break;
        var frame = env.Render();
        if (Environment.GetEnvironmentVariable("POLICYLAB_MUJOCO_FRAMES") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, id + ".png"), PngEncoder.Encode(frame));
        }
        // Robot pixels: not sky (blue dominant) and not floor (green dominant): red is the largest channel or grey-ish.
        static bool Robot(byte[] p, int o) =>
            Math.Max(p[o], Math.Max(p[o + 1], p[o + 2])) - Math.Min(p[o], Math.Min(p[o + 1], p[o + 2])) > 25 && // not grey
            (p[o] >= p[o + 2] && p[o] >= p[o + 1] - 5 || p[o + 1] > p[o] + 40 && p[o + 2] > p[o] + 40 && p[o] < 60);
        int middle = 0, edges = 0;
        for (int y = 0; y < frame.Height; y++)
        {
            for (int x = 0; x < frame.Width; x++)
            {
                if (!Robot(frame.Pixels, 3 * (y * frame.Width + x))) continue;
                if (Math.Abs(x - frame.Width / 2) < frame.Width / 6) middle++;
                if (x < frame.Width / 10 || x >= frame.Width * 9 / 10) edges++;
            }
        }
        output.WriteLine($"{id}: robot-coloured pixels in the middle third {middle}, at the edges {edges}");
        Assert.True(middle > 300, $"{id}: only {middle} robot pixels in the middle of the frame");
        if (id != "Reacher-v5") // Reacher's arena border runs along the edges of the top view
            Assert.True(middle > 2 * edges, $"{id}: the robot is not centred ({middle} middle vs {edges} edge pixels)");
    }
}
