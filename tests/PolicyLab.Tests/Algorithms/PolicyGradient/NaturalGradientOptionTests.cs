using PolicyLab.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>NPG's and TRPO's options beyond max_kl (which <see cref="NaturalGradientTests"/> covers).</summary>
public class NaturalGradientOptionTests
{
    private static readonly string[] Small = ["n_steps=128", "batch_size=64"];

    private static OptionRun Npg(string[] pairs, ulong seed = 7) =>
        OptionTestKit.Run<NpgSettings>("CartPole-v1", (c, s, r) => new Npg(c, s, r), [.. Small, .. pairs], seed: seed);

    private static OptionRun Trpo(string[] pairs, ulong seed = 7) =>
        OptionTestKit.Run<TrpoSettings>("CartPole-v1", (c, s, r) => new Trpo(c, s, r), [.. Small, .. pairs], seed: seed);

    [Fact]
    public void More_cg_iters_leave_a_smaller_residual()
    {
        double one = Npg(["cg_iters=1"]).Last["cg_residual"], ten = Npg(["cg_iters=10"]).Last["cg_residual"];
        Assert.True(ten < 0.5 * one, $"residual after 10 iterations {ten}, after 1 {one}");
    }

    [Fact]
    public void Large_cg_damping_scales_the_step_size_with_the_damping()
    {
        // x = (F + λI)⁻¹g ≈ g/λ once λ ≫ ‖F‖, so step_size = √(2δ / xᵀFx) ≈ λ·√(2δ / gᵀFg) grows like λ.
        double small = Npg(["cg_damping=1000"]).Last["step_size"], large = Npg(["cg_damping=10000"]).Last["step_size"];
        Assert.InRange(large / small, 9.5, 10.5);
    }

    [Theory]
    [InlineData(3, 12)]   // 256 rows / 64 = 4 minibatches per pass
    [InlineData(0, 0)]
    public void N_critic_updates_is_the_number_of_passes_of_the_value_regression(int passes, long steps)
    {
        OptionRun run = Npg([$"n_critic_updates={passes}"]);
        Assert.Equal(steps, run.OptimizerSteps("critic_optimizer"));
        if (passes == 0)
        {
            Assert.Equal(run.Before[run.Actor..], run.After[run.Actor..]);
            Assert.Equal(0, run.Last["value_loss"]);
        }
        else Assert.True(run.MaxCriticChange > 0);
    }

    [Fact]
    public void Learning_rate_is_the_critics_only()
    {
        OptionRun run = Npg(["learning_rate=0"]);
        Assert.Equal(run.Before[run.Actor..], run.After[run.Actor..]);
        Assert.True(run.MaxActorChange > 0);
    }

    [Theory]
    [InlineData("Pendulum-v1", 1UL)]   // the full step's KL overshoots δ (third-order terms): one backtrack
    [InlineData("Pendulum-v1", 2UL)]
    [InlineData("CartPole-v1", 1UL)]   // the full step is accepted
    public void Line_search_shrinks_the_natural_step_by_line_search_coef_per_backtrack(string env, ulong seed)
    {
        // NPG and TRPO share the rollout and natural step s of a first update: TRPO takes c^(j−1)·s after j tries.
        // With line_search_steps = 1, a full step that fails is rejected and the actor stays at θ_old.
        string[] pairs = [.. Small, "n_critic_updates=1"];
        OptionRun npg = Run<NpgSettings>(env, (c, s, r) => new Npg(c, s, r), pairs, seed);
        OptionRun halving = Run<TrpoSettings>(env, (c, s, r) => new Trpo(c, s, r), [.. pairs, "line_search_coef=0.5"], seed);
        OptionRun once = Run<TrpoSettings>(env, (c, s, r) => new Trpo(c, s, r), [.. pairs, "line_search_steps=1"], seed);
        double[] full = Delta(npg);
        Assert.Equal(1, halving.Last["step_accepted"]);
        Assert.True(halving.Last["kl"] <= 0.01);
        int tries = (int)halving.Last["line_search_steps"];
        AssertScaled(full, Delta(halving), Math.Pow(0.5, tries - 1));
        Assert.Equal(1, once.Last["line_search_steps"]);
        if (env == "Pendulum-v1")
        {
            Assert.Equal(2, tries);
            Assert.Equal(0, once.Last["step_accepted"]);
            Assert.Equal(once.Before[..once.Actor], once.After[..once.Actor]);
        }
        else
        {
            Assert.Equal(1, tries);
            AssertScaled(full, Delta(once), 1);
        }
    }

    private static OptionRun Run<T>(string env, Func<PolicyLab.Algorithms.AlgorithmContext, T, PolicyLab.Numerics.Rng, PolicyLab.Algorithms.OnPolicy.OnPolicyAlgorithm> create,
        string[] pairs, ulong seed) where T : PolicyLab.Configuration.Hyperparameters, new() =>
        OptionTestKit.Run(env, create, pairs, seed: seed);

    private static double[] Delta(OptionRun run) => Enumerable.Range(0, run.Actor).Select(i => (double)run.After[i] - run.Before[i]).ToArray();

    private static void AssertScaled(double[] full, double[] taken, double fraction)
    {
        double norm = Math.Sqrt(full.Sum(x => x * x)), error = Math.Sqrt(full.Zip(taken, (f, t) => (t - fraction * f) * (t - fraction * f)).Sum());
        Assert.True(error <= 1e-3 * norm, $"step is not {fraction} of the natural step: error {error}, |s| {norm}");
    }
}
