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

/// <summary>
/// Episode statistics of a driving environment under a fixed policy over consecutive seeds: return, length, crashes,
/// truncations, final speed and whether the ego ended off the road (the figures of the agreement table with highway-env).
/// </summary>
public sealed record DrivingEvaluation(double[] Returns, int[] Lengths, int Crashed, int Truncated, double[] FinalSpeeds, int EndedOffRoad)
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

    /// <summary>Mean length in agent steps.</summary>
    public double MeanLength => Lengths.Average();

    /// <summary>Mean final speed (m/s).</summary>
    public double MeanFinalSpeed => FinalSpeeds.Average();

    /// <summary>
    /// Runs one episode per seed firstSeed, firstSeed + 1, … of <paramref name="id"/> with the protocol's policy
    /// (random actions drawn from a stream seeded with the episode's seed + 10⁶). The continuous protocols set
    /// <c>action</c> = ContinuousAction with lateral control only.
    /// </summary>
    public static DrivingEvaluation Run(string id, DrivingProtocol protocol, int episodes, int firstSeed = 0, IReadOnlyDictionary<string, object>? arguments = null)
    {
        if (episodes <= 0)
            throw new PolicyLabException($"{id}: the number of episodes must be positive; got {episodes}.");
        var args = new Dictionary<string, object>(arguments ?? new Dictionary<string, object>(), StringComparer.Ordinal);
        bool continuous = protocol is DrivingProtocol.ZeroSteering or DrivingProtocol.RandomSteering;
        if (continuous)
        {
            args["action"] = "ContinuousAction";
            args["action.longitudinal"] = false;
            args["action.lateral"] = true;
        }
        var returns = new double[episodes];
        var lengths = new int[episodes];
        var speeds = new double[episodes];
        int crashed = 0, truncated = 0, offRoad = 0;
        using IEnvironment env = EnvironmentRegistry.Make(id, args);
        var driving = (DrivingEnvironment)env.Unwrapped();
        var obs = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        for (int e = 0; e < episodes; e++)
        {
            int seed = firstSeed + e;
            var rng = new Numerics.Rng((ulong)seed + 1_000_000UL);
            env.Reset(obs, seed: (ulong)seed);
            while (true)
            {
                action[0] = protocol switch
                {
                    DrivingProtocol.Idle => 1,
                    DrivingProtocol.RandomMeta => rng.NextInt(((Spaces.Discrete)env.ActionSpace).Count),
                    DrivingProtocol.ZeroSteering => 0,
                    _ => (float)rng.Uniform(-1, 1),
                };
                StepResult r = env.Step(action, obs);
                returns[e] += r.Reward;
                lengths[e]++;
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
        return new DrivingEvaluation(returns, lengths, crashed, truncated, speeds, offRoad);
    }

    /// <summary>One table row: return mean ± std, mean length, crashes, mean final speed.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{MeanReturn:F2} ± {StdReturn:F2} | {MeanLength:F2} | {Crashed}/{Returns.Length} | {MeanFinalSpeed:F2} (truncated {Truncated}, ended off road {EndedOffRoad})");
}
