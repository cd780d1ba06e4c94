using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Algorithms.Annealing;

/// <summary>The three update rules compared by the bandit demonstration.</summary>
public enum BanditMethod
{
    /// <summary>Policy gradient with a batch-mean baseline.</summary>
    PolicyGradient,
    /// <summary>Policy gradient plus the exact entropy bonus T·H(π).</summary>
    EntropyBonus,
    /// <summary>Policy gradient on the annealing reward r − T·log π(a).</summary>
    AnnealingRegularizer,
}

/// <summary>Probabilities of one method over the demonstration's steps.</summary>
/// <param name="Method">The update rule.</param>
/// <param name="Probabilities">Probabilities before each update, then after the last: (steps + 1) rows of 3.</param>
public sealed record BanditTrace(BanditMethod Method, double[][] Probabilities)
{
    /// <summary>The final probabilities.</summary>
    public double[] Final => Probabilities[^1];

    /// <summary>Standard deviation of p(C) over rows [from, to].</summary>
    public double StdOfBest(int from, int to)
    {
        double[] p = Probabilities[from..(to + 1)].Select(r => r[2]).ToArray();
        double mean = p.Average();
        return Math.Sqrt(p.Average(x => (x - mean) * (x - mean)));
    }

    /// <summary>Largest change of any probability between consecutive rows in [from, to].</summary>
    public double MaxStepChange(int from, int to)
    {
        double max = 0;
        for (int s = from + 1; s <= to; s++)
            for (int k = 0; k < 3; k++) max = Math.Max(max, Math.Abs(Probabilities[s][k] - Probabilities[s - 1][k]));
        return max;
    }

    /// <summary>Largest |p − target| of the final probabilities.</summary>
    public double MaxDeviation(ReadOnlySpan<double> target)
    {
        double max = 0;
        for (int k = 0; k < 3; k++) max = Math.Max(max, Math.Abs(Final[k] - target[k]));
        return max;
    }
}

/// <summary>
/// The bandit demonstration of policy annealing: three arms with rewards 0, 0, 1, temperature 0.5,
/// three free logits starting at 0, plain SGD with learning rate 1, 4 actions sampled with replacement
/// per step, 300 steps. The annealing regularizer converges to softmax(R/T) = [0.1065, 0.1065, 0.7870]
/// and then stops moving (every sampled advantage r − T·log π(a) − mean is exactly 0 there); the entropy
/// bonus keeps fluctuating (near p(C) ≈ 0.70: the batch-mean baseline scales its policy-gradient term by
/// (B − 1)/B); plain policy gradient collapses onto the best arm.
/// </summary>
public static class BanditDemonstration
{
    /// <summary>Arm rewards.</summary>
    public static readonly double[] Rewards = [0, 0, 1];

    /// <summary>The temperature.</summary>
    public const float Temperature = 0.5f;

    /// <summary>Steps.</summary>
    public const int Steps = 300;

    /// <summary>Actions sampled per step.</summary>
    public const int SamplesPerStep = 4;

    /// <summary>softmax(R/T), the Boltzmann distribution the annealing regularizer converges to.</summary>
    public static double[] Boltzmann()
    {
        double[] e = Rewards.Select(r => Math.Exp(r / Temperature)).ToArray();
        double z = e.Sum();
        return e.Select(x => x / z).ToArray();
    }

    /// <summary>Runs one method with the given seed.</summary>
    public static BanditTrace Run(BanditMethod method, ulong seed)
    {
        var rng = new Rng(seed);
        var store = new ParameterStore();
        Parameter logits = store.Add("logits", new Shape(1, 3));
        var sgd = new Sgd(store, learningRate: 1f);
        var tape = new Tape();
        var history = new double[Steps + 1][];
        var actions = new float[SamplesPerStep];
        var rewards = new float[SamplesPerStep];
        var advantages = new float[SamplesPerStep];
        for (int step = 0; step <= Steps; step++)
        {
            history[step] = Probabilities(logits.Value);
            if (step == Steps) break;
            tape.Reset();
            sgd.ZeroGradients();
            for (int i = 0; i < SamplesPerStep; i++)
            {
                int a = Categorical.Sample(logits.Value, rng, out float logp);
                actions[i] = a;
                rewards[i] = (float)Rewards[a];
                // The annealing reward charges T·log π(a) (detached); the others use the plain reward.
                advantages[i] = method == BanditMethod.AnnealingRegularizer ? rewards[i] - Temperature * logp : rewards[i];
            }
            float mean = advantages.Average();
            for (int i = 0; i < SamplesPerStep; i++) advantages[i] -= mean;                 // batch-mean baseline
            // One row of logits per sample, all views of the same parameter: gradients add up.
            Tensor theta = tape.Param(logits);
            Tensor batchLogits = theta;
            for (int i = 1; i < SamplesPerStep; i++) batchLogits = tape.Concat(batchLogits, theta, 0);
            var pi = new Categorical(batchLogits);
            Tensor loss = -(pi.LogProb(tape.Constant(actions)) * tape.Constant(advantages)).Mean();   // −mean(log π(a)·Â)
            if (method == BanditMethod.EntropyBonus)
                loss = loss - Temperature * new Categorical(theta).Entropy().Sum();                    // − T·H(π), exact
            tape.Backward(loss);
            sgd.Step();
        }
        return new BanditTrace(method, history);
    }

    private static double[] Probabilities(ReadOnlySpan<float> logits)
    {
        Span<float> logp = stackalloc float[3];
        Tape.LogSoftmaxRow(logits, logp);
        return [Math.Exp(logp[0]), Math.Exp(logp[1]), Math.Exp(logp[2])];
    }
}
