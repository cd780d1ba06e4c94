namespace PolicyLab;

/// <summary>"Did you mean …?" suggestions for mistyped names (ids, keys, algorithms).</summary>
public static class NameSuggestions
{
    /// <summary>Candidates within a small edit distance of <paramref name="name"/> (case-insensitive), closest first.</summary>
    public static IReadOnlyList<string> CloseMatches(string name, IEnumerable<string> candidates, int max = 5)
    {
        ArgumentNullException.ThrowIfNull(name);
        string lowered = name.ToLowerInvariant();
        int tolerance = Math.Max(2, lowered.Length / 3);
        return candidates
            .Select(candidate => (candidate, distance: EditDistance(lowered, candidate.ToLowerInvariant())))
            .Where(pair => pair.distance <= tolerance
                || (lowered.Length >= 3 && pair.candidate.Contains(lowered, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(pair => pair.distance)
            .ThenBy(pair => pair.candidate, StringComparer.Ordinal)
            .Select(pair => pair.candidate)
            .Take(max)
            .ToList();
    }

    /// <summary>" Did you mean 'x'?" (or "'x' or 'y'"), or an empty string when nothing is close.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        IReadOnlyList<string> close = CloseMatches(name, candidates, 3);
        return close.Count == 0 ? "" : $" Did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?";
    }

    /// <summary>The Levenshtein distance (insertions, deletions and substitutions each cost 1).</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
