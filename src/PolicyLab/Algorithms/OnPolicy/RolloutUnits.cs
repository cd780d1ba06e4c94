using System.Diagnostics;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// Everything a worker in another process needs, besides one unit's <see cref="RolloutUnitRequest"/>, to collect its
/// copies' part of an on-policy rollout exactly as the driver would: the environment (registered id and arguments),
/// the policy's architecture, the rollout length and what the buffer keeps.
/// </summary>
/// <param name="EnvironmentId">Registered environment id.</param>
/// <param name="EnvironmentArguments">The run's env_kwargs text ("" for none).</param>
/// <param name="Networks">The policy's networks (their initialization does not matter: the weights travel with every unit).</param>
/// <param name="Steps">Steps per copy per rollout (n_steps).</param>
/// <param name="HeadSize">Actor outputs kept per step (0: none).</param>
/// <param name="MaskSize">Action-mask flags kept per step (0: none).</param>
/// <param name="Copies">Environment copies of the whole rollout (n_envs).</param>
/// <param name="ParameterCount">Floats of the policy's weights (a check that driver and worker built the same networks).</param>
public sealed record RolloutJob(string EnvironmentId, string EnvironmentArguments, PolicyNetworkSettings Networks, int Steps,
    int HeadSize, int MaskSize, int Copies, int ParameterCount);

/// <summary>
/// One unit of rollout work: copies First..First + Count − 1 of one rollout, continued from their saved states with the
/// policy's current weights. Copy i samples its actions from the stream seeded DeriveSeed(Seed, i), Seed being drawn
/// once per rollout from the algorithm's stream, so a unit's result depends on nothing but the request.
/// </summary>
/// <param name="First">The unit's first copy.</param>
/// <param name="Count">Copies in the unit.</param>
/// <param name="Seed">The rollout's seed.</param>
/// <param name="Gamma">Discount γ (truncated episodes bootstrap with γ·V).</param>
/// <param name="RewardTemperature">T of the annealing regularization (rewards become R − T·log π).</param>
/// <param name="Weights">The policy's weights (the store's flat values).</param>
/// <param name="CopyStates">The copies' states (<see cref="VectorEnvironmentBase.SaveCopyState"/> under "copy.j" for unit copy j) as safetensors bytes.</param>
public sealed record RolloutUnitRequest(int First, int Count, ulong Seed, float Gamma, float RewardTemperature, float[] Weights, byte[] CopyStates);

/// <summary>
/// A unit's part of the rollout, laid out as a <see cref="RolloutBuffer"/> of Count copies (row t·Count + j for step t of
/// unit copy j), with what the driver needs to count the steps and episodes (raw rewards and end flags) and the copies'
/// states after the last step.
/// </summary>
/// <param name="Observations">[T·Count, obs].</param>
/// <param name="Actions">[T·Count, act].</param>
/// <param name="Rewards">Rewards as the buffer keeps them, [T·Count].</param>
/// <param name="Dones">[T·Count].</param>
/// <param name="Values">[T·Count].</param>
/// <param name="LogProbs">[T·Count].</param>
/// <param name="LastValues">[Count].</param>
/// <param name="Heads">[T·Count, head] (empty when not kept).</param>
/// <param name="ActionMasks">[T·Count, mask] (empty when not kept).</param>
/// <param name="RawRewards">The environments' own rewards, [T·Count].</param>
/// <param name="Ends">Per step and copy: bit 0 terminated, bit 1 truncated, [T·Count].</param>
/// <param name="CopyStates">The copies' states after the last step, as in the request.</param>
/// <param name="ComputeMicroseconds">Time the worker spent on the unit (for the overhead figures).</param>
public sealed record RolloutUnitResult(float[] Observations, float[] Actions, float[] Rewards, float[] Dones, float[] Values, float[] LogProbs,
    float[] LastValues, float[] Heads, float[] ActionMasks, double[] RawRewards, byte[] Ends, byte[] CopyStates, long ComputeMicroseconds);

/// <summary>
/// Runs rollout units somewhere else (remote workers: PolicyLab.Cluster); every unit's result depends only on its request,
/// so any implementation, any split of the copies into units and any number of workers give the same numbers.
/// </summary>
public interface IRolloutUnits : IDisposable
{
    /// <summary>How many units a rollout is best split into now (e.g. the workers' slots).</summary>
    int PreferredUnits { get; }

    /// <summary>Runs every unit; results in the order of <paramref name="units"/>.</summary>
    /// <exception cref="PolicyLabException">A unit failed, or no worker is left.</exception>
    IReadOnlyList<RolloutUnitResult> Run(IReadOnlyList<RolloutUnitRequest> units);
}

/// <summary>The per-copy random streams of rollouts that can be split among workers.</summary>
public static class RolloutStreams
{
    /// <summary>Reseeds stream j with DeriveSeed(<paramref name="rolloutSeed"/>, <paramref name="first"/> + j): copy
    /// first + j's stream for this rollout, wherever it is collected.</summary>
    public static void Seed(Rng[] streams, ulong rolloutSeed, int first)
    {
        ArgumentNullException.ThrowIfNull(streams);
        for (int j = 0; j < streams.Length; j++) streams[j].Reseed(Rng.DeriveSeed(rolloutSeed, (ulong)(first + j)));
    }

    /// <summary><paramref name="count"/> streams (to be seeded with <see cref="Seed"/>).</summary>
    public static Rng[] Create(int count)
    {
        var streams = new Rng[count];
        for (int j = 0; j < count; j++) streams[j] = new Rng(0);
        return streams;
    }
}

/// <summary>
/// A worker's side of rollout units: a group of environment copies and a policy copy that continue the driver's copies
/// from their saved states, with the same <see cref="RolloutCollector"/> the driver uses in-process.
/// </summary>
public sealed class RolloutUnitRunner : IDisposable
{
    private readonly RolloutJob _job;
    private readonly SyncVectorEnvironment _copies;
    private readonly StepLog _log;
    private readonly ActorCriticPolicy _policy;
    private readonly RolloutCollector _collector;
    private readonly Rng[] _streams;
    private readonly Rng _unused = new(0);

    /// <summary>Builds <paramref name="count"/> copies of the job's environment and a policy of its architecture.</summary>
    public RolloutUnitRunner(RolloutJob job, int count)
    {
        ArgumentNullException.ThrowIfNull(job);
        _job = job;
        var arguments = EnvironmentArguments.Parse(job.EnvironmentArguments, "env_kwargs");
        _copies = new SyncVectorEnvironment(job.EnvironmentId, count, arguments is { Count: > 0 } ? arguments : null);
        _log = new StepLog(_copies, job.Steps);
        _policy = new ActorCriticPolicy(_copies.SingleObservationSpace, _copies.SingleActionSpace, job.Networks, new Rng(0));
        if (_policy.Store.Count != job.ParameterCount)
            throw new PolicyLabException($"The driver's policy has {job.ParameterCount} parameters but this worker's has {_policy.Store.Count}; driver and worker disagree on the environment or network.");
        _collector = new RolloutCollector(_log, _policy);
        _streams = RolloutStreams.Create(count);
    }

    /// <summary>Copies in a unit this runner collects.</summary>
    public int Count => _copies.Count;

    /// <summary>Collects one unit.</summary>
    public RolloutUnitResult Run(RolloutUnitRequest unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var clock = Stopwatch.StartNew();
        if (unit.Count != Count)
            throw new ArgumentException($"This runner collects units of {Count} copies; the unit has {unit.Count}.", nameof(unit));
        if (unit.Weights.Length != _policy.Store.Count)
            throw new PolicyLabException($"The unit carries {unit.Weights.Length} weights but this worker's policy has {_policy.Store.Count}; driver and worker disagree on the environment or network.");
        unit.Weights.CopyTo(_policy.Store.Values);
        StateDictionary states = StateDictionary.FromBytes(unit.CopyStates, "a rollout unit's environment states");
        for (int j = 0; j < Count; j++) _copies.LoadCopyState(j, states, CopyPrefix(j));
        RolloutStreams.Seed(_streams, unit.Seed, unit.First);

        var buffer = new RolloutBuffer(_job.Steps, Count, _policy.ObservationSize, _policy.ActionSize, _job.HeadSize, _job.MaskSize);
        _log.Start();
        _collector.Collect(buffer, unit.Gamma, _unused, unit.RewardTemperature, _streams);

        var after = new StateDictionary();
        for (int j = 0; j < Count; j++) _copies.SaveCopyState(j, after, CopyPrefix(j));
        return new RolloutUnitResult(buffer.Observations, buffer.Actions, buffer.Rewards, buffer.Dones, buffer.Values, buffer.LogProbs,
            buffer.LastValues, buffer.Heads, buffer.ActionMasks, _log.RawRewards.ToArray(), _log.Ends.ToArray(), after.ToBytes(),
            clock.Elapsed.Ticks / (TimeSpan.TicksPerMillisecond / 1000));
    }

    /// <summary>The prefix under which unit copy <paramref name="j"/>'s state travels.</summary>
    public static string CopyPrefix(int j) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"copy.{j}");

    /// <inheritdoc/>
    public void Dispose() => _log.Dispose();

    /// <summary>Keeps the raw rewards and end flags of every step (the driver counts steps and episodes from them).</summary>
    private sealed class StepLog(IVectorEnvironment inner, int steps) : VectorEnvironmentWrapper(inner)
    {
        private int _step;

        public double[] RawRewards { get; } = new double[steps * inner.Count];

        public byte[] Ends { get; } = new byte[steps * inner.Count];

        public void Start() => _step = 0;

        public override void Step(ReadOnlySpan<float> actions)
        {
            Inner.Step(actions);
            int n = Count, row = _step * n;
            double[] rewards = Inner.Rewards;
            bool[] terminated = Inner.Terminated, truncated = Inner.Truncated;
            for (int i = 0; i < n; i++)
            {
                RawRewards[row + i] = rewards[i];
                Ends[row + i] = (byte)((terminated[i] ? 1 : 0) | (truncated[i] ? 2 : 0));
            }
            _step++;
        }
    }
}

/// <summary>
/// The driver's side of a rollout split into units: saves the copies' states, hands the units to
/// <see cref="IRolloutUnits"/>, and puts the results back as if the copies had been stepped here — the buffer rows,
/// the step and episode counts (step by step, copy by copy, as <see cref="VectorEpisodeStatistics"/> counts them in
/// process) and the copies' new states, so checkpoints and the next rollout continue from them.
/// </summary>
internal sealed class DistributedRollout : IDisposable
{
    private readonly IRolloutUnits _units;
    private readonly VectorEpisodeStatistics _statistics;
    private readonly VectorEnvironmentBase _copies;
    private readonly ActorCriticPolicy _policy;

    public DistributedRollout(IVectorEnvironment environment, ActorCriticPolicy policy, RolloutJob job, IScaleOut scaleOut)
    {
        if (environment is not VectorEpisodeStatistics { Inner: VectorEnvironmentBase copies } statistics)
            throw new PolicyLabException("On a cluster, on-policy rollouts need the plain environment stack: observation and reward normalization " +
                "(normalize, normalize_reward) and latent actions are not distributed yet. Train without them, or without --cluster.");
        for (int i = 0; i < copies.Count; i++)
            if (!copies.CanSaveCopyState(i))
                throw new PolicyLabException($"The environment {job.EnvironmentId} cannot save its state, so its copies cannot move between cluster workers; train it without --cluster.");
        (_statistics, _copies, _policy) = (statistics, copies, policy);
        _units = scaleOut.CreateRolloutUnits(job);
    }

    /// <summary>Collects one rollout of every copy into <paramref name="buffer"/>.</summary>
    public void Collect(RolloutBuffer buffer, ulong seed, float gamma, float rewardTemperature)
    {
        int n = buffer.Environments, steps = buffer.Steps;
        int units = Math.Clamp(_units.PreferredUnits, 1, n);
        float[] weights = _policy.Store.Values.ToArray();
        var requests = new List<RolloutUnitRequest>(units);
        for (int u = 0; u < units; u++)
        {
            int first = u * n / units, count = (u + 1) * n / units - first;
            var states = new StateDictionary();
            for (int j = 0; j < count; j++) _copies.SaveCopyState(first + j, states, RolloutUnitRunner.CopyPrefix(j));
            requests.Add(new RolloutUnitRequest(first, count, seed, gamma, rewardTemperature, weights, states.ToBytes()));
        }
        IReadOnlyList<RolloutUnitResult> results = _units.Run(requests);

        for (int u = 0; u < units; u++) Scatter(buffer, requests[u], results[u]);
        var rewards = new double[n];
        var terminated = new bool[n];
        var truncated = new bool[n];
        for (int t = 0; t < steps; t++)
        {
            for (int u = 0; u < units; u++)
            {
                (int first, int count) = (requests[u].First, requests[u].Count);
                RolloutUnitResult r = results[u];
                for (int j = 0; j < count; j++)
                {
                    rewards[first + j] = r.RawRewards[t * count + j];
                    terminated[first + j] = (r.Ends[t * count + j] & 1) != 0;
                    truncated[first + j] = (r.Ends[t * count + j] & 2) != 0;
                }
            }
            _statistics.CountStep(rewards, terminated, truncated);
        }
        for (int u = 0; u < units; u++)
        {
            StateDictionary states = StateDictionary.FromBytes(results[u].CopyStates, "a rollout unit's result");
            for (int j = 0; j < requests[u].Count; j++) _copies.LoadCopyState(requests[u].First + j, states, RolloutUnitRunner.CopyPrefix(j));
        }
    }

    private static void Scatter(RolloutBuffer buffer, RolloutUnitRequest unit, RolloutUnitResult r)
    {
        int n = buffer.Environments, k = unit.Count, obs = buffer.ObservationSize, act = buffer.ActionSize, head = buffer.HeadSize, mask = buffer.MaskSize;
        if (r.Rewards.Length != buffer.Steps * k || r.Observations.Length != buffer.Steps * k * obs)
            throw new PolicyLabException($"A rollout unit came back with {r.Rewards.Length} steps where {buffer.Steps * k} were asked for; driver and worker disagree on the run.");
        for (int t = 0; t < buffer.Steps; t++)
        {
            int from = t * k, to = t * n + unit.First;
            r.Observations.AsSpan(from * obs, k * obs).CopyTo(buffer.Observations.AsSpan(to * obs, k * obs));
            r.Actions.AsSpan(from * act, k * act).CopyTo(buffer.Actions.AsSpan(to * act, k * act));
            r.Rewards.AsSpan(from, k).CopyTo(buffer.Rewards.AsSpan(to, k));
            r.Dones.AsSpan(from, k).CopyTo(buffer.Dones.AsSpan(to, k));
            r.Values.AsSpan(from, k).CopyTo(buffer.Values.AsSpan(to, k));
            r.LogProbs.AsSpan(from, k).CopyTo(buffer.LogProbs.AsSpan(to, k));
            if (head > 0) r.Heads.AsSpan(from * head, k * head).CopyTo(buffer.Heads.AsSpan(to * head, k * head));
            if (mask > 0) r.ActionMasks.AsSpan(from * mask, k * mask).CopyTo(buffer.ActionMasks.AsSpan(to * mask, k * mask));
        }
        r.LastValues.AsSpan(0, k).CopyTo(buffer.LastValues.AsSpan(unit.First, k));
    }

    public void Dispose() => _units.Dispose();
}
