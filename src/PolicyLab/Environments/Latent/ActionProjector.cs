using System.Globalization;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Environments.Latent;

/// <summary>
/// A frozen random map from a latent action in [−1, 1]^L to a real action in a bounded Box of size A:
/// <c>a = clip(mid + half · tanh(W₃ relu(W₂ relu(W₁ z))), low, high)</c> with z the latent action clipped to [−1, 1],
/// <c>mid = (high + low)/2</c>, <c>half = (high − low)/2</c> (so <c>a = high · tanh(…)</c> for symmetric bounds), hidden
/// widths tapering from L to A (<see cref="HiddenSizes"/>), orthogonal weights of gain √2 and zero biases. It is never
/// trained; one instance is shared by every copy of a vector environment (it is read-only, so any thread may use it).
/// </summary>
/// <remarks>Saved as safetensors with PyTorch's <c>nn.Sequential</c> names (<c>0.weight</c>, <c>0.bias</c>,
/// <c>2.weight</c>, <c>2.bias</c>, <c>4.weight</c>, <c>4.bias</c>; weights [out, in], float32), so the file is a
/// state_dict of <c>Sequential(Linear, ReLU, Linear, ReLU, Linear, Tanh)</c>.</remarks>
public sealed class ActionProjector
{
    private static readonly string[] WeightNames = ["0.weight", "2.weight", "4.weight"];
    private static readonly string[] BiasNames = ["0.bias", "2.bias", "4.bias"];
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly int[] _sizes;
    private readonly double[] _mid, _half;
    private readonly float[] _low, _high;

    private ActionProjector(int latentSize, Box actionSpace, float[][] weights, float[][] biases)
    {
        LatentSize = latentSize;
        ActionSpace = actionSpace;
        (Hidden1, Hidden2) = HiddenSizes(latentSize, actionSpace.FlatSize);
        _sizes = [latentSize, Hidden1, Hidden2, actionSpace.FlatSize];
        _weights = weights;
        _biases = biases;
        _low = actionSpace.Low;
        _high = actionSpace.High;
        _mid = new double[ActionSize];
        _half = new double[ActionSize];
        for (int k = 0; k < ActionSize; k++)
        {
            _mid[k] = ((double)_high[k] + _low[k]) / 2;
            _half[k] = ((double)_high[k] - _low[k]) / 2;
        }
        LatentSpace = new Box(-1f, 1f, latentSize);
    }

    /// <summary>Size L of the latent action.</summary>
    public int LatentSize { get; }

    /// <summary>Size A of the real action.</summary>
    public int ActionSize => ActionSpace.FlatSize;

    /// <summary>Width of the first hidden layer.</summary>
    public int Hidden1 { get; }

    /// <summary>Width of the second hidden layer.</summary>
    public int Hidden2 { get; }

    /// <summary>The real action space the projector maps into.</summary>
    public Box ActionSpace { get; }

    /// <summary>The latent action space, Box[−1, 1]^L.</summary>
    public Box LatentSpace { get; }

    /// <summary>Doubles of scratch space <see cref="Project"/> needs.</summary>
    public int ScratchSize => Hidden1 + Hidden2 + ActionSize + LatentSize;

    /// <summary>The taper of hidden widths: h1 = L + ⌊0.33·(A − L)⌋, h2 = L + ⌊0.67·(A − L)⌋.</summary>
    public static (int Hidden1, int Hidden2) HiddenSizes(int latentSize, int actionSize) =>
        (latentSize + (int)(0.33 * (actionSize - latentSize)), latentSize + (int)(0.67 * (actionSize - latentSize)));

    /// <summary>A fresh random projector from <paramref name="seed"/> (orthogonal weights, gain √2, zero biases).</summary>
    /// <exception cref="PolicyLabException">The action space is not a bounded Box or the latent size is outside 1…A.</exception>
    public static ActionProjector Random(int latentSize, Space actionSpace, ulong seed)
    {
        Box box = RequireBox(actionSpace);
        RequireLatentSize(latentSize, box.FlatSize);
        var rng = new Rng(seed);
        (int h1, int h2) = HiddenSizes(latentSize, box.FlatSize);
        int[] sizes = [latentSize, h1, h2, box.FlatSize];
        var weights = new float[3][];
        var biases = new float[3][];
        for (int layer = 0; layer < 3; layer++)
        {
            weights[layer] = new float[sizes[layer + 1] * sizes[layer]];
            Initialization.Orthogonal(weights[layer], sizes[layer + 1], sizes[layer], MathF.Sqrt(2f), rng);
            biases[layer] = new float[sizes[layer + 1]];
        }
        return new ActionProjector(latentSize, box, weights, biases);
    }

    /// <summary>Reads a projector saved by <see cref="Save"/> (or a PyTorch state_dict of the same architecture) for
    /// <paramref name="actionSpace"/>; its latent size is the first layer's input width.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="actionSpace">The real action space it must map into.</param>
    /// <param name="latentSize">The latent size the caller expects, or null to take the file's.</param>
    /// <exception cref="PolicyLabException">The file is missing, damaged or holds a projector of another shape.</exception>
    public static ActionProjector Load(string path, Space actionSpace, int? latentSize = null)
    {
        Box box = RequireBox(actionSpace);
        SafeTensorsFile file = SafeTensors.Read(path);
        int actionSize = box.FlatSize;
        if (!file.TryGetTensor(WeightNames[0], out SafeTensor? first) || first.Shape.Count != 2)
            throw new PolicyLabException($"The projector file '{path}' has no 2-D tensor '{WeightNames[0]}'; save projectors with PolicyLab (a run's projector.safetensors or projector-search's output).");
        int fileLatent = first.Shape[1];
        if (latentSize is int wanted && wanted != fileLatent)
            throw new PolicyLabException($"The projector file '{path}' maps a latent action of size {fileLatent}, but latent_dim is {wanted}; set latent_dim={fileLatent} or leave it unset.");
        if (fileLatent < 1 || fileLatent > actionSize)
            throw new PolicyLabException($"The projector file '{path}' maps a latent action of size {fileLatent}, which does not fit an action of size {actionSize} (1 ≤ L ≤ {actionSize}); it was saved for another environment.");
        (int h1, int h2) = HiddenSizes(fileLatent, actionSize);
        int[] sizes = [fileLatent, h1, h2, actionSize];
        var weights = new float[3][];
        var biases = new float[3][];
        for (int layer = 0; layer < 3; layer++)
        {
            int rows = sizes[layer + 1], cols = sizes[layer];
            Require(file, path, WeightNames[layer], [rows, cols], fileLatent, actionSize);
            Require(file, path, BiasNames[layer], [rows], fileLatent, actionSize);
            weights[layer] = new float[rows * cols];
            biases[layer] = new float[rows];
            file.LoadInto(WeightNames[layer], weights[layer], [rows, cols]);
            file.LoadInto(BiasNames[layer], biases[layer], [rows]);
        }
        return new ActionProjector(fileLatent, box, weights, biases);
    }

    /// <summary>The safetensors encoding of the weights (with the sizes in the metadata).</summary>
    public byte[] Serialize() => SafeTensors.Serialize(Tensors(), Metadata());

    /// <summary>Writes the weights to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => SafeTensors.Write(path, Tensors(), Metadata());

    /// <summary>Weight matrix of layer 0, 1 or 2 ([out, in], row-major); a copy.</summary>
    public float[] Weights(int layer) => (float[])_weights[layer].Clone();

    /// <summary>Bias vector of layer 0, 1 or 2; a copy.</summary>
    public float[] Biases(int layer) => (float[])_biases[layer].Clone();

    /// <summary>The projector whose layers are <paramref name="weights"/> and <paramref name="biases"/> (three each, as
    /// <see cref="Weights"/> and <see cref="Biases"/> give them) for <paramref name="actionSpace"/>: how a projector
    /// travels to a cluster's workers as plain float arrays. The arrays are copied.</summary>
    /// <exception cref="PolicyLabException">The layers do not have the shapes of a projector into this action space.</exception>
    public static ActionProjector FromLayers(Space actionSpace, IReadOnlyList<float[]> weights, IReadOnlyList<float[]> biases)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        Box box = RequireBox(actionSpace);
        if (weights.Count != 3 || biases.Count != 3)
            throw new PolicyLabException($"A projector has 3 weight matrices and 3 bias vectors; got {weights.Count} and {biases.Count}.");
        int actionSize = box.FlatSize, h1Guess = biases[0].Length;
        int latent = h1Guess == 0 ? 0 : weights[0].Length / h1Guess;
        RequireLatentSize(latent, actionSize);
        (int h1, int h2) = HiddenSizes(latent, actionSize);
        int[] sizes = [latent, h1, h2, actionSize];
        var w = new float[3][];
        var b = new float[3][];
        for (int layer = 0; layer < 3; layer++)
        {
            if (weights[layer].Length != sizes[layer + 1] * sizes[layer] || biases[layer].Length != sizes[layer + 1])
                throw new PolicyLabException($"Layer {layer} of the projector has {weights[layer].Length} weights and {biases[layer].Length} biases; a projector from L = {latent} to {actionSize} actions needs {sizes[layer + 1] * sizes[layer]} and {sizes[layer + 1]}.");
            w[layer] = (float[])weights[layer].Clone();
            b[layer] = (float[])biases[layer].Clone();
        }
        return new ActionProjector(latent, box, w, b);
    }

    /// <summary>
    /// Maps one latent action to a real action. The latent action is clipped to [−1, 1] first and the result to the
    /// action bounds. Arithmetic is in double and in a fixed order, so every thread gets the same bits.
    /// </summary>
    /// <param name="latent">L latent values.</param>
    /// <param name="action">Receives A action values.</param>
    /// <param name="scratch">At least <see cref="ScratchSize"/> doubles of working space (one per thread).</param>
    public void Project(ReadOnlySpan<float> latent, Span<float> action, Span<double> scratch)
    {
        if (latent.Length != LatentSize)
            throw new ArgumentException($"Expected a latent action of {LatentSize} values; got {latent.Length}.", nameof(latent));
        if (action.Length != ActionSize)
            throw new ArgumentException($"Expected room for {ActionSize} action values; got {action.Length}.", nameof(action));
        if (scratch.Length < ScratchSize)
            throw new ArgumentException($"Expected at least {ScratchSize} doubles of scratch space; got {scratch.Length}.", nameof(scratch));
        Span<double> input = scratch[..LatentSize];
        for (int i = 0; i < LatentSize; i++)
        {
            float z = latent[i];
            input[i] = float.IsNaN(z) ? z : Math.Clamp(z, -1f, 1f);
        }
        Span<double> h1 = scratch.Slice(LatentSize, Hidden1);
        Span<double> h2 = scratch.Slice(LatentSize + Hidden1, Hidden2);
        Span<double> output = scratch.Slice(LatentSize + Hidden1 + Hidden2, ActionSize);
        Layer(0, input, h1);
        for (int i = 0; i < h1.Length; i++) h1[i] = Math.Max(h1[i], 0.0);
        Layer(1, h1, h2);
        for (int i = 0; i < h2.Length; i++) h2[i] = Math.Max(h2[i], 0.0);
        Layer(2, h2, output);
        for (int k = 0; k < ActionSize; k++)
        {
            double a = _mid[k] + _half[k] * Math.Tanh(output[k]);
            action[k] = double.IsNaN(a) ? float.NaN : (float)Math.Clamp(a, _low[k], _high[k]);
        }
    }

    private void Layer(int layer, ReadOnlySpan<double> input, Span<double> output)
    {
        float[] w = _weights[layer], b = _biases[layer];
        int cols = _sizes[layer];
        for (int o = 0; o < output.Length; o++)
        {
            double sum = b[o];
            ReadOnlySpan<float> row = w.AsSpan(o * cols, cols);
            for (int i = 0; i < cols; i++) sum += row[i] * input[i];
            output[o] = sum;
        }
    }

    private IEnumerable<NamedTensor> Tensors()
    {
        for (int layer = 0; layer < 3; layer++)
        {
            yield return NamedTensor.F32(WeightNames[layer], [_sizes[layer + 1], _sizes[layer]], _weights[layer]);
            yield return NamedTensor.F32(BiasNames[layer], [_sizes[layer + 1]], _biases[layer]);
        }
    }

    private Dictionary<string, string> Metadata() => new()
    {
        ["format"] = "policylab-action-projector",
        ["architecture"] = "Linear-ReLU-Linear-ReLU-Linear-Tanh, scaled to the action bounds and clipped",
        ["latent_dim"] = LatentSize.ToString(CultureInfo.InvariantCulture),
        ["action_dim"] = ActionSize.ToString(CultureInfo.InvariantCulture),
        ["hidden"] = $"{Hidden1},{Hidden2}",
    };

    private static void Require(SafeTensorsFile file, string path, string name, int[] shape, int latent, int actionSize)
    {
        if (!file.TryGetTensor(name, out SafeTensor? tensor))
            throw new PolicyLabException($"The projector file '{path}' has no tensor '{name}'; a projector from {latent} to {actionSize} needs {string.Join(", ", WeightNames.Concat(BiasNames))}.");
        if (!tensor.Shape.SequenceEqual(shape))
        {
            (int h1, int h2) = HiddenSizes(latent, actionSize);
            throw new PolicyLabException($"The projector file '{path}' has '{name}' of shape [{string.Join(", ", tensor.Shape)}], but a projector from {latent} to {actionSize} has widths {latent}→{h1}→{h2}→{actionSize}, so '{name}' must be [{string.Join(", ", shape)}]. It was saved for another environment or an older architecture; make a new one with projector-search or a run with latent_dim={latent}.");
        }
    }

    private static Box RequireBox(Space actionSpace)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        if (actionSpace is not Box box)
            throw new PolicyLabException($"A latent action projector needs a continuous (Box) action space, but the action space is {actionSpace}; use latent actions only with continuous-action environments.");
        if (!box.IsBounded)
            throw new PolicyLabException($"A latent action projector scales to the action bounds, so it needs finite bounds; the action space is {box}.");
        return box;
    }

    private static void RequireLatentSize(int latentSize, int actionSize)
    {
        if (latentSize < 1 || latentSize > actionSize)
            throw new PolicyLabException($"The latent size must be between 1 and the action size {actionSize}; got {latentSize}. Choose 1 ≤ L ≤ {actionSize} (L = {actionSize} keeps the size and only reshapes the action space).");
    }
}
