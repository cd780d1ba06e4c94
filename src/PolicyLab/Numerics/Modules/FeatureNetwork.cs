namespace PolicyLab.Numerics.Modules;

/// <summary>
/// An MLP behind an optional <see cref="IFeatureExtractor"/>: observations → features → <see cref="Network"/>. Without
/// an extractor it is the MLP alone over the flat observation (an MlpPolicy); with a CNN it is SB3's CnnPolicy torso.
/// </summary>
public sealed class FeatureNetwork
{
    private float[] _features = [];

    /// <summary>Joins <paramref name="extractor"/> (or none) and <paramref name="network"/>, whose input width must be the
    /// extractor's feature width.</summary>
    public FeatureNetwork(IFeatureExtractor? extractor, Mlp network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (extractor is not null && extractor.Features != network.Inputs)
            throw new ArgumentException($"The network takes {network.Inputs} inputs but the extractor gives {extractor.Features} features.");
        Extractor = extractor;
        Network = network;
    }

    /// <summary>The feature extractor, or null when the network reads the observation directly.</summary>
    public IFeatureExtractor? Extractor { get; }

    /// <summary>The MLP after the features.</summary>
    public Mlp Network { get; }

    /// <summary>Floats per observation.</summary>
    public int Inputs => Extractor?.Inputs ?? Network.Inputs;

    /// <summary>Output width.</summary>
    public int Outputs => Network.Outputs;

    /// <summary>The MLP's output layer.</summary>
    public LinearLayer Head => Network.Head;

    /// <summary>Records the network on a tape: observations [batch, inputs] → [batch, outputs].</summary>
    public Tensor Forward(Tape tape, Tensor observations) =>
        Network.Forward(tape, Extractor is null ? observations : Extractor.Forward(tape, observations));

    /// <summary>Tape-free forward pass (buffers grow only with the batch; one caller at a time).</summary>
    public void Forward(ReadOnlySpan<float> observations, int batch, Span<float> output)
    {
        if (Extractor is null)
        {
            Network.Forward(observations, batch, output);
            return;
        }
        if (_features.Length < batch * Extractor.Features) _features = new float[batch * Extractor.Features];
        Extractor.Forward(observations, batch, _features);
        Network.Forward(_features, batch, output);
    }

    /// <summary>Uniform ±1/√fan-in initialization of every layer.</summary>
    public void InitializeUniform(Rng rng)
    {
        Extractor?.InitializeUniform(rng);
        Network.InitializeUniform(rng);
    }
}
