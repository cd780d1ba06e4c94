using PolicyLab.Configuration;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// The Q critics of an off-policy actor-critic on [s, a] (two for SAC and TD3, one for DDPG): the networks
/// <c>qf0</c>, <c>qf1</c> in the algorithm's store, their target copies in its target store, their optimizer and
/// Polyak update, and the work done per critic: the target values Q′ᵢ(s′, ã′), each critic's term of J(Q) with its
/// gradient, and Qᵢ(s, ã) with ∂Qᵢ/∂ã for an actor loss through minᵢ Qᵢ. The critics share no parameters, so each
/// critic's work writes only its own buffers and its own part of the store's gradients, and runs on its own core when
/// <see cref="Gemm.Threads"/> is 2 or more (the blocks share <see cref="HelperThreads"/> with GEMM). Each critic is
/// computed whole by one thread, in the order one thread would compute it, so the result is the same bits on one
/// thread or two, and the same as recording every critic on one tape.
/// </summary>
internal sealed class TwinCritic
{
    private readonly ParameterStore _store, _targetStore;
    private readonly Critic[] _critics;
    private readonly int _batch, _observationSize, _actionSize;
    private readonly float[] _input, _targets;
    private readonly Parts _targetValues, _lossGradients, _actionGradients;
    private Func<Tensor, Tensor, Tensor>? _term; // the J(Q) term of the running LossGradients

    /// <summary>Adds <paramref name="count"/> critics <c>qf0</c>, <c>qf1</c>… to <paramref name="store"/> and their
    /// targets to <paramref name="targetStore"/> (same layout), with their optimizer; <see cref="Initialize"/> sets them.</summary>
    public TwinCritic(ParameterStore store, ParameterStore targetStore, int count, int observationSize, int actionSize, OffPolicySettings settings)
    {
        _store = store;
        _targetStore = targetStore;
        _batch = settings.BatchSize;
        _observationSize = observationSize;
        _actionSize = actionSize;
        int width = observationSize + actionSize;
        Mlp[] online = Networks(store), target = Networks(targetStore);
        _critics = [.. online.Select((q, i) => new Critic(q, target[i], _batch, width))];
        Range = OffPolicyAlgorithm.RangeOf(online);
        Optimizer = new Adam(store, settings.LearningRate.ValueAt(0), range: Range);
        _input = new float[_batch * width];
        _targets = new float[_batch];
        _targetValues = new Parts(count, TargetValue);
        _lossGradients = new Parts(count, LossGradient);
        _actionGradients = new Parts(count, ActionGradient);

        Mlp[] Networks(ParameterStore s) =>
            [.. Enumerable.Range(0, count).Select(i => new Mlp(s, $"qf{i}", width, settings.CriticLayers, 1, settings.Activation))];
    }

    /// <summary>Number of critics.</summary>
    public int Count => _critics.Length;

    /// <summary>The critics' parameters in both stores (contiguous).</summary>
    public Range Range { get; }

    /// <summary>The critics' optimizer (all critics together).</summary>
    public Adam Optimizer { get; }

    /// <summary>Qᵢ.</summary>
    public Mlp Network(int critic) => _critics[critic].Online;

    /// <summary>Q′ᵢ.</summary>
    public Mlp TargetNetwork(int critic) => _critics[critic].Target;

    /// <summary>Critic <paramref name="critic"/>'s term of J(Q) in the last <see cref="LossGradients"/>.</summary>
    public float Loss(int critic) => _critics[critic].Loss;

    /// <summary>Critic <paramref name="critic"/>'s mean Q(s, a) in the last <see cref="LossGradients"/>.</summary>
    public double MeanQ(int critic) => _critics[critic].MeanQ;

    /// <summary>SB3's uniform initialization of every critic, in order (the targets are copied with the stores).</summary>
    public void Initialize(Rng rng)
    {
        foreach (Critic c in _critics) c.Online.InitializeUniform(rng);
    }

    /// <summary>minᵢ Q′ᵢ(s′, ã′) of the target networks, one value per row into <paramref name="minimum"/>.</summary>
    public void MinimumTargetValues(ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> nextActions, Span<float> minimum)
    {
        WriteInput(nextObservations, nextActions);
        HelperThreads.Run(_targetValues, Gemm.Threads);
        for (int r = 0; r < _batch; r++)
        {
            float q = _critics[0].TargetValues[r];
            for (int i = 1; i < _critics.Length; i++) q = MathF.Min(q, _critics[i].TargetValues[r]);
            minimum[r] = q;
        }
    }

    /// <summary>
    /// The gradient of J(Q) = Σᵢ <paramref name="term"/>(Qᵢ(s, a), y) into the critics' gradients (zeroed first), each
    /// critic's term recorded on its own tape; Qᵢ and y are [batch, 1], y a constant. The critics share no parameters,
    /// so each one's gradient is its own term's. The terms and mean Q values are then in <see cref="Loss"/> and
    /// <see cref="MeanQ"/>.
    /// </summary>
    public void LossGradients(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> targets,
        Func<Tensor, Tensor, Tensor> term)
    {
        WriteInput(observations, actions);
        targets[.._batch].CopyTo(_targets);
        _term = term;
        _store.Gradients[Range].Clear();
        HelperThreads.Run(_lossGradients, Gemm.Threads);
    }

    /// <summary>
    /// minᵢ Qᵢ(s, ã) per row into <paramref name="minimum"/> and its gradient with respect to ã, [batch × D], into
    /// <paramref name="actionGradient"/>, with the critics' parameters held fixed: each row through its smaller critic
    /// (the first on ties).
    /// </summary>
    public void MinimumActionValues(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, Span<float> minimum, Span<float> actionGradient)
    {
        WriteInput(observations, actions);
        HelperThreads.Run(_actionGradients, Gemm.Threads);
        int o = _observationSize, d = _actionSize;
        for (int r = 0; r < _batch; r++)
        {
            int low = 0;
            for (int i = 1; i < _critics.Length; i++)
                if (!(_critics[low].ActionValues[r] <= _critics[i].ActionValues[r])) low = i;
            minimum[r] = _critics[low].ActionValues[r];
            _critics[low].InputGradient.AsSpan(r * (o + d) + o, d).CopyTo(actionGradient.Slice(r * d, d));
        }
    }

    /// <summary>Qᵢ(x) recorded on <paramref name="tape"/> with the critic's parameters held fixed: gradients flow to the
    /// input only (a critic inside an actor loss).</summary>
    public Tensor FrozenForward(int critic, Tape tape, Tensor x) => FrozenForward(_critics[critic].Online, tape, x);

    /// <summary>θ′ ← τθ + (1 − τ)θ′ for every critic.</summary>
    public void UpdateTargets(float tau) => OffPolicyAlgorithm.Polyak(_store.Values[Range], _targetStore.Values[Range], tau);

    /// <summary>Steps <see cref="Optimizer"/> with the gradients of <see cref="LossGradients"/>.</summary>
    public void Step(float learningRate)
    {
        Optimizer.LearningRate = learningRate;
        Optimizer.Step();
    }

    private void WriteInput(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions)
    {
        int o = _observationSize, d = _actionSize;
        for (int r = 0; r < _batch; r++)
        {
            observations.Slice(r * o, o).CopyTo(_input.AsSpan(r * (o + d), o));
            actions.Slice(r * d, d).CopyTo(_input.AsSpan(r * (o + d) + o, d));
        }
    }

    private static Tensor FrozenForward(Mlp network, Tape tape, Tensor x)
    {
        foreach (LinearLayer layer in network.Layers)
        {
            Tensor w = tape.Param(layer.Weight), b = tape.Param(layer.Bias);
            w.RequiresGrad = false;
            b.RequiresGrad = false;
            x = tape.Linear(x, w, b, layer.Activation);
        }
        return x;
    }

    /// <summary>Q′ᵢ(s′, ã′) of critic <paramref name="i"/>'s target network.</summary>
    private void TargetValue(int i) => _critics[i].Target.Forward(_input, _batch, _critics[i].TargetValues);

    /// <summary>Critic <paramref name="i"/>'s term of J(Q) and its gradient, on the critic's own tape.</summary>
    private void LossGradient(int i)
    {
        Critic critic = _critics[i];
        Tape tape = critic.LossTape;
        tape.Reset();
        Tensor sa = tape.Constant(_input, new Shape(_batch, critic.InputWidth));
        Tensor y = tape.Constant(_targets, new Shape(_batch, 1));
        Tensor q = critic.Online.Forward(tape, sa);
        Tensor loss = _term!(q, y);
        tape.Backward(loss);
        critic.Loss = loss.Item();
        double sum = 0;
        foreach (float v in q.Data) sum += v;
        critic.MeanQ = sum / _batch;
    }

    /// <summary>Qᵢ(s, ã) and ∂Qᵢ/∂(s, ã) of critic <paramref name="i"/> for every row, its parameters held fixed. Each
    /// row of Qᵢ depends on its own input row only, so one backward pass seeded with ones gives every row's gradient.</summary>
    private void ActionGradient(int i)
    {
        Critic critic = _critics[i];
        Tape tape = critic.ActionTape;
        tape.Reset();
        Tensor input = tape.Variable(_input, new Shape(_batch, critic.InputWidth));
        Tensor q = FrozenForward(critic.Online, tape, input);
        q.Data.CopyTo(critic.ActionValues);
        tape.Backward(q, critic.Ones);
        input.Grad.CopyTo(critic.InputGradient);
    }

    /// <summary>What is kept per critic: its networks, tapes and buffers, so each critic's work can run on its own core.</summary>
    private sealed class Critic(Mlp online, Mlp target, int batch, int inputWidth)
    {
        public Mlp Online { get; } = online;
        public Mlp Target { get; } = target;
        public int InputWidth { get; } = inputWidth;

        /// <summary>Q′ᵢ(s′, ã′) of the target network.</summary>
        public float[] TargetValues { get; } = new float[batch];

        /// <summary>The tape of this critic's term of J(Q), the term and the critic's mean Q(s, a).</summary>
        public Tape LossTape { get; } = new();
        public float Loss { get; set; }
        public double MeanQ { get; set; }

        /// <summary>The tape of Qᵢ(s, ã) for an actor loss, the values and their gradient with respect to the input.</summary>
        public Tape ActionTape { get; } = new();
        public float[] ActionValues { get; } = new float[batch];
        public float[] Ones { get; } = [.. Enumerable.Repeat(1f, batch)];
        public float[] InputGradient { get; } = new float[batch * inputWidth];
    }

    /// <summary>One block per critic for <see cref="HelperThreads"/>.</summary>
    private sealed class Parts(int count, Action<int> part) : IBlockWork
    {
        public int Blocks => count;

        public void RunBlock(int index) => part(index);
    }
}
