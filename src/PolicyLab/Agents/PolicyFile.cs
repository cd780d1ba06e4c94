using System.Globalization;
using System.Text.Json;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Agents;

/// <summary>
/// What a policy file says about the policy besides its weights: enough to rebuild the acting network and to turn a
/// raw observation into an environment action, with no environment and no optimizer.
/// </summary>
/// <param name="Algorithm">The algorithm's registry name.</param>
/// <param name="Environment">The environment id it was trained on (for information and evaluation; acting does not need it).</param>
/// <param name="EnvironmentArguments">The environment's arguments (<c>env_kwargs</c> text).</param>
/// <param name="Step">Training steps when it was saved.</param>
/// <param name="ObservationSpace">The raw observation space (what <see cref="Agent.Predict(ReadOnlySpan{float}, bool)"/> takes).</param>
/// <param name="ActionSpace">The action space (what it returns).</param>
/// <param name="EnvironmentCount">The run's <c>n_envs</c> (some networks' buffers are sized by it).</param>
/// <param name="Settings">The algorithm's resolved settings, as text.</param>
/// <param name="Normalization">Frozen observation statistics, when the run normalized observations.</param>
/// <param name="Version">The PolicyLab version that wrote the file.</param>
public sealed record PolicyDescription(
    string Algorithm,
    string Environment,
    string EnvironmentArguments,
    long Step,
    Space ObservationSpace,
    Space ActionSpace,
    int EnvironmentCount,
    IReadOnlyList<KeyValuePair<string, string>> Settings,
    ObservationNormalization? Normalization,
    string Version);

/// <summary>
/// The policy file (<c>.policylab</c>): one safetensors file holding the algorithm's weights (<c>policy.*</c>, the same
/// [out, in] layout as a run's model.safetensors), the frozen observation statistics (<c>obs_rms.*</c>, float64) and, in
/// its metadata, the format and PolicyLab versions, the algorithm and its settings (which fix the architecture), the
/// observation and action spaces and the normalization's clip and ε. Written atomically. (Files of format 1 may also
/// hold <c>obs_rms.count</c>; it is not needed to act.)
/// </summary>
public static class PolicyFile
{
    /// <summary>The metadata value that marks a PolicyLab policy file.</summary>
    public const string FormatName = "policylab-policy";

    /// <summary>The format version this PolicyLab writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string WeightPrefix = "policy.";

    /// <summary>Writes a policy file.</summary>
    public static void Write(string path, PolicyDescription description, ParameterStore weights)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(weights);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new PolicyLabException($"'{full}' is a folder; give the policy file's name, e.g. {Path.Combine(full, "policy.policylab")}.");
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null) Directory.CreateDirectory(directory);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["policylab_version"] = description.Version,
            ["algorithm"] = description.Algorithm,
            ["environment"] = description.Environment,
            ["env_kwargs"] = description.EnvironmentArguments,
            ["step"] = description.Step.ToString(CultureInfo.InvariantCulture),
            ["n_envs"] = description.EnvironmentCount.ToString(CultureInfo.InvariantCulture),
            ["observation_space"] = SpaceFormat.ToJson(description.ObservationSpace),
            ["action_space"] = SpaceFormat.ToJson(description.ActionSpace),
            ["settings"] = JsonSerializer.Serialize(description.Settings.ToDictionary(kv => kv.Key, kv => kv.Value)),
            ["normalize"] = description.Normalization is null ? "false" : "true",
        };
        var tensors = new List<NamedTensor>(ParameterFile.ToTensors(weights, WeightPrefix));
        if (description.Normalization is { } n)
        {
            metadata["clip_obs"] = n.Clip.ToString("R", CultureInfo.InvariantCulture);
            metadata["epsilon"] = n.Epsilon.ToString("R", CultureInfo.InvariantCulture);
            tensors.Add(NamedTensor.F64("obs_rms.mean", [n.Mean.Length], n.Mean));
            tensors.Add(NamedTensor.F64("obs_rms.var", [n.Variance.Length], n.Variance));
        }
        SafeTensors.Write(full, tensors, metadata);
    }

    /// <summary>Reads a policy file's description and rebuilds its algorithm with the saved weights, ready to act.</summary>
    /// <exception cref="PolicyLabException">The file is missing, damaged, not a policy file, or from another format version.</exception>
    public static (PolicyDescription Description, IAlgorithm Algorithm) Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new PolicyLabException($"The policy file '{full}' does not exist. Save one with agent.Save(path), or load a run folder.");
        SafeTensorsFile file;
        try
        {
            file = SafeTensors.Read(full);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new PolicyLabException($"'{full}' is not a PolicyLab policy file: {e.Message}", e);
        }
        IReadOnlyDictionary<string, string> m = file.Metadata;
        if (m.GetValueOrDefault("format") != FormatName)
            throw new PolicyLabException($"'{full}' is a safetensors file but not a PolicyLab policy file (its metadata has no format '{FormatName}'). " +
                "A run's model.safetensors holds only weights: load the run folder with Agent.Load(runFolder), or save a policy file with agent.Save(path).");
        string versionText = m.GetValueOrDefault("format_version") ?? "";
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw Damaged(full, $"its format_version '{versionText}' is not a number");
        if (version > FormatVersion)
            throw new PolicyLabException($"'{full}' is a policy file of format {version}, written by PolicyLab {m.GetValueOrDefault("policylab_version") ?? "?"}; " +
                $"this PolicyLab ({PolicyLabVersion.Current}) reads format {FormatVersion}. Upgrade PolicyLab to load it.");
        if (version < FormatVersion)
            throw new PolicyLabException($"'{full}' is a policy file of the older format {version}; this PolicyLab reads format {FormatVersion}. " +
                "Save the policy again from its run folder with this version (Agent.Load(runFolder).Save(path)).");
        string Required(string key) => m.TryGetValue(key, out string? v) ? v : throw Damaged(full, $"its metadata has no '{key}'");
        double Number(string key) => double.TryParse(Required(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d : throw Damaged(full, $"its '{key}' is not a number");

        Dictionary<string, string> settings;
        try
        {
            settings = JsonSerializer.Deserialize<Dictionary<string, string>>(Required("settings")) ?? throw Damaged(full, "its settings are empty");
        }
        catch (JsonException e)
        {
            throw Damaged(full, $"its settings are not readable ({e.Message})");
        }
        ObservationNormalization? normalization = null;
        Space observationSpace = SpaceFormat.FromJson(Required("observation_space"), full);
        if (Required("normalize") == "true")
        {
            int size = observationSpace.FlatSize;
            double[] Vector(string name, int length)
            {
                if (!file.TryGetTensor(name, out SafeTensor? t) || t.DType != SafeTensorDType.F64 || t.Shape.Count != 1 || t.Shape[0] != length)
                    throw Damaged(full, $"its tensor '{name}' is missing or not float64 [{length}]");
                return t.ToFloat64();
            }
            normalization = new ObservationNormalization(Vector("obs_rms.mean", size), Vector("obs_rms.var", size), Number("clip_obs"), Number("epsilon"));
            try
            {
                normalization.Validate(size);
            }
            catch (PolicyLabException e)
            {
                throw Damaged(full, e.Message);
            }
        }
        var description = new PolicyDescription(
            Required("algorithm"), Required("environment"), m.GetValueOrDefault("env_kwargs") ?? "",
            (long)Number("step"), observationSpace, SpaceFormat.FromJson(Required("action_space"), full), (int)Number("n_envs"),
            [.. settings], normalization, m.GetValueOrDefault("policylab_version") ?? "unknown");
        IAlgorithm algorithm = Build(description, full);
        try
        {
            ParameterFile.LoadInto(file, algorithm.Parameters, WeightPrefix);
        }
        catch (PolicyLabException e)
        {
            algorithm.Dispose();
            throw Damaged(full, $"its weights do not fit the {description.Algorithm} network its settings describe ({e.Message})");
        }
        if (!AllFinite(algorithm.Parameters.Values))
        {
            algorithm.Dispose();
            throw Damaged(full, "its weights contain NaN or infinite values");
        }
        return (description, algorithm);
    }

    /// <summary>Builds the algorithm a description names, on an environment that has only its spaces.</summary>
    private static IAlgorithm Build(PolicyDescription d, string source)
    {
        AlgorithmInfo info = AlgorithmRegistry.Get(d.Algorithm);
        Hyperparameters settings = info.CreateSettings();
        foreach ((string key, string value) in d.Settings)
        {
            if (!settings.Has(key)) throw Damaged(source, $"its settings name '{key}', which {d.Algorithm} does not have");
            settings.Set(key, value);
        }
        settings.ThrowIfInvalid($"{source}: {d.Algorithm} settings");
        if (d.EnvironmentCount is < 1 or > 1 << 20) throw Damaged(source, $"its n_envs {d.EnvironmentCount} is out of range");
        // The network sees what the training stack gave it: with normalization, NormalizeVectorEnvironment's box.
        Space seen = d.Normalization is { } n ? new Box((float)-n.Clip, (float)n.Clip, d.ObservationSpace.FlatSize) : d.ObservationSpace;
        var context = new AlgorithmContext
        {
            Environment = new SpacesOnlyEnvironment(seen, d.ActionSpace, d.EnvironmentCount),
            CreateEnvironments = (count, _) => new SpacesOnlyEnvironment(seen, d.ActionSpace, count),
            CreateEnvironment = () => new SpacesOnlyEnvironment(seen, d.ActionSpace, 1),
            Episodes = new EpisodeSink(),
            TotalSteps = long.MaxValue,
        };
        return info.Create(context, settings, new Rng(0));
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    private static PolicyLabException Damaged(string path, string what) =>
        new($"The policy file '{path}' is damaged: {what}. Save it again from its run folder (Agent.Load(runFolder).Save(path)).");
}
