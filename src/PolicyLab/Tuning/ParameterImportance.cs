namespace PolicyLab.Tuning;

/// <summary>
/// How much of the objective's spread each parameter explains, by the correlation ratio η²: the complete trials are
/// grouped by the parameter's value — a categorical parameter by choice, a numeric one into four bins of equal
/// count by rank (the logarithm's rank is the value's), trials where a conditional parameter was inactive into one
/// more group — and η² = Σ_g n_g (ȳ_g − ȳ)² / Σ_i (y_i − ȳ)², the share of the objective's variance between the
/// groups. The importances are the η² scaled to sum to 1. Simple and model-free (no surrogate forest as in fANOVA),
/// and blind to interactions between parameters.
/// </summary>
public static class ParameterImportance
{
    /// <summary>Bins a numeric parameter is cut into.</summary>
    public const int NumericBins = 4;

    /// <summary>Parameter name → importance (summing to 1; all 0 when fewer than 2 complete trials or no spread), largest first.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Compute(SearchSpace space, IEnumerable<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete && t.Value is double v && double.IsFinite(v))];
        var eta = new Dictionary<string, double>(StringComparer.Ordinal);
        double mean = complete.Count > 0 ? complete.Average(t => t.Value!.Value) : 0;
        double total = complete.Sum(t => (t.Value!.Value - mean) * (t.Value!.Value - mean));
        foreach (SearchParameter p in space.Parameters)
        {
            if (complete.Count < 2 || total <= 0)
            {
                eta[p.Name] = 0;
                continue;
            }
            int[] group = Groups(p, complete);
            double between = 0;
            foreach (IGrouping<int, int> g in Enumerable.Range(0, complete.Count).GroupBy(i => group[i]))
            {
                double gm = g.Average(i => complete[i].Value!.Value);
                between += g.Count() * (gm - mean) * (gm - mean);
            }
            eta[p.Name] = between / total;
        }
        double sum = eta.Values.Sum();
        return [.. eta.Select(kv => new KeyValuePair<string, double>(kv.Key, sum > 0 ? kv.Value / sum : 0))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];
    }

    private static int[] Groups(SearchParameter p, List<TrialRecord> trials)
    {
        var group = new int[trials.Count];
        List<int> active = [.. Enumerable.Range(0, trials.Count).Where(i => trials[i].Parameters.ContainsKey(p.Name))];
        for (int i = 0; i < trials.Count; i++) group[i] = -1; // inactive
        if (p.Kind == ParameterKind.Categorical)
        {
            foreach (int i in active) group[i] = (int)trials[i].Parameters[p.Name];
            return group;
        }
        List<int> byValue = [.. active.OrderBy(i => trials[i].Parameters[p.Name]).ThenBy(i => i)];
        for (int r = 0; r < byValue.Count; r++) group[byValue[r]] = r * NumericBins / byValue.Count;
        return group;
    }
}
