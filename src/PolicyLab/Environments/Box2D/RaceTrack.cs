using PolicyLab.Numerics;
using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>One point of a race track's centre line: its polar angle around the origin, its heading and its position.</summary>
/// <param name="Alpha">Polar angle of the point as the walk saw it (it can be below 0 or above 2π).</param>
/// <param name="Beta">Heading: the mean of the headings before and after this point's turn (travel is along (−sin β, cos β)).</param>
/// <param name="X">World x.</param>
/// <param name="Y">World y.</param>
public readonly record struct TrackPoint(double Alpha, double Beta, double X, double Y);

/// <summary>
/// A closed CarRacing track (Gymnasium 1.0's generator, restated in <c>docs/facts/carracing-v3.md</c> §3): 12 noisy
/// checkpoints around the origin, a walk that steers toward them in 3.5-unit steps, one lap cut out of the walk where
/// it passes the start angle, and red/white kerbs on sustained one-sided turns. Tile <c>i</c> joins point <c>i−1</c>
/// to point <c>i</c> (tile 0 lies behind the start).
/// </summary>
public sealed class RaceTrack
{
    /// <summary>Track scale (world units are Gymnasium's pixels / 6).</summary>
    public const double Scale = 6.0;
    /// <summary>Mean checkpoint radius.</summary>
    public const double Radius = 900 / Scale;
    /// <summary>Length of one step of the walk (and of a tile).</summary>
    public const double DetailStep = 21 / Scale;
    /// <summary>Largest heading change per step (rad).</summary>
    public const double TurnRate = 0.31;
    /// <summary>Half-width of the road.</summary>
    public const double HalfWidth = 40 / Scale;
    /// <summary>Kerb width.</summary>
    public const double BorderWidth = 8 / Scale;
    /// <summary>Consecutive one-sided turns that make a kerb.</summary>
    public const int BorderMinCount = 4;
    /// <summary>Checkpoints of the walk.</summary>
    public const int Checkpoints = 12;
    /// <summary>Random draws per attempt (a noise and a radius per checkpoint).</summary>
    public const int DrawsPerAttempt = 2 * Checkpoints;

    private const int WalkBudget = 2500;

    private RaceTrack(TrackPoint[] points, bool[] border, int attempts)
    {
        Points = points;
        Border = border;
        Attempts = attempts;
    }

    /// <summary>The centre-line points of the lap, in driving order; their count is the number of tiles.</summary>
    public IReadOnlyList<TrackPoint> Points { get; }

    /// <summary>Whether tile <c>i</c> has a kerb.</summary>
    public IReadOnlyList<bool> Border { get; }

    /// <summary>How many attempts the generator needed (each made <see cref="DrawsPerAttempt"/> draws).</summary>
    public int Attempts { get; }

    /// <summary>Number of tiles.</summary>
    public int TileCount => Points.Count;

    /// <summary>Generates a track, retrying with fresh draws until an attempt closes its loop (Gymnasium sets no cap).</summary>
    public static RaceTrack Generate(Rng random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<double> draws = stackalloc double[DrawsPerAttempt];
        for (int attempt = 1; ; attempt++)
        {
            for (int c = 0; c < Checkpoints; c++)
            {
                draws[2 * c] = random.Uniform(0, 2 * Math.PI / Checkpoints);
                draws[2 * c + 1] = random.Uniform(Radius / 3, Radius);
            }
            if (TryBuild(draws) is { } points)
                return new RaceTrack(points, Kerbs(points), attempt);
        }
    }

    /// <summary>
    /// One attempt from its 24 draws (noise₀, radius₀, noise₁, radius₁, …): the closed lap, or null when the walk does
    /// not pass the start twice or its ends do not meet within one step.
    /// </summary>
    public static TrackPoint[]? TryBuild(ReadOnlySpan<double> draws)
    {
        if (draws.Length != DrawsPerAttempt)
            throw new ArgumentException($"A track attempt takes {DrawsPerAttempt} draws; got {draws.Length}.", nameof(draws));
        Span<double> cpAlpha = stackalloc double[Checkpoints];
        Span<double> cpX = stackalloc double[Checkpoints];
        Span<double> cpY = stackalloc double[Checkpoints];
        for (int c = 0; c < Checkpoints; c++)
        {
            double alpha = 2 * Math.PI * c / Checkpoints + draws[2 * c];
            double rad = draws[2 * c + 1];
            if (c == 0)
            {
                alpha = 0;
                rad = 1.5 * Radius;
            }
            if (c == Checkpoints - 1)
            {
                alpha = 2 * Math.PI * c / Checkpoints;
                rad = 1.5 * Radius;
            }
            cpAlpha[c] = alpha;
            cpX[c] = rad * Math.Cos(alpha);
            cpY[c] = rad * Math.Sin(alpha);
        }
        double startAlpha = 2 * Math.PI * -0.5 / Checkpoints;

        // The walk: head toward the next checkpoint ahead (counter-clockwise), turning at most TurnRate per step.
        var track = new List<TrackPoint>(1024);
        double x = 1.5 * Radius, y = 0, beta = 0;
        int dest = 0, laps = 0, budget = WalkBudget;
        bool visitedOtherSide = false;
        while (true)
        {
            double alpha = Math.Atan2(y, x);
            if (visitedOtherSide && alpha > 0)
            {
                laps++;
                visitedOtherSide = false;
            }
            if (alpha < 0)
            {
                visitedOtherSide = true;
                alpha += 2 * Math.PI;
            }
            while (true)
            {
                bool found = false;
                while (true)
                {
                    if (alpha <= cpAlpha[dest % Checkpoints])
                    {
                        found = true;
                        break;
                    }
                    dest++;
                    if (dest % Checkpoints == 0)
                        break;
                }
                if (found)
                    break;
                alpha -= 2 * Math.PI;
            }
            double destX = cpX[dest % Checkpoints], destY = cpY[dest % Checkpoints];
            double r1x = Math.Cos(beta), r1y = Math.Sin(beta);
            double p1x = -r1y, p1y = r1x;
            double proj = r1x * (destX - x) + r1y * (destY - y);
            while (beta - alpha > 1.5 * Math.PI)
                beta -= 2 * Math.PI;
            while (beta - alpha < -1.5 * Math.PI)
                beta += 2 * Math.PI;
            double prevBeta = beta;
            proj *= Scale;
            if (proj > 0.3)
                beta -= Math.Min(TurnRate, Math.Abs(0.001 * proj));
            if (proj < -0.3)
                beta += Math.Min(TurnRate, Math.Abs(0.001 * proj));
            x += p1x * DetailStep;
            y += p1y * DetailStep;
            track.Add(new TrackPoint(alpha, prevBeta * 0.5 + beta * 0.5, x, y));
            if (laps > 4)
                break;
            if (--budget == 0)
                break;
        }

        // One lap: between the last two passes through the start angle, scanning from the end.
        int i1 = -1, i2 = -1;
        for (int i = track.Count - 1; ; i--)
        {
            if (i <= 0)
                return null;
            bool passes = track[i].Alpha > startAlpha && track[i - 1].Alpha <= startAlpha;
            if (passes && i2 == -1)
                i2 = i;
            else if (passes && i1 == -1)
            {
                i1 = i;
                break;
            }
        }
        int n = i2 - 1 - i1;
        if (n <= 0)
            return null;
        TrackPoint[] lap = track.GetRange(i1, n).ToArray();

        // The ends must meet: the (component-wise) offset of the last point from the first, weighted by the first heading.
        TrackPoint first = lap[0], last = lap[^1];
        double gx = Math.Cos(first.Beta) * (first.X - last.X), gy = Math.Sin(first.Beta) * (first.Y - last.Y);
        if (Math.Sqrt(gx * gx + gy * gy) > DetailStep)
            return null;
        return lap;
    }

    /// <summary>
    /// Kerbs: tile i has one when the last <see cref="BorderMinCount"/> heading changes up to it are all larger than
    /// 0.2·<see cref="TurnRate"/> and of one sign; each such mark then spreads to the three tiles before it (in place,
    /// in index order, wrapping, so marks can spread further back).
    /// </summary>
    private static bool[] Kerbs(TrackPoint[] t)
    {
        int n = t.Length;
        var border = new bool[n];
        for (int i = 0; i < n; i++)
        {
            bool good = true;
            int oneSide = 0;
            for (int k = 0; k < BorderMinCount; k++)
            {
                double b1 = t[Wrap(i - k, n)].Beta, b2 = t[Wrap(i - k - 1, n)].Beta;
                good &= Math.Abs(b1 - b2) > TurnRate * 0.2;
                oneSide += Math.Sign(b1 - b2);
            }
            border[i] = good && Math.Abs(oneSide) == BorderMinCount;
        }
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < BorderMinCount; k++)
                border[Wrap(i - k, n)] |= border[i];
        }
        return border;
    }

    /// <summary>The road quad of tile <c>i</c>: left and right edge at point i, then right and left edge at point i−1.</summary>
    public void TileCorners(int i, Span<Vec2> corners)
    {
        TrackPoint p1 = Points[i], p2 = Points[Wrap(i - 1, TileCount)];
        (double s1, double c1) = Math.SinCos(p1.Beta);
        (double s2, double c2) = Math.SinCos(p2.Beta);
        corners[0] = new Vec2(p1.X - HalfWidth * c1, p1.Y - HalfWidth * s1);
        corners[1] = new Vec2(p1.X + HalfWidth * c1, p1.Y + HalfWidth * s1);
        corners[2] = new Vec2(p2.X + HalfWidth * c2, p2.Y + HalfWidth * s2);
        corners[3] = new Vec2(p2.X - HalfWidth * c2, p2.Y - HalfWidth * s2);
    }

    /// <summary>The kerb quad of tile <c>i</c> (on the outside of the turn); only meaningful where <see cref="Border"/> is set.</summary>
    public void KerbCorners(int i, Span<Vec2> corners)
    {
        TrackPoint p1 = Points[i], p2 = Points[Wrap(i - 1, TileCount)];
        double side = Math.Sign(p2.Beta - p1.Beta);
        (double s1, double c1) = Math.SinCos(p1.Beta);
        (double s2, double c2) = Math.SinCos(p2.Beta);
        double inner = side * HalfWidth, outer = side * (HalfWidth + BorderWidth);
        corners[0] = new Vec2(p1.X + inner * c1, p1.Y + inner * s1);
        corners[1] = new Vec2(p1.X + outer * c1, p1.Y + outer * s1);
        corners[2] = new Vec2(p2.X + outer * c2, p2.Y + outer * s2);
        corners[3] = new Vec2(p2.X + inner * c2, p2.Y + inner * s2);
    }

    private static int Wrap(int i, int n) => ((i % n) + n) % n;
}
