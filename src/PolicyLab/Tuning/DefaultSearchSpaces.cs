using System.Globalization;

namespace PolicyLab.Tuning;

/// <summary>
/// The default search spaces, after RL Zoo's <c>hyperparams_opt.py</c> (PPO and SAC as RL Zoo writes them; A2C,
/// TD3/DDPG and DQN are PolicyLab's condensed versions of RL Zoo's samplers). Each space holds only what its
/// algorithm has: <c>n_steps</c> exists for the on-policy algorithms, <c>train_freq</c>/<c>tau</c> for the off-policy
/// ones. RL Zoo samples <c>1 − γ</c> and <c>1 − λ</c> log-uniformly; those parameters are named <c>one_minus_gamma</c>
/// and <c>one_minus_gae_lambda</c> and set <c>gamma</c> and <c>gae_lambda</c>.
/// </summary>
public static class DefaultSearchSpaces
{
    /// <summary>Algorithms with a default space.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["ppo", "a2c", "sac", "td3", "ddpg", "dqn"];

    private static string[] PowersOfTwo(int from, int to) =>
        [.. Enumerable.Range(from, to - from + 1).Select(k => (1 << k).ToString(CultureInfo.InvariantCulture))];

    private static SearchParameter OneMinusGamma => SearchParameter.Float("one_minus_gamma", 1e-4, 0.03, log: true, ParameterTransform.OneMinus, "gamma");

    /// <summary>The space for <paramref name="algorithm"/>, or null when there is none.</summary>
    public static SearchSpace? For(string algorithm) => algorithm switch
    {
        // RL Zoo sample_ppo_params: 2^k batch sizes and rollout lengths, log-uniform 1 − γ, 1 − λ, learning rate and entropy bonus.
        "ppo" => new SearchSpace([
            SearchParameter.Categorical("batch_size", PowersOfTwo(2, 10)),
            SearchParameter.Categorical("n_steps", PowersOfTwo(5, 12)),
            OneMinusGamma,
            SearchParameter.Float("learning_rate", 1e-5, 0.002, log: true),
            SearchParameter.Float("ent_coef", 1e-8, 0.1, log: true),
            SearchParameter.Categorical("clip_range", ["0.1", "0.2", "0.3", "0.4"]),
            SearchParameter.Categorical("n_epochs", ["1", "5", "10", "20"]),
            SearchParameter.Float("one_minus_gae_lambda", 1e-4, 0.1, log: true, ParameterTransform.OneMinus, "gae_lambda"),
            SearchParameter.Float("max_grad_norm", 0.3, 2.0),
            SearchParameter.Categorical("net_arch", ["[64]", "[64, 64]", "[256, 256]"], "policy_layers", "value_layers"),
            SearchParameter.Categorical("activation", ["tanh", "relu"]),
        ]),
        "a2c" => new SearchSpace([
            OneMinusGamma,
            SearchParameter.Categorical("normalize_advantage", ["false", "true"]),
            SearchParameter.Float("max_grad_norm", 0.3, 5.0),
            SearchParameter.Categorical("use_rms_prop", ["false", "true"]),
            SearchParameter.Float("one_minus_gae_lambda", 1e-4, 0.1, log: true, ParameterTransform.OneMinus, "gae_lambda"),
            SearchParameter.Categorical("n_steps", PowersOfTwo(3, 10)),
            SearchParameter.Float("learning_rate", 1e-5, 0.01, log: true),
            SearchParameter.Float("ent_coef", 1e-8, 0.1, log: true),
            SearchParameter.Float("vf_coef", 0.0, 1.0),
            SearchParameter.Categorical("ortho_init", ["false", "true"]),
            SearchParameter.Categorical("net_arch", ["[64]", "[64, 64]", "[256, 256]"], "policy_layers", "value_layers"),
            SearchParameter.Categorical("activation", ["tanh", "relu"]),
        ]),
        // RL Zoo sample_sac_params: update-to-data ratio 1 (gradient_steps = train_freq).
        "sac" => new SearchSpace([
            OneMinusGamma,
            SearchParameter.Float("learning_rate", 1e-5, 0.002, log: true),
            SearchParameter.Categorical("batch_size", PowersOfTwo(2, 11)),
            SearchParameter.Int("train_freq", 1, 10, log: false, "train_freq", "gradient_steps"),
            SearchParameter.Float("tau", 0.001, 0.08, log: true),
            SearchParameter.Categorical("net_arch", ["[64, 64]", "[256, 256]", "[400, 300]"], "policy_layers", "critic_layers"),
        ]),
        "td3" or "ddpg" => new SearchSpace([
            OneMinusGamma,
            SearchParameter.Float("learning_rate", 1e-5, 0.002, log: true),
            SearchParameter.Categorical("batch_size", PowersOfTwo(4, 11)),
            SearchParameter.Int("train_freq", 1, 10, log: false, "train_freq", "gradient_steps"),
            SearchParameter.Float("tau", 0.001, 0.08, log: true),
            SearchParameter.Categorical("net_arch", ["[64, 64]", "[256, 256]", "[400, 300]"], "policy_layers", "critic_layers"),
        ]),
        "dqn" => new SearchSpace([
            OneMinusGamma,
            SearchParameter.Float("learning_rate", 1e-5, 0.002, log: true),
            SearchParameter.Categorical("batch_size", PowersOfTwo(4, 8)),
            SearchParameter.Float("exploration_final_eps", 0.0, 0.2),
            SearchParameter.Float("exploration_fraction", 0.0, 0.5),
            SearchParameter.Categorical("target_update_interval", ["1", "1000", "5000", "10000"]),
            SearchParameter.Categorical("learning_starts", ["0", "1000", "5000", "10000"]),
            SearchParameter.Categorical("train_freq", ["1", "4", "8", "16"]),
            SearchParameter.Categorical("net_arch", ["[64]", "[64, 64]", "[256, 256]"], "q_layers"),
        ]),
        _ => null,
    };
}
