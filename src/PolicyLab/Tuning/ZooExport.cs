using System.Text;
using PolicyLab.Configuration;
using PolicyLab.IO;
using PolicyLab.Training;

namespace PolicyLab.Tuning;

/// <summary>
/// Writes a trial's settings as a section of an RL-Zoo-style YAML file (<c>configs/&lt;algo&gt;.yaml</c>), which
/// <c>policylab train --config FILE --env ENV</c> reads back to the same settings the trial trained with. The section
/// holds the shipped tuned defaults' keys for the environment (n_envs, n_timesteps, …: the trial ran on top of them)
/// and every tuned setting, with the values the trial used; the budget keys (n_timesteps, eval_freq, …) keep the
/// shipped values, since a trial's budget is not the training budget.
/// </summary>
public static class ZooExport
{
    /// <summary>What the comment lines of an exported section start with.</summary>
    public const string ExportMarker = "# tune: ";

    /// <summary>The section's key/value pairs for a trial with settings <paramref name="tuned"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SectionPairs(TuneSettings study, IReadOnlyList<KeyValuePair<string, string>> tuned)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(tuned);
        (RunSettings run, Hyperparameters algorithm) = TrialTraining.Resolve(study, tuned);
        IReadOnlyList<KeyValuePair<string, string>> shipped = SettingsResolver.DefaultConfig(study.Algorithm) is string text
            ? ConfigFile.Read(text, study.Environment, $"configs/{study.Algorithm}.yaml") : [];
        var keys = new List<string>();
        // batch_size too when the trial may have lowered it to the rollout (see TrialTraining.Resolve).
        IEnumerable<string> clamped = algorithm.Has("batch_size") && algorithm.Has("n_steps") ? ["batch_size"] : [];
        foreach (string k in shipped.Select(kv => kv.Key).Concat(tuned.Select(kv => kv.Key)).Concat(clamped))
            if (!keys.Contains(k)) keys.Add(k);
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string k in keys)
        {
            if (SearchSpace.FixedByStudy.Contains(k))
            {
                if (shipped.LastOrDefault(kv => kv.Key == k) is { Key: not null } kept) pairs.Add(kept);
                continue;
            }
            pairs.Add(new(k, run.Has(k) ? run.Get(k) : algorithm.Get(k)));
        }
        return pairs;
    }

    /// <summary>
    /// Writes the section for <paramref name="environment"/> into <paramref name="path"/> (atomically): a new file, or
    /// an existing sectioned file whose other sections and comments are kept and whose section for the environment,
    /// if any, is replaced in place.
    /// </summary>
    /// <exception cref="PolicyLabException">The existing file is not a sectioned YAML configuration.</exception>
    public static void Write(string path, string environment, IReadOnlyList<KeyValuePair<string, string>> pairs, string comment)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(comment);
        var section = new StringBuilder();
        foreach (string line in comment.Split('\n')) section.Append(ExportMarker).Append(line).Append('\n');
        section.Append(environment).Append(":\n");
        foreach (string line in ConfigFile.Write(pairs).Split('\n', StringSplitOptions.RemoveEmptyEntries)) section.Append("  ").Append(line).Append('\n');
        string text;
        if (!File.Exists(path))
            text = section.ToString();
        else
        {
            string existing = ConfigFile.ReadText(path);
            if (existing.Trim().Length > 0 && ConfigFile.Sections(existing, path).Count == 0)
                throw new PolicyLabException($"'{path}' is a flat configuration file (no per-environment sections), so a section for {environment} cannot be added to it; export to a new file with -o.");
            text = Replace(existing, environment, section.ToString());
        }
        ConfigFile.Read(text, environment, path); // what we write must read back
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, text);
    }

    /// <summary>Replaces the top-level section <paramref name="environment"/> (its header to the next top-level key) or appends one.</summary>
    private static string Replace(string text, string environment, string section)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        static bool TopLevelKey(string line) => line.Length > 0 && !char.IsWhiteSpace(line[0]) && line[0] != '#';
        int start = Array.FindIndex(lines, l => TopLevelKey(l) && (l.StartsWith(environment + ":", StringComparison.Ordinal)
            || l.StartsWith($"'{environment}':", StringComparison.Ordinal) || l.StartsWith($"\"{environment}\":", StringComparison.Ordinal)));
        var sb = new StringBuilder();
        if (start < 0)
        {
            sb.Append(text.TrimEnd('\n')).Append("\n\n").Append(section);
            return sb.ToString();
        }
        int end = start + 1;
        while (end < lines.Length && !TopLevelKey(lines[end])) end++;
        // Comment lines directly above the next section belong to it.
        while (end - 1 > start && (lines[end - 1].StartsWith('#') || lines[end - 1].Trim().Length == 0) && end < lines.Length) end--;
        int kept = start; // an earlier export's comment above the section is replaced with it
        while (kept > 0 && lines[kept - 1].StartsWith(ExportMarker, StringComparison.Ordinal)) kept--;
        for (int i = 0; i < kept; i++) sb.Append(lines[i]).Append('\n');
        sb.Append(section);
        if (end < lines.Length) sb.Append('\n');
        for (int i = end; i < lines.Length; i++) sb.Append(lines[i]).Append(i < lines.Length - 1 ? "\n" : "");
        return sb.ToString().TrimEnd('\n') + "\n";
    }
}
