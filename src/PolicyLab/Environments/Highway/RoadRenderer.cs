using PolicyLab.Environments.Rendering;

namespace PolicyLab.Environments.Highway;

/// <summary>
/// Top-down picture of a road following one vehicle, in highway-env's style: grey ground, white lane markings (dashed
/// between lanes, solid at the edges), the agent's car green, traffic blue, obstacles yellow, crashed vehicles red, each
/// outlined in black with a lighter nose.
/// </summary>
public static class RoadRenderer
{
    /// <summary>Ground colour.</summary>
    public static readonly RgbColor Ground = new(100, 100, 100);
    /// <summary>Lane marking colour.</summary>
    public static readonly RgbColor Marking = new(255, 255, 255);
    /// <summary>The agent's car.</summary>
    public static readonly RgbColor EgoColor = new(50, 200, 0);
    /// <summary>Traffic.</summary>
    public static readonly RgbColor TrafficColor = new(100, 200, 255);
    /// <summary>Crashed vehicles.</summary>
    public static readonly RgbColor CrashedColor = new(255, 100, 100);
    /// <summary>Obstacles.</summary>
    public static readonly RgbColor ObstacleColor = new(200, 200, 0);

    private const double StripeSpacing = 4.33, StripeLength = 3, StripeWidth = 0.3;

    /// <summary>Draws the road with the vehicle in <paramref name="focus"/> at fraction (cx, cy) of the frame.</summary>
    public static RgbFrame Draw(Road road, int focus, int width, int height, double scaling, double cx, double cy)
    {
        ArgumentNullException.ThrowIfNull(road);
        var canvas = new Canvas(width, height);
        canvas.Clear(Ground);
        Vehicle ego = road.Bodies[focus];
        double originX = ego.X - cx * width / scaling, originY = ego.Y - cy * height / scaling;
        (double, double) ToPixels(double x, double y) => ((x - originX) * scaling, (y - originY) * scaling);
        double reach = Math.Sqrt(width * width + height * height) / scaling + 10;
        foreach (Lane lane in road.Network.Lanes)
        {
            var (se, _) = lane.LocalCoordinates(ego.X, ego.Y);
            double s0 = Math.Max(0, se - reach), s1 = Math.Min(lane.Length, se + reach);
            if (lane is CircularLane)
            {
                s0 = 0;
                s1 = lane.Length;
            }
            DrawLine(canvas, lane, lane.LeftLine, -1, s0, s1, scaling, ToPixels);
            DrawLine(canvas, lane, lane.RightLine, +1, s0, s1, scaling, ToPixels);
        }
        Span<double> corners = stackalloc double[8];
        Span<double> pixels = stackalloc double[10];
        Span<double> nose = stackalloc double[8];
        foreach (Vehicle v in road.Bodies)
        {
            RgbColor color = v.Crashed ? CrashedColor : v.Kind == VehicleKind.Obstacle ? ObstacleColor : v.IsEgo ? EgoColor : TrafficColor;
            Collisions.Corners(v.X, v.Y, v.Heading, v.Length, v.Width, corners);
            for (int i = 0; i < 4; i++)
                (pixels[2 * i], pixels[2 * i + 1]) = ToPixels(corners[2 * i], corners[2 * i + 1]);
            pixels[8] = pixels[0];
            pixels[9] = pixels[1];
            canvas.FillPolygon(pixels[..8], color);
            if (v.IsVehicle)
            {
                // A lighter nose: the front fifth of the body.
                Collisions.Corners(v.X + Math.Cos(v.Heading) * v.Length * 0.4, v.Y + Math.Sin(v.Heading) * v.Length * 0.4, v.Heading, v.Length * 0.2, v.Width, corners);
                for (int i = 0; i < 4; i++)
                    (nose[2 * i], nose[2 * i + 1]) = ToPixels(corners[2 * i], corners[2 * i + 1]);
                canvas.FillPolygon(nose, Lighter(color));
            }
            canvas.DrawPolyline(pixels, 1, RgbColor.Black);
        }
        return canvas.Frame;
    }

    private static RgbColor Lighter(RgbColor c) =>
        new((byte)(c.R + (255 - c.R) / 2), (byte)(c.G + (255 - c.G) / 2), (byte)(c.B + (255 - c.B) / 2));

    private static void DrawLine(Canvas canvas, Lane lane, LaneLine line, int side, double s0, double s1, double scaling,
        Func<double, double, (double, double)> toPixels)
    {
        if (line == LaneLine.None || !(s1 > s0))
            return;
        double lateral = side * lane.Width / 2;
        double thickness = Math.Max(1, StripeWidth * scaling);
        if (line == LaneLine.Continuous)
        {
            double step = lane is StraightLane ? s1 - s0 : 2.0;
            for (double s = s0; s < s1; s += step)
            {
                double e = Math.Min(s + step, s1);
                var (x0, y0) = lane.Position(s, lateral);
                var (x1, y1) = lane.Position(e, lateral);
                var (p0x, p0y) = toPixels(x0, y0);
                var (p1x, p1y) = toPixels(x1, y1);
                canvas.DrawLine(p0x, p0y, p1x, p1y, thickness, Marking);
            }
            return;
        }
        double first = Math.Floor(s0 / StripeSpacing) * StripeSpacing;
        for (double s = first; s < s1; s += StripeSpacing)
        {
            double a = Math.Max(s, 0), b = Math.Min(s + StripeLength, lane.Length);
            if (!(b > a))
                continue;
            var (x0, y0) = lane.Position(a, lateral);
            var (x1, y1) = lane.Position(b, lateral);
            var (p0x, p0y) = toPixels(x0, y0);
            var (p1x, p1y) = toPixels(x1, y1);
            canvas.DrawLine(p0x, p0y, p1x, p1y, thickness, Marking);
        }
    }
}
