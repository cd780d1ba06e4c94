using PolicyLab.Algorithms.Annealing;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Tests.Algorithms.Annealing;

/// <summary>Unit tests of the annealing losses, mirroring the reference implementation's own tests.</summary>
public class AnnealingLossTests
{
    private static Tensor LogProbsOfAction0(Tensor logits, int rows) =>
        logits.LogSoftmax().Gather(logits.Tape.Full(new Shape(rows), 0f)).Reshape(new Shape(rows, 1));

    [Fact]
    public void Gradient_direction_and_symmetry_within_groups()
    {
        // Two groups of two one-step trajectories, rewards [1, 0] and [0, 1], uniform logits, all take action 0.
        var tape = new Tape();
        Tensor logits = tape.Variable(new float[8], new Shape(4, 2));
        Tensor loss = AnnealingLosses.Grouped(LogProbsOfAction0(logits, 4), tape.Full(new Shape(4, 1), 1f),
            tape.Constant([1f, 0f, 0f, 1f]), groupSize: 2, actionCount: 2);
        tape.Backward(loss);
        float[] g = logits.Grad.ToArray(); // rows: [action 0, action 1]
        Assert.True(g[0] < 0, "the high-reward trajectory's action becomes more likely");
        Assert.True(g[2] > 0, "the low-reward trajectory's action becomes less likely");
        Assert.Equal(-g[0], g[2], 6);
        Assert.Equal(g[0], g[6], 6);   // the second group mirrors the first
        Assert.Equal(g[2], g[4], 6);
    }

    [Fact]
    public void Masked_steps_get_no_gradient()
    {
        var tape = new Tape();
        Tensor logits = tape.Variable([0.3f, -0.2f, 0.1f, 0.4f, -0.5f, 0.2f, 0.0f, 0.1f], new Shape(4, 2));
        // Two trajectories of width 2: the second step of trajectory 1 is after its end.
        Tensor logp = logits.LogSoftmax().Gather(tape.Constant([0f, 1f, 0f, 0f])).Reshape(new Shape(2, 2));
        Tensor loss = AnnealingLosses.Grouped(logp, tape.Constant([1f, 0f, 1f, 1f], new Shape(2, 2)), tape.Constant([2f, 1f]), 2, 2);
        tape.Backward(loss);
        Assert.Equal(0f, logits.Grad[2]);
        Assert.Equal(0f, logits.Grad[3]);
        Assert.NotEqual(0f, logits.Grad[0]);
    }

    [Fact]
    public void Zero_loss_at_the_Boltzmann_distribution()
    {
        // T = 3, returns 13 and 10: log p = 0 and −1 satisfy log p − G/T = const.
        var tape = new Tape();
        Tensor loss = AnnealingLosses.Grouped(tape.Constant([0f, -1f], new Shape(2, 1)), tape.Full(new Shape(2, 1), 1f),
            tape.Constant([13f / 3, 10f / 3]), 2, 2);
        Assert.Equal(0f, loss.Item(), 6);
    }

    [Fact]
    public void Simple_anneal_reaches_the_Boltzmann_ratio()
    {
        // Linear policy, observations −0.5 and +0.5, both take action 0, returns 1 and 0, one group, T = 1:
        // the ideal p_low / p_high is e^−1 ≈ 0.37.
        var store = new ParameterStore();
        var policy = new Mlp(store, "pi", 1, [], 2);
        var adam = new Adam(store, 0.05f, beta1: 0.5f, beta2: 0.99f);
        var tape = new Tape();
        for (int step = 0; step < 20; step++)
        {
            tape.Reset();
            adam.ZeroGradients();
            Tensor logits = policy.Forward(tape, tape.Constant([-0.5f, 0.5f], new Shape(2, 1)));
            tape.Backward(AnnealingLosses.Grouped(LogProbsOfAction0(logits, 2), tape.Full(new Shape(2, 1), 1f), tape.Constant([1f, 0f]), 2, 2));
            adam.Step();
        }
        tape.Reset();
        float[] p = policy.Forward(tape, tape.Constant([-0.5f, 0.5f], new Shape(2, 1))).Softmax().ToArray();
        float high = p[0], low = p[2];
        Assert.InRange(low, 0.25f * high, 0.5f * high);
    }

    [Fact]
    public void Direct_target_treats_termination_as_uniform_random_actions_forever()
    {
        // One terminated episode of 2 steps, A = 2, γ = 0.5, T = 1, rewards 1 and 1, log π = −0.5 each.
        // c = [1.5, 1.5, log 2 / (1 − γ)]; V̂_1 = (1 − γ)(1.5 + γ·log2/(1 − γ)); V̂_0 = (1 − γ)(1.5 + γ·1.5 + γ²·log2/(1 − γ)).
        var tape = new Tape();
        const float gamma = 0.5f;
        double tail = Math.Log(2) / (1 - gamma);
        double v1 = (1 - gamma) * (1.5 + gamma * tail), v0 = (1 - gamma) * (1.5 + gamma * 1.5 + gamma * gamma * tail);
        Tensor values = tape.Variable([(float)v0, (float)v1, 123f], new Shape(1, 3));
        Tensor loss = AnnealingLosses.Direct(tape.Constant([-0.5f, -0.5f, 0f], new Shape(1, 3)), values, tape.Constant([0f]),
            tape.Constant([1f, 1f, 0f], new Shape(1, 3)), tape.Constant([1f, 1f, 0f], new Shape(1, 3)),
            tape.Constant([0f, 0f, (float)tail], new Shape(1, 3)), tape.Full(new Shape(1, 3), 0f), 1f, gamma, 2);
        Assert.Equal(0f, loss.Item(), 5); // V equals its target on the valid cells; the cell after the end is ignored
    }

    [Fact]
    public void Direct_loss_has_no_stop_gradient_on_the_target()
    {
        var tape = new Tape();
        Tensor logp = tape.Variable([-0.5f, -0.7f, 0f], new Shape(1, 3));
        Tensor finalValue = tape.Variable([0.3f], new Shape(1));
        Tensor loss = AnnealingLosses.Direct(logp, tape.Full(new Shape(1, 3), 0f), finalValue,
            tape.Constant([1f, 1f, 0f], new Shape(1, 3)), tape.Constant([1f, 1f, 0f], new Shape(1, 3)),
            tape.Full(new Shape(1, 3), 0f), tape.Constant([0f, 0f, 1f], new Shape(1, 3)), 1f, 0.9f, 2);
        tape.Backward(loss);
        Assert.NotEqual(0f, logp.Grad[0]);      // the policy learns through the target
        Assert.NotEqual(0f, finalValue.Grad[0]); // so does the bootstrap value of a truncated episode
    }

    [Fact]
    public void Temperature_schedule_is_geometric_and_reaches_the_end()
    {
        Assert.Equal(2f, AnnealingLosses.Temperature(0, 5, 2f, 0.125f), 6);
        Assert.Equal(0.5f, AnnealingLosses.Temperature(2, 5, 2f, 0.125f), 6);
        Assert.Equal(0.125f, AnnealingLosses.Temperature(4, 5, 2f, 0.125f), 6);
    }
}
