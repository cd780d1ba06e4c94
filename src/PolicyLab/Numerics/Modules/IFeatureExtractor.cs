namespace PolicyLab.Numerics.Modules;

/// <summary>
/// Turns flat observations into feature vectors for the networks that follow it (SB3's features extractor):
/// [batch, <see cref="Inputs"/>] → [batch, <see cref="Features"/>], on a tape for training and tape-free for acting.
/// Its parameters live in the store it was built on.
/// </summary>
public interface IFeatureExtractor
{
    /// <summary>Floats per observation.</summary>
    int Inputs { get; }

    /// <summary>Floats per feature vector.</summary>
    int Features { get; }

    /// <summary>Records the extractor on a tape: observations [batch, inputs] → features [batch, features].</summary>
    Tensor Forward(Tape tape, Tensor observations);

    /// <summary>Tape-free forward pass of <paramref name="batch"/> observations into <paramref name="features"/> (batch × features).</summary>
    void Forward(ReadOnlySpan<float> observations, int batch, Span<float> features);

    /// <summary>Orthogonal initialization of every layer with <paramref name="gain"/>, biases zero.</summary>
    void InitializeOrthogonal(Rng rng, float gain);

    /// <summary>Uniform ±1/√fan-in initialization of every layer.</summary>
    void InitializeUniform(Rng rng);
}
