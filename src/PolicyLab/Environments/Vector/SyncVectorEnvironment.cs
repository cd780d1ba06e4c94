namespace PolicyLab.Environments.Vector;

/// <summary>Steps its copies one after the other on the calling thread. No allocation per step.</summary>
public sealed class SyncVectorEnvironment : VectorEnvironmentBase
{
    /// <summary>Wraps the given copies (takes ownership).</summary>
    public SyncVectorEnvironment(IReadOnlyList<IEnvironment> environments) : base(environments) { }

    /// <summary>Creates <paramref name="count"/> copies with <paramref name="factory"/>.</summary>
    public SyncVectorEnvironment(Func<IEnvironment> factory, int count) : base(VectorFactory.Create(factory, count)) { }

    /// <summary>Creates <paramref name="count"/> copies of a registered id (each with its time limit).</summary>
    public SyncVectorEnvironment(string id, int count, IReadOnlyDictionary<string, object>? arguments = null)
        : base(VectorFactory.Create(() => EnvironmentRegistry.Make(id, arguments), count)) { }

    /// <inheritdoc />
    protected override void RunReset(ulong? seed) => ResetRange(0, Count, seed);

    /// <inheritdoc />
    protected override void RunStep(ReadOnlySpan<float> actions) => StepRange(0, Count, actions);
}

/// <summary>Builds the copies of a vector environment.</summary>
internal static class VectorFactory
{
    public static IEnvironment[] Create(Func<IEnvironment> factory, int count)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (count <= 0)
            throw new PolicyLabException($"A vector environment needs at least one copy; got {count}.");
        var environments = new IEnvironment[count];
        for (int i = 0; i < count; i++)
            environments[i] = factory();
        return environments;
    }
}
