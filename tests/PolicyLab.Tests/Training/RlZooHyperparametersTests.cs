using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

/// <summary>
/// RL Zoo's hyperparameter files load as they are: the classic-control entries of its ppo.yml, a2c.yml, sac.yml and
/// td3.yml (restated here from the published settings, in RL Zoo's own syntax) translate to PolicyLab settings, and
/// the entries that have no counterpart are refused one by one with the reason.
/// </summary>
public sealed class RlZooHyperparametersTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-zoo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Ppo = """
        CartPole-v1:
          n_envs: 8
          n_timesteps: !!float 1e5
          policy: 'MlpPolicy'
          n_steps: 32
          batch_size: 256
          gae_lambda: 0.8
          gamma: 0.98
          n_epochs: 20
          ent_coef: 0.0
          learning_rate: lin_0.001
          clip_range: lin_0.2

        Pendulum-v1:
          n_envs: 4
          n_timesteps: !!float 1e5
          policy: 'MlpPolicy'
          n_steps: 1024
          gae_lambda: 0.95
          gamma: 0.9
          n_epochs: 10
          ent_coef: 0.0
          learning_rate: !!float 1e-3
          clip_range: 0.2
          use_sde: True
          sde_sample_freq: 4

        Acrobot-v1:
          normalize: true
          n_envs: 16
          n_timesteps: !!float 1e6
          policy: 'MlpPolicy'
          n_steps: 256
          gae_lambda: 0.94
          gamma: 0.99
          n_epochs: 4
          ent_coef: 0.0
        """;

    private const string A2c = """
        CartPole-v1:
          n_envs: 8
          n_timesteps: !!float 5e5
          policy: 'MlpPolicy'
          ent_coef: 0.0

        Pendulum-v1:
          normalize: True
          n_envs: 8
          n_timesteps: !!float 1e6
          policy: 'MlpPolicy'
          ent_coef: 0.0
          max_grad_norm: 0.5
          n_steps: 8
          gae_lambda: 0.9
          vf_coef: 0.4
          gamma: 0.9
          use_rms_prop: True
          normalize_advantage: False
          learning_rate: lin_7e-4
          use_sde: True
          policy_kwargs: "dict(log_std_init=-2, ortho_init=False)"
        """;

    private const string Sac = """
        Pendulum-v1:
          n_timesteps: 20000
          policy: 'MlpPolicy'
          learning_rate: !!float 1e-3
        """;

    private const string Td3 = """
        Pendulum-v1:
          n_timesteps: 20000
          policy: 'MlpPolicy'
          gamma: 0.98
          buffer_size: 200000
          learning_starts: 10000
          noise_type: 'normal'
          noise_std: 0.1
          gradient_steps: 1
          train_freq: 1
          learning_rate: !!float 1e-3
          policy_kwargs: "dict(net_arch=[400, 300])"
        """;

    private (RunSettings Run, Hyperparameters Algorithm) Load(string algo, string env, string yaml, params string[] sets)
    {
        string file = Path.Combine(_dir, algo + ".yml");
        File.WriteAllText(file, yaml);
        return SettingsResolver.Resolve(new SettingsRequest(algo, env, file, sets, null, null));
    }

    [Fact]
    public void Ppo_CartPole_and_Acrobot_translate_fully()
    {
        (RunSettings run, Hyperparameters ppo) = Load("ppo", "CartPole-v1", Ppo);
        Assert.Equal(100_000, run.TotalSteps);
        Assert.Equal(8, run.EnvironmentCount);
        Assert.Equal("32", ppo.Get("n_steps"));
        Assert.Equal("20", ppo.Get("n_epochs"));
        Assert.Equal("0.98", ppo.Get("gamma"));
        Assert.Equal(Hyperparameters.ParseSchedule("lin_0.001").ToString(), Hyperparameters.ParseSchedule(ppo.Get("learning_rate")).ToString());
        Assert.NotEqual(Hyperparameters.ParseSchedule("0.001").ToString(), Hyperparameters.ParseSchedule(ppo.Get("learning_rate")).ToString());

        (run, ppo) = Load("ppo", "Acrobot-v1", Ppo);
        Assert.True(run.NormalizeObservations);
        Assert.True(run.NormalizeReward); // SB3's VecNormalize default normalizes rewards too
        Assert.Equal(1_000_000, run.TotalSteps);
        Assert.Equal("256", ppo.Get("n_steps"));
    }

    [Fact]
    public void Gsde_entries_translate_for_ppo_and_a2c_and_are_refused_elsewhere()
    {
        (_, Hyperparameters ppo) = Load("ppo", "Pendulum-v1", Ppo);
        Assert.Equal("true", ppo.Get("use_sde"), ignoreCase: true);
        Assert.Equal("4", ppo.Get("sde_sample_freq"));

        (_, Hyperparameters a2c) = Load("a2c", "Pendulum-v1", A2c);
        Assert.Equal("true", a2c.Get("use_sde"), ignoreCase: true);
        Assert.Equal("-2", a2c.Get("log_std_init"));

        var e = Assert.Throws<PolicyLabException>(() => Load("td3", "Pendulum-v1", Td3.Replace("train_freq: 1", "train_freq: 1\n  use_sde: True", StringComparison.Ordinal)));
        Assert.Contains("1 RL Zoo entry has no PolicyLab translation: use_sde (this algorithm has no generalized state-dependent exploration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A2c_policy_kwargs_translate_once_gsde_is_dropped()
    {
        (RunSettings run, Hyperparameters a2c) = Load("a2c", "Pendulum-v1", A2c.Replace("  use_sde: True\n", "", StringComparison.Ordinal));
        Assert.Equal("-2", a2c.Get("log_std_init"));
        Assert.Equal("false", a2c.Get("ortho_init"));
        Assert.Equal("true", a2c.Get("use_rms_prop"));
        Assert.True(run.NormalizeObservations);
        (run, _) = Load("a2c", "CartPole-v1", A2c);
        Assert.Equal(500_000, run.TotalSteps);
    }

    [Fact]
    public void Off_policy_entries_translate_net_arch_to_actor_and_critic_and_noise_type_to_action_noise()
    {
        (RunSettings run, Hyperparameters td3) = Load("td3", "Pendulum-v1", Td3);
        Assert.Equal(20_000, run.TotalSteps);
        Assert.Equal("[400, 300]", td3.Get("policy_layers"));
        Assert.Equal("[400, 300]", td3.Get("critic_layers"));
        Assert.Equal("normal", td3.Get("action_noise"));
        Assert.Equal("0.98", td3.Get("gamma"));
        (_, Hyperparameters sac) = Load("sac", "Pendulum-v1", Sac);
        Assert.Equal(Hyperparameters.ParseSchedule("0.001").ToString(), Hyperparameters.ParseSchedule(sac.Get("learning_rate")).ToString());
    }

    [Theory]
    [InlineData("policy: 'MultiInputPolicy'", "only MlpPolicy and CnnPolicy translate")]
    [InlineData("env_wrapper: rl_zoo3.wrappers.FrameSkip", "are the settings frame_skip, resize and grayscale")]
    [InlineData("policy_kwargs: \"dict(activation_fn=nn.ELU)\"", "activation_fn=nn.ELU (PolicyLab has nn.ReLU and nn.Tanh)")]
    [InlineData("policy_kwargs: \"dict(net_arch=dict(pi=[64], vf=[32]), squash_output=True)\"", "squash_output=True (no PolicyLab counterpart)")]
    [InlineData("normalize: \"{'norm_obs': True, 'clip_obs': 5}\"", "normalize:")]
    public void Untranslatable_entries_name_themselves(string line, string expected)
    {
        var e = Assert.Throws<PolicyLabException>(() => Load("ppo", "CartPole-v1",
            line.StartsWith("policy:", StringComparison.Ordinal) ? $"CartPole-v1:\n  {line}\n" : $"CartPole-v1:\n  policy: 'MlpPolicy'\n  {line}\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Net_arch_dict_and_normalize_dict_translate()
    {
        (RunSettings run, Hyperparameters ppo) = Load("ppo", "CartPole-v1",
            "CartPole-v1:\n  policy: 'MlpPolicy'\n  policy_kwargs: \"dict(net_arch=dict(pi=[32, 32], vf=[128]), activation_fn=nn.ReLU)\"\n  normalize: \"{'norm_obs': True, 'norm_reward': False}\"\n");
        Assert.Equal("[32, 32]", ppo.Get("policy_layers"));
        Assert.Equal("[128]", ppo.Get("value_layers"));
        Assert.Equal("relu", ppo.Get("activation"));
        Assert.True(run.NormalizeObservations);
        Assert.False(run.NormalizeReward);
    }

    [Fact]
    public void Frame_stack_is_a_run_setting_and_passes_unchanged()
    {
        (RunSettings run, _) = Load("ppo", "CarRacing-v3", "CarRacing-v3:\n  policy: 'CnnPolicy'\n  frame_stack: 2\n");
        Assert.Equal(2, run.FrameStack);
    }
}
