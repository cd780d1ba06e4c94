using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
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
public sealed record PolicyNetworkSettings(
    int[] PolicyLayers, int[] ValueLayers, Activation Activation = Activation.Tanh,
    bool OrthogonalInit = true, float LogStdInit = 0f, bool ZeroInitHeads = false);

/// <summary>
/// A stochastic policy π(a|s) with a value function V(s): separate actor and critic MLPs over the
/// flattened observation, a categorical head for discrete actions or a diagonal Gaussian with a
/// state-independent log σ for continuous ones. All parameters live in one store, actor first
/// (<see cref="ActorParameterCount"/>), so natural-gradient methods can work on the actor's prefix.
/// </summary>
public sealed class ActorCriticPolicy
{
    private float[] _head;
    private readonly Discrete? _discrete;
    private readonly Box? _box;

    /// <summary>Builds and initializes the networks.</summary>
    /// <exception cref="PolicyLabException">The spaces are not supported.</exception>
    public ActorCriticPolicy(Space observationSpace, Space actionSpace, PolicyNetworkSettings settings, Rng rng)
    {
        if (observationSpace is not Box)
            throw new PolicyLabException($"Policies need a Box observation space; this environment observes {observationSpace}.");
        ObservationSize = observationSpace.FlatSize;
        _discrete = actionSpace as Discrete;
        _box = actionSpace as Box;
        if (_discrete is null && _box is null)
            throw new PolicyLabException($"The action space {actionSpace} is not supported by this algorithm (Discrete and Box are).");
        IsDiscrete = _discrete is not null;
        ActionSize = IsDiscrete ? 1 : _box!.FlatSize;
        HeadSize = IsDiscrete ? _discrete!.Count : ActionSize;

        Actor = new Mlp(Store, "pi", ObservationSize, settings.PolicyLayers, HeadSize, settings.Activation);
        if (!IsDiscrete)
        {
            LogStd = Store.Add("log_std", new Shape(ActionSize));
            LogStd.Value.Fill(settings.LogStdInit);
        }
        ActorParameterCount = Store.Count;
        Critic = new Mlp(Store, "vf", ObservationSize, settings.ValueLayers, 1, settings.Activation);

        if (settings.OrthogonalInit)
        {
            Actor.InitializeOrthogonal(rng, outputGain: 0.01f);
            Critic.InitializeOrthogonal(rng, outputGain: 1f);
        }
        else
        {
            Actor.InitializeUniform(rng);
            Critic.InitializeUniform(rng);
        }
        if (settings.ZeroInitHeads)
        {
            Actor.Head.InitializeZero();
            Critic.Head.InitializeZero();
        }
        _head = new float[HeadSize];
    }

    /// <summary>All parameters: actor (and log σ) first, then critic.</summary>
    public ParameterStore Store { get; } = new();

    /// <summary>The actor network: observation → logits or Gaussian mean.</summary>
    public Mlp Actor { get; }

    /// <summary>The critic network: observation → V(s).</summary>
    public Mlp Critic { get; }

    /// <summary>log σ of a Gaussian policy (null for discrete actions).</summary>
    public Parameter? LogStd { get; }

    /// <summary>Length of the actor's prefix of the store (actor weights and log σ).</summary>
    public int ActorParameterCount { get; }

    /// <summary>Whether actions are discrete.</summary>
    public bool IsDiscrete { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action as stored (1 for discrete: the index).</summary>
    public int ActionSize { get; }

    /// <summary>Width of the actor's output (logits or mean).</summary>
    public int HeadSize { get; }

    // ------------------------------------------------------------------ acting (tape-free)

    /// <summary>
    /// Chooses actions for <paramref name="batch"/> observations: sampled, or the distribution's mode when
    /// <paramref name="deterministic"/>. Writes the policy's actions (an index per row, or D floats of the
    /// unbounded Gaussian sample) and, when not empty, their log-probabilities.
    /// </summary>
    public void Act(ReadOnlySpan<float> observations, int batch, Rng rng, bool deterministic, Span<float> actions, Span<float> logProbs)
    {
        if (_head.Length < batch * HeadSize) _head = new float[batch * HeadSize];
        Actor.Forward(observations, batch, _head);
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> head = _head.AsSpan(i * HeadSize, HeadSize);
            float logp;
            if (IsDiscrete)
            {
                int a;
                if (deterministic)
                {
                    a = Categorical.Mode(head);
                    logp = Categorical.LogProb(head, a);
                }
                else
                {
                    a = Categorical.Sample(head, rng, out logp);
                }
                actions[i] = a;
            }
            else
            {
                Span<float> action = actions.Slice(i * ActionSize, ActionSize);
                if (deterministic)
                {
                    head.CopyTo(action);
                    logp = DiagonalGaussian.LogProb(head, LogStd!.Value, action);
                }
                else
                {
                    logp = DiagonalGaussian.Sample(head, LogStd!.Value, rng, action);
                }
            }
            if (!logProbs.IsEmpty) logProbs[i] = logp;
        }
    }

    /// <summary>Environment actions for <paramref name="batch"/> observations: <see cref="Act"/> followed by
    /// <see cref="ToEnvironmentActions"/> (what every actor-critic algorithm's <c>IAlgorithm.Act</c> does).</summary>
    public void ActInEnvironment(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions)
    {
        Span<float> actions = batch * ActionSize <= 1024 ? stackalloc float[batch * ActionSize] : new float[batch * ActionSize];
        Act(observations, batch, rng, deterministic, actions, default);
        ToEnvironmentActions(actions, batch, environmentActions);
    }

    /// <summary>The actor outputs (logits or means) computed by the last <see cref="Act"/> call, [batch, head].</summary>
    public ReadOnlySpan<float> LastHeads(int batch) => _head.AsSpan(0, batch * HeadSize);

    /// <summary>V(s) for <paramref name="batch"/> observations.</summary>
    public void PredictValues(ReadOnlySpan<float> observations, int batch, Span<float> values) =>
        Critic.Forward(observations, batch, values);

    /// <summary>The actor's raw outputs (logits or means) for <paramref name="batch"/> observations.</summary>
    public void PredictHead(ReadOnlySpan<float> observations, int batch, Span<float> head) =>
        Actor.Forward(observations, batch, head);

    /// <summary>
    /// Converts the policy's actions to what the environment takes: the discrete space's value
    /// (start + index), or the Gaussian sample clipped to the Box bounds (the stored action stays unclipped).
    /// </summary>
    public void ToEnvironmentActions(ReadOnlySpan<float> actions, int batch, Span<float> environmentActions)
    {
        if (IsDiscrete)
        {
            for (int i = 0; i < batch; i++) environmentActions[i] = actions[i] + _discrete!.Start;
            return;
        }
        actions[..(batch * ActionSize)].CopyTo(environmentActions);
        for (int i = 0; i < batch; i++)
            _box!.Clip(environmentActions.Slice(i * ActionSize, ActionSize));
    }

    // ------------------------------------------------------------------ training (on the tape)

    /// <summary>Log-probabilities [B] and entropies [B] of <paramref name="actions"/> under the current policy.</summary>
    public (Tensor LogProb, Tensor Entropy) Evaluate(Tape tape, Tensor observations, Tensor actions)
    {
        Tensor head = Actor.Forward(tape, observations);
        if (IsDiscrete)
        {
            var dist = new Categorical(head);
            return (dist.LogProb(actions), dist.Entropy());
        }
        var gaussian = new DiagonalGaussian(head, tape.Param(LogStd!));
        return (gaussian.LogProb(actions), gaussian.Entropy());
    }

    /// <summary>V(s) [B] on the tape.</summary>
    public Tensor Value(Tape tape, Tensor observations)
    {
        Tensor v = Critic.Forward(tape, observations);
        return v.Reshape(new Shape(v.Shape[0]));
    }

    /// <summary>
    /// KL(π_old ‖ π) [B] at <paramref name="observations"/>, where <paramref name="oldHead"/> holds the old
    /// actor outputs (logits or means, [B, head]) and, for a Gaussian, <paramref name="oldLogStd"/> the old log σ.
    /// </summary>
    public Tensor KlFromOld(Tape tape, Tensor observations, Tensor oldHead, Tensor? oldLogStd)
    {
        Tensor head = Actor.Forward(tape, observations);
        if (IsDiscrete)
            return new Categorical(oldHead).Kl(new Categorical(head));
        return new DiagonalGaussian(oldHead, oldLogStd ?? throw new ArgumentNullException(nameof(oldLogStd)))
            .Kl(new DiagonalGaussian(head, tape.Param(LogStd!)));
    }
}
