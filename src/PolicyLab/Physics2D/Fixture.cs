namespace PolicyLab.Physics2D;

/// <summary>
/// Which fixtures collide: two fixtures collide when each one's <see cref="Mask"/> has a bit of the other's
/// <see cref="Category"/>, unless they share a non-zero <see cref="Group"/> (positive: always collide; negative: never).
/// </summary>
/// <param name="Category">The category bits of the fixture.</param>
/// <param name="Mask">The categories it collides with.</param>
/// <param name="Group">Group override (0: none).</param>
public readonly record struct CollisionFilter(ushort Category = 0x0001, ushort Mask = 0xFFFF, short Group = 0)
{
    /// <summary>The default filter: category 1, collides with everything.</summary>
    public static CollisionFilter Default => new(0x0001, 0xFFFF, 0);

    /// <summary>True when fixtures with these two filters collide.</summary>
    public static bool ShouldCollide(in CollisionFilter a, in CollisionFilter b)
    {
        if (a.Group == b.Group && a.Group != 0)
            return a.Group > 0;
        return (a.Mask & b.Category) != 0 && (b.Mask & a.Category) != 0;
    }
}

/// <summary>The material and filtering of a fixture.</summary>
/// <param name="Density">Density (kg/m²); 0 for shapes that add no mass.</param>
/// <param name="Friction">Coulomb friction coefficient; two fixtures combine as √(f₁f₂).</param>
/// <param name="Restitution">Bounciness in [0, 1]; two fixtures combine as the larger one.</param>
/// <param name="Filter">Collision filtering.</param>
/// <param name="IsSensor">A sensor reports when it starts and stops overlapping another fixture (through the contact
/// listener) but never pushes back: its contacts have no points, join no island and wake nobody.</param>
public readonly record struct FixtureDefinition(double Density = 0, double Friction = 0.2, double Restitution = 0, CollisionFilter? Filter = null, bool IsSensor = false);

/// <summary>A shape attached to a body, with its material and collision filter.</summary>
public sealed class Fixture
{
    internal Fixture(Body body, Shape shape, in FixtureDefinition definition, int id) => Initialize(body, shape, definition, id);

    /// <summary>Sets every field as a new fixture has it (also for a recycled one, see <see cref="World.Recycle"/>).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(Body), nameof(Shape))]
    internal void Initialize(Body body, Shape shape, in FixtureDefinition definition, int id)
    {
        if (!(definition.Density >= 0) || !double.IsFinite(definition.Density))
            throw new PolicyLabException($"Physics2D: fixture density must be finite and ≥ 0; got {definition.Density}.");
        if (!(definition.Friction >= 0) || !double.IsFinite(definition.Friction))
            throw new PolicyLabException($"Physics2D: fixture friction must be finite and ≥ 0; got {definition.Friction}.");
        if (!(definition.Restitution >= 0) || !double.IsFinite(definition.Restitution))
            throw new PolicyLabException($"Physics2D: fixture restitution must be finite and ≥ 0; got {definition.Restitution}.");
        Body = body;
        Shape = shape;
        Density = definition.Density;
        Friction = definition.Friction;
        Restitution = definition.Restitution;
        Filter = definition.Filter ?? CollisionFilter.Default;
        IsSensor = definition.IsSensor;
        UserData = null;
        Id = id;
        Aabb = default;
    }

    /// <summary>The body the fixture is attached to.</summary>
    public Body Body { get; private set; }

    /// <summary>The collision shape in body coordinates.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Density (kg/m²).</summary>
    public double Density { get; private set; }

    /// <summary>Friction coefficient.</summary>
    public double Friction { get; private set; }

    /// <summary>Restitution.</summary>
    public double Restitution { get; private set; }

    /// <summary>Collision filter.</summary>
    public CollisionFilter Filter { get; private set; }

    /// <summary>Whether the fixture only senses overlaps (see <see cref="FixtureDefinition.IsSensor"/>).</summary>
    public bool IsSensor { get; private set; }

    /// <summary>Any object the user wants to find from the fixture (e.g. in a contact listener).</summary>
    public object? UserData { get; set; }

    /// <summary>Creation order in the world (deterministic pair ordering).</summary>
    internal int Id { get; private set; }

    /// <summary>The bounding box at the body's current transform (refreshed every step).</summary>
    internal Aabb Aabb;
}
