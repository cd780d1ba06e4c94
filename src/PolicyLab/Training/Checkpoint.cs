using System.Text.Json;
using PolicyLab.IO;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Training;

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (the weights, in the [out, in] layout other
/// frameworks load), <c>state.safetensors</c> (everything needed to continue bit-identically:
/// weights, optimizer moments, random streams, normalizer statistics, environment state, counters),
/// <c>checkpoint.json</c> (what the network and spaces look like) and <c>log.json</c> (the experiment
/// log up to this point). The folder is published with one rename, so a crash never leaves a
/// half-written checkpoint.
/// </summary>
public static class Checkpoint
{
    /// <summary>The resumable state file.</summary>
    public const string StateFileName = "state.safetensors";

    /// <summary>The exported weights file.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>The description file.</summary>
    public const string DescriptionFileName = "checkpoint.json";

    /// <summary>The experiment log up to the checkpoint.</summary>
    public const string LogFileName = "log.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes a checkpoint folder atomically (replacing one at the same step).</summary>
    public static void Write(string path, StateDictionary state, ParameterStore weights, IReadOnlyDictionary<string, object> description, byte[] log)
    {
        AtomicFile.PublishDirectory(path, temp =>
        {
            state.Save(Path.Combine(temp, StateFileName));
            ParameterFile.Save(Path.Combine(temp, ModelFileName), weights);
            AtomicFile.WriteAllBytes(Path.Combine(temp, DescriptionFileName), JsonSerializer.SerializeToUtf8Bytes(description, Indented));
            AtomicFile.WriteAllBytes(Path.Combine(temp, LogFileName), log);
            CheckpointManifest.Write(temp); // last: a folder with a valid manifest is complete
        }, overwrite: true);
    }

    /// <summary>Largest log.json read (a million episodes take about 60 MB).</summary>
    public const long MaxLogBytes = 256L << 20;

    /// <summary>Reads the resumable state of a checkpoint folder, after verifying its manifest.</summary>
    /// <exception cref="PolicyLabException">Files are missing or damaged.</exception>
    public static (StateDictionary State, byte[] Log) Read(string path)
    {
        string statePath = Path.Combine(path, StateFileName), logPath = Path.Combine(path, LogFileName);
        if (!File.Exists(statePath) || !File.Exists(logPath))
            throw new PolicyLabException($"The checkpoint '{path}' is incomplete (it needs {StateFileName} and {LogFileName}); pick another checkpoint.");
        CheckpointManifest.ThrowIfDamaged(path);
        long logBytes = new FileInfo(logPath).Length;
        if (logBytes > MaxLogBytes)
            throw new PolicyLabException($"checkpoint {Path.GetFileName(path)} is damaged: {LogFileName} ({logBytes} bytes, more than the {MaxLogBytes >> 20} MB limit). Pick another checkpoint with --checkpoint STEP.");
        return (StateDictionary.Load(statePath), File.ReadAllBytes(logPath));
    }

    /// <summary>
    /// The exported weights a path names: a <see cref="ModelFileName"/> file, a checkpoint folder holding one, or a
    /// run folder (its latest checkpoint's).
    /// </summary>
    /// <exception cref="PolicyLabException">No weights file there.</exception>
    public static string ResolveModelFile(string path)
    {
        string file = path;
        if (Directory.Exists(path))
        {
            file = Path.Combine(path, ModelFileName);
            if (!File.Exists(file) && File.Exists(Path.Combine(path, RunFolder.ConfigFileName)))
            {
                RunFolder run = RunFolder.Open(path);
                IReadOnlyList<long> steps = run.CheckpointSteps();
                if (steps.Count > 0) file = Path.Combine(run.CheckpointPath(steps[^1]), ModelFileName);
            }
        }
        if (!File.Exists(file))
            throw new PolicyLabException($"No weights found at '{path}': pass a run folder, a checkpoint folder or a {ModelFileName} file.");
        if (File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, CheckpointManifest.FileName)))
            CheckpointManifest.ThrowIfDamaged(Path.GetDirectoryName(Path.GetFullPath(file))!);
        return file;
    }
}
