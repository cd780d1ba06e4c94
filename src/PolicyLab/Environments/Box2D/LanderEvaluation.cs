namespace PolicyLab.Environments.Box2D;

/// <summary>Returns, lengths and outcomes of LunarLander episodes run with a policy over consecutive seeds.</summary>
/// <param name="Returns">Undiscounted return of each episode.</param>
/// <param name="Lengths">Steps of each episode.</param>
/// <param name="Landed">Episodes that ended at rest (+100).</param>
/// <param name="Crashed">Episodes that ended with a hull contact.</param>
/// <param name="OutOfView">Episodes that ended with |x| ≥ 1.</param>
/// <param name="Truncated">Episodes cut by the time limit.</param>
public sealed record LanderEvaluation(double[] Returns, int[] Lengths, int Landed, int Crashed, int OutOfView, int Truncated)
{
    /// <summary>Mean return.</summary>
    public double MeanReturn => Returns.Average();

    /// <summary>Population standard deviation of the returns.</summary>
    public double StdReturn
    {
        get
        {
            double mean = MeanReturn;
            return Math.Sqrt(Returns.Select(r => (r - mean) * (r - mean)).Average());
        }
    }

    /// <summary>Mean episode length.</summary>
    public double MeanLength => Lengths.Average();

    /// <summary>
    /// Runs one episode of the registered <paramref name="id"/> (time limit included) per seed
    /// <paramref name="firstSeed"/>, <paramref name="firstSeed"/> + 1, …, acting with <paramref name="policyForSeed"/>(seed).
    /// </summary>
    public static LanderEvaluation Run(string id, Func<int, Action<ReadOnlySpan<float>, Span<float>>> policyForSeed, int episodes, int firstSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(policyForSeed);
        if (episodes <= 0)
            throw new PolicyLabException($"{id}: the number of episodes must be positive; got {episodes}.");
        var returns = new double[episodes];
        var lengths = new int[episodes];
        int landed = 0, crashed = 0, outOfView = 0, truncated = 0;
        for (int e = 0; e < episodes; e++)
        {
            using IEnvironment env = EnvironmentRegistry.Make(id);
            if (env.Unwrapped() is not LunarLander lander)
                throw new PolicyLabException($"'{id}' is not a LunarLander environment; use LunarLander-v3 or LunarLanderContinuous-v3.");
            var obs = new float[env.ObservationSpace.FlatSize];
            var action = new float[env.ActionSpace.FlatSize];
            int seed = firstSeed + e;
            env.Reset(obs, seed: (ulong)seed);
            Action<ReadOnlySpan<float>, Span<float>> policy = policyForSeed(seed);
            while (true)
            {
                policy(obs, action);
                StepResult r = env.Step(action, obs);
                returns[e] += r.Reward;
                lengths[e]++;
                if (r.Terminated)
                {
                    switch (lander.Outcome)
                    {
                        case LanderOutcome.Landed: landed++; break;
                        case LanderOutcome.Crashed: crashed++; break;
                        default: outOfView++; break;
                    }
                    break;
                }
                if (r.Truncated)
                {
                    truncated++;
                    break;
                }
            }
        }
        return new LanderEvaluation(returns, lengths, landed, crashed, outOfView, truncated);
    }

    /// <summary>Gymnasium's heuristic controller on <paramref name="id"/> over seeds firstSeed, firstSeed + 1, ….</summary>
    public static LanderEvaluation Heuristic(string id, int episodes, int firstSeed = 0)
    {
        bool continuous = id == "LunarLanderContinuous-v3";
        return Run(id, _ => LunarLanderHeuristic.Policy(continuous), episodes, firstSeed);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{MeanReturn:F1} ± {StdReturn:F1} over {Returns.Length} episodes (landed {Landed}, crashed {Crashed}, out of view {OutOfView}, truncated {Truncated}; mean length {MeanLength:F1})");
}
