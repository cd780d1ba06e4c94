using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies;

/// <summary>Network settings shared by the on-policy algorithms' policies.</summary>
/// <param name="PolicyLayers">Hidden widths of the actor.</param>
/// <param name="ValueLayers">Hidden widths of the critic.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="OrthogonalInit">Orthogonal initialization (gains √2 hidden, 0.01 policy head, 1 value head) instead of uniform.</param>
/// <param name="LogStdInit">Initial log σ of a Gaussian policy.</param>
/// <param name="ZeroInitHeads">Start the output layers at zero (a uniform or zero-mean policy and zero values).</param>
/// <param name="StateDependentStd">A Gaussian policy's log σ is an output of the actor (state-dependent) rather than one parameter per dimension.</param>
/// <param name="Sde">Explore with gSDE (Box actions; see <see cref="StateDependentNoiseActions"/>) instead of independent Gaussian noise (null: off).</param>
/// <param name="Policy">The torso: a CNN feature extractor shared by actor and critic for image observations (auto, cnn) or none (mlp).</param>
public sealed record PolicyNetworkSettings(
    int[] PolicyLayers, int[] ValueLayers, Activation Activation = Activation.Tanh,
    bool OrthogonalInit = true, float LogStdInit = 0f, bool ZeroInitHeads = false, bool StateDependentStd = false,
    StateDependentExploration? Sde = null, PolicyKind Policy = PolicyKind.Auto);

/// <summary>
/// A stochastic policy π(a|s) with a value function V(s): separate actor and critic MLPs over the
/// flattened observation. The actor's output (its head) parameterizes the <see cref="ActionDistribution"/>
/// chosen once from the action space (categorical, diagonal Gaussian, multi-categorical or Bernoulli), so
/// nothing that uses the policy branches on the action type. All parameters live in one store, actor first
/// (<see cref="ActorParameterCount"/>), so natural-gradient methods can work on the actor's prefix.
/// With a feature extractor (<see cref="Features"/>, a CNN for image observations) both MLPs read its features
/// instead of the observation, as SB3's CnnPolicy shares one extractor; it sits at the start of the actor's prefix.
/// </summary>
public sealed class ActorCriticPolicy
{
    private float[] _head, _features = [];
    private Tensor _encodedObservations, _encoded;

    /// <summary>Builds and initializes the networks.</summary>
    /// <exception cref="PolicyLabException">The spaces are not supported.</exception>
    public ActorCriticPolicy(Space observationSpace, Space actionSpace, PolicyNetworkSettings settings, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ObservationSize = ObservationFeatures.Check(observationSpace, "Policies");
        ActionSpace = actionSpace;
        Distribution = settings.Sde is null ? ActionDistribution.For(actionSpace, settings.StateDependentStd) : CreateStateDependentNoise(actionSpace, settings);
        ActionSize = Distribution.ActionSize;
        HeadSize = Distribution.HeadSize;

        Features = FeatureExtractors.For(observationSpace, settings.Policy, Store, "features");
        int inputs = Features?.Features ?? ObservationSize;
        int actorOutputs = Distribution is StateDependentNoiseActions gsde ? gsde.MeanSize : HeadSize;
        Actor = new Mlp(Store, "pi", inputs, settings.PolicyLayers, actorOutputs, settings.Activation);
        if (Distribution.LogStdSize > 0)
        {
            LogStd = Store.Add("log_std", new Shape(Distribution.LogStdSize));
            LogStd.Value.Fill(settings.LogStdInit);
        }
        ActorParameterCount = Store.Count;
        Critic = new Mlp(Store, "vf", inputs, settings.ValueLayers, 1, settings.Activation);

        if (settings.OrthogonalInit)
        {
            Features?.InitializeOrthogonal(rng, MathF.Sqrt(2f));
            Actor.InitializeOrthogonal(rng, outputGain: 0.01f);
            Critic.InitializeOrthogonal(rng, outputGain: 1f);
        }
        else
        {
            Features?.InitializeUniform(rng);
            Actor.InitializeUniform(rng);
            Critic.InitializeUniform(rng);
        }
        if (settings.ZeroInitHeads)
        {
            Actor.Head.InitializeZero();
            Critic.Head.InitializeZero();
        }
        if (settings.StateDependentStd && Distribution.IsContinuous)
        {
            // The log σ outputs start at log_std_init for every state: zero weights, bias log_std_init.
            Actor.Head.InitializeOutputs(HeadSize / 2, HeadSize / 2, settings.LogStdInit);
        }
        _head = new float[HeadSize];
        ResetNoise(1, rng); // a first exploration matrix, so that acting works before any rollout
    }

    /// <summary>The gSDE family: features are the actor's last hidden layer (the observation when it has none).</summary>
    private StateDependentNoiseActions CreateStateDependentNoise(Space actionSpace, PolicyNetworkSettings settings)
    {
        if (settings.StateDependentStd)
            throw new PolicyLabException("use_sde and state_dependent_std are two different state-dependent explorations; set one of them to false.");
        int features = settings.PolicyLayers.Length > 0 ? settings.PolicyLayers[^1] : ObservationSize;
        return new StateDependentNoiseActions(actionSpace, features, settings.Sde!);
    }

    /// <summary>All parameters: actor (and log σ) first, then critic.</summary>
    public ParameterStore Store { get; } = new();

    /// <summary>The action distribution family the actor's head parameterizes.</summary>
    public ActionDistribution Distribution { get; }

    /// <summary>The feature extractor both networks read (a CNN for images), or null when they read the observation.</summary>
    public IFeatureExtractor? Features { get; }

    /// <summary>The actor network: observation (or features) → head (logits, or Gaussian mean and maybe log σ).</summary>
    public Mlp Actor { get; }

    /// <summary>The critic network: observation → V(s).</summary>
    public Mlp Critic { get; }

    /// <summary>The state-independent log σ of a Gaussian policy (null when the family has none).</summary>
    public Parameter? LogStd { get; }

    /// <summary>Length of the actor's prefix of the store (actor weights and log σ).</summary>
    public int ActorParameterCount { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action as stored (1 for discrete: the index).</summary>
    public int ActionSize { get; }

    /// <summary>Width of the actor's output.</summary>
    public int HeadSize { get; }

    /// <summary>The environment's action space.</summary>
    public Space ActionSpace { get; }

    /// <summary>Flags per action mask (0 when the action space has no masks; see <see cref="Environments.ActionMasking"/>).</summary>
    public int MaskSize => Distribution.MaskSize;

    // ------------------------------------------------------------------ acting (tape-free)

    /// <summary>
    /// Chooses actions for <paramref name="batch"/> observations: sampled, or the distribution's mode when
    /// <paramref name="deterministic"/>. Writes the policy's actions (as stored: an index per row for
    /// Discrete, the unclipped Gaussian sample for Box) and, when not empty, their log-probabilities and the
    /// actor's outputs [batch, head] (the parameters of the distribution acted from, for KL terms later).
    /// With <paramref name="masks"/> ([batch, <see cref="MaskSize"/>], empty for none) only allowed actions are taken and
    /// the log-probabilities are those of the distribution renormalized over the allowed set.
    /// With <paramref name="rowStreams"/> (one stream per row) row i samples from rowStreams[i] instead of
    /// <paramref name="rng"/>, so a row's action does not depend on the other rows of the batch.
    /// </summary>
    /// <exception cref="PolicyLabException">The masks have the wrong length or a row allows no action.</exception>
    public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> actions, Span<float> logProbs,
        Span<float> heads = default, ReadOnlySpan<bool> masks = default, Rng[]? rowStreams = null)
    {
        if (!masks.IsEmpty) CheckMasks(masks, batch);
        if (rowStreams is not null && rowStreams.Length < batch)
            throw new ArgumentException($"{batch} rows need {batch} streams; got {rowStreams.Length}.", nameof(rowStreams));
        if (Distribution is StateDependentNoiseActions gsde)
        {
            ActWithStateDependentNoise(gsde, observations, batch, deterministic, actions, logProbs, heads);
            return;
        }
        if (_head.Length < batch * HeadSize) _head = new float[batch * HeadSize];
        Actor.Forward(Encode(observations, batch), batch, _head);
        ReadOnlySpan<float> logStd = LogStd is null ? default : LogStd.Value;
        ActionDistribution distribution = Distribution;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> head = _head.AsSpan(i * HeadSize, HeadSize);
            Span<float> action = actions.Slice(i * ActionSize, ActionSize);
            Rng stream = rowStreams is null ? rng : rowStreams[i];
            float logp;
            if (masks.IsEmpty)
                logp = deterministic ? distribution.Mode(head, logStd, action) : distribution.Sample(head, logStd, stream, action);
            else
            {
                ReadOnlySpan<bool> mask = masks.Slice(i * MaskSize, MaskSize);
                logp = deterministic ? distribution.Mode(head, logStd, mask, action) : distribution.Sample(head, logStd, mask, stream, action);
            }
            if (!logProbs.IsEmpty) logProbs[i] = logp;
        }
        if (!heads.IsEmpty) _head.AsSpan(0, batch * HeadSize).CopyTo(heads);
    }

    // gSDE acting: the head of each row is [μ | z]; row i explores with environment copy i's matrix.
    private void ActWithStateDependentNoise(StateDependentNoiseActions gsde, ReadOnlySpan<float> observations, int batch, bool deterministic,
        Span<float> actions, Span<float> logProbs, Span<float> heads)
    {
        int d = gsde.MeanSize, f = gsde.FeatureSize;
        if (_head.Length < batch * HeadSize) _head = new float[batch * HeadSize];
        if (_sdeMean.Length < batch * d) (_sdeMean, _sdeFeatures) = (new float[batch * d], new float[batch * f]);
        Actor.Forward(Encode(observations, batch), batch, _sdeMean, _sdeFeatures);
        ReadOnlySpan<float> logStd = LogStd!.Value;
        for (int i = 0; i < batch; i++)
        {
            Span<float> head = _head.AsSpan(i * HeadSize, HeadSize);
            _sdeMean.AsSpan(i * d, d).CopyTo(head);
            _sdeFeatures.AsSpan(i * f, f).CopyTo(head[d..]);
            Span<float> action = actions.Slice(i * ActionSize, ActionSize);
            float logp = deterministic ? gsde.Mode(head, logStd, action) : gsde.Sample(i, batch, head, logStd, action);
            if (!logProbs.IsEmpty) logProbs[i] = logp;
        }
        if (!heads.IsEmpty) _head.AsSpan(0, batch * HeadSize).CopyTo(heads);
    }

    private float[] _sdeMean = [], _sdeFeatures = [];

    /// <summary>Steps between gSDE exploration matrices within a rollout (≤ 0: one per rollout; 0 without gSDE).</summary>
    public int NoiseSampleFrequency => Distribution is StateDependentNoiseActions gsde ? gsde.Exploration.SampleFrequency : 0;

    /// <summary>With gSDE, draws a new exploration matrix for each of <paramref name="copies"/> environment copies from
    /// <paramref name="rng"/>; does nothing (and draws nothing) otherwise.</summary>
    public void ResetNoise(int copies, Rng rng)
    {
        if (Distribution is StateDependentNoiseActions gsde) gsde.ResetNoise(copies, LogStd!.Value, rng);
    }

    /// <summary>Environment actions for <paramref name="batch"/> observations: <see cref="Act"/> followed by
    /// <see cref="ToEnvironmentActions"/> (what every actor-critic algorithm's <c>IAlgorithm.Act</c> does).</summary>
    public void ActInEnvironment(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions,
        ReadOnlySpan<bool> masks = default)
    {
        Span<float> actions = batch * ActionSize <= 1024 ? stackalloc float[batch * ActionSize] : new float[batch * ActionSize];
        Act(observations, batch, deterministic, rng, actions, default, default, masks);
        ToEnvironmentActions(actions, batch, environmentActions);
    }

    /// <summary>V(s) for <paramref name="batch"/> observations.</summary>
    public void PredictValues(ReadOnlySpan<float> observations, int batch, Span<float> values) =>
        Critic.Forward(Encode(observations, batch), batch, values);

    /// <summary>The features of <paramref name="batch"/> observations (the observations themselves without an extractor).</summary>
    private ReadOnlySpan<float> Encode(ReadOnlySpan<float> observations, int batch)
    {
        if (Features is null) return observations;
        if (_features.Length < batch * Features.Features) _features = new float[batch * Features.Features];
        Features.Forward(observations, batch, _features);
        return _features.AsSpan(0, batch * Features.Features);
    }

    /// <summary>The features of <paramref name="observations"/> on the tape; the actor and the critic of one loss share
    /// one recorded extractor pass (the last observations tensor encoded is remembered).</summary>
    private Tensor Encode(Tape tape, Tensor observations)
    {
        if (Features is null) return observations;
        if (!observations.Equals(_encodedObservations))
        {
            _encoded = Features.Forward(tape, observations);
            _encodedObservations = observations;
        }
        return _encoded;
    }

    /// <summary>Converts the policy's actions to what the environment takes (see <see cref="ActionDistribution.ToEnvironment"/>).</summary>
    public void ToEnvironmentActions(ReadOnlySpan<float> actions, int batch, Span<float> environmentActions)
    {
        int environmentSize = environmentActions.Length / Math.Max(batch, 1);
        for (int i = 0; i < batch; i++)
            Distribution.ToEnvironment(actions.Slice(i * ActionSize, ActionSize), environmentActions.Slice(i * environmentSize, environmentSize));
    }

    // ------------------------------------------------------------------ training (on the tape)

    /// <summary>π(·|s) for <paramref name="observations"/> [B, obs], on the tape; restricted to the allowed actions when
    /// <paramref name="masks"/> ([B, mask], 1 allowed, see <see cref="Masks"/>) is given.</summary>
    public PolicyDistribution DistributionAt(Tape tape, Tensor observations, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        Tensor head;
        if (Distribution is StateDependentNoiseActions)
        {
            (Tensor mean, Tensor features) = Actor.ForwardWithFeatures(tape, Encode(tape, observations));
            head = tape.Concat(mean, features);   // [μ | z], the gSDE family's head
        }
        else head = Actor.Forward(tape, Encode(tape, observations));
        return Distribution.OnTape(head, LogStd is null ? null : tape.Param(LogStd), masks);
    }

    /// <summary>Stored masks of <paramref name="batch"/> rows (1 allowed, 0 forbidden) as a tape constant [B, mask], or null
    /// when there are none (empty <paramref name="masks"/>).</summary>
    public Tensor? Masks(Tape tape, ReadOnlySpan<float> masks, int batch)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return masks.IsEmpty || MaskSize == 0 ? null : tape.Constant(masks[..(batch * MaskSize)], new Shape(batch, MaskSize));
    }

    private void CheckMasks(ReadOnlySpan<bool> masks, int batch)
    {
        if (MaskSize == 0)
            throw new PolicyLabException($"Action masks apply to Discrete and MultiDiscrete actions; this policy acts in {ActionSpace}. Do not pass masks.");
        if (masks.Length != batch * MaskSize)
            throw new PolicyLabException($"The action masks have {masks.Length} flags but {batch} observation(s) of {ActionSpace} need {batch} × {MaskSize} = {batch * MaskSize}. Pass one mask of {MaskSize} flags per observation.");
        for (int i = 0; i < batch; i++)
            Environments.ActionMasking.Check(masks.Slice(i * MaskSize, MaskSize), ActionSpace, $"row {i} of the action masks");
    }

    /// <summary>The old policy's distributions as constants: <paramref name="heads"/> holds the actor outputs
    /// recorded when acting ([B, head]) and <paramref name="logStd"/> the log σ then (empty when there is none).</summary>
    public PolicyDistribution OldDistribution(Tape tape, ReadOnlySpan<float> heads, int batch, ReadOnlySpan<float> logStd, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        Tensor head = tape.Constant(heads[..(batch * HeadSize)], new Shape(batch, HeadSize));
        return Distribution.OnTape(head, LogStd is null ? null : tape.Constant(logStd), masks);
    }

    /// <summary>Stored actions of <paramref name="batch"/> rows as a tape constant (see <see cref="ActionDistribution.Actions"/>).</summary>
    public Tensor Actions(Tape tape, ReadOnlySpan<float> actions, int batch) => Distribution.Actions(tape, actions, batch);

    /// <summary>π(·|s), log π(a|s) [B] and H(π(·|s)) [B] for <paramref name="observations"/> and stored
    /// <paramref name="actions"/>, on the tape (the three terms every policy-gradient loss starts from); over the allowed
    /// set when <paramref name="masks"/> is given (the masks the actions were taken under).</summary>
    public (PolicyDistribution Distribution, Tensor LogProb, Tensor Entropy) Evaluate(Tape tape, Tensor observations, Tensor actions, Tensor? masks = null)
    {
        PolicyDistribution distribution = DistributionAt(tape, observations, masks);
        return (distribution, distribution.LogProb(actions), distribution.Entropy());
    }

    /// <summary>V(s) [B] on the tape.</summary>
    public Tensor Value(Tape tape, Tensor observations)
    {
        Tensor v = Critic.Forward(tape, Encode(tape, observations));
        return v.Reshape(new Shape(v.Shape[0]));
    }

    /// <summary>F·v on the actor's prefix of the store, F the Fisher of π at <paramref name="batch"/> observations (Gauss–Newton form).</summary>
    public void FisherVectorProduct(ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        if (Features is not null)
            throw new PolicyLabException("Natural-gradient methods (npg, trpo) do not support CNN policies yet; use ppo, a2c or vpg for image observations, or policy=mlp.");
        Distribution.FisherVectorProduct(Actor, LogStd, Store, observations, batch, vector, result, tape);
    }

    /// <summary>The policy's standard deviation as SB3 logs it, mean(exp log σ) over dimensions (NaN without a
    /// state-independent log σ).</summary>
    public double MeanStd()
    {
        if (LogStd is null) return double.NaN;
        double sum = 0;
        foreach (float v in LogStd.Value) sum += Math.Exp(v);
        return sum / LogStd.Length;
    }
}
