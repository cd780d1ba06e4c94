using PolicyLab.Algorithms;
using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Tests.Numerics.Kernels;
using PolicyLab.Training;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Algorithms.OffPolicy;

/// <summary>
/// SAC's production gradients (the temperature's by hand, the critics' critic by critic on their own tapes, the actor's
/// through ∂minᵢ Qᵢ/∂ã computed per critic) against the gradients of the plain expressions in <see cref="SacLosses"/>
/// recorded on one tape, on one and two threads.
/// </summary>
[Collection(GemmThreadsCollection.Name)]
public sealed class SacLossTests(ITestOutputHelper output)
{
    private const int Batch = 100; // not a power of two: the actor's 1/B lands in different places on the two paths

    /// <summary>The three gradients, and J(Q), J(π), of one minibatch.</summary>
    private sealed record Gradients(float Temperature, float[] Critics, float[] Actor, double CriticLoss, double ActorLoss);

    /// <summary>What the tolerances are computed from: Σ_b |log π_b + H̄| / B and Σ_b |α log π_b − minᵢ Qᵢ,b| / B (the
    /// magnitudes of the terms summed into J(α)'s gradient and J(π)), and the rows where critic 1 is the smaller.</summary>
    private sealed record Scales(double Temperature, double Actor, int RowsOfCritic1);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Production_gradients_equal_the_gradients_of_the_losses_as_written(int threads)
    {
        (Gradients fast, Gradients plain, Scales scales) = OneStep(threads);
        double u = Math.Pow(2, -24), gammaB = Batch * u / (1 - Batch * u);
        output.WriteLine($"temperature: {fast.Temperature:R} vs {plain.Temperature:R}; J(Q) {fast.CriticLoss:R} vs {plain.CriticLoss:R}; " +
            $"J(π) {fast.ActorLoss:R} vs {plain.ActorLoss:R}; critic 1 is the smaller on {scales.RowsOfCritic1} of {Batch} rows");
        Assert.InRange(scales.RowsOfCritic1, 1, Batch - 1); // both critics' gradients take part in the actor's

        // Critics: each critic's term is recorded with the same operations in the same order on both paths, and the
        // critics share no parameters, so the plain sum's backward hands each term the seed 1 it has on its own tape:
        // the same bits. J(Q) itself: production adds the two float terms in double, the tape in float (one rounding).
        Assert.Equal(plain.Critics, fast.Critics);
        Assert.InRange(Math.Abs(fast.CriticLoss - plain.CriticLoss), 0, u * Math.Abs(plain.CriticLoss));

        // Temperature: both are −(1/B)·Σ_b (log π_b + H̄); production sums in double, the tape in float32 (its SIMD order,
        // adding H̄ and scaling by 1/B per term). Two such float32 evaluations of a B-term sum differ by at most
        // 2·γ_B·Σ|x_b| (γ_B = B·u/(1 − B·u), u = 2⁻²⁴), plus one rounding of the result. Same bound for J(π)'s value.
        Assert.InRange(Math.Abs(fast.Temperature - plain.Temperature), 0, 2 * gammaB * scales.Temperature + u * Math.Abs(plain.Temperature));
        Assert.InRange(Math.Abs(fast.ActorLoss - plain.ActorLoss), 0, 2 * gammaB * scales.Actor + u * Math.Abs(plain.ActorLoss));

        // Actor: the same products and sums, with J(π)'s −1/B applied at a different point: production back-propagates
        // ∂Qᵢ/∂ã with seed 1 and scales it by −1/B, the tape carries the seed 1/B (inexact for B = 100) through min and −
        // into the critic. That changes the float32 rounding of every product and sum behind ∂J/∂ã, by a few units of
        // u relative to the terms summed (critic layers ≤ 64 wide, three of them), and each actor gradient element
        // sums B rows of those. The rigorous bound would need every intermediate sum's Σ|terms|; the allowance here is
        // normwise instead, 2·γ_B (≈ 1.2·10⁻⁵) of the largest element: about 200 times what is measured (≈ one unit
        // of rounding of the largest element), while a wrong factor (½, α, 1/B), a row taking the wrong critic or a
        // missing term moves the gradient by orders of magnitude more (swapping the critics' choice fails it).
        AssertClose("actor", fast.Actor, plain.Actor, 2 * gammaB);
    }

    [Fact]
    public void Production_gradients_are_the_same_bits_on_one_and_two_threads()
    {
        Gradients one = OneStep(1).Fast, two = OneStep(2).Fast;
        Assert.Equal(one.Temperature, two.Temperature);
        Assert.Equal(one.Critics, two.Critics);
        Assert.Equal(one.Actor, two.Actor);
    }

    private void AssertClose(string what, float[] fast, float[] plain, double relative)
    {
        double scale = plain.Max(MathF.Abs), worst = 0;
        for (int i = 0; i < plain.Length; i++) worst = Math.Max(worst, Math.Abs(fast[i] - plain[i]));
        output.WriteLine($"{what}: max |Δ| = {worst:E3}, max |g| = {scale:E3}, bound {relative * scale:E3}");
        Assert.True(scale > 0, $"{what}: the gradient is zero");
        Assert.InRange(worst, 0, relative * scale);
    }

    /// <summary>A fresh SAC (fixed seeds) with a replay buffer of random transitions; one minibatch's gradients by the
    /// production path and by <see cref="SacLosses"/>.</summary>
    private static (Gradients Fast, Gradients Plain, Scales Scales) OneStep(int threads)
    {
        int saved = Gemm.Threads;
        Gemm.Threads = threads;
        try
        {
            (_, Hyperparameters resolved) = SettingsResolver.Resolve(new SettingsRequest("sac", "Pendulum-v1", null,
                ["policy_layers=[64, 64]", "critic_layers=[64, 64]", $"batch_size={Batch}", "ent_coef=auto_0.3",
                 "learning_starts=100000", "log_interval=400"], 0, 1_000_000));
            using var environment = new SyncVectorEnvironment("Pendulum-v1", 1);
            environment.Reset(11);
            AlgorithmContext context = AlgorithmContext.For(environment, totalSteps: 1_000_000);
            using var sac = new Sac(context, (SacSettings)resolved, new Rng(5));
            sac.Iterate(0, new UpdateDiagnostics()); // 400 random transitions, no update yet
            ParameterStore store = sac.Parameters;
            Range criticRange = sac.Critics.Range, actorRange = OffPolicyAlgorithm.RangeOf(sac.Actor);

            // Production: the three gradients of one step, taken at the same parameters (no optimizer step between).
            TanhGaussianSample sample = sac.SampleStep();
            float alpha = sac.Alpha;
            double meanLogProb = 0;
            foreach (float v in sample.LogProb.Data) meanLogProb += v;
            sac.TemperatureGradient(meanLogProb / Batch);
            float temperature = sac.LogAlpha.Gradient[0];
            double criticLoss = sac.CriticGradients(alpha);
            float[] critics = store.Gradients[criticRange].ToArray();
            double actorLoss = sac.ActorGradient(alpha, sample);
            float[] actor = store.Gradients[actorRange].ToArray();
            var fast = new Gradients(temperature, critics, actor, criticLoss, actorLoss);

            // The losses as written, on one tape, from the same minibatch, noise ε and next actions ã′.
            TransitionBatch batch = sac.StepBatch;
            int o = environment.ObservationSize, d = sac.NextActions.Length / Batch;
            var t = new Tape();
            Tensor s = t.Constant(batch.Observations, new Shape(Batch, o));
            Tensor sNext = t.Constant(batch.NextObservations, new Shape(Batch, o));
            TanhGaussianSample pi = Sac.Policy(sac.Actor.Forward(t, s), d).Rsample(t.Constant(sac.Noise, new Shape(Batch, d)));

            Tensor jAlpha = SacLosses.Temperature(t.Param(sac.LogAlpha), pi.LogProb, sac.TargetEntropy);
            store.ZeroGradients();
            t.Backward(jAlpha);
            float plainTemperature = sac.LogAlpha.Gradient[0];

            Tensor nextInput = t.Concat(sNext, t.Constant(sac.NextActions, new Shape(Batch, d)));
            Tensor y = SacLosses.Target(t.Constant(batch.Rewards), t.Constant(batch.Discounts), t.Constant(sac.NextLogProbs), alpha,
                sac.Critics.TargetNetwork(0).Forward(t, nextInput), sac.Critics.TargetNetwork(1).Forward(t, nextInput));
            Tensor sa = t.Concat(s, t.Constant(batch.Actions, new Shape(Batch, d)));
            Tensor jQ = SacLosses.Critic(y, sac.Critics.Network(0).Forward(t, sa), sac.Critics.Network(1).Forward(t, sa));
            store.ZeroGradients();
            t.Backward(jQ);
            float[] plainCritics = store.Gradients[criticRange].ToArray();

            Tensor sPolicy = t.Concat(s, pi.Action);
            Tensor q0 = sac.Critics.Network(0).Forward(t, sPolicy), q1 = sac.Critics.Network(1).Forward(t, sPolicy);
            Tensor jPi = SacLosses.Actor(pi.LogProb, alpha, q0, q1);
            store.ZeroGradients();
            t.Backward(jPi);
            float[] plainActor = store.Gradients[actorRange].ToArray();
            var plain = new Gradients(plainTemperature, plainCritics, plainActor, jQ.Item(), jPi.Item());

            double temperatureScale = 0, actorScale = 0;
            int rowsOfCritic1 = 0;
            for (int r = 0; r < Batch; r++)
            {
                temperatureScale += Math.Abs(pi.LogProb[r] + sac.TargetEntropy);
                actorScale += Math.Abs(alpha * pi.LogProb[r] - MathF.Min(q0[r], q1[r]));
                if (q1[r] < q0[r]) rowsOfCritic1++;
            }
            return (fast, plain, new Scales(temperatureScale / Batch, actorScale / Batch, rowsOfCritic1));
        }
        finally
        {
            Gemm.Threads = saved;
        }
    }
}
