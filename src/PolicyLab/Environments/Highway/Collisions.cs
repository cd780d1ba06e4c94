namespace PolicyLab.Environments.Highway;

/// <summary>
/// Collision detection between oriented rectangles with the separating-axis test, also swept by each body's
/// displacement over the coming step (highway-env's rules): two bodies intersect now when no edge normal of either
/// rectangle separates their projections; they will intersect when none separates them once the first body's
/// projection is stretched by the relative displacement; the smallest overlap along an axis (pointing from the second
/// body to the first) is the separating translation.
/// </summary>
public static class Collisions
{
    /// <summary>The four corners (x0, y0, …, x3, y3) of a rectangle of the given size centred at (x, y) with heading ψ,
    /// in the order rear-left, rear-right, front-right, front-left of highway-env's polygon.</summary>
    public static void Corners(double x, double y, double heading, double length, double width, Span<double> corners)
    {
        (double sin, double cos) = Math.SinCos(heading);
        double hl = length / 2, hw = width / 2;
        ReadOnlySpan<double> local = [-hl, -hw, -hl, hw, hl, hw, hl, -hw];
        for (int i = 0; i < 4; i++)
        {
            double lx = local[2 * i], ly = local[2 * i + 1];
            corners[2 * i] = x + cos * lx - sin * ly;
            corners[2 * i + 1] = y + sin * lx + cos * ly;
        }
    }

    /// <summary>
    /// The separating-axis test of two convex quadrilaterals <paramref name="a"/> and <paramref name="b"/> (4 corners
    /// each), with displacements over the coming step.
    /// </summary>
    /// <returns>Whether they intersect now, whether they will intersect, and the translation (for <paramref name="a"/>) that would separate them.</returns>
    public static (bool Intersecting, bool WillIntersect, double TranslationX, double TranslationY) Test(
        ReadOnlySpan<double> a, ReadOnlySpan<double> b, double displacementAx, double displacementAy, double displacementBx, double displacementBy)
    {
        bool intersecting = true, willIntersect = true;
        double minDistance = double.PositiveInfinity;
        double axisX = 0, axisY = 0;
        double centreDx = 0, centreDy = 0;
        for (int i = 0; i < 4; i++)
        {
            centreDx += (a[2 * i] - b[2 * i]) / 4;
            centreDy += (a[2 * i + 1] - b[2 * i + 1]) / 4;
        }
        double relativeX = displacementAx - displacementBx, relativeY = displacementAy - displacementBy;
        for (int polygon = 0; polygon < 2; polygon++)
        {
            ReadOnlySpan<double> p = polygon == 0 ? a : b;
            for (int e = 0; e < 4; e++)
            {
                int next = (e + 1) & 3;
                double nx = -p[2 * next + 1] + p[2 * e + 1], ny = p[2 * next] - p[2 * e];
                double norm = Math.Sqrt(nx * nx + ny * ny);
                nx /= norm;
                ny /= norm;
                var (minA, maxA) = Project(a, nx, ny);
                var (minB, maxB) = Project(b, nx, ny);
                if (IntervalDistance(minA, maxA, minB, maxB) > 0)
                    intersecting = false;
                double velocityProjection = nx * relativeX + ny * relativeY;
                if (velocityProjection < 0)
                    minA += velocityProjection;
                else
                    maxA += velocityProjection;
                double distance = IntervalDistance(minA, maxA, minB, maxB);
                if (distance > 0)
                    willIntersect = false;
                if (!intersecting && !willIntersect)
                    break;
                if (Math.Abs(distance) < minDistance)
                {
                    minDistance = Math.Abs(distance);
                    bool toward = centreDx * nx + centreDy * ny > 0;
                    axisX = toward ? nx : -nx;
                    axisY = toward ? ny : -ny;
                }
            }
        }
        return willIntersect
            ? (intersecting, true, minDistance * axisX, minDistance * axisY)
            : (intersecting, false, 0, 0);
    }

    private static (double Min, double Max) Project(ReadOnlySpan<double> polygon, double nx, double ny)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < 4; i++)
        {
            double d = polygon[2 * i] * nx + polygon[2 * i + 1] * ny;
            if (d < min) min = d;
            if (d > max) max = d;
        }
        return (min, max);
    }

    private static double IntervalDistance(double minA, double maxA, double minB, double maxB) =>
        minA < minB ? minB - maxA : minA - maxB;

    /// <summary>
    /// highway-env's pairwise rule for two road users over a step of dt: skipped when neither checks collisions, or when
    /// their centres are farther apart than the half-diagonals plus the first one's travel; otherwise the swept
    /// separating-axis test. A predicted intersection of two vehicles queues half the separating translation on each
    /// (the whole on the vehicle when the other is an obstacle), applied at their next integration (which marks them
    /// crashed); a current intersection crashes both now.
    /// </summary>
    public static void Handle(Vehicle self, Vehicle other, double dt)
    {
        if (!(self.CheckCollisions || other.CheckCollisions))
            return;
        double dx = other.X - self.X, dy = other.Y - self.Y;
        double gate = (self.Diagonal + other.Diagonal) / 2 + self.Speed * dt;
        if (Math.Sqrt(dx * dx + dy * dy) > gate)
            return;
        Span<double> a = stackalloc double[8];
        Span<double> b = stackalloc double[8];
        Corners(self.X, self.Y, self.Heading, self.Length, self.Width, a);
        Corners(other.X, other.Y, other.Heading, other.Length, other.Width, b);
        var (intersecting, willIntersect, tx, ty) = Test(a, b,
            self.VelocityX * dt, self.VelocityY * dt, other.VelocityX * dt, other.VelocityY * dt);
        if (willIntersect)
        {
            if (other.Kind == VehicleKind.Obstacle)
                SetImpact(self, tx, ty);
            else if (self.Kind == VehicleKind.Obstacle)
                SetImpact(other, tx, ty);
            else
            {
                SetImpact(self, tx / 2, ty / 2);
                SetImpact(other, -tx / 2, -ty / 2);
            }
        }
        if (intersecting)
        {
            self.Crashed = true;
            other.Crashed = true;
        }
    }

    private static void SetImpact(Vehicle vehicle, double x, double y)
    {
        vehicle.HasImpact = true;
        vehicle.ImpactX = x;
        vehicle.ImpactY = y;
    }
}
