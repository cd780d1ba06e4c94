namespace PolicyLab.TaskComplexity;

/// <summary>Policy samples first … first + count − 1 of one seed's return matrix: one unit of sampling work.</summary>
/// <param name="First">The first policy sample.</param>
/// <param name="Count">How many consecutive policy samples.</param>
public readonly record struct ReturnSampleRange(int First, int Count);

/// <summary>The returns of a <see cref="ReturnSampleRange"/>: row-major, (i − first)·M + j for sample i and episode j,
/// and the environment steps its episodes took.</summary>
/// <param name="Returns">count × M returns.</param>
/// <param name="Steps">Environment steps.</param>
public sealed record ReturnRows(double[] Returns, long Steps);

/// <summary>
/// Where the episodes of a return matrix go when they leave this process (PolicyLab.Cluster runs them on its workers).
/// A row depends only on the options, the seed and the sample's index, so every implementation gives the bits
/// <see cref="ReturnSampler.SampleRows"/> gives in-process.
/// </summary>
public interface IReturnSampleUnits
{
    /// <summary>How many units the work would best be split into (e.g. the workers' slots).</summary>
    int PreferredUnits { get; }

    /// <summary>Samples every range of <paramref name="seed"/>'s matrix; result k belongs to range k.</summary>
    /// <exception cref="PolicyLabException">The work could not be done (no workers, a unit that failed).</exception>
    IReadOnlyList<ReturnRows> Run(ReturnSamplingOptions options, ulong seed, IReadOnlyList<ReturnSampleRange> ranges);
}
