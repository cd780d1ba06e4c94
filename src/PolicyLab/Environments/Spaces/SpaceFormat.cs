using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyLab.Environments.Spaces;

/// <summary>
/// Spaces as JSON, so a saved policy knows its observation and action spaces without the environment:
/// <c>{"type":"box","shape":[3],"low":["-1",…],"high":["1",…]}</c> (bounds as round-trip text, so ±∞ survive),
/// <c>{"type":"discrete","n":2,"start":0}</c>, <c>{"type":"multi_discrete","nvec":[3,3]}</c>,
/// <c>{"type":"multi_binary","n":4}</c>.
/// </summary>
public static class SpaceFormat
{
    /// <summary>The JSON text of <paramref name="space"/>.</summary>
    /// <exception cref="PolicyLabException">A space kind this format does not know.</exception>
    public static string ToJson(Space space)
    {
        ArgumentNullException.ThrowIfNull(space);
        JsonObject node = space switch
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
            _ => throw new PolicyLabException($"The space {space} cannot be saved with a policy (only Box, Discrete, MultiDiscrete and MultiBinary can)."),
        };
        return node.ToJsonString();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="PolicyLabException">The text is not a space description.</exception>
    public static Space FromJson(string json, string source)
    {
        try
        {
            JsonNode node = JsonNode.Parse(json) ?? throw new FormatException("empty");
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
                _ => throw new FormatException($"unknown type '{type}'"),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or NullReferenceException or OverflowException)
        {
            throw new PolicyLabException($"{source}: the space description '{Shorten(json)}' is damaged ({e.Message}).");
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
