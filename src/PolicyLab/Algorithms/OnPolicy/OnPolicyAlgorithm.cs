using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// What every policy-gradient method shares, so that each algorithm file holds only its settings, its update
/// and its loss: the <see cref="ActorCriticPolicy"/> (built from the settings' networks for the environments'
/// spaces), the random stream, acting, the rollout (buffer and collector, for methods that learn from fixed-length
/// rollouts), saving and loading of the policy, its optimizers and the stream, the value trace for the
/// value-function page, and the diagnostics every method reports.
/// </summary>
/// <remarks>
/// Saved state, in this order: <c>policy</c> (the store), each optimizer under the key it was added with, <c>rng</c>,
/// then whatever <see cref="SaveExtraState"/> adds.
/// </remarks>
public abstract class OnPolicyAlgorithm : IAlgorithm, IValueProbe
{
    private readonly List<(string Key, Optimizer Optimizer)> _optimizers = [];
    private RolloutCollector? _collector;
    private Rng[]? _copyStreams;
    private DistributedRollout? _distributed;
    private bool _collected;

    /// <summary>Validates <paramref name="settings"/> and builds the policy for the context's environments.</summary>
    /// <param name="context">The training environments (already reset) and the run's budget.</param>
    /// <param name="settings">The resolved settings.</param>
    /// <param name="rng">The algorithm's random stream (initialization, sampling, shuffling).</param>
    /// <param name="name">The algorithm's name in messages (e.g. "PPO").</param>
    protected OnPolicyAlgorithm(AlgorithmContext context, PolicyGradientSettings settings, Rng rng, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid($"{name} settings");
        (Context, Settings, Rng, Name) = (context, settings, rng, name);
        IVectorEnvironment env = context.Environment;
        Policy = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, settings.Networks, rng);
    }

    /// <summary>What the training loop handed over.</summary>
    protected AlgorithmContext Context { get; }

    /// <summary>The training environments.</summary>
    protected IVectorEnvironment Environment => Context.Environment;

    /// <summary>The algorithm's name in messages.</summary>
    protected string Name { get; }

    /// <summary>The algorithm's random stream.</summary>
    protected Rng Rng { get; }

    /// <inheritdoc/>
    public Hyperparameters Settings { get; }

    /// <summary>The policy being trained.</summary>
    public ActorCriticPolicy Policy { get; }

    /// <inheritdoc/>
    public ParameterStore Parameters => Policy.Store;

    /// <summary>The rollout storage (null for methods that collect whole episodes instead).</summary>
    protected RolloutBuffer? Rollout { get; private set; }

    /// <summary>Creates the rollout storage of <paramref name="steps"/> steps per environment copy and its collector.</summary>
    /// <param name="steps">n_steps.</param>
    /// <param name="keepHeads">Also keep the actor's outputs of every step (for KL terms against the old policy).</param>
    protected RolloutBuffer CreateRollout(int steps, bool keepHeads = false)
    {
        int maskSize = HonoursActionMasks && Environment.ActionMasks is not null ? Policy.MaskSize : 0;
        Rollout = new RolloutBuffer(steps, Environment.Count, Policy.ObservationSize, Policy.ActionSize, keepHeads ? Policy.HeadSize : 0, maskSize);
        _collector = new RolloutCollector(Environment, Policy);
        bool perCopy = Settings is OnPolicySettings { PerCopyRng: true };
        if (perCopy)
        {
            if (Policy.Distribution is Policies.Distributions.StateDependentNoiseActions)
                throw new PolicyLabException($"{Name}: gSDE draws its exploration matrices from one stream for all copies, so it cannot be combined with per_copy_rng (or --cluster); set use_sde=false or per_copy_rng=false.");
            _copyStreams = RolloutStreams.Create(Environment.Count);
        }
        if (Context.ScaleOut is { } scaleOut)
        {
            if (!perCopy)
                throw new PolicyLabException($"{Name} on a cluster samples every environment copy's actions from a stream of its own, which changes the numbers: add --set per_copy_rng=true " +
                    "(the same run without --cluster then gives identical results).");
            if (Context.EnvironmentId is not { Length: > 0 } id)
                throw new PolicyLabException("Cluster workers build their environments by id; this environment was not made from a registered id.");
            var job = new RolloutJob(id, Context.EnvironmentArguments, ((PolicyGradientSettings)Settings).Networks, steps, Rollout.HeadSize, maskSize,
                Environment.Count, Policy.Store.Count);
            _distributed = new DistributedRollout(Environment, Policy, job, scaleOut);
        }
        return Rollout;
    }

    /// <summary>
    /// Collects one rollout with the current policy (rewards charged T·log π under the annealing regularization,
    /// truncated episodes bootstrapped with γ·V(final observation)) and computes GAE(γ, λ) advantages and returns.
    /// </summary>
    protected RolloutBuffer CollectRollout(float gamma, float gaeLambda, float rewardTemperature)
    {
        RolloutBuffer buffer = Rollout ?? throw new InvalidOperationException($"{Name} has no rollout buffer: call CreateRollout in the constructor.");
        if (_copyStreams is null)
            _collector!.Collect(buffer, gamma, Rng, rewardTemperature);
        else
        {
            // One draw per rollout from the algorithm's stream; copy i then samples from DeriveSeed(seed, i), here or on a worker.
            ulong seed = Rng.NextUInt64();
            if (_distributed is not null) _distributed.Collect(buffer, seed, gamma, rewardTemperature);
            else
            {
                RolloutStreams.Seed(_copyStreams, seed, 0);
                _collector!.Collect(buffer, gamma, Rng, rewardTemperature, _copyStreams);
            }
        }
        _collected = true;
        buffer.ComputeAdvantages(gamma, gaeLambda);
        return buffer;
    }

    /// <summary>Adds an optimizer to the saved state under <paramref name="key"/> (in the order added).</summary>
    protected T AddOptimizer<T>(string key, T optimizer) where T : Optimizer
    {
        _optimizers.Add((key, optimizer));
        return optimizer;
    }

    /// <inheritdoc/>
    public abstract void Iterate(double progress, UpdateDiagnostics diagnostics);

    /// <summary>
    /// Adds the diagnostics every policy-gradient method reports, after its own: <c>explained_variance</c> of the
    /// rollout's value predictions (left out when undefined, i.e. every return equal), <c>learning_rate</c>, and
    /// for a Gaussian policy with a learned log σ, <c>std</c> = mean(exp log σ) over dimensions (as SB3 logs it).
    /// </summary>
    protected void AddCommonDiagnostics(UpdateDiagnostics diagnostics, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (Rollout?.ExplainedVariance() is double explained && double.IsFinite(explained))
            diagnostics.Set("explained_variance", explained);
        diagnostics.Set("learning_rate", learningRate);
        if (Policy.LogStd is not null) diagnostics.Set("std", Policy.MeanStd());
    }

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
        Policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions);

    /// <summary>True for the methods whose updates use the masks acted under (PPO, A2C, VPG, REINFORCE); they then keep
    /// the masks in their rollouts. The others refuse environments with masks (the training loop says so).</summary>
    public virtual bool HonoursActionMasks => false;

    /// <inheritdoc/>
    public void Act(ReadOnlySpan<float> observations, ReadOnlySpan<bool> actionMasks, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        if (!actionMasks.IsEmpty && !HonoursActionMasks)
            throw new PolicyLabException($"{Name} does not honour action masks; use ppo, a2c, vpg, reinforce or dqn for an environment with masks.");
        Policy.ActInEnvironment(observations, batch, deterministic, rng, environmentActions, actionMasks);
    }

    /// <inheritdoc/>
    public void SaveState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SetParameters("policy", Policy.Store);
        foreach ((string key, Optimizer optimizer) in _optimizers) state.SetOptimizer(key, optimizer);
        state.SetRng("rng", Rng);
        SaveExtraState(state);
    }

    /// <inheritdoc/>
    public void LoadState(StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ReadParameters("policy", Policy.Store);
        foreach ((string key, Optimizer optimizer) in _optimizers) state.ReadOptimizer(key, optimizer);
        state.ReadRng("rng", Rng);
        LoadExtraState(state);
    }

    /// <summary>Adds the algorithm's own state (counters, adaptive coefficients, …) after the common part.</summary>
    protected virtual void SaveExtraState(StateDictionary state) { }

    /// <summary>Restores what <see cref="SaveExtraState"/> wrote.</summary>
    protected virtual void LoadExtraState(StateDictionary state) { }

    /// <inheritdoc/>
    public virtual ValueTrace? LatestTrace() => _collected ? Rollout!.FirstEpisodeTrace(Policy.Distribution.IsContinuous) : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        _distributed?.Dispose();
        _distributed = null;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the algorithm owns beyond its networks (e.g. worker environments).</summary>
    protected virtual void Dispose(bool disposing) { }
}
