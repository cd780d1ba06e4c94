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

    /// <summary>Creates <c>root/&lt;yyyyMMdd-HHmmss&gt;-&lt;algo&gt;-&lt;env&gt;-s&lt;seed&gt;</c> (with a suffix if taken).</summary>
    public static RunFolder Create(string root, string algorithm, string environment, long seed, DateTime now)
    {
        string stem = $"{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{algorithm}-{environment}-s{seed}";
        string path = System.IO.Path.Combine(root, stem);
        for (int i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine(root, $"{stem}-{i}");
        return CreateAt(path);
    }

    /// <summary>Uses exactly <paramref name="path"/>, which must not exist or be empty.</summary>
    /// <exception cref="PolicyLabException">The folder exists and is not empty.</exception>
    public static RunFolder CreateAt(string path)
    {
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new PolicyLabException($"The run folder '{path}' already exists and is not empty; choose another --out or resume it with --resume.");
        Directory.CreateDirectory(path);
        return new RunFolder(path);
    }

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

    /// <summary>The folder of the checkpoint at <paramref name="step"/>.</summary>
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsPath, step.ToString(CultureInfo.InvariantCulture));
}
