using System.Runtime.CompilerServices;

namespace PolicyLab.Physics2D;

/// <summary>How the contact points of a manifold are expressed.</summary>
internal enum ManifoldType
{
    /// <summary>Two circle centres; the normal runs from centre A to centre B.</summary>
    Circles,
    /// <summary>A face of shape A (normal and point in A's coordinates), points in B's coordinates.</summary>
    FaceA,
    /// <summary>A face of shape B (normal and point in B's coordinates), points in A's coordinates.</summary>
    FaceB,
}

/// <summary>One contact point: its local position, accumulated impulses (warm starting) and the feature key that
/// recognises the same point in the next step.</summary>
internal struct ManifoldPoint
{
    public Vec2 LocalPoint;
    public double NormalImpulse;
    public double TangentImpulse;
    public uint Id;
}

/// <summary>Room for the two points of a 2-D manifold.</summary>
[InlineArray(2)]
internal struct ManifoldPoints
{
    private ManifoldPoint _element;
}

/// <summary>The contact geometry of two shapes in local coordinates (0, 1 or 2 points).</summary>
internal struct Manifold
{
    public ManifoldType Type;
    public Vec2 LocalNormal;
    public Vec2 LocalPoint;
    public int PointCount;
    public ManifoldPoints Points;

    /// <summary>Feature key of a contact point: the reference edge and incident vertex indices and their kinds.</summary>
    public static uint FeatureId(int indexA, int indexB, bool vertexA, bool vertexB) =>
        (uint)(indexA & 0xFF) | (uint)(indexB & 0xFF) << 8 | (vertexA ? 1u : 0u) << 16 | (vertexB ? 1u : 0u) << 24;

    /// <summary>The same feature key seen from the other shape.</summary>
    public static uint SwapFeatures(uint id) =>
        (id >> 8 & 0xFF) | (id & 0xFF) << 8 | (id >> 24 & 1) << 16 | (id >> 16 & 1) << 24;
}
