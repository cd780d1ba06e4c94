using PolicyLab.Environments;

namespace PolicyLab.Tests.Environments.MinAtar;

/// <summary>Rewards, flags and observations of a registered MinAtar game under uniform random actions (resetting at
/// the end of each episode), for determinism tests.</summary>
internal static class MinAtarTrace
{
    public static List<float> Record(string id, ulong seed, int steps = 600)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        int actions = ((PolicyLab.Environments.Spaces.Discrete)env.ActionSpace).Count;
        var obs = new float[env.ObservationSpace.FlatSize];
        var trace = new List<float>();
        env.Reset(obs, seed);
        var rng = new PolicyLab.Numerics.Rng(seed + 100);
        for (int t = 0; t < steps; t++)
        {
            StepResult r = env.Step([rng.NextInt(actions)], obs);
            trace.Add((float)r.Reward);
            trace.Add(r.Terminated ? 1 : r.Truncated ? 2 : 0);
            trace.AddRange(obs);
            if (r.Done) env.Reset(obs);
        }
        return trace;
    }
}
