using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.Numerics;

namespace PolicyLab.TaskComplexity;

/// <summary>One projector of a search with its POIC over the seeds.</summary>
/// <param name="Index">Position in the search (0-based).</param>
/// <param name="ProjectorSeed">The seed its weights were drawn from.</param>
/// <param name="Poic">POIC per seed.</param>
/// <param name="Eta">The best η per seed.</param>
/// <param name="Projector">The projector.</param>
public sealed record ProjectorCandidate(int Index, ulong ProjectorSeed, double[] Poic, double[] Eta, ActionProjector Projector)
{
    /// <summary>POIC over the seeds.</summary>
    public Spread Spread => Spread.Of(Poic);
}

/// <summary>The outcome of a projector search.</summary>
/// <param name="Candidates">Every projector, in search order.</param>
/// <param name="Best">The projector of highest mean POIC (the first on ties).</param>
/// <param name="Worst">The projector of lowest mean POIC (the first on ties).</param>
/// <param name="Steps">Environment steps taken.</param>
public sealed record ProjectorSearchResult(IReadOnlyList<ProjectorCandidate> Candidates, ProjectorCandidate Best, ProjectorCandidate Worst, long Steps);

/// <summary>
/// Random-weight guessing over projectors: P random projectors (projector p drawn from seed
/// <c>DeriveSeed(searchSeed, p)</c>), the POIC of the policies acting through each over K seeds, and the projectors
/// of best and worst mean POIC.
/// </summary>
public static class ProjectorSearch
{
    /// <summary>Runs the search.</summary>
    /// <param name="options">How returns are sampled (its projector is ignored: each candidate replaces it).</param>
    /// <param name="latentSize">L.</param>
    /// <param name="projectors">P.</param>
    /// <param name="seedCount">K seeds per projector (seeds firstSeed … firstSeed + K − 1, the same for every projector).</param>
    /// <param name="searchSeed">Seed of the projectors' weights.</param>
    /// <param name="firstSeed">The first POIC seed.</param>
    /// <param name="etaMin">Lower end of the temperature search.</param>
    /// <param name="etaMax">Upper end of the temperature search.</param>
    /// <param name="progress">Called (from any thread) with episodes just finished.</param>
    public static ProjectorSearchResult Run(ReturnSamplingOptions options, int latentSize, int projectors, int seedCount, ulong searchSeed = 0,
        long firstSeed = 0, double etaMin = InformationCapacity.DefaultEtaMin, double etaMax = InformationCapacity.DefaultEtaMax,
        Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (projectors < 1) throw new PolicyLabException($"The search needs at least one projector; got {projectors}.");
        InformationCapacity.ValidateEtaRange(etaMin, etaMax);
        Environments.Spaces.Space actionSpace;
        using (IEnvironment probe = EnvironmentRegistry.Make(options.Environment)) actionSpace = probe.ActionSpace;
        var candidates = new List<ProjectorCandidate>();
        long steps = 0;
        for (int p = 0; p < projectors; p++)
        {
            ulong seed = Rng.DeriveSeed(searchSeed, (ulong)p);
            ActionProjector projector = ActionProjector.Random(latentSize, actionSpace, seed);
            TaskComplexityReport report = TaskComplexityEstimator.Estimate(options with { Projector = projector }, seedCount, firstSeed,
                etaMin, etaMax, progress);
            steps += report.Steps;
            candidates.Add(new ProjectorCandidate(p, seed, report.Seeds.Select(s => s.Poic.Value).ToArray(),
                report.Seeds.Select(s => s.Poic.Eta).ToArray(), projector));
        }
        ProjectorCandidate best = candidates[0], worst = candidates[0];
        foreach (ProjectorCandidate c in candidates)
        {
            if (c.Spread.Mean > best.Spread.Mean) best = c;
            if (c.Spread.Mean < worst.Spread.Mean) worst = c;
        }
        return new ProjectorSearchResult(candidates, best, worst, steps);
    }
}
