using PolicyLab.Algorithms.Policies;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// Runs an actor-critic policy in vector environments and fills a <see cref="RolloutBuffer"/>. When an
/// episode is truncated (time limit) rather than terminated, γ·V(final observation) is added to that
/// step's reward, so returns bootstrap on truncation and never on termination. Allocates nothing per step.
/// </summary>
public sealed class RolloutCollector
{
    private readonly IVectorEnvironment _env;
    private readonly ActorCriticPolicy _policy;
    private readonly float[] _actions, _envActions, _logProbs, _values, _finalValue = new float[1];

    /// <summary>Creates a collector for <paramref name="env"/> (which must already be reset).</summary>
    public RolloutCollector(IVectorEnvironment env, ActorCriticPolicy policy)
    {
        _env = env;
        _policy = policy;
        int n = env.Count;
        _actions = new float[n * policy.ActionSize];
        _envActions = new float[n * env.ActionSize];
        _logProbs = new float[n];
        _values = new float[n];
    }

    /// <summary>Collects <see cref="RolloutBuffer.Steps"/> steps from every copy, then the bootstrap values.
    /// With <paramref name="rewardTemperature"/> T &gt; 0 every reward becomes R′ = R − T·log π(a|s) (the annealing regularization).
    /// With <paramref name="copyStreams"/> copy i samples its actions from copyStreams[i] (not from <paramref name="rng"/>), so
    /// a copy's rollout does not depend on which other copies are collected with it (see <see cref="RolloutUnitRunner"/>).</summary>
    public void Collect(RolloutBuffer buffer, float gamma, Rng rng, float rewardTemperature = 0f, Rng[]? copyStreams = null)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (copyStreams is not null && _policy.Distribution is Policies.Distributions.StateDependentNoiseActions)
            throw new PolicyLabException("gSDE draws its exploration matrices from one stream for all copies, so it cannot be combined with per_copy_rng (or --cluster); set use_sde=false or per_copy_rng=false.");
        int n = _env.Count, obs = _policy.ObservationSize, act = _policy.ActionSize;
        int noiseFrequency = _policy.NoiseSampleFrequency;
        for (int t = 0; t < buffer.Steps; t++)
        {
            // gSDE: a new exploration matrix per copy at the start of the rollout and every sde_sample_freq steps (no-op otherwise).
            if (t == 0 || (noiseFrequency > 0 && t % noiseFrequency == 0)) _policy.ResetNoise(n, rng);
            ReadOnlySpan<float> observations = _env.Observations;
            int row = t * n;
            observations[..(n * obs)].CopyTo(buffer.Observations.AsSpan(row * obs, n * obs));
            bool[]? masks = buffer.MaskSize > 0 ? _env.ActionMasks : null;
            if (masks is not null) StoreMasks(masks, buffer.ActionMasks.AsSpan(row * buffer.MaskSize, n * buffer.MaskSize));
            _policy.Act(observations, n, deterministic: false, rng, _actions, _logProbs,
                buffer.HeadSize > 0 ? buffer.Heads.AsSpan(row * buffer.HeadSize, n * buffer.HeadSize) : default, masks, copyStreams);
            _policy.PredictValues(observations, n, _values);
            _policy.ToEnvironmentActions(_actions, n, _envActions);
            _env.Step(_envActions);

            _actions.AsSpan(0, n * act).CopyTo(buffer.Actions.AsSpan(row * act, n * act));
            _logProbs.AsSpan(0, n).CopyTo(buffer.LogProbs.AsSpan(row, n));
            _values.AsSpan(0, n).CopyTo(buffer.Values.AsSpan(row, n));
            double[] rewards = _env.Rewards;
            bool[] terminated = _env.Terminated, truncated = _env.Truncated;
            for (int i = 0; i < n; i++)
            {
                float r = (float)rewards[i] - rewardTemperature * _logProbs[i];
                bool done = terminated[i] || truncated[i];
                if (truncated[i] && !terminated[i])
                {
                    _policy.PredictValues(_env.FinalObservations.AsSpan(i * obs, obs), 1, _finalValue);
                    r += gamma * _finalValue[0];
                }
                buffer.Rewards[row + i] = r;
                buffer.Dones[row + i] = done ? 1f : 0f;
            }
        }
        _policy.PredictValues(_env.Observations, n, buffer.LastValues);
    }

    /// <summary>Copies flags into a buffer's float masks (1 allowed, 0 forbidden).</summary>
    internal static void StoreMasks(ReadOnlySpan<bool> masks, Span<float> destination)
    {
        for (int k = 0; k < destination.Length; k++) destination[k] = masks[k] ? 1f : 0f;
    }
}
