using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Numerics.Distributions;

/// <summary>The losses the distributions exist for, written as in an algorithm and gradient-checked end to end.</summary>
public class ExampleLossTests
{
    private const int B = 4, K = 3, D = 2;

    [Fact]
    public void Ppo_clipped_surrogate_with_entropy_bonus()
    {
        float[] actions = [0, 2, 1, 2], oldLogProbs = [-1.0f, -1.2f, -0.9f, -1.1f], advantages = [0.5f, -1.2f, 0.3f, 2f];
        float[] mask = [1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1];
        Check((tape, x) =>
        {
            var pi = new Categorical(x[0], tape.Constant(mask, new Shape(B, K)));
            Tensor ratio = (pi.LogProb(tape.Constant(actions)) - tape.Constant(oldLogProbs)).Exp();
            Tensor adv = tape.Constant(advantages);
            Tensor surrogate = Tensor.Min(ratio * adv, ratio.Clamp(0.8f, 1.2f) * adv);
            return -surrogate.Mean() - 0.01f * pi.Entropy().Mean();
        }, (Values(B * K, 1, -0.3, 0.3), new Shape(B, K)));
    }

    [Fact]
    public void Sac_actor_loss()
    {
        float[] noise = Normals(B * D, 2);
        float[] weights = [0.7f, -1.3f]; // a stand-in critic Q(a) = Σ w·a − ½‖a‖²
        Check((tape, x) =>
        {
            var pi = new TanhGaussian(x[0], x[1].Clamp(-5f, 2f));
            TanhGaussianSample s = pi.Rsample(tape.Constant(noise, new Shape(B, D)));
            Tensor q = (s.Action * tape.Constant(weights) - 0.5f * s.Action.Square()).Sum(-1);
            return (0.2f * s.LogProb - q).Mean();
        }, (Values(B * D, 3), new Shape(B, D)), (Values(D, 4, -1, 0.5), new Shape(D)));
    }

    [Fact]
    public void Saturated_squashed_samples_keep_finite_log_probs()
    {
        // μ = ±20: tanh(u) rounds to ±1 in float32, yet the log-probability (computed from u) stays finite and exact.
        float[] mean = [20f, -20f], logStd = [-1f, -1f], action = new float[2];
        float logProb = TanhGaussian.Sample(mean, logStd, new Rng(5UL), action);
        Assert.Equal([1f, -1f], action);
        Assert.True(float.IsFinite(logProb));
        var tape = new Tape();
        TanhGaussianSample s = new TanhGaussian(tape.Constant(mean, new Shape(1, 2)), tape.Constant(logStd)).Sample(new Rng(5UL));
        double expected = 0;
        for (int d = 0; d < 2; d++)
        {
            double u = s.PreTanh[d], a = Math.Abs(u);
            double logCosh = a + Math.Log(1 + Math.Exp(-2 * a)) - Math.Log(2);
            expected += NormalLogPdf(u, mean[d], Math.Exp(logStd[d])) + 2 * logCosh;
        }
        Close(expected, s.LogProb[0], "saturated log-prob");
        Close(expected, logProb, "saturated acting log-prob");
    }
}
