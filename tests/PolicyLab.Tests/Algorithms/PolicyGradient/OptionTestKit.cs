using PolicyLab.Algorithms;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;
using PolicyLab.Training;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>What a few updates of an algorithm built by <see cref="OptionTestKit.Run{T}"/> did.</summary>
/// <param name="Before">The parameter store before the first update.</param>
/// <param name="After">The parameter store after the last update.</param>
/// <param name="Updates">Each update's diagnostics, in order.</param>
/// <param name="State">The algorithm's saved state after the last update (optimizer step counts, …).</param>
/// <param name="Policy">The trained policy (still readable after the algorithm is disposed).</param>
/// <param name="Trace">The value trace of the last rollout (copy 0's first episode), if the algorithm keeps one.</param>
internal sealed record OptionRun(float[] Before, float[] After, IReadOnlyList<UpdateDiagnostics> Updates, StateDictionary State,
    ActorCriticPolicy Policy, ValueTrace? Trace)
{
    /// <summary>The last update's diagnostics.</summary>
    public UpdateDiagnostics Last => Updates[^1];

    /// <summary>Length of the actor's prefix of the store.</summary>
    public int Actor => Policy.ActorParameterCount;

    /// <summary>The largest |after − before| over the actor's prefix.</summary>
    public double MaxActorChange => OptionTestKit.MaxChange(Before.AsSpan(..Actor), After.AsSpan(..Actor));

    /// <summary>The largest |after − before| over the critic.</summary>
    public double MaxCriticChange => OptionTestKit.MaxChange(Before.AsSpan(Actor..), After.AsSpan(Actor..));

    /// <summary>V(s) at <paramref name="rows"/> observations with the store set to <paramref name="parameters"/> (then put back to <see cref="After"/>).</summary>
    public float[] ValuesWith(float[] parameters, float[] observations, int rows)
    {
        parameters.CopyTo(Policy.Store.Values);
        var values = new float[rows];
        Policy.PredictValues(observations, rows, values);
        After.CopyTo(Policy.Store.Values);
        return values;
    }

    /// <summary>Mean |V_after(s) − V_before(s)| over random probe observations.</summary>
    public double MeanValueChange(int rows = 64)
    {
        float[] obs = OptionTestKit.ProbeObservations(rows, Policy.ObservationSize);
        float[] before = ValuesWith(Before, obs, rows), after = ValuesWith(After, obs, rows);
        return Enumerable.Range(0, rows).Average(i => Math.Abs((double)after[i] - before[i]));
    }

    /// <summary>Mean KL(π_before ‖ π_after) over random probe observations.</summary>
    public double MeanKlOnProbes(int rows = 64)
    {
        float[] obs = OptionTestKit.ProbeObservations(rows, Policy.ObservationSize);
        Before.CopyTo(Policy.Store.Values);
        var heads = new float[rows * Policy.HeadSize];
        Policy.Actor.Forward(obs, rows, heads);
        float[] logStd = Policy.LogStd?.Value.ToArray() ?? [];
        After.CopyTo(Policy.Store.Values);
        var tape = new Tape();
        Tensor o = tape.Constant(obs, new Shape(rows, Policy.ObservationSize));
        return Policy.OldDistribution(tape, heads, rows, logStd).Kl(Policy.DistributionAt(tape, o)).Mean().Item();
    }

    /// <summary>Optimizer steps the optimizer saved under <paramref name="key"/> has taken.</summary>
    public long OptimizerSteps(string key) => State.ReadScalarInt64($"{key}.step");
}

/// <summary>
/// The shared setup of the option tests: seeded environments, settings from <c>key=value</c> pairs (as
/// <c>--set</c> gives them), a fixed-seed algorithm run for a few updates outside the training loop.
/// </summary>
internal static class OptionTestKit
{
    /// <summary>Settings with their defaults, then <paramref name="pairs"/> applied (later wins).</summary>
    public static T Settings<T>(params string[] pairs) where T : Hyperparameters, new()
    {
        var settings = new T();
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            settings.Set(pair[..eq], pair[(eq + 1)..]);
        }
        return settings;
    }

    /// <summary>
    /// Builds an algorithm with <paramref name="create"/> on <paramref name="envs"/> copies of <paramref name="id"/>
    /// reset with <paramref name="seed"/>, the algorithm's stream seeded with <paramref name="algorithmSeed"/>, and runs
    /// <paramref name="updates"/> updates at progress <paramref name="progress"/>.
    /// </summary>
    public static OptionRun Run<T>(string id, Func<AlgorithmContext, T, Rng, OnPolicyAlgorithm> create, string[] pairs,
        int updates = 1, int envs = 2, ulong seed = 7, ulong algorithmSeed = 1, double progress = 0)
        where T : Hyperparameters, new()
    {
        using IVectorEnvironment env = TrainingEnvironments.Make(id, envs, VectorMode.Sync);
        env.Reset(seed);
        using OnPolicyAlgorithm algorithm = create(AlgorithmContext.For(env), Settings<T>(pairs), new Rng(algorithmSeed));
        float[] before = algorithm.Parameters.Values.ToArray();
        var all = new List<UpdateDiagnostics>();
        for (int i = 0; i < updates; i++)
        {
            var diagnostics = new UpdateDiagnostics();
            algorithm.Iterate(progress, diagnostics);
            all.Add(diagnostics);
        }
        var state = new StateDictionary();
        algorithm.SaveState(state);
        return new OptionRun(before, algorithm.Parameters.Values.ToArray(), all, state, algorithm.Policy, algorithm.LatestTrace());
    }

    /// <summary>Asserts |actual − expected| ≤ <paramref name="relative"/>·max(1, |expected|).</summary>
    public static void Near(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    /// <summary>The largest elementwise |b − a|.</summary>
    public static double MaxChange(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)b[i] - a[i]));
        return max;
    }

    /// <summary>Uniform random observations in [−<paramref name="scale"/>, <paramref name="scale"/>] to probe networks with.</summary>
    public static float[] ProbeObservations(int rows, int size, ulong seed = 42, float scale = 0.2f)
    {
        var obs = new float[rows * size];
        new Rng(seed).FillUniform(obs, -scale, scale);
        return obs;
    }
}
