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
        if (request.ConfigPath is not null)
        {
            if (!File.Exists(request.ConfigPath))
                throw new PolicyLabException($"The configuration file '{request.ConfigPath}' does not exist.");
            fileText = File.ReadAllText(request.ConfigPath);
        }
        var run = new RunSettings();
        // algo and env may come from a flat --config file when not given as flags.
        if (fileText is not null)
            foreach (KeyValuePair<string, string> kv in ConfigFile.Read(fileText, request.Environment ?? run.Environment, request.ConfigPath!))
                if (kv.Key is "algo" or "env") run.Set(kv.Key, kv.Value);
        if (request.Algorithm is not null) run.Algorithm = request.Algorithm;
        if (request.Environment is not null) run.Environment = request.Environment;
        AlgorithmInfo info = AlgorithmRegistry.Get(run.Algorithm);
        run.Algorithm = info.Name;
        Hyperparameters algorithm = info.CreateSettings();

        if (DefaultConfig(info.Name) is string defaults)
            Apply(run, algorithm, ConfigFile.Read(defaults, run.Environment, $"configs/{info.Name}.yaml"), $"configs/{info.Name}.yaml");
        if (fileText is not null)
            Apply(run, algorithm, ConfigFile.Read(fileText, run.Environment, request.ConfigPath!), request.ConfigPath!);
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
        string text = folder.ReadText(RunFolder.ConfigFileName);
        IReadOnlyList<KeyValuePair<string, string>> pairs = ConfigFile.Read(text, "", RunFolder.ConfigFileName);
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
