namespace PolicyLab.Physics2D;

/// <summary>
/// The tolerances of the solver, with the values Box2D 2.x documents (metres, radians, seconds). The contact skin of
/// polygons and edges, the slop allowed before correcting penetration or joint error, the Baumgarte factor of the
/// position correction, and the thresholds under which a body counts as at rest for sleeping.
/// </summary>
public static class PhysicsSettings
{
    /// <summary>Penetration (m) tolerated without correction, to keep contacts stable.</summary>
    public const double LinearSlop = 0.005;

    /// <summary>Joint angle error (rad) tolerated without correction (2°).</summary>
    public const double AngularSlop = 2.0 / 180.0 * Math.PI;

    /// <summary>The skin radius (m) around polygon and edge shapes: contacts form when the core shapes are closer than the sum of the skins.</summary>
    public const double PolygonRadius = 2.0 * LinearSlop;

    /// <summary>The largest position correction (m) of one position iteration.</summary>
    public const double MaxLinearCorrection = 0.2;

    /// <summary>The largest angle correction (rad) of one position iteration (8°).</summary>
    public const double MaxAngularCorrection = 8.0 / 180.0 * Math.PI;

    /// <summary>The largest distance (m) a body may travel in one step; faster bodies are slowed.</summary>
    public const double MaxTranslation = 2.0;

    /// <summary>The largest rotation (rad) of a body in one step.</summary>
    public const double MaxRotation = 0.5 * Math.PI;

    /// <summary>Fraction of the position error removed per position iteration.</summary>
    public const double Baumgarte = 0.2;

    /// <summary>Relative normal speed (m/s) under which a collision is treated as inelastic (restitution ignored).</summary>
    public const double VelocityThreshold = 1.0;

    /// <summary>Time (s) every body of an island must stay under the sleep tolerances before the island sleeps.</summary>
    public const double TimeToSleep = 0.5;

    /// <summary>Linear speed (m/s) under which a body counts as at rest.</summary>
    public const double LinearSleepTolerance = 0.01;

    /// <summary>Angular speed (rad/s) under which a body counts as at rest (2°/s).</summary>
    public const double AngularSleepTolerance = 2.0 / 180.0 * Math.PI;

    /// <summary>
    /// A velocity iteration sweep whose largest impulse change is below this (N·s) ends the velocity phase early: the
    /// remaining iterations would change velocities by less than rounding noise.
    /// </summary>
    public const double VelocityConvergence = 1e-8;
}
