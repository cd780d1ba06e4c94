using System.Globalization;
using System.Text;
using PolicyLab.IO;

namespace PolicyLab.Training;

/// <summary>
/// The folder of one run: <c>config.yaml</c> (resolved settings), <c>experiment.json</c> and
/// <c>metrics.csv</c> (everything that depends only on the seed), <c>timing.json</c> (wall-clock
/// figures) and <c>checkpoints/&lt;step&gt;/</c>. Every file is written atomically.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Name of the resolved configuration file.</summary>
    public const string ConfigFileName = "config.yaml";

    private RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>The checkpoints folder.</summary>
    public string CheckpointsPath => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>The <c>--checkpoint</c> choice that names <see cref="BestPath"/>.</summary>
    public const string BestChoice = "best";

    /// <summary>
    /// <c>best/</c> beside <c>checkpoints/</c>: the checkpoint of the evaluation with the highest mean return so far
    /// (RL Zoo's EvalCallback <c>best_model</c>), in the same format as a step checkpoint but without the replay buffer.
    /// </summary>
    public string BestPath => System.IO.Path.Combine(Path, BestChoice);

    /// <summary>Whether the run has a <c>best/</c> checkpoint.</summary>
    public bool HasBest => File.Exists(System.IO.Path.Combine(BestPath, Checkpoint.StateFileName));

    /// <summary>Creates <c>root/&lt;yyyyMMdd-HHmmss&gt;-&lt;algo&gt;-&lt;env&gt;-s&lt;seed&gt;</c> (with a suffix if taken).</summary>
    public static RunFolder Create(string root, string algorithm, string environment, long seed, DateTime now)
    {
        // Namespaced ids (MinAtar/Breakout-v1) keep one folder level: the slash becomes an underscore.
        string stem = $"{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{algorithm}-{environment.Replace('/', '_').Replace('\\', '_')}-s{seed}";
        string path = System.IO.Path.Combine(root, stem);
        for (int i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine(root, $"{stem}-{i}");
        return CreateAt(path);
    }

    /// <summary>Uses exactly <paramref name="path"/>, which must not exist or be empty.</summary>
    /// <exception cref="PolicyLabException">The folder exists and is not empty, the path names a file, or it cannot be created.</exception>
    public static RunFolder CreateAt(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new PolicyLabException("--out needs a folder path; got an empty one. Pass --out runs/NAME, or leave --out out for runs/<timestamp>-<algo>-<env>-s<seed>.");
        if (File.Exists(path))
            throw new PolicyLabException($"--out '{path}' names an existing file, not a folder; pick a path that does not exist yet.");
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any(e => !IsLockFile(e)))
            throw new PolicyLabException($"The run folder '{path}' already exists and is not empty; choose another --out or resume it with --resume.");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyLabException($"Cannot create the run folder '{path}' ({e.Message}); pick a writable --out with free space.", e);
        }
        return new RunFolder(path);
    }

    /// <summary>Takes the run folder's exclusive lock for <paramref name="purpose"/> and removes the temporary files a
    /// killed process left behind (which only a lock holder may do).</summary>
    /// <exception cref="PolicyLabException">Another command holds the lock.</exception>
    public RunLock Lock(string purpose)
    {
        RunLock held = RunLock.Acquire(Path, purpose);
        RemoveStaleTemporaries();
        return held;
    }

    /// <summary>
    /// Removes what an interrupted atomic write leaves: <c>checkpoints/&lt;step&gt;.tmp-*</c> folders, <c>*.tmp-*</c>
    /// files in the run folder and its checkpoints folder, and <c>&lt;step&gt;.old-*</c> folders (moved back in place
    /// when the process died between moving the old checkpoint aside and publishing the new one). Call it only
    /// while holding the lock: another command's temporaries are not stale. Returns how many entries it removed.
    /// </summary>
    public int RemoveStaleTemporaries()
    {
        int removed = 0;
        foreach (string dir in new[] { Path, CheckpointsPath })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (string entry in Directory.GetFileSystemEntries(dir))
            {
                string name = System.IO.Path.GetFileName(entry);
                int old = name.IndexOf(".old-", StringComparison.Ordinal);
                if (old > 0 && Directory.Exists(entry))
                {
                    string original = System.IO.Path.Combine(dir, name[..old]);
                    if (!Directory.Exists(original)) Directory.Move(entry, original);
                    else Directory.Delete(entry, recursive: true);
                    removed++;
                }
                else if (name.Contains(".tmp-", StringComparison.Ordinal))
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                    removed++;
                }
            }
        }
        return removed;
    }

    /// <summary>Stops a run whose folder was deleted (or emptied of its config.yaml) while it trained.</summary>
    /// <exception cref="PolicyLabException">The folder or its config.yaml is gone.</exception>
    public void ThrowIfGone()
    {
        if (!File.Exists(System.IO.Path.Combine(Path, ConfigFileName)))
            throw new PolicyLabException($"The run folder '{Path}' (or its {ConfigFileName}) was deleted while the run was using it; stopping " +
                "rather than recreating a folder that cannot be resumed. Start the run again with a new --out.");
    }

    private static bool IsLockFile(string entry) =>
        System.IO.Path.GetFileName(entry) is RunLock.LockFileName or RunLock.OwnerFileName;

    /// <summary>Opens an existing run folder (to resume or evaluate it).</summary>
    /// <exception cref="PolicyLabException">It is not a run folder.</exception>
    public static RunFolder Open(string path)
    {
        if (!File.Exists(System.IO.Path.Combine(path, ConfigFileName)))
            throw new PolicyLabException($"'{path}' is not a PolicyLab run folder (it has no {ConfigFileName}); pass the folder that `policylab train` created.");
        return new RunFolder(path);
    }

    /// <summary>Writes a text file in the folder atomically.</summary>
    public void WriteText(string name, string text) => AtomicFile.WriteAllText(System.IO.Path.Combine(Path, name), text);

    /// <summary>Writes a binary file in the folder atomically.</summary>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes) => AtomicFile.WriteAllBytes(System.IO.Path.Combine(Path, name), bytes);

    /// <summary>Reads a text file of the folder.</summary>
    public string ReadText(string name) => File.ReadAllText(System.IO.Path.Combine(Path, name), Encoding.UTF8);

    /// <summary>The steps of the complete checkpoints, ascending.</summary>
    public IReadOnlyList<long> CheckpointSteps()
    {
        if (!Directory.Exists(CheckpointsPath)) return [];
        return Directory.GetDirectories(CheckpointsPath)
            .Select(d => System.IO.Path.GetFileName(d))
            .Where(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(n => long.Parse(n, CultureInfo.InvariantCulture))
            .Where(s => File.Exists(System.IO.Path.Combine(CheckpointPath(s), Checkpoint.StateFileName)))
            .Order()
            .ToList();
    }

    /// <summary>The steps of the checkpoints whose files match their manifest, ascending.</summary>
    public IReadOnlyList<long> IntactCheckpointSteps() =>
        CheckpointSteps().Where(s => CheckpointManifest.Problem(CheckpointPath(s)) is null).ToList();

    /// <summary>
    /// The checkpoint step a <c>--checkpoint</c> choice names: null or "latest" (the newest, which must be intact),
    /// "latest-intact" (the newest whose files match its manifest) or a step number.
    /// </summary>
    /// <exception cref="PolicyLabException">There is no such checkpoint, or the chosen one is damaged (the message lists the intact ones).</exception>
    public long ResolveCheckpoint(string? choice)
    {
        IReadOnlyList<long> steps = CheckpointSteps();
        if (steps.Count == 0)
            throw new PolicyLabException($"The run '{Path}' has no checkpoint yet; train it (or let it reach its first checkpoint) before evaluating or resuming it.");
        string c = (choice ?? "latest").Trim();
        long step;
        if (c == "latest-intact")
        {
            IReadOnlyList<long> intact = IntactCheckpointSteps();
            if (intact.Count == 0)
                throw new PolicyLabException($"No checkpoint of '{Path}' is intact ({string.Join("; ", steps.Select(s => $"{s}: {CheckpointManifest.Problem(CheckpointPath(s))}"))}); start the run again.");
            return intact[^1];
        }
        if (c == BestChoice)
            throw new PolicyLabException("--checkpoint best names the best/ checkpoint, which eval, export and Agent.Load read; training continues " +
                "from a step checkpoint (a step number, latest or latest-intact), because best/ holds no replay buffer and is not the run's latest state.");
        if (c == "latest") step = steps[^1];
        else if (!long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out step))
            throw new PolicyLabException($"--checkpoint takes a step number, latest, latest-intact or best; got '{choice}'.");
        else if (!steps.Contains(step))
            throw new PolicyLabException($"The run has no checkpoint at step {step}; it has {string.Join(", ", steps)}.");
        if (CheckpointManifest.Problem(CheckpointPath(step)) is not null)
        {
            IReadOnlyList<long> intact = IntactCheckpointSteps();
            CheckpointManifest.ThrowIfDamaged(CheckpointPath(step), intact.Count == 0
                ? "No checkpoint of this run is intact; start it again."
                : $"Intact checkpoints: {string.Join(", ", intact)}; pass --checkpoint latest-intact (step {intact[^1]}) or --checkpoint STEP.");
        }
        return step;
    }

    /// <summary>
    /// The checkpoint folder a <c>--checkpoint</c> choice names for reading a policy (eval, export): "best" (<see cref="BestPath"/>,
    /// which must exist and be intact) or any choice <see cref="ResolveCheckpoint"/> takes.
    /// </summary>
    /// <exception cref="PolicyLabException">There is no such checkpoint, or it is damaged.</exception>
    public string ResolveCheckpointFolder(string? choice)
    {
        if ((choice ?? "").Trim() != BestChoice) return CheckpointPath(ResolveCheckpoint(choice));
        if (!HasBest)
            throw new PolicyLabException($"The run '{Path}' has no best/ checkpoint: it is written at each evaluation (eval_freq) that improves the best mean " +
                "return, and this run has had none yet. Pick a step checkpoint instead (--checkpoint latest).");
        CheckpointManifest.ThrowIfDamaged(BestPath, "Pick a step checkpoint instead (--checkpoint latest-intact).");
        return BestPath;
    }

    /// <summary>The folder of the checkpoint at <paramref name="step"/>.</summary>
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsPath, step.ToString(CultureInfo.InvariantCulture));
}
