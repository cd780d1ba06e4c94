using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Algorithms.PolicyGradient;

namespace PolicyLab.Tests.Algorithms.PolicyGradient;

/// <summary>Each documented PPO option changes the update the way its definition says (fixed seeds, a few small updates).</summary>
public class PpoOptionTests
{
    // 2 CartPole copies × 64 steps = 128 rows, 4 minibatches of 32, 4 epochs: 16 Adam steps per update.
    private static readonly string[] Small = ["n_steps=64", "batch_size=32", "n_epochs=4"];

    private static OptionRun Ppo(string[] pairs, int updates = 1, string env = "CartPole-v1", double progress = 0) =>
        OptionTestKit.Run<PpoSettings>(env, (c, s, r) => new Ppo(c, s, r), [.. Small, .. pairs], updates, progress: progress);

    // ------------------------------------------------------------------ objective=adaptive_kl

    [Fact]
    public void Adaptive_kl_halves_beta_when_the_measured_kl_is_below_kl_target_over_1_5()
    {
        // kl_target = 10: any KL an update can reach is far below d_targ / 1.5, so β halves every update.
        OptionRun run = Ppo(["objective=adaptive_kl", "kl_coef=1", "kl_target=10"], updates: 2);
        Assert.Equal(0.5, run.Updates[0]["kl_coef"], 6);
        Assert.Equal(0.25, run.Updates[1]["kl_coef"], 6);
    }

    [Fact]
    public void Adaptive_kl_doubles_beta_when_the_measured_kl_is_above_1_5_kl_target()
    {
        // kl_target = 1e-9: every step the policy takes moves it further than that, so β doubles every update.
        OptionRun run = Ppo(["objective=adaptive_kl", "kl_coef=1", "kl_target=1e-9", "learning_rate=0.001"], updates: 2);
        Assert.Equal(2, run.Updates[0]["kl_coef"], 6);
        Assert.Equal(4, run.Updates[1]["kl_coef"], 6);
    }

    [Fact]
    public void Adaptive_kl_keeps_beta_when_the_measured_kl_is_within_the_band()
    {
        // kl_target acts only after the epochs, so a run with d_targ = the KL d a first run measured after its epochs
        // (the kl diagnostic) takes the same steps; its d then lies inside [d_targ/1.5, 1.5·d_targ] and β stays.
        string[] common = ["objective=adaptive_kl", "kl_coef=1", "learning_rate=0.001"];
        double kl = Ppo([.. common, "kl_target=10"]).Last["kl"];
        Assert.True(kl > 0, $"kl {kl}");
        OptionRun run = Ppo([.. common, $"kl_target={kl.ToString("R", CultureInfo.InvariantCulture)}"]);
        Assert.Equal(kl, run.Last["kl"]);
        Assert.Equal(1, run.Last["kl_coef"], 6);
    }

    [Fact]
    public void Adaptive_kl_penalty_restrains_the_step_and_clip_objective_reports_no_kl_coef()
    {
        // L^KLPEN = E[r·Â] − β·KL: a large β keeps the new policy closer to the old one than β = 0 (the plain surrogate).
        string[] common = ["objective=adaptive_kl", "learning_rate=0.003", "n_epochs=8"];
        OptionRun free = Ppo([.. common, "kl_coef=0"]);
        OptionRun penalized = Ppo([.. common, "kl_coef=1000"]);
        Assert.Equal(0, free.Last["kl_coef"]);
        Assert.True(penalized.Last["approx_kl"] < 0.5 * free.Last["approx_kl"],
            $"approx_kl with β = 1000: {penalized.Last["approx_kl"]}, with β = 0: {free.Last["approx_kl"]}");
        Assert.False(Ppo([]).Last.Contains("kl_coef"));
    }

    [Fact]
    public void Adaptive_kl_adapts_beta_on_the_kl_of_the_updated_policy()
    {
        // One epoch, one minibatch, learning_rate 0.01: the update moves the policy (KL on probe states ≈ 2e-4, far
        // above 1.5·d_targ = 1.5e-9), so by the paper's rule β must double. PolicyLab measures d before that one
        // step (≈ 6e-16) and halves β instead.
        OptionRun run = Ppo(["objective=adaptive_kl", "kl_coef=1", "kl_target=1e-9", "n_epochs=1", "batch_size=128", "learning_rate=0.01"]);
        Assert.True(run.MeanKlOnProbes() > 1e-5, $"the policy did not move: KL {run.MeanKlOnProbes()}");
        Assert.Equal(2, run.Last["kl_coef"], 6);
    }

    // ------------------------------------------------------------------ target_kl

    [Fact]
    public void Tiny_target_kl_stops_the_epochs_early_and_a_huge_one_does_not()
    {
        OptionRun early = Ppo(["target_kl=1e-9"]);
        OptionRun full = Ppo(["target_kl=1e6"]);
        Assert.True(early.Last["epochs"] < 4, $"epochs {early.Last["epochs"]}");
        Assert.True(early.OptimizerSteps("optimizer") < 16, $"Adam steps {early.OptimizerSteps("optimizer")}");
        Assert.Equal(4, full.Last["epochs"]);
        Assert.Equal(16, full.OptimizerSteps("optimizer"));
    }

    [Fact]
    public void The_minibatch_that_breaks_target_kl_takes_no_step()
    {
        // One minibatch per epoch: epoch 0's minibatch starts at the old policy (KL ≈ 0, taken); epoch 1's sees the
        // moved policy (KL ≫ 1.5·1e-9) and stops the update. If that step were taken anyway, the parameters would
        // differ from those of a plain one-epoch update.
        string[] oneBatch = ["batch_size=128"];
        OptionRun stopped = Ppo([.. oneBatch, "n_epochs=3", "target_kl=1e-9"]);
        OptionRun oneEpoch = Ppo([.. oneBatch, "n_epochs=1"]);
        Assert.Equal(1, stopped.Last["epochs"]);
        Assert.Equal(1, stopped.OptimizerSteps("optimizer"));
        Assert.Equal(oneEpoch.After, stopped.After);
    }

    // ------------------------------------------------------------------ clip_range_vf

    [Fact]
    public void Tiny_clip_range_vf_keeps_the_value_predictions_near_the_old_ones()
    {
        // V is clipped to V_old ± clip_range_vf inside the loss: once a step has moved V by more than that, the value
        // gradient is zero, so over 40 steps the critic moves only by the first step and Adam's decaying momentum.
        string[] common = ["batch_size=16", "n_epochs=5", "learning_rate=0.001"];
        OptionRun clipped = Ppo([.. common, "clip_range_vf=1e-5"]);
        OptionRun free = Ppo(common);
        double movedClipped = clipped.MeanValueChange(), movedFree = free.MeanValueChange();
        Assert.True(movedClipped < 0.35 * movedFree, $"mean |ΔV| with clip_range_vf 1e-5: {movedClipped}, without: {movedFree}");
        // The (clipped) value loss the update reports hardly falls below the loss of the old predictions.
        Assert.True(clipped.Last["value_loss"] > free.Last["value_loss"], $"{clipped.Last["value_loss"]} vs {free.Last["value_loss"]}");
        Assert.Equal(free.Before, clipped.Before);
    }

    // ------------------------------------------------------------------ clip_range

    [Fact]
    public void Tiny_clip_range_clips_ratios_and_restrains_the_policy()
    {
        string[] common = ["learning_rate=0.003"];
        OptionRun tiny = Ppo([.. common, "clip_range=0.001"]);
        OptionRun wide = Ppo([.. common, "clip_range=10"]);
        Assert.True(tiny.Last["clip_fraction"] > 0.2, $"clip_fraction {tiny.Last["clip_fraction"]}");
        Assert.Equal(0, wide.Last["clip_fraction"]);
        Assert.Equal(0.001, tiny.Last["clip_range"], 6);
        // min(r·Â, clip(r)·Â) has no gradient once r leaves [1 − ε, 1 + ε] on the side Â favours.
        Assert.True(tiny.Last["approx_kl"] < wide.Last["approx_kl"], $"approx_kl {tiny.Last["approx_kl"]} vs {wide.Last["approx_kl"]}");
    }

    [Fact]
    public void Clip_range_schedule_follows_progress()
    {
        Assert.Equal(0.15, Ppo(["clip_range=lin_0.2"], progress: 0.25).Last["clip_range"], 6);
        Assert.Equal(0.15, Ppo(["clip_range=linear(0.2, 0.1)"], progress: 0.5).Last["clip_range"], 6);
    }

    // ------------------------------------------------------------------ n_epochs, batch_size

    [Theory]
    [InlineData(3, 32, 12)]   // 128 rows / 32 = 4 minibatches × 3 epochs
    [InlineData(2, 50, 6)]    // 50 + 50 + 28: 3 minibatches × 2 epochs
    [InlineData(1, 128, 1)]
    public void Adam_steps_are_n_epochs_times_the_minibatches_per_epoch(int epochs, int batch, int steps)
    {
        OptionRun run = Ppo([$"n_epochs={epochs}", $"batch_size={batch}"]);
        Assert.Equal(steps, run.OptimizerSteps("optimizer"));
        Assert.Equal(epochs, run.Last["epochs"]);
    }

    [Fact]
    public void Batch_size_larger_than_the_rollout_is_refused()
    {
        var e = Assert.Throws<PolicyLabException>(() => Ppo(["batch_size=129"]));
        Assert.Contains("batch_size", e.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ normalize_advantage

    [Fact]
    public void Normalized_advantages_have_zero_mean_in_the_loss()
    {
        // One epoch, one minibatch: the loss is taken at the old policy (r = 1), so policy_loss = −mean(Â).
        string[] oneStep = ["n_epochs=1", "batch_size=128"];
        OptionRun normalized = Ppo([.. oneStep, "normalize_advantage=true"]);
        OptionRun raw = Ppo([.. oneStep, "normalize_advantage=false"]);
        Assert.True(Math.Abs(normalized.Last["policy_loss"]) < 1e-5, $"policy_loss {normalized.Last["policy_loss"]}");
        // CartPole pays +1 a step and the fresh critic predicts ≈ 0: raw advantages are large and positive.
        Assert.True(raw.Last["policy_loss"] < -1, $"policy_loss {raw.Last["policy_loss"]}");
    }

    // ------------------------------------------------------------------ vf_coef

    [Fact]
    public void Vf_coef_zero_leaves_the_critic_untouched()
    {
        // Actor and critic are separate MLPs in one store: with c_v = 0 the critic's gradient is exactly 0 and Adam leaves it.
        OptionRun none = Ppo(["vf_coef=0"]);
        Assert.Equal(none.Before[none.Actor..], none.After[none.Actor..]);
        Assert.True(none.MaxActorChange > 0);
        OptionRun some = Ppo(["vf_coef=0.5"]);
        Assert.True(some.MaxCriticChange > 0);
    }

    // ------------------------------------------------------------------ ent_coef, regularization

    [Fact]
    public void Large_ent_coef_keeps_the_entropy_higher()
    {
        // Gaussian policy: the entropy's gradient on log σ is 1 per dimension, so ent_coef = 5 drives σ up.
        string[] common = ["learning_rate=0.01"];
        OptionRun bonus = Ppo([.. common, "ent_coef=5"], updates: 2, env: "Pendulum-v1");
        OptionRun plain = Ppo([.. common, "ent_coef=0"], updates: 2, env: "Pendulum-v1");
        Assert.True(bonus.Last["std"] > 1.15, $"std {bonus.Last["std"]}");
        Assert.True(bonus.Last["std"] > plain.Last["std"], $"std {bonus.Last["std"]} vs {plain.Last["std"]}");
        Assert.True(bonus.Last["entropy"] > plain.Last["entropy"]);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("annealing")]
    public void Ent_coef_applies_only_with_regularization_entropy(string regularization)
    {
        string[] common = [$"regularization={regularization}", "learning_rate=0.01"];
        OptionRun bonus = Ppo([.. common, "ent_coef=5"], env: "Pendulum-v1");
        OptionRun plain = Ppo([.. common, "ent_coef=0"], env: "Pendulum-v1");
        Assert.Equal(plain.After, bonus.After);
    }

    [Fact]
    public void Annealing_charges_every_reward_T_times_log_pi()
    {
        // R′ = R − T·log π(a|s): CartPole pays 1 per step.
        OptionRun annealed = Ppo(["regularization=annealing", "temperature=0.5"]);
        ValueTrace trace = annealed.Trace!;
        for (int t = 0; t < trace.Rewards.Length; t++)
            Assert.Equal(1 - 0.5 * Math.Log(trace.ActionProbabilities[t]), trace.Rewards[t], 4);
        Assert.All(Ppo(["regularization=entropy", "temperature=0.5"]).Trace!.Rewards, r => Assert.Equal(1f, r));
        Assert.All(Ppo(["regularization=none", "temperature=0.5"]).Trace!.Rewards, r => Assert.Equal(1f, r));
    }

    // ------------------------------------------------------------------ max_grad_norm

    [Fact]
    public void Tiny_max_grad_norm_bounds_every_parameter_step()
    {
        // Clipped, every |g_i| ≤ c, so Adam's |m̂_i| ≤ c and each step moves a parameter by at most lr·c/ε.
        const double lr = 3e-4, c = 1e-7, eps = 1e-5;
        OptionRun clipped = Ppo(["max_grad_norm=1e-7", "learning_rate=0.0003", "adam_eps=1e-5"]);
        double bound = 16 * lr * c / eps;   // 16 Adam steps
        double moved = OptionTestKit.MaxChange(clipped.Before, clipped.After);
        Assert.True(moved > 0 && moved <= bound * 1.05, $"max |Δθ| {moved}, bound {bound}");
        OptionRun free = Ppo(["max_grad_norm=Infinity", "learning_rate=0.0003", "adam_eps=1e-5"]);
        double movedFree = OptionTestKit.MaxChange(free.Before, free.After);
        Assert.True(movedFree > 10 * bound, $"max |Δθ| without clipping {movedFree}, bound {bound}");
    }

    // ------------------------------------------------------------------ learning_rate schedule

    [Fact]
    public void Learning_rate_schedule_sets_the_step_size_at_each_progress()
    {
        Assert.Equal(7.5e-4, Ppo(["learning_rate=lin_0.001"], progress: 0.25).Last["learning_rate"], 9);
        // lin_X reaches 0 at the end of training: the update there leaves every parameter as it was.
        OptionRun end = Ppo(["learning_rate=lin_0.001"], progress: 1);
        Assert.Equal(0, end.Last["learning_rate"]);
        Assert.Equal(end.Before, end.After);
        // With one minibatch step, Adam's first move is ≈ lr per parameter: the schedule's value reaches the optimizer.
        OptionRun half = Ppo(["learning_rate=lin_0.001", "n_epochs=1", "batch_size=128", "max_grad_norm=Infinity"], progress: 0.5);
        Assert.InRange(OptionTestKit.MaxChange(half.Before, half.After), 4.5e-4, 5.01e-4);
    }
}
