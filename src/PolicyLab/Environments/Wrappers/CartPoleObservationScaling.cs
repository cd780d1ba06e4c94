namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// The fixed CartPole observation scaling the policy-annealing reference uses: x / 2.4, ẋ / 24,
/// θ / 0.418, θ̇ / 4.18, which brings every component to roughly [−1, 1].
/// </summary>
public static class CartPoleObservationScaling
{
    private static readonly float[] Scale = [2.4f, 24f, 0.418f, 4.18f];

    /// <summary>Scales one or more CartPole observations (rows of 4) in place.</summary>
    public static void Apply(Span<float> observations)
    {
        if (observations.Length % 4 != 0)
            throw new ArgumentException($"CartPole observations come in rows of 4; got {observations.Length} values.");
        for (int i = 0; i < observations.Length; i++) observations[i] /= Scale[i % 4];
    }

    /// <summary>Wraps a CartPole environment so its observations are scaled.</summary>
    public static IEnvironment Wrap(IEnvironment cartPole) => new TransformObservation(cartPole, Apply);
}
