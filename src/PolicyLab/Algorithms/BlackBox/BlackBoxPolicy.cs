using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.BlackBox;

/// <summary>
/// The policy a black-box method searches over: a linear map or an MLP from the (encoded) observation
/// to one score per discrete action or one output per action dimension, whose weights are one flat
/// parameter vector (<see cref="Store"/>). Discrete actions are the argmax of the scores or a sample
/// from their softmax; a bounded Box action is a = low + (tanh(y) + 1)/2 · (high − low) (an unbounded
/// one is y itself). Box observation elements with finite bounds can be rescaled to [−1, 1] first
/// (a fixed map of the space, not running statistics). Acting allocates nothing once its buffers have grown to the batch size.
/// Not thread-safe: each worker thread owns its own copy.
/// </summary>
public sealed class BlackBoxPolicy
{
    private readonly Space _observationSpace;
    private readonly Discrete? _discrete;
    private readonly Box? _box;
    private readonly bool _encode;
    private readonly float[]? _scale, _shift;
    private float[] _encoded = [], _outputs = [];

    /// <summary>Builds the network (weights all zero) for the given spaces.</summary>
    /// <param name="observationSpace">Observations.</param>
    /// <param name="actionSpace">Actions (Discrete or Box).</param>
    /// <param name="hidden">Hidden widths (empty: linear).</param>
    /// <param name="activation">Hidden activation.</param>
    /// <param name="scaleObservations">Rescale Box observation elements with finite bounds to [−1, 1].</param>
    public BlackBoxPolicy(Space observationSpace, Space actionSpace, IReadOnlyList<int> hidden, Numerics.Kernels.Activation activation,
        bool scaleObservations)
    {
        _observationSpace = observationSpace;
        _discrete = actionSpace as Discrete;
        _box = actionSpace as Box;
        if (_discrete is null && _box is null)
            throw new PolicyLabException($"Black-box policies act in Discrete or Box action spaces; got {actionSpace}.");
        _encode = observationSpace.EncodedSize != observationSpace.FlatSize || observationSpace is Discrete;
        if (scaleObservations && observationSpace is Box box && !_encode)
        {
            // x' = a·x + b with a = 2/(high − low), b = −(high + low)/(high − low) where both bounds are finite.
            _scale = new float[box.FlatSize];
            _shift = new float[box.FlatSize];
            for (int j = 0; j < box.FlatSize; j++)
            {
                double low = box.Low[j], high = box.High[j];
                bool bounded = double.IsFinite(low) && double.IsFinite(high) && high > low;
                _scale[j] = bounded ? (float)(2 / (high - low)) : 1f;
                _shift[j] = bounded ? (float)(-(high + low) / (high - low)) : 0f;
            }
        }
        Store = new ParameterStore();
        int outputs = _discrete?.Count ?? actionSpace.FlatSize;
        Network = new Mlp(Store, "pi", observationSpace.EncodedSize, hidden, outputs, activation);
        ActionSize = actionSpace.FlatSize;
    }

    /// <summary>The flat parameters.</summary>
    public ParameterStore Store { get; }

    /// <summary>The network.</summary>
    public Mlp Network { get; }

    /// <summary>Number of parameters.</summary>
    public int Dimension => Store.Count;

    /// <summary>Floats per environment action.</summary>
    public int ActionSize { get; }

    /// <summary>Whether the actions are discrete.</summary>
    public bool IsDiscrete => _discrete is not null;

    /// <summary>Whether observations are one-hot encoded (<see cref="Space.Encode"/>) before the network.</summary>
    internal bool EncodesObservations => _encode;

    /// <summary>The fixed observation rescaling x' = scale·x + shift (null when off), for the ONNX export.</summary>
    internal (float[] Scale, float[] Shift)? ObservationScaling => _scale is null ? null : (_scale, _shift!);

    /// <summary>Environment actions for <paramref name="batch"/> raw observations.</summary>
    /// <param name="observations">batch × observation floats.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="sample">Discrete: sample from the softmax (true) or take the argmax (false); ignored for Box.</param>
    /// <param name="rng">The stream samples are drawn from.</param>
    /// <param name="actions">Receives batch × <see cref="ActionSize"/> floats.</param>
    public void Act(ReadOnlySpan<float> observations, int batch, bool sample, Rng rng, Span<float> actions)
    {
        int outputs = Network.Outputs;
        if (_outputs.Length < batch * outputs) _outputs = new float[batch * outputs];
        ReadOnlySpan<float> input = observations;
        if (_encode)
        {
            int flat = _observationSpace.FlatSize, encoded = _observationSpace.EncodedSize;
            if (_encoded.Length < batch * encoded) _encoded = new float[batch * encoded];
            for (int b = 0; b < batch; b++)
                _observationSpace.Encode(observations.Slice(b * flat, flat), _encoded.AsSpan(b * encoded, encoded));
            input = _encoded;
        }
        else if (_scale is not null)
        {
            int flat = _scale.Length;
            if (_encoded.Length < batch * flat) _encoded = new float[batch * flat];
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < flat; j++)
                    _encoded[b * flat + j] = _scale[j] * observations[b * flat + j] + _shift![j];
            input = _encoded;
        }
        Network.Forward(input, batch, _outputs);

        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> y = _outputs.AsSpan(b * outputs, outputs);
            if (_discrete is not null)
            {
                int choice = sample ? SampleSoftmax(y, rng) : ArgMax(y);
                actions[b] = _discrete.Start + choice;
            }
            else
            {
                Span<float> a = actions.Slice(b * ActionSize, ActionSize);
                for (int j = 0; j < a.Length; j++)
                {
                    float low = _box!.Low[j], high = _box.High[j];
                    a[j] = float.IsFinite(low) && float.IsFinite(high)
                        ? low + 0.5f * (MathF.Tanh(y[j]) + 1f) * (high - low)
                        : y[j];
                }
            }
        }
    }

    /// <summary>Index of the largest score (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>A sample from softmax(scores): P(i) = exp(sᵢ − max s) / Σⱼ exp(sⱼ − max s).</summary>
    public static int SampleSoftmax(ReadOnlySpan<float> scores, Rng rng)
    {
        float max = scores[ArgMax(scores)];
        double total = 0;
        for (int i = 0; i < scores.Length; i++) total += Math.Exp(scores[i] - max);
        double u = rng.NextDouble() * total, cumulative = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            cumulative += Math.Exp(scores[i] - max);
            if (u < cumulative) return i;
        }
        return scores.Length - 1;
    }
}
