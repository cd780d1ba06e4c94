using PolicyLab.Algorithms;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Training;
using PolicyLab.Tracking;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

public class NaturalGradientTests
{
    private static IVectorEnvironment Environments(string id, int count, ulong seed)
    {
        IVectorEnvironment env = TrainingEnvironments.Make(id, count, VectorMode.Sync);
        env.Reset(seed);
        return env;
    }

    private static T Settings<T>(params string[] pairs) where T : NpgSettings, new()
    {
        var s = new T();
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            s.Set(pair[..eq], pair[(eq + 1)..]);
        }
        return s;
    }

    [Theory]
    [InlineData("CartPole-v1", 0.01f)]
    [InlineData("CartPole-v1", 0.05f)]
    [InlineData("Pendulum-v1", 0.01f)]
    public void Natural_step_has_kl_close_to_max_kl(string id, float maxKl)
    {
        // s = √(2δ / xᵀFx)·x makes ½ sᵀFs = δ, and KL ≈ ½ sᵀFs to second order: measured KL ≈ δ.
        using IVectorEnvironment env = Environments(id, 2, 11UL);
        var settings = Settings<NpgSettings>("n_steps=256", "batch_size=64", $"max_kl={maxKl}");
        using var npg = new Npg(AlgorithmContext.For(env), settings, new Rng(3UL));
        var diagnostics = new UpdateDiagnostics();
        for (int i = 0; i < 3; i++)
        {
            npg.Iterate(i / 3.0, diagnostics);
            double kl = diagnostics["kl"];
            Assert.InRange(kl, maxKl / 1.5, maxKl * 1.5);
            Assert.True(diagnostics["surrogate_improvement"] > 0, $"surrogate improvement {diagnostics["surrogate_improvement"]}");
        }
    }

    [Fact]
    public void Line_search_backtracks_until_the_kl_constraint_holds()
    {
        // KL(f) = 4δ·f²: the full step and 0.8, 0.8² violate it (KL > δ); 0.8³ = 0.512 gives 1.05δ, still
        // too much; 0.8⁴ gives 0.67δ and is the first accepted.
        const double delta = 0.01;
        var tried = new List<double>();
        LineSearchResult r = Trpo.LineSearch(f => { tried.Add(f); return (f, 4 * delta * f * f); }, delta, 0.8, 10);
        Assert.True(r.Accepted);
        Assert.Equal(5, r.Steps);
        Assert.Equal(Math.Pow(0.8, 4), r.Fraction, 12);
        Assert.True(r.Kl <= delta);
        Assert.Equal([1, 0.8, 0.64, 0.512, 0.4096], tried.Select(f => Math.Round(f, 6)));
    }

    [Fact]
    public void Line_search_rejects_steps_that_violate_the_kl_or_do_not_improve()
    {
        const double delta = 0.01;
        // KL never within the trust region (e.g. a KL that does not shrink with the step): keep θ_old.
        LineSearchResult violating = Trpo.LineSearch(f => (1.0, 2 * delta), delta, 0.8, 10);
        Assert.False(violating.Accepted);
        Assert.Equal(0, violating.Fraction);
        Assert.Equal(10, violating.Steps);
        // Within the trust region but the surrogate gets worse: also rejected.
        LineSearchResult worse = Trpo.LineSearch(f => (-f, 0.5 * delta), delta, 0.8, 10);
        Assert.False(worse.Accepted);
        // NaN KL is never accepted.
        Assert.False(Trpo.LineSearch(f => (1.0, double.NaN), delta, 0.8, 3).Accepted);
    }

    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("Pendulum-v1")]
    public void Trpo_steps_never_exceed_the_kl_and_a_rejected_step_keeps_the_old_actor(string id)
    {
        using IVectorEnvironment env = Environments(id, 2, 5UL);
        // A large δ makes the quadratic model of the KL less accurate, so backtracking happens.
        var settings = Settings<TrpoSettings>("n_steps=256", "batch_size=64", "max_kl=0.2");
        using var trpo = new Trpo(AlgorithmContext.For(env), settings, new Rng(9UL));
        var diagnostics = new UpdateDiagnostics();
        int actor = trpo.Policy.ActorParameterCount;
        for (int i = 0; i < 6; i++)
        {
            float[] before = trpo.Parameters.Values[..actor].ToArray();
            trpo.Iterate(i / 6.0, diagnostics);
            Assert.InRange(diagnostics["line_search_steps"], 1, 10);
            Assert.True(diagnostics["kl"] <= 0.2, $"kl {diagnostics["kl"]}");
            if (diagnostics["step_accepted"] == 0)
                Assert.Equal(before, trpo.Parameters.Values[..actor].ToArray());
            else
                Assert.True(diagnostics["surrogate_improvement"] > 0);
        }
    }

    [Fact]
    public void Trpo_backtracks_when_the_full_natural_step_overshoots_the_kl()
    {
        // On CartPole the full step's measured KL is often a little above δ (the quadratic model is only
        // second-order accurate); the line search must then shrink it rather than take it.
        using IVectorEnvironment env = Environments("CartPole-v1", 2, 1UL);
        var settings = Settings<TrpoSettings>("n_steps=256", "batch_size=64");
        using var trpo = new Trpo(AlgorithmContext.For(env), settings, new Rng(2UL));
        var diagnostics = new UpdateDiagnostics();
        int backtracked = 0;
        for (int i = 0; i < 8; i++)
        {
            trpo.Iterate(i / 8.0, diagnostics);
            Assert.True(diagnostics["kl"] <= 0.01, $"kl {diagnostics["kl"]}");
            if (diagnostics["line_search_steps"] > 1) backtracked++;
        }
        Assert.True(backtracked > 0, "the line search never backtracked");
    }

    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("Pendulum-v1")]
    public void State_round_trips_weights_critic_optimizer_and_random_stream(string id)
    {
        // (Resuming a whole run is not bit-identical yet for any algorithm: no environment saves its
        // state, so the trainer restarts episodes on resume. This checks the algorithm's own part.)
        using IVectorEnvironment envA = Environments(id, 2, 3UL), envB = Environments(id, 2, 3UL);
        var settings = Settings<TrpoSettings>("n_steps=128", "batch_size=64");
        using var a = new Trpo(AlgorithmContext.For(envA), settings, new Rng(1UL));
        var diagnostics = new UpdateDiagnostics();
        a.Iterate(0, diagnostics);
        a.Iterate(0.5, diagnostics);
        var saved = new PolicyLab.Numerics.Serialization.StateDictionary();
        a.SaveState(saved);

        using var b = new Trpo(AlgorithmContext.For(envB), settings, new Rng(99UL));
        b.LoadState(saved);
        var again = new PolicyLab.Numerics.Serialization.StateDictionary();
        b.SaveState(again);
        Assert.Equal(saved.Names, again.Names);
        Assert.Equal(a.Parameters.Values.ToArray(), b.Parameters.Values.ToArray());
        foreach (string name in saved.Names.Where(n => n.StartsWith("critic_optimizer.exp_avg", StringComparison.Ordinal)))
            Assert.Equal(saved.ReadFloats(name), again.ReadFloats(name));
        Assert.Equal(saved.ReadScalarInt64("critic_optimizer.step"), again.ReadScalarInt64("critic_optimizer.step"));
        Assert.Equal(saved.ReadWords("rng"), again.ReadWords("rng"));
    }

    private static TrainingResult Train(string algorithm, string environment, long steps, long seed, params string[] overrides)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"policylab-{algorithm}-{environment}-{Guid.NewGuid():N}");
        try
        {
            (RunSettings run, PolicyLab.Configuration.Hyperparameters settings) = SettingsResolver.Resolve(
                new SettingsRequest(algorithm, environment, null, ["eval_freq=0", "eval_episodes=20", .. overrides], seed, steps));
            using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
            return trainer.RunWithTrackers();
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    // Budget: the tuned configs/<algo>.yaml CartPole-v1 settings (2 envs × 512 steps per update), 100k
    // steps, seed 0; a few seconds each.
    [Theory]
    [InlineData("npg")]
    [InlineData("trpo")]
    public void Solves_CartPole_within_100k_steps(string algorithm)
    {
        TrainingResult result = Train(algorithm, "CartPole-v1", 100_000, 0);
        Assert.NotNull(result.FinalEvaluation);
        Assert.Equal(20, result.FinalEvaluation!.Returns.Length);
        Assert.True(result.FinalEvaluation.MeanReturn >= 475, $"{algorithm}: mean return {result.FinalEvaluation.MeanReturn}");
    }

    [Theory]
    [InlineData("npg")]
    [InlineData("trpo")]
    public void Trains_on_Pendulum_with_continuous_actions(string algorithm)
    {
        TrainingResult result = Train(algorithm, "Pendulum-v1", 8192, 0, "eval_episodes=2");
        Assert.NotNull(result.FinalEvaluation);
        Assert.All(result.FinalEvaluation!.Returns, r => Assert.True(double.IsFinite(r)));
    }

    [Fact]
    public void Registered_with_their_settings()
    {
        Assert.IsType<NpgSettings>(AlgorithmRegistry.Get("npg").CreateSettings());
        var trpo = Assert.IsType<TrpoSettings>(AlgorithmRegistry.Get("trpo").CreateSettings());
        Assert.Equal("0.01", trpo.Get("max_kl"));
        Assert.Equal("10", trpo.Get("cg_iters"));
        Assert.Equal("0.1", trpo.Get("cg_damping"));
        Assert.Equal("0.8", trpo.Get("line_search_coef"));
        Assert.Equal("10", trpo.Get("line_search_steps"));
        Assert.Equal("0.001", trpo.Get("learning_rate"));
        Assert.Empty(trpo.Validate());
        trpo.Set("max_kl", "0");
        Assert.Contains(trpo.Validate(), e => e.Contains("max_kl", StringComparison.Ordinal));
    }
}
