using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyLab.Environments.Spaces;

/// <summary>
/// Spaces as JSON, so a saved policy knows its observation and action spaces without the environment:
/// <c>{"type":"box","shape":[3],"low":["-1",…],"high":["1",…]}</c> (bounds as round-trip text, so ±∞ survive),
/// <c>{"type":"discrete","n":2,"start":0}</c>, <c>{"type":"multi_discrete","nvec":[3,3]}</c>,
/// <c>{"type":"multi_binary","n":4}</c>, <c>{"type":"dict","spaces":{"key":{…},…}}</c> (keys in sorted order) and
/// <c>{"type":"tuple","spaces":[{…},…]}</c>, nested to any depth.
/// </summary>
public static class SpaceFormat
{
    /// <summary>The JSON text of <paramref name="space"/>.</summary>
    /// <exception cref="PolicyLabException">A space kind this format does not know.</exception>
    public static string ToJson(Space space) => ToNode(space).ToJsonString();

    private static JsonObject ToNode(Space space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space switch
        {
            Box box => WithElementType(box, new JsonObject
            {
                ["type"] = "box",
                ["shape"] = new JsonArray([.. box.Shape.Select(d => (JsonNode)d)]),
                ["low"] = new JsonArray([.. box.Low.Select(v => (JsonNode)v.ToString("R", CultureInfo.InvariantCulture))]),
                ["high"] = new JsonArray([.. box.High.Select(v => (JsonNode)v.ToString("R", CultureInfo.InvariantCulture))]),
            }),
            Discrete d => new JsonObject { ["type"] = "discrete", ["n"] = d.Count, ["start"] = d.Start },
            MultiDiscrete m => new JsonObject { ["type"] = "multi_discrete", ["nvec"] = new JsonArray([.. m.Sizes.Select(n => (JsonNode)n)]) },
            MultiBinary b => new JsonObject { ["type"] = "multi_binary", ["n"] = b.FlatSize },
            DictSpace d => new JsonObject { ["type"] = "dict", ["spaces"] = new JsonObject(d.Entries.Select(e => KeyValuePair.Create(e.Name, (JsonNode?)ToNode(e.Space)))) },
            TupleSpace t => new JsonObject { ["type"] = "tuple", ["spaces"] = new JsonArray([.. t.Entries.Select(e => (JsonNode)ToNode(e.Space))]) },
            _ => throw new PolicyLabException($"The space {space} cannot be saved with a policy (only Box, Discrete, MultiDiscrete, MultiBinary, Dict and Tuple can)."),
        };
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="PolicyLabException">The text is not a space description.</exception>
    public static Space FromJson(string json, string source)
    {
        try
        {
            return FromNode(JsonNode.Parse(json) ?? throw new FormatException("empty"), 0);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or NullReferenceException or OverflowException or PolicyLabException)
        {
            throw new PolicyLabException($"{source}: the space description '{Shorten(json)}' is damaged ({e.Message}).");
        }
    }

    private static Space FromNode(JsonNode node, int depth)
    {
        if (depth > 16) throw new FormatException("spaces nested more than 16 deep");
        {
            string type = (string?)node["type"] ?? throw new FormatException("no type");
            int[] Ints(string key) => [.. (node[key] as JsonArray ?? throw new FormatException($"no {key}")).Select(n => (int)n!)];
            float[] Floats(string key) => [.. (node[key] as JsonArray ?? throw new FormatException($"no {key}"))
                .Select(n => float.Parse((string)n!, NumberStyles.Float, CultureInfo.InvariantCulture))];
            return type switch
            {
                "box" => new Box(Floats("low"), Floats("high"), Ints("shape"),
                    (string?)node["dtype"] == "uint8" ? BoxElementType.UInt8 : BoxElementType.Float32),
                "discrete" => new Discrete((int)node["n"]!, (int?)node["start"] ?? 0),
                "multi_discrete" => new MultiDiscrete(Ints("nvec")),
                "multi_binary" => new MultiBinary((int)node["n"]!),
                "dict" => new DictSpace([.. (node["spaces"] as JsonObject ?? throw new FormatException("no spaces"))
                    .Select(p => (p.Key, FromNode(p.Value ?? throw new FormatException($"no space for '{p.Key}'"), depth + 1)))]),
                "tuple" => new TupleSpace([.. (node["spaces"] as JsonArray ?? throw new FormatException("no spaces"))
                    .Select(n => FromNode(n ?? throw new FormatException("an empty tuple entry"), depth + 1))]),
                _ => throw new FormatException($"unknown type '{type}'"),
            };
        }
    }

    /// <summary>Adds <c>"dtype":"uint8"</c> to a uint8 box (float32 boxes are written as before).</summary>
    private static JsonObject WithElementType(Box box, JsonObject node)
    {
        if (box.ElementType == BoxElementType.UInt8) node["dtype"] = "uint8";
        return node;
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
