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

/// <summary>A resume that changed settings: from which checkpoint, and what it changed.</summary>
/// <param name="Step">The checkpoint step the run resumed from.</param>
/// <param name="Changes">Setting → new value.</param>
public sealed record ResumeRecord(long Step, IReadOnlyList<KeyValuePair<string, string>> Changes);

/// <summary>The evaluation with the highest mean return so far, whose checkpoint is the run's <c>best/</c>.</summary>
/// <param name="Step">The step of the evaluation.</param>
/// <param name="MeanReturn">Its mean return.</param>
public sealed record BestRecord(long Step, double MeanReturn);

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

    /// <summary>Resumes that changed settings (a new budget, frequencies, learning rate), oldest first.</summary>
    public List<ResumeRecord> Resumes { get; } = [];

    /// <summary>The best evaluation so far (written to <c>best/</c>), or null before any finite one.</summary>
    public BestRecord? Best { get; set; }

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
            if (Resumes.Count > 0)
            {
                w.WriteStartArray("resumes");
                foreach (ResumeRecord r in Resumes)
                {
                    w.WriteStartObject();
                    w.WriteNumber("step", r.Step);
                    w.WriteStartObject("changes");
                    foreach (KeyValuePair<string, string> kv in r.Changes) w.WriteString(kv.Key, kv.Value);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (Best is not null)
            {
                w.WriteStartObject("best");
                w.WriteNumber("step", Best.Step);
                WriteNumber(w, "mean_return", Best.MeanReturn);
                w.WriteString("folder", RunFolder.BestChoice);
                w.WriteEndObject();
            }
            if (EndReason is not null) w.WriteString("end_reason", EndReason);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Nesting depth of the documents <see cref="ToJson"/> writes, with room to spare.</summary>
    private const int MaxDepth = 8;

    /// <summary>Longest episode length accepted (2³¹ − 1 steps; lengths are stored as int).</summary>
    private const long MaxEpisodeLength = int.MaxValue;

    /// <summary>Reads a document written by <see cref="ToJson"/> (used when resuming), strictly: every field must be
    /// present with its type and range, steps must not go backwards.</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">The file it came from, named in errors.</param>
    /// <exception cref="PolicyLabException">The document is malformed, nested too deep or holds out-of-range values.</exception>
    public static ExperimentLog FromJson(ReadOnlySpan<byte> json, string source = "the experiment log")
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
            return Read(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new PolicyLabException($"'{source}' is not a valid experiment log ({e.Message}); the file is damaged. Pick another checkpoint (--checkpoint latest-intact) or restore the file.", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or OverflowException or InvalidDataException)
        {
            throw new PolicyLabException($"'{source}' is not a valid experiment log ({e.Message}); the file is damaged or was edited. Pick another checkpoint (--checkpoint latest-intact) or restore the file.", e);
        }
    }

    private static ExperimentLog Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException("the document is not a JSON object");
        var log = new ExperimentLog
        {
            Algorithm = Text(root, "algorithm"),
            Environment = Text(root, "environment"),
            Seed = Integer(root, "seed", 0, long.MaxValue),
            Parameters = Member(root, "parameters", JsonValueKind.Object).EnumerateObject()
                .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidDataException($"parameter '{p.Name}' is not a string"))).ToList(),
        };
        foreach (JsonElement e in Member(root, "episodes", JsonValueKind.Array).EnumerateArray())
            log.Episodes.Add(new EpisodeRecord(Integer(e, "step", 0, long.MaxValue), Number(e, "return"), (int)Integer(e, "length", 0, MaxEpisodeLength)));
        foreach (JsonElement u in Member(root, "updates", JsonValueKind.Array).EnumerateArray())
        {
            if (u.ValueKind != JsonValueKind.Object) throw new InvalidDataException("an update is not an object");
            var values = u.EnumerateObject().Where(p => p.Name is not "iteration" and not "step")
                .Select(p => new KeyValuePair<string, double>(p.Name, ReadNumber(p.Value))).ToList();
            log.Updates.Add(new UpdateRecord((int)Integer(u, "iteration", 0, int.MaxValue), Integer(u, "step", 0, long.MaxValue), values));
        }
        foreach (JsonElement e in Member(root, "evaluations", JsonValueKind.Array).EnumerateArray())
        {
            double[] returns = Member(e, "returns", JsonValueKind.Array).EnumerateArray().Select(ReadNumber).ToArray();
            int[] lengths = Member(e, "lengths", JsonValueKind.Array).EnumerateArray().Select(l => (int)IntegerValue(l, "length", 0, MaxEpisodeLength)).ToArray();
            if (returns.Length != lengths.Length || returns.Length == 0) throw new InvalidDataException("an evaluation has no episodes or unequal returns and lengths");
            log.Evaluations.Add(new EvaluationResult(Integer(e, "step", 0, long.MaxValue), returns, lengths));
        }
        if (root.TryGetProperty("resumes", out JsonElement resumes))
        {
            if (resumes.ValueKind != JsonValueKind.Array) throw new InvalidDataException("'resumes' is not an array");
            foreach (JsonElement r in resumes.EnumerateArray())
                log.Resumes.Add(new ResumeRecord(Integer(r, "step", 0, long.MaxValue), Member(r, "changes", JsonValueKind.Object).EnumerateObject()
                    .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? "")).ToList()));
        }
        if (root.TryGetProperty("best", out JsonElement best))
            log.Best = new BestRecord(Integer(best, "step", 0, long.MaxValue), Number(best, "mean_return") is double r && double.IsFinite(r)
                ? r : throw new InvalidDataException("'best' has no finite mean_return"));
        if (root.TryGetProperty("end_reason", out JsonElement end) && end.ValueKind == JsonValueKind.String) log.EndReason = end.GetString();
        return log;
    }

    private static JsonElement Member(JsonElement e, string name, JsonValueKind kind)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"an entry holding '{name}' is not an object");
        if (!e.TryGetProperty(name, out JsonElement v)) throw new InvalidDataException($"'{name}' is missing");
        if (v.ValueKind != kind) throw new InvalidDataException($"'{name}' is {v.ValueKind}, not {kind}");
        return v;
    }

    private static string Text(JsonElement e, string name) => Member(e, name, JsonValueKind.String).GetString()!;

    private static long Integer(JsonElement e, string name, long min, long max) => IntegerValue(Member(e, name, JsonValueKind.Number), name, min, max);

    private static long IntegerValue(JsonElement v, string name, long min, long max)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n))
            throw new InvalidDataException($"'{name}' is {v} (not an integer)");
        if (n < min || n > max)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{name}' is {n}, outside {min}…{max}"));
        return n;
    }

    private static double Number(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out JsonElement v)) throw new InvalidDataException($"'{name}' is missing");
        return ReadNumber(v);
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

    private static double ReadNumber(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return double.NaN;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v))
            throw new InvalidDataException($"{e.GetRawText()} is not a finite number");
        return v;
    }
}
