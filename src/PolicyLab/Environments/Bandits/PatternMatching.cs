using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Bandits;

/// <summary>
/// A contextual bandit with a structured action: each one-step episode shows a random target pattern of n
/// components (component i one of Kᵢ values, one-hot encoded in the observation) and rewards the fraction of
/// components the action gets right, so a uniformly random policy earns Σ(1/Kᵢ)/n on average and the optimal
/// one earns 1. With every Kᵢ = 2 the action space is MultiBinary(n) (an action is the n bits); otherwise it is
/// MultiDiscrete([K₁ … Kₙ]). The small task on which learning with multi-component actions is visible.
/// </summary>
public sealed class PatternMatching : EnvironmentBase
{
    private readonly int[] _sizes;
    private readonly int[] _target;

    /// <summary>Creates the task.</summary>
    /// <param name="sizes">Values per component (each ≥ 2).</param>
    /// <param name="binary">Use a MultiBinary action space (every size must be 2).</param>
    /// <exception cref="PolicyLabException">The sizes are invalid.</exception>
    public PatternMatching(int[] sizes, bool binary)
        : base(new Box(0f, 1f, Validate(sizes, binary).Sum()), binary ? new MultiBinary(sizes.Length) : new MultiDiscrete(sizes))
    {
        _sizes = (int[])sizes.Clone();
        _target = new int[sizes.Length];
    }

    private static int[] Validate(int[] sizes, bool binary)
    {
        if (sizes is null || sizes.Length == 0 || sizes.Any(k => k < 2))
            throw new PolicyLabException($"A pattern-matching task needs at least one component with at least 2 values each; got [{string.Join(", ", sizes ?? [])}].");
        if (binary && sizes.Any(k => k != 2))
            throw new PolicyLabException($"A binary pattern-matching task has 2 values per component; got [{string.Join(", ", sizes)}].");
        return sizes;
    }

    /// <summary>The current target pattern.</summary>
    public ReadOnlySpan<int> Target => _target;

    /// <inheritdoc />
    public override bool CanSaveState => false;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        for (int i = 0; i < _sizes.Length; i++) _target[i] = Random.NextInt(_sizes[i]);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        int correct = 0;
        for (int i = 0; i < _sizes.Length; i++)
        {
            float a = action[i];
            int value = (int)a;
            if (value != a || (uint)value >= (uint)_sizes[i]) ThrowInvalidDiscreteAction(a, _sizes[i]);
            if (value == _target[i]) correct++;
        }
        return new StepResult((double)correct / _sizes.Length, true, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation.Clear();
        int offset = 0;
        for (int i = 0; i < _sizes.Length; i++)
        {
            observation[offset + _target[i]] = 1f;
            offset += _sizes[i];
        }
    }

    /// <summary>Draws a 400×120 frame: one column per component, its target value as a filled cell.</summary>
    public override RgbFrame Render()
    {
        const int width = 400, height = 120;
        var canvas = new Canvas(width, height);
        canvas.Clear(RgbColor.White);
        double column = (double)width / _sizes.Length;
        for (int i = 0; i < _sizes.Length; i++)
        {
            double cell = (double)height / _sizes[i];
            for (int v = 0; v < _sizes[i]; v++)
            {
                RgbColor color = v == _target[i] ? new RgbColor(50, 90, 200) : new RgbColor(220, 220, 220);
                canvas.FillRectangle(i * column + 4, v * cell + 4, (i + 1) * column - 4, (v + 1) * cell - 4, color);
            }
        }
        return canvas.Frame;
    }
}
