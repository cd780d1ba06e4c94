using System.Buffers.Binary;
using PolicyLab.IO;

namespace PolicyLab.Export;

/// <summary>ONNX tensor element types (TensorProto.DataType) the policy graphs use.</summary>
public enum OnnxElementType
{
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>bool.</summary>
    Bool = 9,
    /// <summary>float64.</summary>
    Double = 11,
}

/// <summary>One attribute of an ONNX node (an integer, a float or a list of integers).</summary>
internal readonly record struct OnnxAttribute(string Name, long? Integer = null, float? Real = null, long[]? Integers = null)
{
    public static OnnxAttribute Int(string name, long value) => new(name, Integer: value);

    public static OnnxAttribute Float(string name, float value) => new(name, Real: value);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, Integers: values);
}

/// <summary>
/// Builds an ONNX model (ModelProto) by hand-framing its protobuf messages: initializers (constant tensors, stored
/// little-endian in <c>raw_data</c>), nodes in topological order (the order they are added), typed graph inputs and
/// outputs whose first dimension is the symbolic batch size. Field numbers are those of <c>onnx.proto</c>.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The symbolic name of the batch dimension.</summary>
    public const string BatchDimension = "batch";

    private readonly List<ProtobufWriter> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nodeCount;

    /// <summary>The operators used so far (for documentation and tests).</summary>
    public List<string> Operators { get; } = [];

    /// <summary>Declares a graph input of shape [batch, <paramref name="width"/>].</summary>
    public string Input(string name, OnnxElementType type, int width)
    {
        Claim(name);
        _inputs.Add(ValueInfo(name, type, width));
        return name;
    }

    /// <summary>Declares <paramref name="name"/> (a value some node produces) a graph output of shape [batch] or [batch, width].</summary>
    public void Output(string name, OnnxElementType type, int? width)
    {
        if (!_names.Contains(name)) throw new InvalidOperationException($"No value named '{name}' to output.");
        _outputs.Add(ValueInfo(name, type, width));
    }

    /// <summary>A float32 constant.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        return AddInitializer(name, OnnxElementType.Float, dims, raw, values.Length);
    }

    /// <summary>A float64 constant.</summary>
    public string Constant(string name, ReadOnlySpan<double> values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), values[i]);
        return AddInitializer(name, OnnxElementType.Double, dims, raw, values.Length);
    }

    /// <summary>An int64 constant.</summary>
    public string Constant(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return AddInitializer(name, OnnxElementType.Int64, dims, raw, values.Length);
    }

    /// <summary>A bool constant (one byte per element).</summary>
    public string Constant(string name, ReadOnlySpan<bool> values, params long[] dims)
    {
        var raw = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) raw[i] = values[i] ? (byte)1 : (byte)0;
        return AddInitializer(name, OnnxElementType.Bool, dims, raw, values.Length);
    }

    /// <summary>Adds a node with one output named <paramref name="output"/> and returns that name.</summary>
    public string Node(string op, string[] inputs, string output, params OnnxAttribute[] attributes) =>
        Node(op, inputs, [output], attributes)[0];

    /// <summary>Adds a node with several outputs and returns their names.</summary>
    public string[] Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        foreach (string input in inputs)
            if (!_names.Contains(input)) throw new InvalidOperationException($"Node {op} reads '{input}', which nothing produces yet.");
        foreach (string output in outputs) Claim(output);
        var node = new ProtobufWriter();
        foreach (string input in inputs) node.String(1, input);
        foreach (string output in outputs) node.String(2, output);
        node.String(3, $"{op}_{_nodeCount++}");
        node.String(4, op);
        foreach (OnnxAttribute a in attributes) node.Message(5, Attribute(a));
        _nodes.Add(node);
        if (!Operators.Contains(op)) Operators.Add(op);
        return outputs;
    }

    /// <summary>Serializes the model: IR <paramref name="irVersion"/>, the default domain at <paramref name="opset"/>.</summary>
    public byte[] ToModel(string graphName, string documentation, long irVersion, long opset, string producerVersion,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var graph = new ProtobufWriter();
        foreach (ProtobufWriter node in _nodes) graph.Message(1, node);
        graph.String(2, graphName);
        foreach (ProtobufWriter initializer in _initializers) graph.Message(5, initializer);
        graph.String(10, documentation);
        foreach (ProtobufWriter input in _inputs) graph.Message(11, input);
        foreach (ProtobufWriter output in _outputs) graph.Message(12, output);

        var model = new ProtobufWriter()
            .Int64(1, irVersion)
            .String(2, "PolicyLab")
            .String(3, producerVersion)
            .String(4, "ai.policylab")
            .Int64(5, 1)
            .String(6, documentation)
            .Message(7, graph)
            .Message(8, new ProtobufWriter().String(1, "").Int64(2, opset));
        foreach ((string key, string value) in metadata)
            model.Message(14, new ProtobufWriter().String(1, key).String(2, value));
        return model.ToArray();
    }

    private string AddInitializer(string name, OnnxElementType type, long[] dims, byte[] raw, int count)
    {
        long expected = 1;
        foreach (long d in dims) expected *= d;
        if (expected != count) throw new ArgumentException($"Constant '{name}' has {count} values for dims [{string.Join(", ", dims)}].");
        Claim(name);
        var tensor = new ProtobufWriter();
        foreach (long d in dims) tensor.Int64(1, d);
        tensor.Int64(2, (long)type);
        tensor.String(8, name);
        tensor.Bytes(9, raw);
        _initializers.Add(tensor);
        return name;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The graph already has a value named '{name}'.");
    }

    private static ProtobufWriter ValueInfo(string name, OnnxElementType type, int? width)
    {
        var shape = new ProtobufWriter().Message(1, new ProtobufWriter().String(2, BatchDimension));
        if (width is int w) shape.Message(1, new ProtobufWriter().Int64(1, w));
        var tensorType = new ProtobufWriter().Int64(1, (long)type).Message(2, shape);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensorType));
    }

    private static ProtobufWriter Attribute(OnnxAttribute a)
    {
        // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
        var w = new ProtobufWriter().String(1, a.Name);
        if (a.Integer is long i) w.Int64(3, i).Int64(20, 2);
        else if (a.Real is float f) w.Float(2, f).Int64(20, 1);
        else
        {
            foreach (long v in a.Integers ?? []) w.Int64(8, v);
            w.Int64(20, 7);
        }
        return w;
    }
}
