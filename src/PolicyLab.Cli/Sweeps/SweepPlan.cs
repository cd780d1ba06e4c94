using System.Globalization;
using System.Text;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Cli.Sweeps;

/// <summary>One setting of a grid and the values it takes, in the order given.</summary>
/// <param name="Key">The setting (algo and env included).</param>
/// <param name="Values">Its values.</param>
internal sealed record GridAxis(string Key, IReadOnlyList<string> Values);

/// <summary>One run of a sweep: a grid point (one value per axis) and a seed.</summary>
/// <param name="Name">The sub-run folder's name, e.g. <c>learning_rate=0.001-seed3</c>.</param>
/// <param name="Point">The grid point's values, one per axis, in axis order.</param>
/// <param name="Seed">The run's seed.</param>
internal sealed record SweepRun(string Name, IReadOnlyList<KeyValuePair<string, string>> Point, long Seed)
{
    /// <summary>The grid point as text (<c>learning_rate=0.001, n_steps=64</c>), or "" when there is no grid.</summary>
    public string PointLabel => string.Join(", ", Point.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>
/// What <c>train --seeds 0..4 --set key=a,b,c</c> asks for: the cross product of every grid axis and every seed, each
/// run trained exactly as <c>train --seed S --set key=a</c> alone would train it.
/// </summary>
internal sealed class SweepPlan
{
    /// <summary>At most this many runs in one sweep (a typo such as 0..10000000 should not start a month of training).</summary>
    public const int MaxRuns = 10_000;

    private SweepPlan(IReadOnlyList<GridAxis> axes, IReadOnlyList<long> seeds, IReadOnlyList<string> fixedSets)
    {
        Axes = axes;
        Seeds = seeds;
        FixedSets = fixedSets;
        var runs = new List<SweepRun>();
        foreach (IReadOnlyList<KeyValuePair<string, string>> point in Points())
            foreach (long seed in seeds)
                runs.Add(new SweepRun(FolderName(point, seed), point, seed));
        Runs = runs;
    }

    /// <summary>The grid's axes (empty for a seeds-only sweep).</summary>
    public IReadOnlyList<GridAxis> Axes { get; }

    /// <summary>The seeds every grid point is trained with.</summary>
    public IReadOnlyList<long> Seeds { get; }

    /// <summary>The --set overrides that are the same for every run.</summary>
    public IReadOnlyList<string> FixedSets { get; }

    /// <summary>Every run, grid point by grid point, seeds in the order given.</summary>
    public IReadOnlyList<SweepRun> Runs { get; }

    /// <summary>
    /// The plan for <paramref name="seedsText"/> (null: the single <paramref name="seed"/>, default 0) and the --set
    /// overrides <paramref name="sets"/>, or null when neither asks for more than one run.
    /// </summary>
    /// <exception cref="PolicyLabException">The seeds or a grid are malformed.</exception>
    public static SweepPlan? From(string? seedsText, long? seed, IReadOnlyList<string> sets)
    {
        var axes = new List<GridAxis>();
        var fixedSets = new List<string>();
        foreach (string set in sets)
        {
            int eq = set.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                fixedSets.Add(set); // the resolver names the problem
                continue;
            }
            string key = set[..eq].Trim(), value = set[(eq + 1)..].Trim();
            List<string> values = SplitTopLevel(value);
            if (values.Count > 1 && !value.Contains('[', StringComparison.Ordinal) && IsListSetting(key))
                values = [value]; // policy_layers=64,64 is one list; a grid of lists brackets each: [64,64],[128,128]
            if (values.Count == 1)
            {
                fixedSets.Add(set);
                continue;
            }
            if (values.Any(v => v.Length == 0))
                throw new PolicyLabException($"--set {set}: a grid lists values separated by commas, and one of them is empty; write e.g. --set {key}=0.001,0.0003.");
            if (axes.Any(a => a.Key == key))
                throw new PolicyLabException($"--set {key} is given as a grid twice; list all its values in one --set {key}=a,b,c.");
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
                throw new PolicyLabException($"--set {set} lists a value twice; each grid value trains its own runs, so list each once.");
            if (key == "seed")
                throw new PolicyLabException("--set seed=a,b is not a grid: give the seeds with --seeds 0..4 or --seeds 0,3,7.");
            axes.Add(new GridAxis(key, values));
        }
        if (seedsText is not null && seed is not null)
            throw new PolicyLabException("--seed and --seeds exclude each other: --seed trains one run, --seeds 0..4 (or 0,3,7) one run per seed.");
        if (seedsText is null && axes.Count == 0) return null;
        IReadOnlyList<long> seeds = seedsText is null ? [seed ?? 0] : ParseSeeds(seedsText);
        long count = seeds.Count;
        foreach (GridAxis a in axes) count *= a.Values.Count;
        if (count > MaxRuns)
            throw new PolicyLabException($"The sweep would train {count:N0} runs (at most {MaxRuns:N0}); use fewer seeds or grid values.");
        return new SweepPlan(axes, seeds, fixedSets);
    }

    /// <summary>Parses <c>0..4</c> (inclusive), <c>0,3,7</c>, or a mix such as <c>0..2,10</c>.</summary>
    /// <exception cref="PolicyLabException">Malformed, negative, repeated or too many seeds.</exception>
    public static IReadOnlyList<long> ParseSeeds(string text)
    {
        var seeds = new List<long>();
        string Help() => $"--seeds takes a range or a list, e.g. --seeds 0..4 (seeds 0 to 4) or --seeds 0,3,7; got '{text}'.";
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int dots = part.IndexOf("..", StringComparison.Ordinal);
            if (dots >= 0)
            {
                long first = ParseSeed(part[..dots], Help), last = ParseSeed(part[(dots + 2)..], Help);
                if (last < first) throw new PolicyLabException($"--seeds {part}: the range ends before it starts; write it low..high, e.g. 0..4.");
                if (last - first >= MaxRuns) throw new PolicyLabException($"--seeds {part} names {last - first + 1:N0} seeds (at most {MaxRuns:N0}).");
                for (long s = first; s <= last; s++) seeds.Add(s);
            }
            else seeds.Add(ParseSeed(part, Help));
        }
        if (seeds.Distinct().Count() != seeds.Count)
            throw new PolicyLabException($"--seeds {text} names a seed twice; a seed trains the same run each time, so list each once.");
        return seeds;
    }

    private static long ParseSeed(string text, Func<string> help)
    {
        if (text.Length == 0) throw new PolicyLabException(help());
        if (!WholeNumber.TryParse(text, out long seed, out string? error, 0, WholeNumber.MaxExact))
            throw new PolicyLabException($"--seeds: {error} ({help()})");
        return seed;
    }

    /// <summary>Splits at the commas outside brackets, parentheses and braces: <c>[64,64],[128,128]</c> → two values.</summary>
    public static List<string> SplitTopLevel(string value)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c is '[' or '(' or '{') depth++;
            else if (c is ']' or ')' or '}') depth = Math.Max(0, depth - 1);
            else if (c == ',' && depth == 0)
            {
                parts.Add(value[start..i].Trim());
                start = i + 1;
            }
        }
        parts.Add(value[start..].Trim());
        return parts;
    }

    /// <summary>Whether <paramref name="key"/> holds a list in some algorithm's settings (policy_layers, q_layers, …).</summary>
    private static bool IsListSetting(string key)
    {
        if (new RunSettings().Has(key)) return new RunSettings().Get(key).StartsWith('[');
        foreach (string name in AlgorithmRegistry.Names)
        {
            Hyperparameters settings = AlgorithmRegistry.Get(name).CreateSettings();
            if (settings.Has(key)) return settings.Get(key).StartsWith('[');
        }
        return false;
    }

    private IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> Points()
    {
        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> points = [[]];
        foreach (GridAxis axis in Axes)
            points = points.SelectMany(p => axis.Values.Select(v => (IReadOnlyList<KeyValuePair<string, string>>)[.. p, new(axis.Key, v)])).ToList();
        return points;
    }

    private static string FolderName(IReadOnlyList<KeyValuePair<string, string>> point, long seed)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, string> kv in point)
        {
            sb.Append(kv.Key).Append('=');
            foreach (char c in kv.Value) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' or '_' ? c : '_');
            sb.Append('-');
        }
        return sb.Append(CultureInfo.InvariantCulture, $"seed{seed}").ToString();
    }
}
