using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using PolicyLab.IO;

namespace PolicyLab.Training;

/// <summary>
/// <c>manifest.json</c> of a checkpoint folder: the size and SHA-256 of every other file in it. It is written last,
/// after every file is flushed, and verified before anything in the folder is loaded, so a damaged file (a bit flip,
/// a truncation, an edit) is reported by name instead of being half-loaded. Checkpoints written before manifests
/// existed have none and load unverified.
/// </summary>
public static class CheckpointManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Largest manifest read (a real one is a few hundred bytes).</summary>
    private const long MaxManifestBytes = 1 << 16;

    /// <summary>Hashes every file in <paramref name="folder"/> and writes the manifest there (durably).</summary>
    public static void Write(string folder)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("hash", "sha256");
            w.WriteStartObject("files");
            foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(file);
                if (name == FileName) continue;
                w.WriteStartObject(name);
                w.WriteNumber("bytes", new FileInfo(file).Length);
                w.WriteString("sha256", Hash(file));
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(Path.Combine(folder, FileName), stream.ToArray());
    }

    /// <summary>
    /// What is wrong with the checkpoint in <paramref name="folder"/>, as "FILE (what is wrong)", or null when every
    /// file matches its manifest entry (or the checkpoint predates manifests).
    /// </summary>
    public static string? Problem(string folder)
    {
        string manifestPath = Path.Combine(folder, FileName);
        if (!File.Exists(manifestPath))
            return File.Exists(Path.Combine(folder, Checkpoint.StateFileName)) ? null : $"{Checkpoint.StateFileName} (missing)";
        var entries = new List<(string Name, long Bytes, string Sha256)>();
        try
        {
            long size = new FileInfo(manifestPath).Length;
            if (size > MaxManifestBytes)
                return $"{FileName} ({size} bytes, more than a manifest ever holds)";
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(manifestPath), new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("hash", out JsonElement hash) || hash.ValueKind != JsonValueKind.String || hash.GetString() != "sha256"
                || !doc.RootElement.TryGetProperty("files", out JsonElement files) || files.ValueKind != JsonValueKind.Object)
                return $"{FileName} (not a PolicyLab manifest: it needs \"hash\": \"sha256\" and a \"files\" object)";
            foreach (JsonProperty f in files.EnumerateObject())
            {
                if (f.Value.ValueKind != JsonValueKind.Object
                    || !f.Value.TryGetProperty("bytes", out JsonElement bytes) || !bytes.TryGetInt64(out long n) || n < 0
                    || !f.Value.TryGetProperty("sha256", out JsonElement sha) || sha.ValueKind != JsonValueKind.String
                    || f.Name.Contains('/', StringComparison.Ordinal) || f.Name.Contains('\\', StringComparison.Ordinal) || f.Name is "" or "." or "..")
                    return $"{FileName} (its entry '{f.Name}' is malformed)";
                entries.Add((f.Name, n, sha.GetString()!));
            }
        }
        catch (JsonException e)
        {
            return $"{FileName} (not valid JSON: {e.Message})";
        }
        catch (InvalidOperationException e)
        {
            return $"{FileName} (not valid UTF-8 JSON: {e.Message})";
        }
        foreach (string required in new[] { Checkpoint.StateFileName, Checkpoint.LogFileName })
            if (!entries.Exists(e => e.Name == required))
                return $"{FileName} (it does not list {required})";
        foreach ((string name, long bytes, string sha256) in entries)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) return $"{name} (missing)";
            long actual = new FileInfo(path).Length;
            if (actual != bytes)
                return string.Create(CultureInfo.InvariantCulture, $"{name} ({actual} bytes; the manifest says {bytes}: truncated or overwritten)");
            if (!string.Equals(Hash(path), sha256, StringComparison.OrdinalIgnoreCase))
                return $"{name} (its SHA-256 does not match the manifest: the content changed after it was written)";
        }
        return null;
    }

    /// <summary>Throws the "checkpoint STEP is damaged: FILE (what is wrong)" error if the checkpoint is damaged.</summary>
    /// <exception cref="PolicyLabException">A file is missing, truncated or changed.</exception>
    public static void ThrowIfDamaged(string folder, string? otherChoices = null)
    {
        if (Problem(folder) is string problem)
            throw new PolicyLabException($"checkpoint {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))} is damaged: {problem}. " +
                (otherChoices ?? "Pick another checkpoint with --checkpoint STEP, or --checkpoint latest-intact."));
    }

    private static string Hash(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
