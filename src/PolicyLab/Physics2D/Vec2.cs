using System.Runtime.CompilerServices;

namespace PolicyLab.Physics2D;

/// <summary>A 2-D vector of doubles (metres, metres per second, newtons, …).</summary>
/// <param name="X">The x component.</param>
/// <param name="Y">The y component.</param>
public readonly record struct Vec2(double X, double Y)
{
    /// <summary>The zero vector.</summary>
    public static Vec2 Zero => default;

    /// <summary>Euclidean length.</summary>
    public double Length => Math.Sqrt(X * X + Y * Y);

    /// <summary>Squared Euclidean length.</summary>
    public double LengthSquared => X * X + Y * Y;

    /// <summary>The vector scaled to unit length (the zero vector stays zero).</summary>
    public Vec2 Normalized()
    {
        double length = Length;
        return length < double.Epsilon ? default : new Vec2(X / length, Y / length);
    }

    /// <summary>Component-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 operator +(Vec2 a, Vec2 b) => new(a.X + b.X, a.Y + b.Y);

    /// <summary>Component-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);

    /// <summary>Negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 operator -(Vec2 a) => new(-a.X, -a.Y);

    /// <summary>Scaling by a scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 operator *(double s, Vec2 a) => new(s * a.X, s * a.Y);

    /// <summary>Scaling by a scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 operator *(Vec2 a, double s) => new(s * a.X, s * a.Y);

    /// <summary>Dot product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(Vec2 a, Vec2 b) => a.X * b.X + a.Y * b.Y;

    /// <summary>The z component of the 3-D cross product of two vectors in the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Cross(Vec2 a, Vec2 b) => a.X * b.Y - a.Y * b.X;

    /// <summary>The cross product of an angular quantity (along z) with a vector: ω × r = (−ω r.y, ω r.x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 Cross(double s, Vec2 a) => new(-s * a.Y, s * a.X);

    /// <summary>The cross product of a vector with an angular quantity (along z): r × s = (s r.y, −s r.x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec2 Cross(Vec2 a, double s) => new(s * a.Y, -s * a.X);

    /// <summary>Component-wise minimum.</summary>
    public static Vec2 Min(Vec2 a, Vec2 b) => new(Math.Min(a.X, b.X), Math.Min(a.Y, b.Y));

    /// <summary>Component-wise maximum.</summary>
    public static Vec2 Max(Vec2 a, Vec2 b) => new(Math.Max(a.X, b.X), Math.Max(a.Y, b.Y));
}

/// <summary>A rigid transform: a rotation by an angle (kept as its cosine and sine) followed by a translation.</summary>
public readonly struct Transform2
{
    /// <summary>The translation (the body origin in world coordinates).</summary>
    public Vec2 P { get; }

    /// <summary>Cosine of the rotation angle.</summary>
    public double C { get; }

    /// <summary>Sine of the rotation angle.</summary>
    public double S { get; }

    /// <summary>Creates the transform of a rotation by <paramref name="angle"/> radians then a translation by <paramref name="p"/>.</summary>
    public Transform2(Vec2 p, double angle)
    {
        P = p;
        (S, C) = Math.SinCos(angle);
    }

    /// <summary>Creates the transform from a translation and the cosine and sine of the angle.</summary>
    public Transform2(Vec2 p, double cos, double sin)
    {
        P = p;
        C = cos;
        S = sin;
    }

    /// <summary>Maps a local point to world coordinates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec2 Apply(Vec2 v) => new(C * v.X - S * v.Y + P.X, S * v.X + C * v.Y + P.Y);

    /// <summary>Maps a world point to local coordinates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec2 ApplyInverse(Vec2 v)
    {
        double px = v.X - P.X, py = v.Y - P.Y;
        return new(C * px + S * py, -S * px + C * py);
    }

    /// <summary>Rotates a local vector into world orientation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec2 Rotate(Vec2 v) => new(C * v.X - S * v.Y, S * v.X + C * v.Y);

    /// <summary>Rotates a world vector into local orientation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vec2 RotateInverse(Vec2 v) => new(C * v.X + S * v.Y, -S * v.X + C * v.Y);
}

/// <summary>An axis-aligned bounding box.</summary>
/// <param name="Lower">The lower-left corner.</param>
/// <param name="Upper">The upper-right corner.</param>
public readonly record struct Aabb(Vec2 Lower, Vec2 Upper)
{
    /// <summary>True when the two boxes overlap (touching edges count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Overlaps(in Aabb other) =>
        Lower.X <= other.Upper.X && other.Lower.X <= Upper.X && Lower.Y <= other.Upper.Y && other.Lower.Y <= Upper.Y;
}
