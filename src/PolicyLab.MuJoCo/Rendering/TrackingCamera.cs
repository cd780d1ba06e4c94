namespace PolicyLab.MuJoCo.Rendering;

/// <summary>How the camera frames a task: following a body from the side, from above, or fixed on a point.</summary>
public readonly record struct TrackingCamera
{
    /// <summary>The body whose position the camera follows (−1: none, use <see cref="Target"/>).</summary>
    public int Body { get; init; }

    /// <summary>The fixed point looked at when <see cref="Body"/> is −1; otherwise an offset added to the body position (z: absolute height).</summary>
    public (double X, double Y, double Z) Target { get; init; }

    /// <summary>Distance from the target.</summary>
    public double Distance { get; init; }

    /// <summary>True: look straight down; false: look along +y from the −y side.</summary>
    public bool TopDown { get; init; }

    /// <summary>Vertical field of view in degrees.</summary>
    public double FieldOfView { get; init; }

    /// <summary>Follows a body from the side at a fixed height <paramref name="elevation"/> (the height the camera looks at).</summary>
    public static TrackingCamera Side(int bodyToTrack, double distance, double elevation) =>
        new() { Body = bodyToTrack, Target = (0, 0, elevation), Distance = distance, FieldOfView = 45 };

    /// <summary>Follows a body from straight above.</summary>
    public static TrackingCamera Above(int bodyToTrack, double height) =>
        new() { Body = bodyToTrack, Target = (0, 0, 0), Distance = height, TopDown = true, FieldOfView = 45 };

    /// <summary>Looks at a fixed point from the side.</summary>
    public static TrackingCamera Fixed(double x, double y, double z, double distance, double elevation) =>
        new() { Body = -1, Target = (x, y, z + elevation), Distance = distance, FieldOfView = 45 };
}
