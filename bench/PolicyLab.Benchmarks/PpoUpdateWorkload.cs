using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Benchmarks;

/// <summary>
/// One PPO minibatch update on CartPole-sized networks: separate policy 4→64→64→2 and value
/// 4→64→64→1 tanh networks, clipped surrogate + value loss + entropy bonus, backward, global-norm
/// clipping and Adam — the workload the numeric core's speed target is stated for.
/// </summary>
internal sealed class PpoUpdateWorkload
{
    private readonly ParameterStore _store = new();
    private readonly Mlp _policy, _value;
    private readonly Adam _adam;
    private readonly Tape _tape = new();
    private readonly float[] _obs, _actions, _oldLogProb, _advantages, _returns;
    private readonly int _batch;

    public PpoUpdateWorkload(int batch)
    {
        _batch = batch;
        _policy = new Mlp(_store, "pi", 4, [64, 64], 2);
        _value = new Mlp(_store, "vf", 4, [64, 64], 1);
        var rng = new Rng(1UL);
        _policy.InitializeOrthogonal(rng, 0.01f);
        _value.InitializeOrthogonal(rng, 1f);
        _adam = new Adam(_store, 3e-4f, epsilon: 1e-5f);
        _obs = new float[batch * 4];
        rng.FillUniform(_obs, -1, 1);
        _actions = Enumerable.Range(0, batch).Select(i => (float)(i % 2)).ToArray();
        _oldLogProb = Enumerable.Repeat(-0.69f, batch).ToArray();
        _advantages = new float[batch];
        rng.FillNormal(_advantages);
        _returns = new float[batch];
        rng.FillNormal(_returns);
    }

    public float Update()
    {
        const float clip = 0.2f, valueCoef = 0.5f, entropyCoef = 0.01f;
        Tape t = _tape;
        t.Reset();
        _adam.ZeroGradients();
        Tensor obs = t.Constant(_obs, new Shape(_batch, 4));
        Tensor logits = _policy.Forward(t, obs);
        Tensor logProbs = logits.LogSoftmax();
        Tensor logp = logProbs.Gather(t.Constant(_actions));
        Tensor adv = t.Constant(_advantages);
        Tensor ratio = (logp - t.Constant(_oldLogProb)).Exp();
        Tensor policyLoss = -Tensor.Min(ratio * adv, ratio.Clamp(1 - clip, 1 + clip) * adv).Mean();
        Tensor values = _value.Forward(t, obs).Reshape(new Shape(_batch));
        Tensor valueLoss = (values - t.Constant(_returns)).Square().Mean();
        Tensor entropy = -(logProbs.Exp() * logProbs).Sum(-1).Mean();
        Tensor loss = policyLoss + valueCoef * valueLoss - entropyCoef * entropy;
        t.Backward(loss);
        GradientClipping.ClipGlobalNorm(_store.Gradients, 0.5f);
        _adam.Step();
        return loss.Item();
    }
}

/// <summary>Acting on one observation: tape-free policy forward and a categorical sample.</summary>
internal sealed class ActingWorkload
{
    private readonly Mlp _policy;
    private readonly float[] _obs = [0.01f, -0.02f, 0.03f, 0.04f];
    private readonly float[] _logits = new float[2];
    private readonly Rng _rng = new(2UL);

    public ActingWorkload()
    {
        var store = new ParameterStore();
        _policy = new Mlp(store, "pi", 4, [64, 64], 2);
        _policy.InitializeOrthogonal(new Rng(1UL), 0.01f);
    }

    public int Act()
    {
        _policy.Forward(_obs, 1, _logits);
        // Inverse-CDF sample from softmax(logits).
        float max = MathF.Max(_logits[0], _logits[1]);
        float e0 = MathF.Exp(_logits[0] - max), e1 = MathF.Exp(_logits[1] - max);
        return _rng.NextFloat() * (e0 + e1) < e0 ? 0 : 1;
    }
}

/// <summary>A 256×256 linear layer, forward and backward, on a batch of 256 (100.7 MFLOP per call).</summary>
internal sealed class LinearWorkload
{
    public const double Flops = 3 * 2.0 * 256 * 256 * 256;
    private readonly ParameterStore _store = new();
    private readonly LinearLayer _layer;
    private readonly Tape _tape = new();
    private readonly float[] _x = new float[256 * 256];
    private readonly float[] _g = new float[256 * 256];

    public LinearWorkload()
    {
        _layer = new LinearLayer(_store, "l", 256, 256, Activation.Identity);
        var rng = new Rng(3UL);
        _layer.InitializeUniform(rng);
        rng.FillUniform(_x, -1, 1);
        rng.FillUniform(_g, -1, 1);
    }

    public void ForwardBackward()
    {
        _tape.Reset();
        _store.ZeroGradients();
        Tensor x = _tape.Variable(_x, new Shape(256, 256));
        Tensor y = _layer.Forward(_tape, x);
        _tape.Backward(y, _g);
    }
}
