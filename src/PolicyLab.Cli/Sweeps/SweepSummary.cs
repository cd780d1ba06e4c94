using System.Globalization;
using System.Text;

namespace PolicyLab.Cli.Sweeps;

/// <summary>One grid point's result across its seeds.</summary>
/// <param name="Point">The grid point (empty for a seeds-only sweep).</param>
/// <param name="Label">The point as text ("" for a seeds-only sweep).</param>
/// <param name="Seeds">The seeds whose runs finished with a final evaluation.</param>
/// <param name="Finals">Their final evaluations' mean returns, in seed order.</param>
/// <param name="Failed">Runs of this point that failed or did not start.</param>
internal sealed record SweepGroup(IReadOnlyList<KeyValuePair<string, string>> Point, string Label, IReadOnlyList<long> Seeds, IReadOnlyList<double> Finals, int Failed)
{
    /// <summary>Mean across seeds of the final evaluation (NaN with none).</summary>
    public double Mean => Finals.Count > 0 ? Finals.Average() : double.NaN;

    /// <summary>Standard deviation across seeds (population, as numpy's default; 0 for one seed).</summary>
    public double Std
    {
        get
        {
            if (Finals.Count == 0) return double.NaN;
            double mean = Mean;
            return Math.Sqrt(Finals.Sum(f => (f - mean) * (f - mean)) / Finals.Count);
        }
    }
}

/// <summary>The table a sweep ends with: per grid point, the final evaluation's mean ± std across seeds.</summary>
internal static class SweepSummary
{
    /// <summary>The groups in plan order.</summary>
    public static List<SweepGroup> Groups(SweepPlan plan, IReadOnlyList<SweepOutcome> outcomes)
    {
        var groups = new List<SweepGroup>();
        foreach (IGrouping<string, SweepRun> point in plan.Runs.GroupBy(r => r.PointLabel, StringComparer.Ordinal))
        {
            var seeds = new List<long>();
            var finals = new List<double>();
            int failed = 0;
            foreach (SweepRun run in point)
            {
                SweepOutcome? o = outcomes.FirstOrDefault(x => x.Run == run);
                if (o?.MeanReturn is double m && double.IsFinite(m) && o.Error is null)
                {
                    seeds.Add(run.Seed);
                    finals.Add(m);
                }
                else failed++;
            }
            groups.Add(new SweepGroup(point.First().Point, point.Key, seeds, finals, failed));
        }
        return groups;
    }

    /// <summary>A Markdown table (also readable as plain text).</summary>
    public static string Table(SweepPlan plan, IReadOnlyList<SweepGroup> groups)
    {
        string[] header = [.. plan.Axes.Select(a => a.Key), "seeds", "final evaluation (mean ± std across seeds)", "min", "max"];
        var rows = groups.Select(g => (string[])[
            .. g.Point.Select(kv => kv.Value),
            g.Failed > 0 ? $"{g.Seeds.Count} ({g.Failed} failed)" : g.Seeds.Count.ToString(CultureInfo.InvariantCulture),
            g.Finals.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"{g.Mean:F2} ± {g.Std:F2}") : "-",
            g.Finals.Count > 0 ? g.Finals.Min().ToString("F2", CultureInfo.InvariantCulture) : "-",
            g.Finals.Count > 0 ? g.Finals.Max().ToString("F2", CultureInfo.InvariantCulture) : "-",
        ]).ToList();
        int[] widths = [.. header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length)))];
        var sb = new StringBuilder();
        void Row(string[] cells) => sb.Append("| ").AppendJoin(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).Append(" |\n");
        Row(header);
        sb.Append('|').AppendJoin('|', widths.Select(w => new string('-', w + 2))).Append("|\n");
        foreach (string[] r in rows) Row(r);
        return sb.ToString();
    }

    /// <summary>The groups as JSON values.</summary>
    public static List<Dictionary<string, object?>> Json(IReadOnlyList<SweepGroup> groups) =>
        [.. groups.Select(g => new Dictionary<string, object?>
        {
            ["point"] = g.Point.ToDictionary(kv => kv.Key, kv => kv.Value),
            ["seeds"] = g.Seeds,
            ["final_returns"] = g.Finals,
            ["mean_return"] = JsonOutput.Number(g.Mean),
            ["std_return"] = JsonOutput.Number(g.Std),
            ["failed"] = g.Failed,
        })];
}
