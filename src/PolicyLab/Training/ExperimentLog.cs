using System.Globalization;
using System.Text;
using System.Text.Json;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Training;

/// <summary>One update's diagnostics.</summary>
/// <param name="Iteration">1-based update number.</param>
/// <param name="Step">Environment steps after the update's data collection.</param>
/// <param name="Values">Name → value, in the algorithm's order.</param>
public sealed record UpdateRecord(int Iteration, long Step, IReadOnlyList<KeyValuePair<string, double>> Values);

/// <summary>
/// Everything a run records that depends only on the seed (never on wall time): parameters, every
/// episode, every update's diagnostics, every evaluation. Serialized as <c>experiment.json</c> and
/// <c>metrics.csv</c>; the same seed on the same machine gives byte-identical files.
/// </summary>
public sealed class ExperimentLog
{
    /// <summary>Algorithm name.</summary>
    public required string Algorithm { get; init; }

    /// <summary>Environment id.</summary>
    public required string Environment { get; init; }

    /// <summary>The run's seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Every resolved setting (run and algorithm) as text.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; set; }

    /// <summary>Finished training episodes.</summary>
    public List<EpisodeRecord> Episodes { get; } = [];

    /// <summary>Updates.</summary>
    public List<UpdateRecord> Updates { get; } = [];

    /// <summary>Evaluations.</summary>
    public List<EvaluationResult> Evaluations { get; } = [];

    /// <summary>Why the run ended (budget, threshold, error), set when it ends.</summary>
    public string? EndReason { get; set; }

    /// <summary>Mean return of the last <paramref name="count"/> training episodes (NaN before any).</summary>
    public double RecentMeanReturn(int count = 10) =>
        Episodes.Count == 0 ? double.NaN : Episodes.Skip(Math.Max(0, Episodes.Count - count)).Average(e => e.Return);

    /// <summary>The JSON document (indented, deterministic).</summary>
    /// <param name="provenance">Top-level text fields (e.g. the PolicyLab version).</param>
    /// <param name="gitInfo">The git state, written as the <c>git_info</c> object when known.</param>
    /// <param name="perIterationRewards">When given, written as <c>rewards</c>: one list per run of the given
    /// diagnostic (e.g. mean_return per episode batch), as the policy-annealing reference tool records it.</param>
    public byte[] ToJson(IReadOnlyDictionary<string, string>? provenance = null, IReadOnlyDictionary<string, string>? gitInfo = null,
        string? perIterationRewards = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("algorithm", Algorithm);
            w.WriteString("environment", Environment);
            w.WriteNumber("seed", Seed);
            if (provenance is not null)
                foreach (KeyValuePair<string, string> kv in provenance) w.WriteString(kv.Key, kv.Value);
            if (gitInfo is not null)
            {
                w.WriteStartObject("git_info");
                foreach (KeyValuePair<string, string> kv in gitInfo) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            if (perIterationRewards is not null)
            {
                w.WriteStartArray("rewards");
                w.WriteStartArray();
                foreach (UpdateRecord u in Updates)
                    foreach (KeyValuePair<string, double> kv in u.Values)
                        if (kv.Key == perIterationRewards) WriteNumberValue(w, kv.Value);
                w.WriteEndArray();
                w.WriteEndArray();
            }
            w.WriteStartObject("parameters");
            foreach (KeyValuePair<string, string> kv in Parameters) w.WriteString(kv.Key, kv.Value);
            w.WriteEndObject();
            w.WriteStartArray("episodes");
            foreach (EpisodeRecord e in Episodes)
            {
                w.WriteStartObject();
                w.WriteNumber("step", e.Step);
                WriteNumber(w, "return", e.Return);
                w.WriteNumber("length", e.Length);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("updates");
            foreach (UpdateRecord u in Updates)
            {
                w.WriteStartObject();
                w.WriteNumber("iteration", u.Iteration);
                w.WriteNumber("step", u.Step);
                foreach (KeyValuePair<string, double> kv in u.Values) WriteNumber(w, kv.Key, kv.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("evaluations");
            foreach (EvaluationResult e in Evaluations)
            {
                w.WriteStartObject();
                w.WriteNumber("step", e.Step);
                WriteNumber(w, "mean_return", e.MeanReturn);
                WriteNumber(w, "std_return", e.StdReturn);
                WriteNumber(w, "mean_length", e.MeanLength);
                w.WriteStartArray("returns");
                foreach (double r in e.Returns) WriteNumberValue(w, r);
                w.WriteEndArray();
                w.WriteStartArray("lengths");
                foreach (int l in e.Lengths) w.WriteNumberValue(l);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (EndReason is not null) w.WriteString("end_reason", EndReason);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Reads a document written by <see cref="ToJson"/> (used when resuming).</summary>
    public static ExperimentLog FromJson(ReadOnlySpan<byte> json)
    {
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        JsonElement root = doc.RootElement;
        var log = new ExperimentLog
        {
            Algorithm = root.GetProperty("algorithm").GetString()!,
            Environment = root.GetProperty("environment").GetString()!,
            Seed = root.GetProperty("seed").GetInt64(),
            Parameters = root.GetProperty("parameters").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList(),
        };
        foreach (JsonElement e in root.GetProperty("episodes").EnumerateArray())
            log.Episodes.Add(new EpisodeRecord(e.GetProperty("step").GetInt64(), ReadNumber(e.GetProperty("return")), e.GetProperty("length").GetInt32()));
        foreach (JsonElement u in root.GetProperty("updates").EnumerateArray())
        {
            var values = u.EnumerateObject().Where(p => p.Name is not "iteration" and not "step")
                .Select(p => new KeyValuePair<string, double>(p.Name, ReadNumber(p.Value))).ToList();
            log.Updates.Add(new UpdateRecord(u.GetProperty("iteration").GetInt32(), u.GetProperty("step").GetInt64(), values));
        }
        foreach (JsonElement e in root.GetProperty("evaluations").EnumerateArray())
        {
            double[] returns = e.GetProperty("returns").EnumerateArray().Select(ReadNumber).ToArray();
            int[] lengths = e.GetProperty("lengths").EnumerateArray().Select(l => l.GetInt32()).ToArray();
            log.Evaluations.Add(new EvaluationResult(e.GetProperty("step").GetInt64(), returns, lengths));
        }
        return log;
    }

    /// <summary>metrics.csv: one row per update with the step, episode count, recent mean return and diagnostics,
    /// and the latest evaluation's mean return.</summary>
    public string ToCsv()
    {
        var names = new List<string>();
        foreach (UpdateRecord u in Updates)
            foreach (KeyValuePair<string, double> kv in u.Values)
                if (!names.Contains(kv.Key)) names.Add(kv.Key);
        var sb = new StringBuilder("iteration,step,episodes,recent_mean_return,eval_mean_return");
        foreach (string n in names) sb.Append(',').Append(n);
        sb.Append('\n');
        int episodeIndex = 0, evalIndex = 0;
        var recent = new Queue<double>();
        double lastEval = double.NaN;
        foreach (UpdateRecord u in Updates)
        {
            while (episodeIndex < Episodes.Count && Episodes[episodeIndex].Step <= u.Step)
            {
                recent.Enqueue(Episodes[episodeIndex++].Return);
                if (recent.Count > 10) recent.Dequeue();
            }
            while (evalIndex < Evaluations.Count && Evaluations[evalIndex].Step <= u.Step)
                lastEval = Evaluations[evalIndex++].MeanReturn;
            sb.Append(u.Iteration.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(u.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(episodeIndex.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(Csv(recent.Count == 0 ? double.NaN : recent.Average())).Append(',')
              .Append(Csv(lastEval));
            var values = u.Values.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (string n in names) sb.Append(',').Append(values.TryGetValue(n, out double v) ? Csv(v) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Csv(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        WriteNumberValue(w, value);
    }

    private static void WriteNumberValue(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }

    private static double ReadNumber(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();
}
