using System.Diagnostics;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Numerics;

namespace PolicyLab.Cluster;

/// <summary>
/// Measurements behind <c>policylab bench cluster-es</c> (docs/cluster.md): the cost of one unit's trip through the
/// cluster (grain call and serialization, measured with units that evaluate nothing but carry the centre θ), the
/// in-process cost of one candidate and of the driver's ES update per candidate, and ES iterations on the cluster.
/// </summary>
public static class ClusterBenchmark
{
    /// <summary>Round trips, in µs, of <paramref name="calls"/> units of zero candidates sent one after another (each
    /// carries the job and a centre of <paramref name="dimension"/> floats, as a real ES unit does).</summary>
    public static double[] EmptyUnitMicroseconds(ClusterDriver driver, PopulationJob job, int dimension, int calls)
    {
        ArgumentNullException.ThrowIfNull(driver);
        PopulationJobMessage message = PopulationJobMessage.From("bench-" + Guid.NewGuid().ToString("N"), job, dimension);
        var center = new float[dimension];
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            var unit = new EvaluationUnit(message, i, 0, 0, null, center, 0.02f, 7);
            long start = Stopwatch.GetTimestamp();
            driver.RunAsync([unit]).GetAwaiter().GetResult();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return times;
    }

    /// <summary>Time per unit, in µs, of <paramref name="units"/> zero-candidate units handed to every free slot at once
    /// (the driver's throughput limit for dispatch when units cost nothing).</summary>
    public static double PipelinedEmptyUnitMicroseconds(ClusterDriver driver, PopulationJob job, int dimension, int units)
    {
        ArgumentNullException.ThrowIfNull(driver);
        PopulationJobMessage message = PopulationJobMessage.From("bench-" + Guid.NewGuid().ToString("N"), job, dimension);
        var center = new float[dimension];
        var all = Enumerable.Range(0, units).Select(i => new EvaluationUnit(message, i, 0, 0, null, center, 0.02f, 7)).ToList();
        long start = Stopwatch.GetTimestamp();
        driver.RunAsync(all).GetAwaiter().GetResult();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / units;
    }

    /// <summary>Seconds per ES iteration of <paramref name="pairs"/> antithetic pairs around a fixed centre, on
    /// <paramref name="evaluator"/> (a cluster's or the in-process one).</summary>
    public static double[] EsIterationSeconds(IPopulationEvaluator evaluator, PopulationJob job, int dimension, int pairs, int iterations, long firstIteration)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(job);
        var population = new Population(dimension);
        population.SetAntithetic(Center(dimension), 0.05f, 11, pairs);
        var returns = new double[2 * pairs * job.EpisodesPerCandidate];
        var lengths = new int[returns.Length];
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            evaluator.Evaluate(population, firstIteration + i, returns, lengths);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return times;
    }

    /// <summary>In-process µs of each of <paramref name="candidates"/> candidate evaluations (one thread), and their mean episode length.</summary>
    public static (double[] Microseconds, double MeanLength) CandidateMicroseconds(PopulationJob job, int dimension, int candidates)
    {
        ArgumentNullException.ThrowIfNull(job);
        using CandidateRunner runner = CandidateRunner.Create(job);
        var population = new Population(dimension);
        population.SetAntithetic(Center(dimension), 0.05f, 11, (candidates + 1) / 2);
        var returns = new double[candidates * job.EpisodesPerCandidate];
        var lengths = new int[returns.Length];
        var times = new double[candidates];
        for (int c = 0; c < candidates; c++)
        {
            long start = Stopwatch.GetTimestamp();
            runner.Evaluate(population, 0, c, returns, lengths);
            times[c] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return (times, lengths.Average());
    }

    /// <summary>The driver's ES update cost per antithetic pair, in µs: regenerating εᵢ from its seed and adding
    /// (F⁺ − F⁻)·εᵢ to the gradient (what the driver does serially for every pair of every iteration).</summary>
    public static double[] UpdateMicrosecondsPerPair(int dimension, int pairs)
    {
        var noise = new float[dimension];
        var gradient = new float[dimension];
        var rng = new Rng(0);
        var times = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            long start = Stopwatch.GetTimestamp();
            Population.Noise(11, p, noise, rng);
            float weight = 0.001f * (p % 7 - 3);
            for (int i = 0; i < dimension; i++) gradient[i] += weight * noise[i];
            times[p] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        GC.KeepAlive(gradient);
        return times;
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Projected ES efficiency on <paramref name="workers"/> one-slot workers, from measured costs (a calculation, not a
    /// simulation). Weak scaling as the driver splits the work: each worker gets 2 units of
    /// <paramref name="candidatesPerUnit"/> (k) candidates per iteration, so an iteration has 2·N·k candidates. A worker is
    /// busy 2k·candidate + 2·trip; the driver serially spends dispatch per unit (2N units) and update per pair (N·k
    /// pairs); T = max(worker, 2N·dispatch) + N·k·update, ideal = 2k·candidate.
    /// </summary>
    /// <returns>Ideal time over projected time per iteration, in (0, 1].</returns>
    public static double ProjectedEfficiency(int workers, double candidateUs, double unitTripUs, double dispatchUs, double updatePerPairUs, int candidatesPerUnit = 2)
    {
        double work = 2.0 * candidatesPerUnit * candidateUs;
        double worker = work + 2 * unitTripUs;
        double dispatch = 2.0 * workers * dispatchUs;
        double update = (double)workers * candidatesPerUnit * updatePerPairUs;
        return work / (Math.Max(worker, dispatch) + update);
    }

    private static float[] Center(int dimension)
    {
        var center = new float[dimension];
        new Rng(5).FillNormal(center);
        for (int i = 0; i < dimension; i++) center[i] *= 0.1f;
        return center;
    }
}
