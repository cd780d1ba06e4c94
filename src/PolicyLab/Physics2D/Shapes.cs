namespace PolicyLab.Physics2D;

/// <summary>Mass, centre of mass (body-local) and rotational inertia about the body origin of a shape at a density.</summary>
/// <param name="Mass">Mass (kg).</param>
/// <param name="Center">Centre of mass in body coordinates.</param>
/// <param name="InertiaAboutOrigin">Rotational inertia about the body origin (kg·m²).</param>
public readonly record struct MassData(double Mass, Vec2 Center, double InertiaAboutOrigin);

/// <summary>The kinds of collision shape.</summary>
public enum ShapeKind
{
    /// <summary>A disc.</summary>
    Circle,
    /// <summary>A line segment (no mass), typically for static terrain.</summary>
    Edge,
    /// <summary>A convex polygon.</summary>
    Polygon,
}

/// <summary>A collision shape in body coordinates. Shapes are immutable once attached to a body.</summary>
public abstract class Shape
{
    private protected Shape(double radius) => Radius = radius;

    /// <summary>The kind of shape.</summary>
    public abstract ShapeKind Kind { get; }

    /// <summary>The contact skin (circles: the radius; polygons and edges: <see cref="PhysicsSettings.PolygonRadius"/>).</summary>
    public double Radius { get; }

    /// <summary>The mass properties at <paramref name="density"/> (kg/m²).</summary>
    public abstract MassData ComputeMass(double density);

    /// <summary>The bounding box of the shape placed by <paramref name="transform"/>, skin included.</summary>
    public abstract Aabb ComputeAabb(in Transform2 transform);

    /// <summary>
    /// Intersects the segment p1 → p1 + maxFraction·(p2 − p1) (world coordinates) with the shape placed by
    /// <paramref name="transform"/> (the skin is ignored). Returns the fraction along p1 → p2 and the outward normal.
    /// </summary>
    public abstract bool RayCast(Vec2 p1, Vec2 p2, double maxFraction, in Transform2 transform, out double fraction, out Vec2 normal);
}

/// <summary>A disc of a given radius centred at a body-local point.</summary>
public sealed class CircleShape : Shape
{
    /// <summary>Creates a disc.</summary>
    /// <param name="radius">Radius (m), positive.</param>
    /// <param name="center">Centre in body coordinates.</param>
    public CircleShape(double radius, Vec2 center = default) : base(radius)
    {
        if (!(radius > 0) || !double.IsFinite(radius))
            throw new PolicyLabException($"Physics2D: a circle needs a positive finite radius; got {radius}.");
        Center = center;
    }

    /// <summary>Centre in body coordinates.</summary>
    public Vec2 Center { get; }

    /// <inheritdoc />
    public override ShapeKind Kind => ShapeKind.Circle;

    /// <inheritdoc />
    public override MassData ComputeMass(double density)
    {
        double mass = density * Math.PI * Radius * Radius;
        return new MassData(mass, Center, mass * (0.5 * Radius * Radius + Center.LengthSquared));
    }

    /// <inheritdoc />
    public override Aabb ComputeAabb(in Transform2 transform)
    {
        Vec2 c = transform.Apply(Center);
        return new Aabb(new Vec2(c.X - Radius, c.Y - Radius), new Vec2(c.X + Radius, c.Y + Radius));
    }

    /// <inheritdoc />
    public override bool RayCast(Vec2 p1, Vec2 p2, double maxFraction, in Transform2 transform, out double fraction, out Vec2 normal)
    {
        // Solve |p1 + t d − c|² = r² for the smallest t in [0, maxFraction].
        fraction = 0;
        normal = default;
        Vec2 s = p1 - transform.Apply(Center);
        double b = Vec2.Dot(s, s) - Radius * Radius;
        Vec2 d = p2 - p1;
        double c = Vec2.Dot(s, d), rr = Vec2.Dot(d, d);
        double sigma = c * c - rr * b;
        if (sigma < 0 || rr < double.Epsilon)
            return false;
        double t = -(c + Math.Sqrt(sigma));
        if (t < 0 || t > maxFraction * rr)
            return false;
        fraction = t / rr;
        normal = (s + fraction * d).Normalized();
        return true;
    }
}

/// <summary>A line segment between two body-local points; it has no mass (use it on static bodies).</summary>
public sealed class EdgeShape : Shape
{
    /// <summary>Creates the segment v1–v2.</summary>
    public EdgeShape(Vec2 v1, Vec2 v2) : base(PhysicsSettings.PolygonRadius) => MoveTo(v1, v2);

    /// <summary>
    /// Gives the segment new end points, for an owner that rebuilds a world with the same shape objects (see
    /// <see cref="World.Recycle"/>): call it only while no fixture of a live world uses the shape.
    /// </summary>
    internal void MoveTo(Vec2 v1, Vec2 v2)
    {
        if ((v2 - v1).LengthSquared < PhysicsSettings.LinearSlop * PhysicsSettings.LinearSlop)
            throw new PolicyLabException($"Physics2D: an edge needs two distinct end points; got ({v1.X}, {v1.Y}) and ({v2.X}, {v2.Y}).");
        V1 = v1;
        V2 = v2;
        Vec2 n = Vec2.Cross(v2 - v1, 1.0).Normalized();
        Vertices[0] = v1;
        Vertices[1] = v2;
        Normals[0] = n;
        Normals[1] = -n;
    }

    /// <summary>First end point.</summary>
    public Vec2 V1 { get; private set; }

    /// <summary>Second end point.</summary>
    public Vec2 V2 { get; private set; }

    /// <summary>The segment as a two-vertex polygon (for the polygon collision routines).</summary>
    internal Vec2[] Vertices { get; } = new Vec2[2];

    /// <summary>The two face normals of that two-vertex polygon.</summary>
    internal Vec2[] Normals { get; } = new Vec2[2];

    /// <inheritdoc />
    public override ShapeKind Kind => ShapeKind.Edge;

    /// <inheritdoc />
    public override MassData ComputeMass(double density) => new(0, 0.5 * (V1 + V2), 0);

    /// <inheritdoc />
    public override Aabb ComputeAabb(in Transform2 transform)
    {
        Vec2 a = transform.Apply(V1), b = transform.Apply(V2);
        var r = new Vec2(Radius, Radius);
        return new Aabb(Vec2.Min(a, b) - r, Vec2.Max(a, b) + r);
    }

    /// <inheritdoc />
    public override bool RayCast(Vec2 p1, Vec2 p2, double maxFraction, in Transform2 transform, out double fraction, out Vec2 normal)
    {
        fraction = 0;
        normal = default;
        // In local coordinates: p1 + t d meets v1 + s e with t in [0, maxFraction], s in [0, 1].
        Vec2 a = transform.ApplyInverse(p1), b = transform.ApplyInverse(p2);
        Vec2 d = b - a, e = V2 - V1;
        Vec2 n = Vec2.Cross(e, 1.0).Normalized();
        double denominator = Vec2.Dot(n, d);
        if (denominator == 0)
            return false;
        double t = Vec2.Dot(n, V1 - a) / denominator;
        if (t < 0 || t > maxFraction)
            return false;
        Vec2 q = a + t * d;
        double ee = Vec2.Dot(e, e);
        double s = Vec2.Dot(q - V1, e) / ee;
        if (s < 0 || s > 1)
            return false;
        fraction = t;
        Vec2 worldNormal = transform.Rotate(n);
        normal = denominator > 0 ? -worldNormal : worldNormal;
        return true;
    }
}

/// <summary>A convex polygon with counter-clockwise vertices in body coordinates (3 to 8 vertices).</summary>
public sealed class PolygonShape : Shape
{
    /// <summary>The largest vertex count.</summary>
    public const int MaxVertices = 8;

    /// <summary>Creates the polygon; the vertices may be given in either winding but must form a convex polygon.</summary>
    public PolygonShape(ReadOnlySpan<Vec2> vertices) : base(PhysicsSettings.PolygonRadius)
    {
        if (vertices.Length is < 3 or > MaxVertices)
            throw new PolicyLabException($"Physics2D: a polygon needs 3 to {MaxVertices} vertices; got {vertices.Length}.");
        Vec2[] v = vertices.ToArray();
        double twiceArea = 0;
        for (int i = 0; i < v.Length; i++)
            twiceArea += Vec2.Cross(v[i], v[(i + 1) % v.Length]);
        if (twiceArea < 0)
            Array.Reverse(v);
        var normals = new Vec2[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            Vec2 edge = v[(i + 1) % v.Length] - v[i];
            if (edge.LengthSquared < PhysicsSettings.LinearSlop * PhysicsSettings.LinearSlop)
                throw new PolicyLabException($"Physics2D: polygon vertices {i} and {(i + 1) % v.Length} are closer than {PhysicsSettings.LinearSlop} m; merge them.");
            normals[i] = Vec2.Cross(edge, 1.0).Normalized();
        }
        for (int i = 0; i < v.Length; i++)
        {
            for (int j = 0; j < v.Length; j++)
            {
                if (j != i && j != (i + 1) % v.Length && Vec2.Dot(normals[i], v[j] - v[i]) > 1e-12)
                    throw new PolicyLabException("Physics2D: the polygon is not convex. Split it into convex pieces (one fixture each).");
            }
        }
        Vertices = v;
        Normals = normals;
        Centroid = ComputeMass(1).Center;
    }

    /// <summary>
    /// The convex hull of <paramref name="points"/>, as Box2D builds a polygon from a vertex list: points closer than
    /// half the linear slop to an earlier point are dropped, the hull is taken (so a self-intersecting or dented outline
    /// becomes its hull), and collinear points on an edge are left out.
    /// </summary>
    public static PolygonShape ConvexHull(ReadOnlySpan<Vec2> points)
    {
        if (points.Length is < 3 or > MaxVertices)
            throw new PolicyLabException($"Physics2D: a polygon needs 3 to {MaxVertices} vertices; got {points.Length}.");
        double weld = 0.5 * PhysicsSettings.LinearSlop;
        var unique = new List<Vec2>(points.Length);
        foreach (Vec2 p in points)
        {
            bool near = false;
            foreach (Vec2 q in unique)
                near |= (p - q).LengthSquared < weld * weld;
            if (!near)
                unique.Add(p);
        }
        // Andrew's monotone chain: sort by x then y, build the lower and upper chains counter-clockwise, keeping
        // only strict left turns (collinear points drop out).
        unique.Sort((a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
        var hull = new List<Vec2>(2 * unique.Count);
        for (int pass = 0; pass < 2; pass++)
        {
            int chainStart = hull.Count;
            for (int k = 0; k < unique.Count; k++)
            {
                Vec2 p = unique[pass == 0 ? k : unique.Count - 1 - k];
                while (hull.Count >= chainStart + 2 && Vec2.Cross(hull[^1] - hull[^2], p - hull[^2]) <= 0)
                    hull.RemoveAt(hull.Count - 1);
                hull.Add(p);
            }
            hull.RemoveAt(hull.Count - 1); // each chain's last point starts the other chain
        }
        if (hull.Count < 3)
            throw new PolicyLabException("Physics2D: the points are (nearly) collinear, so their hull has no area. Give at least three points that span an area.");
        return new PolygonShape(hull.ToArray());
    }

    /// <summary>An axis-aligned box with the given half-extents, centred at <paramref name="center"/> and rotated by <paramref name="angle"/>.</summary>
    public static PolygonShape Box(double halfWidth, double halfHeight, Vec2 center = default, double angle = 0)
    {
        var t = new Transform2(center, angle);
        return new PolygonShape([t.Apply(new(-halfWidth, -halfHeight)), t.Apply(new(halfWidth, -halfHeight)), t.Apply(new(halfWidth, halfHeight)), t.Apply(new(-halfWidth, halfHeight))]);
    }

    /// <summary>Counter-clockwise vertices in body coordinates.</summary>
    public IReadOnlyList<Vec2> VertexList => Vertices;

    internal Vec2[] Vertices { get; }

    internal Vec2[] Normals { get; }

    /// <summary>The area centroid in body coordinates.</summary>
    public Vec2 Centroid { get; }

    /// <inheritdoc />
    public override ShapeKind Kind => ShapeKind.Polygon;

    /// <inheritdoc />
    public override MassData ComputeMass(double density)
    {
        // Triangle fan from a reference point inside the polygon (the first vertex keeps the sums well conditioned).
        Vec2 s = Vertices[0];
        double area = 0, inertia = 0;
        Vec2 center = default;
        for (int i = 0; i < Vertices.Length; i++)
        {
            Vec2 e1 = Vertices[i] - s, e2 = Vertices[(i + 1) % Vertices.Length] - s;
            double d = Vec2.Cross(e1, e2);
            double triangleArea = 0.5 * d;
            area += triangleArea;
            center += triangleArea / 3.0 * (e1 + e2);
            double intx2 = e1.X * e1.X + e2.X * e1.X + e2.X * e2.X;
            double inty2 = e1.Y * e1.Y + e2.Y * e1.Y + e2.Y * e2.Y;
            inertia += 0.25 / 3.0 * d * (intx2 + inty2);
        }
        double mass = density * area;
        Vec2 local = (1.0 / area) * center;
        Vec2 c = local + s;
        // inertia is about s; move it to the origin through the centroid.
        double inertiaAboutOrigin = density * inertia + mass * (Vec2.Dot(c, c) - Vec2.Dot(local, local));
        return new MassData(mass, c, inertiaAboutOrigin);
    }

    /// <summary>The polygon's area (m²).</summary>
    public double Area => ComputeMass(1).Mass;

    /// <inheritdoc />
    public override Aabb ComputeAabb(in Transform2 transform)
    {
        Vec2 lower = transform.Apply(Vertices[0]), upper = lower;
        for (int i = 1; i < Vertices.Length; i++)
        {
            Vec2 v = transform.Apply(Vertices[i]);
            lower = Vec2.Min(lower, v);
            upper = Vec2.Max(upper, v);
        }
        var r = new Vec2(Radius, Radius);
        return new Aabb(lower - r, upper + r);
    }

    /// <inheritdoc />
    public override bool RayCast(Vec2 p1, Vec2 p2, double maxFraction, in Transform2 transform, out double fraction, out Vec2 normal)
    {
        // Clip the parametric segment against every face's half-plane (Cyrus–Beck).
        fraction = 0;
        normal = default;
        Vec2 a = transform.ApplyInverse(p1), b = transform.ApplyInverse(p2), d = b - a;
        double lower = 0, upper = maxFraction;
        int index = -1;
        for (int i = 0; i < Vertices.Length; i++)
        {
            double numerator = Vec2.Dot(Normals[i], Vertices[i] - a);
            double denominator = Vec2.Dot(Normals[i], d);
            if (denominator == 0)
            {
                if (numerator < 0)
                    return false;
            }
            else if (denominator < 0 && numerator < lower * denominator)
            {
                lower = numerator / denominator;
                index = i;
            }
            else if (denominator > 0 && numerator < upper * denominator)
            {
                upper = numerator / denominator;
            }
            if (upper < lower)
                return false;
        }
        if (index < 0)
            return false;
        fraction = lower;
        normal = transform.Rotate(Normals[index]);
        return true;
    }
}
