using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;

namespace PolicyLab.TaskComplexity;

/// <summary>What reward the episodes of a PIC/POIC estimate sum.</summary>
public enum RewardMode
{
    /// <summary>The environment's own reward.</summary>
    Raw,
    /// <summary>Reward 1 every step (the return is the episode length).</summary>
    Constant,
    /// <summary>Reward drawn uniformly from [−1, 1] every step, independent of everything (a sanity check).</summary>
    Random,
}

/// <summary>How the returns of a PIC/POIC estimate are sampled.</summary>
public sealed record ReturnSamplingOptions
{
    /// <summary>Environment id.</summary>
    public required string Environment { get; init; }

    /// <summary>Policy samples N.</summary>
    public int Samples { get; init; } = 100;

    /// <summary>Episodes M per policy sample.</summary>
    public int Episodes { get; init; } = 100;

    /// <summary>The reward summed into the return.</summary>
    public RewardMode Reward { get; init; } = RewardMode.Raw;

    /// <summary>CleanRL's wrappers (clip action, normalize observation, clip ±10, normalize reward γ = 0.99, clip ±10);
    /// their running statistics are carried over the M episodes of one policy sample, which then run in order.</summary>
    public bool CleanRlSetup { get; init; }

    /// <summary>A projector: the policies act in its latent space.</summary>
    public ActionProjector? Projector { get; init; }

    /// <summary>The prior the policies are drawn from.</summary>
    public RandomPolicyPrior Prior { get; init; } = RandomPolicyPrior.Default;

    /// <summary>Worker threads (default: every core). Results do not depend on it.</summary>
    public int Threads { get; init; } = System.Environment.ProcessorCount;

    /// <summary>An episode of an environment without its own time limit that runs this long is an error.</summary>
    public int StepCap { get; init; } = 100_000;

    /// <summary>Where the episodes run: null in this process (on <see cref="Threads"/> threads), otherwise in units of
    /// consecutive policy samples on a cluster's workers. Results do not depend on it.</summary>
    public IReturnSampleUnits? Units { get; init; }
}

/// <summary>
/// Samples the return matrix R[i, j] of N prior policies × M episodes each. Policy i of seed s is drawn from the stream
/// <c>DeriveSeed(DeriveSeed(s, 11), i)</c>; episode j of policy i is reset with seed
/// <c>DeriveSeed(DeriveSeed(DeriveSeed(s, 12), i), j)</c> (and its random rewards come from a stream derived from that),
/// so every entry depends only on (s, i, j) and the matrix is the same for any thread count and order.
/// </summary>
public static class ReturnSampler
{
    /// <summary>Samples R (N × M, row i = policy i) for seed <paramref name="seed"/>.</summary>
    /// <param name="options">What to sample.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="progress">Called (from any thread) with the number of episodes just finished.</param>
    /// <param name="steps">Receives the total number of environment steps taken, when given.</param>
    /// <exception cref="PolicyLabException">Invalid counts, an unknown environment, an action space the prior cannot act in,
    /// or an episode that never ends.</exception>
    public static double[,] Sample(ReturnSamplingOptions options, ulong seed, Action<int>? progress = null, long[]? steps = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Samples < 2) throw new PolicyLabException($"PIC/POIC need at least 2 policy samples; got {options.Samples}.");
        if (options.Episodes < 1) throw new PolicyLabException($"PIC/POIC need at least 1 episode per policy sample; got {options.Episodes}.");
        if (options.Threads < 1) throw new PolicyLabException($"The thread count must be ≥ 1; got {options.Threads}.");
        int n = options.Samples, m = options.Episodes;
        var returns = new double[n, m];
        long totalSteps = 0;
        if (options.Units is { } units)
        {
            // Fail here, with this process's message, for an environment or action space the workers would refuse.
            using (IEnvironment probe = Make(options with { CleanRlSetup = false })) _ = RandomMlpPolicy.OutputSize(probe.ActionSpace);
            // About two units per worker slot, so a slow slot does not hold the matrix up; whole rows only (CleanRL's
            // statistics run through one sample's episodes in order).
            int size = Math.Max(1, (n + 2 * Math.Max(1, units.PreferredUnits) - 1) / (2 * Math.Max(1, units.PreferredUnits)));
            var ranges = new List<ReturnSampleRange>();
            for (int first = 0; first < n; first += size) ranges.Add(new ReturnSampleRange(first, Math.Min(size, n - first)));
            IReadOnlyList<ReturnRows> rows = units.Run(options, seed, ranges);
            if (rows.Count != ranges.Count)
                throw new PolicyLabException($"The cluster returned {rows.Count} results for {ranges.Count} units of policy samples; driver and workers disagree.");
            for (int u = 0; u < ranges.Count; u++)
            {
                (int first, int count) = ranges[u];
                if (rows[u].Returns.Length != count * m)
                    throw new PolicyLabException($"A unit of {count} policy samples × {m} episodes came back with {rows[u].Returns.Length} returns; driver and workers disagree.");
                for (int i = 0; i < count; i++)
                    for (int j = 0; j < m; j++) returns[first + i, j] = rows[u].Returns[i * m + j];
                totalSteps += rows[u].Steps;
                progress?.Invoke(count * m);
            }
        }
        else
        {
            ReturnRows all = SampleRows(options, seed, new ReturnSampleRange(0, n), progress);
            Buffer.BlockCopy(all.Returns, 0, returns, 0, n * m * sizeof(double));
            totalSteps = all.Steps;
        }
        if (steps is { Length: > 0 }) steps[0] = totalSteps;
        return returns;
    }

    /// <summary>
    /// Samples rows <c>range.First … range.First + range.Count − 1</c> of seed <paramref name="seed"/>'s return matrix in
    /// this process, on <see cref="ReturnSamplingOptions.Threads"/> threads (ignoring <see cref="ReturnSamplingOptions.Units"/>):
    /// the work of one unit on a cluster's worker, and of the whole matrix in-process. Row i is the same bits whichever
    /// range it is sampled in.
    /// </summary>
    /// <param name="options">What to sample.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="range">The policy samples.</param>
    /// <param name="progress">Called (from any thread) with the number of episodes just finished.</param>
    /// <exception cref="PolicyLabException">Invalid counts, an unknown environment, an action space the prior cannot act in,
    /// or an episode that never ends.</exception>
    public static ReturnRows SampleRows(ReturnSamplingOptions options, ulong seed, ReturnSampleRange range, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Episodes < 1) throw new PolicyLabException($"PIC/POIC need at least 1 episode per policy sample; got {options.Episodes}.");
        if (options.Threads < 1) throw new PolicyLabException($"The thread count must be ≥ 1; got {options.Threads}.");
        if (range.First < 0 || range.Count < 1) throw new PolicyLabException($"A range of policy samples needs first ≥ 0 and count ≥ 1; got {range.First} and {range.Count}.");
        int n = range.Count, m = options.Episodes, offset = range.First;
        RandomMlpPolicy[] policies;
        using (IEnvironment probe = Make(options with { CleanRlSetup = false }))
        {
            // The policy squashes into the bounds beneath CleanRL's ClipAction (which declares an unbounded box).
            int observationSize = probe.ObservationSpace.FlatSize;
            _ = RandomMlpPolicy.OutputSize(probe.ActionSpace); // fails early for unsupported action spaces
            ulong policySeed = Rng.DeriveSeed(seed, 11);
            policies = new RandomMlpPolicy[n];
            var space = probe.ActionSpace;
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
                i => policies[i] = options.Prior.Sample(observationSize, space, new Rng(Rng.DeriveSeed(policySeed, (ulong)(offset + i)))));
        }
        var returns = new double[n * m];
        ulong episodeSeeds = Rng.DeriveSeed(seed, 12);
        long totalSteps = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        if (options.CleanRlSetup)
        {
            Parallel.For(0, n, parallel, () => 0L, (i, _, count) =>
            {
                using var worker = new Worker(Make(options));
                for (int j = 0; j < m; j++)
                {
                    returns[i * m + j] = worker.Run(policies[i], EpisodeSeed(episodeSeeds, offset + i, j), options, ref count);
                    progress?.Invoke(1);
                }
                return count;
            }, count => Interlocked.Add(ref totalSteps, count));
        }
        else
        {
            Parallel.For(0, (long)n * m, parallel, () => (Worker: new Worker(Make(options)), Steps: 0L), (k, _, local) =>
            {
                int i = (int)(k / m), j = (int)(k % m);
                long count = local.Steps;
                returns[k] = local.Worker.Run(policies[i], EpisodeSeed(episodeSeeds, offset + i, j), options, ref count);
                progress?.Invoke(1);
                return (local.Worker, count);
            }, local =>
            {
                local.Worker.Dispose();
                Interlocked.Add(ref totalSteps, local.Steps);
            });
        }
        return new ReturnRows(returns, totalSteps);
    }

    private static ulong EpisodeSeed(ulong episodeSeeds, int sample, int episode) =>
        Rng.DeriveSeed(Rng.DeriveSeed(episodeSeeds, (ulong)sample), (ulong)episode);

    /// <summary>The environment one worker steps: the registered one, the projector (latent actions) and CleanRL's wrappers when asked.</summary>
    private static IEnvironment Make(ReturnSamplingOptions options)
    {
        IEnvironment env = EnvironmentRegistry.Make(options.Environment);
        try
        {
            if (options.Projector is { } projector) env = new LatentAction(env, projector);
            if (options.CleanRlSetup)
            {
                if (env.ActionSpace is Environments.Spaces.Box) env = new ClipAction(env);
                env = new NormalizeObservation(env);
                env = new NormalizeReward(env, gamma: 0.99);
            }
            return env;
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    private sealed class Worker(IEnvironment environment) : IDisposable
    {
        private readonly float[] _observation = new float[environment.ObservationSpace.FlatSize];
        private readonly float[] _action = new float[Math.Max(environment.ActionSpace.FlatSize, 1)];
        private double[] _scratch = [];

        public double Run(RandomMlpPolicy policy, ulong seed, ReturnSamplingOptions options, ref long steps)
        {
            if (_scratch.Length < policy.ScratchSize) _scratch = new double[policy.ScratchSize];
            environment.Reset(_observation, seed);
            Rng? rewards = options.Reward == RewardMode.Random ? new Rng(Rng.DeriveSeed(seed, 1)) : null;
            double total = 0;
            for (int t = 1; ; t++)
            {
                policy.Act(_observation, _action, _scratch);
                StepResult result = environment.Step(_action, _observation);
                total += options.Reward switch
                {
                    RewardMode.Constant => 1.0,
                    RewardMode.Random => rewards!.Uniform(-1, 1),
                    _ => result.Reward,
                };
                if (result.Done)
                {
                    steps += t;
                    return total;
                }
                if (t >= options.StepCap)
                    throw new PolicyLabException($"An episode of {options.Environment} ran {options.StepCap} steps without ending; PIC/POIC need episodes that end, so register the environment with a time limit (max_episode_steps).");
            }
        }

        public void Dispose() => environment.Dispose();
    }
}
