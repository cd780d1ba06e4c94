using System.Globalization;
using System.Reflection;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;

namespace PolicyLab.Training;

/// <summary>What the user asked for on the command line.</summary>
/// <param name="Algorithm">--algo, if given.</param>
/// <param name="Environment">--env, if given.</param>
/// <param name="ConfigPath">--config file, if given.</param>
/// <param name="Overrides">--set key=value pairs, in order.</param>
/// <param name="Seed">--seed, if given.</param>
/// <param name="Steps">--steps, if given.</param>
public sealed record SettingsRequest(string? Algorithm, string? Environment, string? ConfigPath,
    IReadOnlyList<string> Overrides, long? Seed, long? Steps);

/// <summary>
/// Resolves a run's settings, later sources overriding earlier ones: the algorithm's built-in
/// defaults, the tuned defaults shipped in <c>configs/&lt;algo&gt;.yaml</c> for the environment, the
/// user's --config file, --set key=value pairs, then --seed and --steps.
/// </summary>
public static class SettingsResolver
{
    /// <summary>Resolves and validates the settings of a new run.</summary>
    /// <exception cref="PolicyLabException">A file, key or value is wrong.</exception>
    public static (RunSettings Run, Hyperparameters Algorithm) Resolve(SettingsRequest request)
    {
        IReadOnlyList<KeyValuePair<string, string>> userFile = [];
        string? fileText = null;
        if (request.ConfigPath is not null) fileText = ConfigFile.ReadText(request.ConfigPath);
        var run = new RunSettings();
        // algo and env may come from a flat --config file when not given as flags.
        if (fileText is not null)
            foreach (KeyValuePair<string, string> kv in ConfigFile.Read(fileText, request.Environment ?? run.Environment, request.ConfigPath!))
                if (kv.Key is "algo" or "env") run.Set(kv.Key, kv.Value);
        if (request.Algorithm is not null) run.Algorithm = request.Algorithm;
        if (request.Environment is not null) run.Environment = request.Environment;
        AlgorithmInfo info = AlgorithmRegistry.Get(run.Algorithm);
        run.Algorithm = info.Name;
        if (fileText is not null && ConfigFile.Sections(fileText, request.ConfigPath!) is { Count: > 0 } sections
            && !sections.Contains(run.Environment) && !sections.Contains("default"))
            throw new PolicyLabException($"The configuration file '{request.ConfigPath}' has sections for {string.Join(", ", sections)} but none for {run.Environment} " +
                $"(and no 'default' section); add a '{run.Environment}:' section, or pick one of those environments with --env.");
        Hyperparameters algorithm = info.CreateSettings();

        if (DefaultConfig(info.Name) is string defaults)
            Apply(run, algorithm, ConfigFile.Read(defaults, run.Environment, $"configs/{info.Name}.yaml"), $"configs/{info.Name}.yaml");
        if (fileText is not null)
            Apply(run, algorithm, RlZooHyperparameters.Translate(ConfigFile.Read(fileText, run.Environment, request.ConfigPath!),
                key => run.Has(key) || algorithm.Has(key), request.ConfigPath!), request.ConfigPath!);
        var overrides = new List<KeyValuePair<string, string>>();
        foreach (string s in request.Overrides)
        {
            int eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new PolicyLabException($"--set expects key=value; got '{s}'.");
            overrides.Add(new(s[..eq].Trim(), s[(eq + 1)..].Trim()));
        }
        Apply(run, algorithm, overrides, "--set");
        CheckEnvironment(run); // unknown ids and arguments fail here, with suggestions
        if (algorithm is IFixesEnvironmentCount fixedCount)
        {
            bool explicitlySet = overrides.Any(kv => kv.Key == "n_envs")
                || (fileText is not null && ConfigFile.Read(fileText, run.Environment, request.ConfigPath!).Any(kv => kv.Key == "n_envs"));
            if (explicitlySet && run.EnvironmentCount != fixedCount.EnvironmentCount)
                throw new PolicyLabException($"{info.Name} needs n_envs = {fixedCount.EnvironmentCount} (one environment per episode of a batch); got n_envs = {run.EnvironmentCount}. Leave n_envs unset.");
            run.EnvironmentCount = fixedCount.EnvironmentCount;
        }
        if (request.Seed is long seed) run.Seed = seed;
        if (request.Steps is long steps) run.TotalSteps = steps;
        run.ThrowIfInvalid("run settings");
        algorithm.ThrowIfInvalid($"{info.Name} settings");
        return (run, algorithm);
    }

    /// <summary>The settings saved in a run folder's config.yaml.</summary>
    public static (RunSettings Run, Hyperparameters Algorithm) FromRunFolder(RunFolder folder)
    {
        string configPath = Path.Combine(folder.Path, RunFolder.ConfigFileName);
        string text = ConfigFile.ReadText(configPath);
        IReadOnlyList<KeyValuePair<string, string>> pairs = ConfigFile.Read(text, "", configPath);
        var run = new RunSettings();
        foreach (KeyValuePair<string, string> kv in pairs)
            if (kv.Key == "algo") run.Algorithm = kv.Value;
        Hyperparameters algorithm = AlgorithmRegistry.Get(run.Algorithm).CreateSettings();
        Apply(run, algorithm, pairs, Path.Combine(folder.Path, RunFolder.ConfigFileName));
        if (run.EnvironmentAssembly.Length > 0) Environments.EnvironmentAssemblies.Load(run.EnvironmentAssembly);
        return (run, algorithm);
    }

    /// <summary>Loads the run's environment assembly (if any), then checks that its environment id and arguments exist.</summary>
    private static void CheckEnvironment(RunSettings run)
    {
        if (run.EnvironmentAssembly.Length > 0)
        {
            run.EnvironmentAssembly = Path.GetFullPath(run.EnvironmentAssembly);
            Environments.EnvironmentAssemblies.Load(run.EnvironmentAssembly);
        }
        Environments.EnvironmentRegistry.Spec(run.Environment);
        if (run.EnvironmentArgumentValues() is { } arguments)
        {
            Environments.EnvironmentArguments.Validate(run.Environment, arguments);
            run.EnvironmentArguments = "{" + string.Join(", ", arguments.Select(kv => $"{kv.Key}: {Environments.EnvironmentArguments.FormatValue(kv.Value)}")) + "}";
        }
    }

    /// <summary>
    /// Settings a resumed run may change (RL Zoo's <c>-i model -n N</c> continues with a new budget): the budget, when
    /// to evaluate and checkpoint, what to log, and learning rates (so "lower the learning rate, then resume" works;
    /// a schedule such as <c>lin_0.001</c> is re-spread over the new budget). Everything else fixes the network, the
    /// data or the algorithm and would make the checkpoint's state meaningless.
    /// </summary>
    public static readonly IReadOnlySet<string> ChangeableOnResume = new HashSet<string>(StringComparer.Ordinal)
    {
        "n_timesteps", "eval_freq", "eval_episodes", "checkpoint_freq", "stop_at_threshold", "reward_threshold",
        "tensorboard", "render_every", "vec_env", "log_interval", "learning_rate", "vf_learning_rate", "threads",
        "save_replay_buffer", "max_grad_norm",
    };

    /// <summary>
    /// The settings of a run being resumed: its config.yaml, checked against the parameters recorded in the checkpoint
    /// (<paramref name="recorded"/>), then the requested changes (<c>--set</c> pairs and <c>--steps</c>, the new total
    /// budget). Returns the settings and the changes actually made (key → new value).
    /// </summary>
    /// <exception cref="PolicyLabException">config.yaml disagrees with the checkpoint, a change is not allowed on resume, or the new budget is not beyond the checkpoint.</exception>
    public static (RunSettings Run, Hyperparameters Algorithm, IReadOnlyList<KeyValuePair<string, string>> Changes) ForResume(
        RunFolder folder, IReadOnlyList<KeyValuePair<string, string>> recorded, long checkpointStep, IReadOnlyList<string> overrides, long? steps)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(overrides);
        (RunSettings run, Hyperparameters algorithm) = FromRunFolder(folder);
        string configPath = Path.Combine(folder.Path, RunFolder.ConfigFileName);
        var current = run.ToList().Concat(algorithm.ToList()).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        IReadOnlyList<KeyValuePair<string, string>> inFile = ConfigFile.Read(ConfigFile.ReadText(configPath), "", configPath);
        var missing = recorded.Where(kv => !inFile.Any(f => f.Key == kv.Key)).Select(kv => $"{kv.Key} is missing (the checkpoint has {kv.Value})").ToList();
        var mismatched = recorded.Where(kv => !ChangeableOnResume.Contains(kv.Key) && inFile.Any(f => f.Key == kv.Key)
                && current.TryGetValue(kv.Key, out string? v) && v != kv.Value)
            .Select(kv => $"{kv.Key} is {current[kv.Key]} in config.yaml but {kv.Value} in the checkpoint").ToList();
        if (missing.Count > 0 || mismatched.Count > 0)
            throw new PolicyLabException($"'{configPath}' does not match the settings recorded in checkpoint {checkpointStep}: " +
                string.Join("; ", [.. missing, .. mismatched]) +
                ". config.yaml was edited or damaged; restore those lines (the recorded values are in the checkpoint's log.json, under \"parameters\") " +
                "and pass changes that may be made on resume with --set or --steps instead.");

        var changes = new List<KeyValuePair<string, string>>();
        foreach (string s in overrides)
        {
            int eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new PolicyLabException($"--set expects key=value; got '{s}'.");
            changes.Add(new(s[..eq].Trim(), s[(eq + 1)..].Trim()));
        }
        var refused = changes.Select(kv => kv.Key).Where(k => !ChangeableOnResume.Contains(k)).Distinct().ToList();
        if (refused.Count > 0)
            throw new PolicyLabException($"--resume cannot change {string.Join(", ", refused)}: {(refused.Count == 1 ? "it fixes" : "they fix")} the network, the data or the algorithm " +
                $"the checkpoint was trained with. A resumed run may change {string.Join(", ", ChangeableOnResume.Order(StringComparer.Ordinal))}; start a new run to change the rest.");
        if (steps is long total) changes.Add(new("n_timesteps", total.ToString(CultureInfo.InvariantCulture)));
        Apply(run, algorithm, changes, "--set");
        run.ThrowIfInvalid("run settings");
        algorithm.ThrowIfInvalid($"{run.Algorithm} settings");
        if (changes.Any(kv => kv.Key == "n_timesteps") && run.TotalSteps <= checkpointStep)
            throw new PolicyLabException($"The new budget n_timesteps = {run.TotalSteps} is not beyond checkpoint {checkpointStep}; --steps (or n_timesteps) on resume is the new total, so pass more than {checkpointStep}.");
        var after = run.ToList().Concat(algorithm.ToList()).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        IReadOnlyList<KeyValuePair<string, string>> made = after.Where(kv => current.TryGetValue(kv.Key, out string? v) && v != kv.Value)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        return (run, algorithm, made);
    }

    /// <summary>The shipped tuned defaults for <paramref name="algorithm"/>, or null.</summary>
    public static string? DefaultConfig(string algorithm)
    {
        Assembly assembly = typeof(SettingsResolver).Assembly;
        using Stream? stream = assembly.GetManifestResourceStream($"PolicyLab.configs.{algorithm}.yaml");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Apply(RunSettings run, Hyperparameters algorithm, IEnumerable<KeyValuePair<string, string>> pairs, string source)
    {
        foreach ((string key, string value) in pairs)
        {
            if (run.Has(key)) run.Set(key, value);
            else if (algorithm.Has(key)) algorithm.Set(key, value);
            else
                throw new PolicyLabException($"{source}: unknown setting '{key}' for {run.Algorithm}.{NameSuggestions.DidYouMean(key, run.Keys.Concat(algorithm.Keys))} " +
                    $"Run `policylab train --algo {run.Algorithm} --list-settings` to see every setting.");
        }
    }
}
