using PolicyLab.Environments.Rendering;

namespace PolicyLab.MuJoCo.Rendering;

/// <summary>
/// A managed ray caster of a model's geoms (planes as a checkered floor, spheres, capsules, cylinders, ellipsoids,
/// boxes) with Lambert shading, a directional light with shadows and a sky gradient. It reads the geom poses MuJoCo
/// computed (<c>geom_xpos</c>, <c>geom_xmat</c>), so it shows exactly the simulated state; no OpenGL needed.
/// </summary>
public sealed class MuJoCoRenderer
{
    private const int Plane = 0, Sphere = 2, Capsule = 3, Ellipsoid = 4, Cylinder = 5, Box = 6;
    private static readonly Vec3 LightDirection = new Vec3(-0.4, -0.6, 1.0).Normalized();
    private readonly MuJoCoModel _model;
    private readonly int[] _types;
    private readonly double[] _sizes;
    private readonly float[] _rgba;
    private readonly double[] _pos, _mat, _bound;

    /// <summary>Creates a renderer of <paramref name="width"/> × <paramref name="height"/> frames.</summary>
    public MuJoCoRenderer(MuJoCoModel model, int width, int height)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _types = model.GeomType.ToArray();
        _sizes = model.GeomSize.ToArray();
        _rgba = model.GeomRgba.ToArray();
        _pos = new double[3 * model.GeomCount];
        _mat = new double[9 * model.GeomCount];
        _bound = new double[model.GeomCount];
        for (int g = 0; g < _types.Length; g++)
        {
            double x = _sizes[3 * g], y = _sizes[3 * g + 1], z = _sizes[3 * g + 2];
            _bound[g] = _types[g] switch
            {
                Plane => double.PositiveInfinity,
                Sphere => x,
                Capsule => x + y,
                Cylinder => Math.Sqrt(x * x + y * y),
                _ => Math.Sqrt(x * x + y * y + z * z),
            };
        }
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Draws the current state of <paramref name="simulation"/>.</summary>
    public RgbFrame Render(MuJoCoSimulation simulation, TrackingCamera camera)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        simulation.GeomPositions.CopyTo(_pos);
        simulation.GeomRotations.CopyTo(_mat);
        Vec3 target = new(camera.Target.X, camera.Target.Y, camera.Target.Z);
        if (camera.Body >= 0)
        {
            ReadOnlySpan<double> xpos = simulation.BodyPositions;
            target = camera.TopDown
                ? new Vec3(xpos[3 * camera.Body], xpos[3 * camera.Body + 1], 0)
                : new Vec3(xpos[3 * camera.Body] + camera.Target.X, xpos[3 * camera.Body + 1] + camera.Target.Y, camera.Target.Z);
        }
        Vec3 eye, forward, up;
        if (camera.TopDown)
        {
            eye = target + new Vec3(0, 0, camera.Distance);
            forward = new Vec3(0, 0, -1);
            up = new Vec3(0, 1, 0);
        }
        else
        {
            eye = target + new Vec3(0, -camera.Distance, 0.15 * camera.Distance);
            forward = (target - eye).Normalized();
            up = new Vec3(0, 0, 1);
        }
        Vec3 right = forward.Cross(up).Normalized();
        up = right.Cross(forward);
        double tan = Math.Tan(camera.FieldOfView * Math.PI / 360);
        double aspect = (double)Width / Height;
        var frame = new RgbFrame(Width, Height);
        byte[] pixels = frame.Pixels;
        for (int py = 0; py < Height; py++)
        {
            double v = (1 - 2 * (py + 0.5) / Height) * tan;
            for (int px = 0; px < Width; px++)
            {
                double u = (2 * (px + 0.5) / Width - 1) * tan * aspect;
                Vec3 direction = (forward + u * right + v * up).Normalized();
                (double r, double g, double b) = Shade(eye, direction);
                int o = 3 * (py * Width + px);
                pixels[o] = ToByte(r);
                pixels[o + 1] = ToByte(g);
                pixels[o + 2] = ToByte(b);
            }
        }
        return frame;
    }

    private static byte ToByte(double value) => (byte)Math.Clamp((int)(value * 255 + 0.5), 0, 255);

    private (double R, double G, double B) Shade(Vec3 origin, Vec3 direction)
    {
        if (!Trace(origin, direction, out double t, out int geom, out Vec3 normal, out Vec3 local))
        {
            double sky = Math.Clamp(0.5 + 0.5 * direction.Z, 0, 1);
            return (0.55 + 0.25 * sky, 0.65 + 0.2 * sky, 0.8 + 0.15 * sky);
        }
        Vec3 point = origin + t * direction;
        double r = _rgba[4 * geom], g = _rgba[4 * geom + 1], b = _rgba[4 * geom + 2];
        if (_types[geom] == Plane)
        {
            bool dark = ((int)Math.Floor(local.X * 2) + (int)Math.Floor(local.Y * 2) & 1) == 0;
            double f = dark ? 0.78 : 1.0;
            (r, g, b) = (r * f, g * f, b * f);
        }
        if (normal.Dot(direction) > 0)
            normal = -1 * normal;
        double diffuse = Math.Max(0, normal.Dot(LightDirection));
        if (diffuse > 0 && Trace(point + 1e-6 * normal, LightDirection, out _, out _, out _, out _))
            diffuse *= 0.25;
        double light = 0.35 + 0.65 * diffuse;
        return (r * light, g * light, b * light);
    }

    private bool Trace(Vec3 origin, Vec3 direction, out double nearest, out int hitGeom, out Vec3 hitNormal, out Vec3 hitLocal)
    {
        nearest = double.PositiveInfinity;
        hitGeom = -1;
        hitNormal = default;
        hitLocal = default;
        for (int g = 0; g < _types.Length; g++)
        {
            if (_rgba[4 * g + 3] <= 0)
                continue;
            // Into the geom frame: local = Rᵀ (world − centre); xmat is row-major with the local axes as columns.
            Vec3 c = new(_pos[3 * g], _pos[3 * g + 1], _pos[3 * g + 2]);
            if (!double.IsInfinity(_bound[g]))
            {
                // Bounding sphere first: most rays miss most geoms.
                Vec3 toCentre = c - origin;
                double along = toCentre.Dot(direction);
                double r = _bound[g] * 1.001;
                if (toCentre.Dot(toCentre) - along * along > r * r || along < -r || along - r > nearest)
                    continue;
            }
            Vec3 o = ToLocal(g, origin - c), d = ToLocal(g, direction);
            double sx = _sizes[3 * g], sy = _sizes[3 * g + 1], sz = _sizes[3 * g + 2];
            double t;
            Vec3 n;
            bool hit = _types[g] switch
            {
                Plane => IntersectPlane(o, d, out t, out n),
                Sphere => IntersectEllipsoid(o, d, new Vec3(sx, sx, sx), out t, out n),
                Ellipsoid => IntersectEllipsoid(o, d, new Vec3(sx, sy, sz), out t, out n),
                Capsule => IntersectCapsule(o, d, sx, sy, out t, out n),
                Cylinder => IntersectCylinder(o, d, sx, sy, out t, out n),
                Box => IntersectBox(o, d, new Vec3(sx, sy, sz), out t, out n),
                _ => Miss(out t, out n),
            };
            if (hit && t > 1e-9 && t < nearest)
            {
                nearest = t;
                hitGeom = g;
                hitNormal = ToWorld(g, n).Normalized();
                hitLocal = o + t * d;
            }
        }
        return hitGeom >= 0;
    }

    private Vec3 ToLocal(int g, Vec3 v)
    {
        ReadOnlySpan<double> m = _mat.AsSpan(9 * g, 9);
        return new Vec3(m[0] * v.X + m[3] * v.Y + m[6] * v.Z, m[1] * v.X + m[4] * v.Y + m[7] * v.Z, m[2] * v.X + m[5] * v.Y + m[8] * v.Z);
    }

    private Vec3 ToWorld(int g, Vec3 v)
    {
        ReadOnlySpan<double> m = _mat.AsSpan(9 * g, 9);
        return new Vec3(m[0] * v.X + m[1] * v.Y + m[2] * v.Z, m[3] * v.X + m[4] * v.Y + m[5] * v.Z, m[6] * v.X + m[7] * v.Y + m[8] * v.Z);
    }

    private static bool Miss(out double t, out Vec3 n)
    {
        t = 0;
        n = default;
        return false;
    }

    private static bool IntersectPlane(Vec3 o, Vec3 d, out double t, out Vec3 n)
    {
        n = new Vec3(0, 0, 1);
        t = Math.Abs(d.Z) < 1e-12 ? -1 : -o.Z / d.Z;
        return t > 0;
    }

    private static bool IntersectEllipsoid(Vec3 o, Vec3 d, Vec3 radii, out double t, out Vec3 n)
    {
        Vec3 os = new(o.X / radii.X, o.Y / radii.Y, o.Z / radii.Z), ds = new(d.X / radii.X, d.Y / radii.Y, d.Z / radii.Z);
        if (!Quadratic(ds.Dot(ds), 2 * os.Dot(ds), os.Dot(os) - 1, out t))
        {
            n = default;
            return false;
        }
        Vec3 p = o + t * d;
        n = new Vec3(p.X / (radii.X * radii.X), p.Y / (radii.Y * radii.Y), p.Z / (radii.Z * radii.Z));
        return true;
    }

    private static bool IntersectCapsule(Vec3 o, Vec3 d, double radius, double halfLength, out double t, out Vec3 n)
    {
        bool any = IntersectSideOfCylinder(o, d, radius, halfLength, out t, out n);
        for (int end = -1; end <= 1; end += 2)
        {
            Vec3 c = new(0, 0, end * halfLength);
            if (IntersectEllipsoid(o - c, d, new Vec3(radius, radius, radius), out double te, out Vec3 ne) && (!any || te < t))
            {
                any = true;
                t = te;
                n = ne;
            }
        }
        return any;
    }

    private static bool IntersectCylinder(Vec3 o, Vec3 d, double radius, double halfLength, out double t, out Vec3 n)
    {
        bool any = IntersectSideOfCylinder(o, d, radius, halfLength, out t, out n);
        for (int end = -1; end <= 1; end += 2)
        {
            if (Math.Abs(d.Z) < 1e-12)
                continue;
            double tc = (end * halfLength - o.Z) / d.Z;
            Vec3 p = o + tc * d;
            if (tc > 0 && p.X * p.X + p.Y * p.Y <= radius * radius && (!any || tc < t))
            {
                any = true;
                t = tc;
                n = new Vec3(0, 0, end);
            }
        }
        return any;
    }

    private static bool IntersectSideOfCylinder(Vec3 o, Vec3 d, double radius, double halfLength, out double t, out Vec3 n)
    {
        n = default;
        if (!Quadratic(d.X * d.X + d.Y * d.Y, 2 * (o.X * d.X + o.Y * d.Y), o.X * o.X + o.Y * o.Y - radius * radius, out t))
            return false;
        Vec3 p = o + t * d;
        if (Math.Abs(p.Z) > halfLength)
            return false;
        n = new Vec3(p.X, p.Y, 0);
        return true;
    }

    private static bool IntersectBox(Vec3 o, Vec3 d, Vec3 half, out double t, out Vec3 n)
    {
        double near = double.NegativeInfinity, far = double.PositiveInfinity;
        int axis = 0;
        double sign = 1;
        for (int k = 0; k < 3; k++)
        {
            double ok = k == 0 ? o.X : k == 1 ? o.Y : o.Z, dk = k == 0 ? d.X : k == 1 ? d.Y : d.Z, hk = k == 0 ? half.X : k == 1 ? half.Y : half.Z;
            if (Math.Abs(dk) < 1e-12)
            {
                if (Math.Abs(ok) > hk) { t = 0; n = default; return false; }
                continue;
            }
            double t1 = (-hk - ok) / dk, t2 = (hk - ok) / dk;
            double s = -1;
            if (t1 > t2) { (t1, t2) = (t2, t1); s = 1; }
            if (t1 > near) { near = t1; axis = k; sign = s; }
            far = Math.Min(far, t2);
        }
        t = near;
        n = axis == 0 ? new Vec3(sign, 0, 0) : axis == 1 ? new Vec3(0, sign, 0) : new Vec3(0, 0, sign);
        return near <= far && near > 0;
    }

    /// <summary>The smallest positive root of a·t² + b·t + c.</summary>
    private static bool Quadratic(double a, double b, double c, out double t)
    {
        t = 0;
        if (a < 1e-18)
            return false;
        double disc = b * b - 4 * a * c;
        if (disc < 0)
            return false;
        double root = Math.Sqrt(disc);
        double t0 = (-b - root) / (2 * a), t1 = (-b + root) / (2 * a);
        t = t0 > 1e-9 ? t0 : t1;
        return t > 1e-9;
    }

    private readonly record struct Vec3(double X, double Y, double Z)
    {
        public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
        public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
        public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);
        public double Dot(Vec3 b) => X * b.X + Y * b.Y + Z * b.Z;
        public Vec3 Cross(Vec3 b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);
        public Vec3 Normalized()
        {
            double length = Math.Sqrt(Dot(this));
            return length > 0 ? (1 / length) * this : this;
        }
    }
}
