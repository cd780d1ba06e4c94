using System.Globalization;

namespace PolicyLab.Environments.Highway;

/// <summary>The fixed policies of the agreement protocols.</summary>
public enum DrivingProtocol
{
    /// <summary>IDLE at every step (meta-actions).</summary>
    Idle,
    /// <summary>Uniformly random meta-actions.</summary>
    RandomMeta,
    /// <summary>ContinuousAction lateral only, zero steering.</summary>
    ZeroSteering,
    /// <summary>ContinuousAction lateral only, uniform random steering in [−1, 1].</summary>
    RandomSteering,
}

/// <summary>Chooses the action for an observation: a fixed protocol or a trained policy.</summary>
/// <param name="observation">The environment's observation.</param>
/// <param name="action">Receives the action (a meta-action index or the continuous action).</param>
public delegate void DrivingPolicy(ReadOnlySpan<float> observation, Span<float> action);

/// <summary>
/// Episode statistics of a driving environment under a policy over consecutive seeds: return, length, crashes,
/// truncations, final speed, whether the ego ended off the road (the figures of the agreement table with highway-env)
/// and the steps after which the ego was on the road.
/// </summary>
public sealed record DrivingEvaluation(double[] Returns, int[] Lengths, int Crashed, int Truncated, double[] FinalSpeeds, int EndedOffRoad,
    long OnRoadSteps)
{
    /// <summary>Fraction of all steps after which the ego was on the road.</summary>
    public double OnRoadFraction => (double)OnRoadSteps / Lengths.Sum(l => (long)l);

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

    /// <summary>Mean length in agent steps.</summary>
    public double MeanLength => Lengths.Average();

    /// <summary>Mean final speed (m/s).</summary>
    public double MeanFinalSpeed => FinalSpeeds.Average();

    /// <summary>
    /// Runs one episode per seed firstSeed, firstSeed + 1, … of <paramref name="id"/> with the protocol's policy
    /// (random actions drawn from a stream seeded with the episode's seed + 10⁶). The continuous protocols set
    /// <c>action</c> = ContinuousAction with lateral control only, unless the arguments already choose a
    /// ContinuousAction.
    /// </summary>
    public static DrivingEvaluation Run(string id, DrivingProtocol protocol, int episodes, int firstSeed = 0, IReadOnlyDictionary<string, object>? arguments = null)
    {
        var args = new Dictionary<string, object>(arguments ?? new Dictionary<string, object>(), StringComparer.Ordinal);
        bool continuous = protocol is DrivingProtocol.ZeroSteering or DrivingProtocol.RandomSteering;
        if (continuous && !IsContinuous(id, args))
        {
            args["action"] = "ContinuousAction";
            args["action.longitudinal"] = false;
            args["action.lateral"] = true;
        }
        int metaActions = 0;
        if (protocol == DrivingProtocol.RandomMeta)
        {
            using IEnvironment probe = EnvironmentRegistry.Make(id, args);
            metaActions = probe.ActionSpace is Spaces.Discrete d
                ? d.Count
                : throw new PolicyLabException($"{id}: random meta-actions need action = DiscreteMetaAction.");
        }
        return Run(id, seed =>
        {
            var rng = new Numerics.Rng((ulong)seed + 1_000_000UL);
            return protocol switch
            {
                DrivingProtocol.Idle => (_, action) => action[0] = 1,
                DrivingProtocol.RandomMeta => (_, action) => action[0] = rng.NextInt(metaActions),
                DrivingProtocol.ZeroSteering => (_, action) => action.Clear(),
                _ => (_, action) =>
                {
                    for (int i = 0; i < action.Length; i++)
                        action[i] = (float)rng.Uniform(-1, 1);
                },
            };
        }, episodes, firstSeed, args);
    }

    /// <summary>
    /// Runs one episode per seed firstSeed, firstSeed + 1, … of <paramref name="id"/>, acting with the policy that
    /// <paramref name="policyForEpisode"/> returns for the episode's seed.
    /// </summary>
    public static DrivingEvaluation Run(string id, Func<int, DrivingPolicy> policyForEpisode, int episodes, int firstSeed = 0,
        IReadOnlyDictionary<string, object>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(policyForEpisode);
        if (episodes <= 0)
            throw new PolicyLabException($"{id}: the number of episodes must be positive; got {episodes}.");
        var returns = new double[episodes];
        var lengths = new int[episodes];
        var speeds = new double[episodes];
        int crashed = 0, truncated = 0, offRoad = 0;
        long onRoadSteps = 0;
        using IEnvironment env = EnvironmentRegistry.Make(id, arguments);
        var driving = env.Unwrapped() as DrivingEnvironment
            ?? throw new PolicyLabException($"{id} is not a driving environment; the driving evaluation needs one of highway-v0, highway-fast-v0, merge-v0, roundabout-v0, racetrack-v0.");
        var obs = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        for (int e = 0; e < episodes; e++)
        {
            int seed = firstSeed + e;
            DrivingPolicy policy = policyForEpisode(seed);
            env.Reset(obs, seed: (ulong)seed);
            while (true)
            {
                policy(obs, action);
                StepResult r = env.Step(action, obs);
                returns[e] += r.Reward;
                lengths[e]++;
                if (driving.Road.OnRoad(driving.Ego)) onRoadSteps++;
                if (r.Done)
                {
                    if (driving.Ego.Crashed) crashed++;
                    if (r.Truncated) truncated++;
                    if (!driving.Road.OnRoad(driving.Ego)) offRoad++;
                    speeds[e] = driving.Ego.Speed;
                    break;
                }
            }
        }
        return new DrivingEvaluation(returns, lengths, crashed, truncated, speeds, offRoad, onRoadSteps);
    }

    private static bool IsContinuous(string id, IReadOnlyDictionary<string, object> arguments)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id, arguments);
        return env.ActionSpace is not Spaces.Discrete;
    }

    /// <summary>One table row: return mean ± std, mean length, crashes, mean final speed.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{MeanReturn:F2} ± {StdReturn:F2} | {MeanLength:F2} | {Crashed}/{Returns.Length} | {MeanFinalSpeed:F2} (truncated {Truncated}, ended off road {EndedOffRoad}, on road after {OnRoadFraction:P1} of the steps)");
}
