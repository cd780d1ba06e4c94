using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

public sealed class MemoryEstimateTests
{
    private static (RunSettings, Hyperparameters) Resolve(string algorithm, string environment, params string[] settings) =>
        SettingsResolver.Resolve(new SettingsRequest(algorithm, environment, null, settings, 0, null));

    [Fact]
    public void The_estimate_counts_networks_with_optimizer_state_and_the_buffers_by_their_closed_forms()
    {
        // PPO on CartPole (4 observations, 1 action float): policy 4→64→64→2 logits counted as act=1, value 4→64→64→1.
        (RunSettings run, Hyperparameters s) = Resolve("ppo", "CartPole-v1", "n_envs=4", "n_steps=128", "batch_size=64",
            "policy_layers=[64, 64]", "value_layers=[64, 64]", "eval_episodes=2");
        MemoryEstimate e = MemoryEstimate.For(run, s, observationSize: 4, actionSize: 1, bytesPerEnvironment: 1000);
        double network = 2 * ((4 + 1) * 64 + (64 + 1) * 64 + (64 + 1) * 1);
        Assert.Equal(network * 16, e.NetworkBytes);
        Assert.Equal(4.0 * 2 * 256 * (4 + 64), e.ActivationBytes);
        Assert.Equal(128.0 * 4 * (4 + 1 + 6) * 4, e.BufferBytes);
        Assert.Equal((4 + 2) * (1000 + (8 + 1 + 4) * 4.0), e.EnvironmentBytes);

        // SAC's replay buffer counts buffer_size rows, or the budget when it is smaller.
        (RunSettings sac, Hyperparameters sacSettings) = Resolve("sac", "Pendulum-v1", "buffer_size=1000000", "n_timesteps=5000");
        Assert.Equal(5000.0 * (2 * 3 + 1 + 3) * 4, MemoryEstimate.For(sac, sacSettings, 3, 1, 0).BufferBytes);
    }

    [Theory]
    [InlineData("n_envs=100000000")]
    [InlineData("policy_layers=[100000,100000]")]
    [InlineData("policy_layers=[2000000000]")]
    [InlineData("n_steps=100000000")]
    public void A_configuration_beyond_the_machine_is_refused_before_anything_is_allocated(string setting)
    {
        (RunSettings run, Hyperparameters s) = Resolve("ppo", "CartPole-v1", setting);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<PolicyLabException>(() => MemoryEstimate.ThrowIfTooLarge(run, s, null));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10 << 20, "the refusal allocated more than 10 MB");
        Assert.Contains("This configuration needs at least", e.Message, StringComparison.Ordinal);
        Assert.Contains($"more than the {MemoryEstimate.Format(MemoryEstimate.AvailableBytes)} this machine has", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_memory_limits_a_configuration_the_machine_could_hold()
    {
        (RunSettings run, Hyperparameters s) = Resolve("ppo", "CartPole-v1", "n_envs=64");
        MemoryEstimate fits = MemoryEstimate.ThrowIfTooLarge(run, s, null);
        var e = Assert.Throws<PolicyLabException>(() => MemoryEstimate.ThrowIfTooLarge(run, s, (long)(fits.TotalBytes / 2)));
        Assert.Contains("--max-memory allows", e.Message, StringComparison.Ordinal);
        Assert.Contains("64 environment copies", e.Message, StringComparison.Ordinal);
        Assert.Equal(4L << 30, MemoryEstimate.ParseSize("4G"));
        Assert.Equal(512L << 20, MemoryEstimate.ParseSize("512MB"));
        Assert.Equal(1536L << 20, MemoryEstimate.ParseSize("1.5GiB"));
        Assert.Equal(2_000_000_000L, MemoryEstimate.ParseSize("2000000000"));
        Assert.Throws<PolicyLabException>(() => MemoryEstimate.ParseSize("lots"));
        Assert.Throws<PolicyLabException>(() => MemoryEstimate.ParseSize("0"));
    }
}
