using System.Numerics.Tensors;

namespace PolicyLab.Numerics.Optimizers;

/// <summary>Gradient clipping by global norm.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> by max_norm / (‖g‖ + 1e-6) when that factor is below 1,
    /// and returns the norm before clipping (NaN or ∞ when the gradient is not finite; then nothing is
    /// scaled, so the caller can stop the run with a clear message).
    /// </summary>
    public static float ClipGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"The maximum gradient norm must be > 0; got {maxNorm}.");
        float norm = TensorPrimitives.Norm(gradients);
        if (!float.IsFinite(norm)) return norm;
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f) TensorPrimitives.Multiply(gradients, coefficient, gradients);
        return norm;
    }
}
