namespace PolicyLab.Physics2D;

/// <summary>
/// Contact manifolds between pairs of shapes: circle–circle, polygon–circle, and polygon–polygon by the separating-axis
/// test with reference-face selection and clipping of the incident edge against the reference face's side planes
/// (Catto, "Contact Manifolds", GDC 2007). An edge is treated as a two-vertex polygon that collides on the side of
/// the other shape's centroid, with Box2D's edge-collider preference for the edge's normal.
/// </summary>
internal static class Narrowphase
{
    private const double EdgeRelativeTolerance = 0.98, EdgeAbsoluteTolerance = 0.001;

    /// <summary>Fills <paramref name="m"/> for shapes a and b placed by their transforms (a is the edge or polygon when there is one).</summary>
    public static void Collide(ref Manifold m, Shape a, in Transform2 xfA, Shape b, in Transform2 xfB)
    {
        m.PointCount = 0;
        switch (a, b)
        {
            case (CircleShape ca, CircleShape cb):
                CollideCircles(ref m, ca, xfA, cb, xfB);
                break;
            case (PolygonShape pa, CircleShape cb):
                CollidePolygonCircle(ref m, pa.Vertices, pa.Normals, pa.Radius, xfA, cb, xfB);
                break;
            case (EdgeShape ea, CircleShape cb):
                CollidePolygonCircle(ref m, ea.Vertices, ea.Normals, ea.Radius, xfA, cb, xfB);
                break;
            case (PolygonShape pa, PolygonShape pb):
                CollidePolygons(ref m, pa.Vertices, pa.Normals, pa.Radius, xfA, pb.Vertices, pb.Normals, pb.Radius, xfB);
                break;
            case (EdgeShape ea, PolygonShape pb):
                CollidePolygons(ref m, ea.Vertices, ea.Normals, ea.Radius, xfA, pb.Vertices, pb.Normals, pb.Radius, xfB);
                break;
        }
    }

    /// <summary>Orders a pair so that shape A has the higher rank (edge &gt; polygon &gt; circle); false for edge–edge.</summary>
    public static bool Order(Fixture f1, Fixture f2, out Fixture a, out Fixture b)
    {
        int r1 = Rank(f1.Shape.Kind), r2 = Rank(f2.Shape.Kind);
        if (r1 == 2 && r2 == 2)
        {
            a = f1;
            b = f2;
            return false;
        }
        (a, b) = r1 >= r2 ? (f1, f2) : (f2, f1);
        return true;
    }

    private static int Rank(ShapeKind kind) => kind switch { ShapeKind.Edge => 2, ShapeKind.Polygon => 1, _ => 0 };

    private static void CollideCircles(ref Manifold m, CircleShape a, in Transform2 xfA, CircleShape b, in Transform2 xfB)
    {
        Vec2 d = xfB.Apply(b.Center) - xfA.Apply(a.Center);
        double r = a.Radius + b.Radius;
        if (d.LengthSquared > r * r)
            return;
        m.Type = ManifoldType.Circles;
        m.LocalPoint = a.Center;
        m.LocalNormal = default;
        m.PointCount = 1;
        m.Points[0].LocalPoint = b.Center;
        m.Points[0].Id = 0;
    }

    private static void CollidePolygonCircle(ref Manifold m, Vec2[] vertices, Vec2[] normals, double polygonRadius, in Transform2 xfA, CircleShape circle, in Transform2 xfB)
    {
        Vec2 c = xfA.ApplyInverse(xfB.Apply(circle.Center));
        double radius = polygonRadius + circle.Radius;
        int normalIndex = 0;
        double separation = double.NegativeInfinity;
        for (int i = 0; i < vertices.Length; i++)
        {
            double s = Vec2.Dot(normals[i], c - vertices[i]);
            if (s > radius)
                return;
            if (s > separation)
            {
                separation = s;
                normalIndex = i;
            }
        }
        Vec2 v1 = vertices[normalIndex], v2 = vertices[(normalIndex + 1) % vertices.Length];
        m.Type = ManifoldType.FaceA;
        m.PointCount = 1;
        m.Points[0].LocalPoint = circle.Center;
        m.Points[0].Id = 0;
        if (separation < double.Epsilon)
        {
            m.LocalNormal = normals[normalIndex];
            m.LocalPoint = 0.5 * (v1 + v2);
            return;
        }
        double u1 = Vec2.Dot(c - v1, v2 - v1), u2 = Vec2.Dot(c - v2, v1 - v2);
        if (u1 <= 0)
        {
            if ((c - v1).LengthSquared > radius * radius)
            {
                m.PointCount = 0;
                return;
            }
            m.LocalNormal = (c - v1).Normalized();
            m.LocalPoint = v1;
        }
        else if (u2 <= 0)
        {
            if ((c - v2).LengthSquared > radius * radius)
            {
                m.PointCount = 0;
                return;
            }
            m.LocalNormal = (c - v2).Normalized();
            m.LocalPoint = v2;
        }
        else
        {
            Vec2 faceCenter = 0.5 * (v1 + v2);
            if (Vec2.Dot(c - faceCenter, normals[normalIndex]) > radius)
            {
                m.PointCount = 0;
                return;
            }
            m.LocalNormal = normals[normalIndex];
            m.LocalPoint = faceCenter;
        }
    }

    /// <summary>The face of polygon 1 with the largest separation from polygon 2 (vertices of 2 projected on its normal).</summary>
    private static double MaxSeparation(Vec2[] v1, Vec2[] n1, in Transform2 xf1, Vec2[] v2, in Transform2 xf2, out int edge)
    {
        edge = 0;
        double best = double.NegativeInfinity;
        for (int i = 0; i < v1.Length; i++)
        {
            // Polygon 1's face in polygon 2's frame.
            Vec2 n = xf2.RotateInverse(xf1.Rotate(n1[i]));
            Vec2 p = xf2.ApplyInverse(xf1.Apply(v1[i]));
            double si = double.PositiveInfinity;
            for (int j = 0; j < v2.Length; j++)
                si = Math.Min(si, Vec2.Dot(n, v2[j] - p));
            if (si > best)
            {
                best = si;
                edge = i;
            }
        }
        return best;
    }

    private struct ClipVertex
    {
        public Vec2 V;
        public uint Id;
    }

    private static void CollidePolygons(ref Manifold m, Vec2[] va, Vec2[] na, double ra, in Transform2 xfA, Vec2[] vb, Vec2[] nb, double rb, in Transform2 xfB)
    {
        double totalRadius = ra + rb;
        double separationA = MaxSeparation(va, na, xfA, vb, xfB, out int edgeA);
        if (separationA > totalRadius)
            return;
        double separationB = MaxSeparation(vb, nb, xfB, va, xfA, out int edgeB);
        if (separationB > totalRadius)
            return;
        Vec2[] v1, n1, v2, n2;
        Transform2 xf1, xf2;
        int edge1;
        bool flip;
        bool edge = va.Length == 2;
        if (edge)
        {
            // An edge is two-sided but collides on one side at a time, as Box2D's edge collider does: the side of the
            // polygon's vertex mean. A polygon sunk deep into the edge (a Box2D-style correction can leave it there) is
            // then pushed out along the edge's normal, not through the back face.
            Vec2 centroid = default;
            foreach (Vec2 v in vb)
                centroid += v;
            centroid = xfA.ApplyInverse(xfB.Apply((1.0 / vb.Length) * centroid));
            edgeA = Vec2.Dot(na[0], centroid - va[0]) >= 0 ? 0 : 1;
            Vec2 edgeNormal = xfB.RotateInverse(xfA.Rotate(na[edgeA]));
            Vec2 edgeOrigin = xfB.ApplyInverse(xfA.Apply(va[edgeA]));
            separationA = double.PositiveInfinity;
            foreach (Vec2 v in vb)
                separationA = Math.Min(separationA, Vec2.Dot(edgeNormal, v - edgeOrigin));
            if (separationA > totalRadius)
                return;
        }
        // The reference face: polygon B's only when clearly better (hysteresis against flip-flopping between steps);
        // against an edge with Box2D's edge-collider tolerances (relative 0.98, absolute 0.001 m), which favour the
        // edge's normal, between polygons with its polygon-collider tolerance.
        if (edge ? separationB > EdgeRelativeTolerance * separationA + EdgeAbsoluteTolerance
                 : separationB > separationA + 0.1 * PhysicsSettings.LinearSlop)
        {
            (v1, n1, xf1, v2, n2, xf2, edge1, flip) = (vb, nb, xfB, va, na, xfA, edgeB, true);
            m.Type = ManifoldType.FaceB;
        }
        else
        {
            (v1, n1, xf1, v2, n2, xf2, edge1, flip) = (va, na, xfA, vb, nb, xfB, edgeA, false);
            m.Type = ManifoldType.FaceA;
        }

        // Incident edge: the face of polygon 2 most anti-parallel to the reference normal.
        Vec2 refNormalIn2 = xf2.RotateInverse(xf1.Rotate(n1[edge1]));
        int incident = 0;
        double minDot = double.PositiveInfinity;
        for (int i = 0; i < n2.Length; i++)
        {
            double dot = Vec2.Dot(refNormalIn2, n2[i]);
            if (dot < minDot)
            {
                minDot = dot;
                incident = i;
            }
        }
        int incident2 = (incident + 1) % v2.Length;
        Span<ClipVertex> incidentEdge = stackalloc ClipVertex[2];
        incidentEdge[0] = new ClipVertex { V = xf2.Apply(v2[incident]), Id = Manifold.FeatureId(edge1, incident, false, true) };
        incidentEdge[1] = new ClipVertex { V = xf2.Apply(v2[incident2]), Id = Manifold.FeatureId(edge1, incident2, false, true) };

        int iv1 = edge1, iv2 = (edge1 + 1) % v1.Length;
        Vec2 v11 = v1[iv1], v12 = v1[iv2];
        Vec2 localTangent = (v12 - v11).Normalized();
        Vec2 localNormal = Vec2.Cross(localTangent, 1.0);
        Vec2 planePoint = 0.5 * (v11 + v12);
        Vec2 tangent = xf1.Rotate(localTangent);
        Vec2 normal = Vec2.Cross(tangent, 1.0);
        v11 = xf1.Apply(v11);
        v12 = xf1.Apply(v12);
        double frontOffset = Vec2.Dot(normal, v11);
        double sideOffset1 = -Vec2.Dot(tangent, v11) + totalRadius;
        double sideOffset2 = Vec2.Dot(tangent, v12) + totalRadius;

        Span<ClipVertex> clip1 = stackalloc ClipVertex[2];
        Span<ClipVertex> clip2 = stackalloc ClipVertex[2];
        if (ClipSegment(incidentEdge, clip1, -tangent, sideOffset1, iv1) < 2)
            return;
        if (ClipSegment(clip1, clip2, tangent, sideOffset2, iv2) < 2)
            return;

        m.LocalNormal = localNormal;
        m.LocalPoint = planePoint;
        int count = 0;
        for (int i = 0; i < 2; i++)
        {
            double separation = Vec2.Dot(normal, clip2[i].V) - frontOffset;
            if (separation <= totalRadius)
            {
                ref ManifoldPoint p = ref m.Points[count++];
                p.LocalPoint = xf2.ApplyInverse(clip2[i].V);
                p.Id = flip ? Manifold.SwapFeatures(clip2[i].Id) : clip2[i].Id;
            }
        }
        m.PointCount = count;
    }

    /// <summary>Sutherland–Hodgman clipping of a segment against the half-plane dot(normal, v) ≤ offset.</summary>
    private static int ClipSegment(ReadOnlySpan<ClipVertex> input, Span<ClipVertex> output, Vec2 normal, double offset, int vertexIndexA)
    {
        int count = 0;
        double d0 = Vec2.Dot(normal, input[0].V) - offset;
        double d1 = Vec2.Dot(normal, input[1].V) - offset;
        if (d0 <= 0)
            output[count++] = input[0];
        if (d1 <= 0)
            output[count++] = input[1];
        if (d0 * d1 < 0 && count < 2)
        {
            double t = d0 / (d0 - d1);
            output[count++] = new ClipVertex
            {
                V = input[0].V + t * (input[1].V - input[0].V),
                Id = Manifold.FeatureId(vertexIndexA, (int)(input[0].Id >> 8 & 0xFF), true, false),
            };
        }
        return count;
    }
}
