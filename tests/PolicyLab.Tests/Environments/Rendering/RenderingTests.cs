using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Rendering;

namespace PolicyLab.Tests.Environments.Rendering;

public class RenderingTests
{
    private static readonly RgbColor PoleColor = new(202, 152, 101);

    [Theory]
    [InlineData("CartPole-v1", 600, 400)]
    [InlineData("Acrobot-v1", 500, 500)]
    [InlineData("MountainCar-v0", 600, 400)]
    [InlineData("MountainCarContinuous-v0", 600, 400)]
    [InlineData("Pendulum-v1", 500, 500)]
    [InlineData("Bandit-v0", 600, 400)]
    public void Every_environment_renders_a_frame_of_the_documented_size(string id, int width, int height)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        env.Reset(seed: 0);
        RgbFrame frame = env.Render();
        Assert.Equal(width, frame.Width);
        Assert.Equal(height, frame.Height);
        Assert.Equal(width * height * 3, frame.Pixels.Length);
        Assert.Contains(frame.Pixels, b => b != 255); // something was drawn on the white background
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(0.0)]
    [InlineData(1.2)]
    public void The_cart_is_drawn_where_the_state_says(double x)
    {
        using var env = new CartPole();
        env.State = [x, 0, 0, 0];
        RgbFrame frame = env.Render();
        int cartX = (int)Math.Round(x * CartPole.RenderScale + 300);
        int cartY = 400 - (int)CartPole.RenderCartY + 10; // inside the cart body, below the axle
        Assert.Equal(RgbColor.Black, frame[cartX, cartY]);
        Assert.Equal(RgbColor.Black, frame[cartX - 20, cartY]);
        Assert.Equal(RgbColor.White, frame[cartX - 40, cartY]); // left of the 50-px cart
        Assert.Equal(RgbColor.White, frame[cartX + 40, cartY]);
        // Upright pole: pole colour straight above the cart.
        Assert.Equal(PoleColor, frame[cartX, 400 - (int)CartPole.RenderCartY - 80]);
    }

    [Fact]
    public void A_leaning_pole_is_drawn_to_the_side_it_leans()
    {
        using var env = new CartPole();
        env.State = [0, 0, 0.2, 0];
        RgbFrame frame = env.Render();
        double axleY = 400 - CartPole.RenderCartY - 7.5;
        double along = 100;
        int px = (int)(300 + along * Math.Sin(0.2));
        int py = (int)(axleY - along * Math.Cos(0.2));
        Assert.Equal(PoleColor, frame[px, py]);
        Assert.Equal(RgbColor.White, frame[(int)(300 - along * Math.Sin(0.2)), py]);
    }

    [Fact]
    public void Pendulum_rod_points_up_when_theta_is_zero()
    {
        using var env = new Pendulum();
        env.State = [0.0, 0.0];
        RgbFrame up = env.Render();
        Assert.Equal(new RgbColor(204, 77, 77), up[250, 250 - 80]);
        Assert.Equal(RgbColor.White, up[250, 250 + 80]);
        env.State = [Math.PI, 0.0];
        RgbFrame down = env.Render();
        Assert.Equal(new RgbColor(204, 77, 77), down[250, 250 + 80]);
    }

    [Fact]
    public void Mountain_car_is_drawn_above_the_track_at_its_position()
    {
        using var env = new MountainCar();
        foreach (double position in new[] { -1.0, -0.5, 0.3 })
        {
            env.State = [position, 0.0];
            RgbFrame frame = env.Render();
            double scale = 600 / 1.8;
            int px = (int)((position + 1.2) * scale);
            int py = (int)(400 - ((0.45 * Math.Sin(3 * position) + 0.55) * scale + 10 + 12));
            Assert.Equal(RgbColor.Black, frame[px, py]);
            Assert.Equal(RgbColor.White, frame[px, py - 40]);
        }
    }

    [Fact]
    public void Acrobot_links_follow_the_angles()
    {
        using var env = new Acrobot();
        var link = new RgbColor(0, 204, 204);
        env.State = [0, 0, 0, 0]; // hanging straight down
        RgbFrame down = env.Render();
        Assert.Equal(link, down[250, 250 + (int)(1.5 * Acrobot.RenderScale)]);
        Assert.Equal(RgbColor.White, down[250, 250 - (int)(1.5 * Acrobot.RenderScale)]);
        env.State = [Math.PI / 2, 0, 0, 0]; // both links horizontal to the right
        RgbFrame side = env.Render();
        Assert.Equal(link, side[250 + (int)(1.5 * Acrobot.RenderScale), 250]);
    }

    [Fact]
    public void Canvas_primitives_cover_the_expected_pixels()
    {
        var canvas = new Canvas(20, 10);
        canvas.Clear(RgbColor.White);
        var red = new RgbColor(255, 0, 0);
        canvas.FillRectangle(2, 2, 5, 4, red);
        Assert.Equal(red, canvas.Frame[2, 2]);
        Assert.Equal(red, canvas.Frame[4, 3]);
        Assert.Equal(RgbColor.White, canvas.Frame[5, 3]);
        Assert.Equal(RgbColor.White, canvas.Frame[4, 4]);

        var blue = new RgbColor(0, 0, 255);
        canvas.FillCircle(15, 5, 3, blue);
        Assert.Equal(blue, canvas.Frame[15, 5]);
        Assert.Equal(blue, canvas.Frame[13, 5]);
        Assert.Equal(RgbColor.White, canvas.Frame[19, 9]);

        var green = new RgbColor(0, 255, 0);
        canvas.FillPolygon([0, 10, 10, 10, 0, 0], green); // lower-left triangle
        Assert.Equal(green, canvas.Frame[1, 8]);
        Assert.Equal(RgbColor.White, canvas.Frame[8, 6]);

        var canvas2 = new Canvas(20, 20);
        canvas2.DrawLine(2, 10, 18, 10, 4, RgbColor.White);
        Assert.Equal(RgbColor.White, canvas2.Frame[10, 9]);
        Assert.Equal(RgbColor.White, canvas2.Frame[10, 11]);
        Assert.Equal(RgbColor.Black, canvas2.Frame[10, 13]);
        canvas2.DrawCircle(10, 10, 8, 1, RgbColor.White);
        Assert.Equal(RgbColor.White, canvas2.Frame[10, 2]);

        // Shapes partly outside the frame are clipped, not errors.
        canvas2.FillCircle(-5, -5, 10, RgbColor.White);
        canvas2.FillPolygon([-10, -10, 100, -10, 100, 100], RgbColor.White);
        Assert.Throws<ArgumentException>(() => canvas2.FillPolygon([1, 2, 3], RgbColor.White));
    }

    [Fact]
    public void Frames_can_be_written_as_ppm()
    {
        using var env = new CartPole();
        env.Reset(seed: 0);
        using var stream = new MemoryStream();
        env.Render().WritePpm(stream);
        Assert.Equal(15 + 600 * 400 * 3, stream.Length); // "P6\n600 400\n255\n" is 15 bytes
    }
}
